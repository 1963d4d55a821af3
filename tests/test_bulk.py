"""The bulk path (services.bulk): the same rules as the one-at-a-time services, the same
rows, and a refused batch changes nothing. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import gc
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from builders import World, refused, version_create, write

from sigtui.catalog import services
from sigtui.catalog.model.errors import CatalogError, FieldErrors, Refusals
from sigtui.catalog.model.models import (
    DataDisk,
    Gallery,
    ImageDefinition,
    ImageVersion,
    TargetRegion,
)
from sigtui.catalog.model.schemas import DefinitionCreate, GalleryCreate
from sigtui.catalog.queries import counts
from sigtui.catalog.rules import limits
from sigtui.catalog.services import bulk
from sigtui.catalog.services.versions import ResolvedSource, SourceDisk
from sigtui.catalog.store.db import Catalog

TARGETS = ["westus=2", "eastus=1=Standard_ZRS", "westeurope"]
GALLERIES = "providers/Microsoft.Compute/galleries"


def _definition(name: str = "app", sku: str = "Backend") -> DefinitionCreate:
    return DefinitionCreate(
        name=name,
        location="westus",
        publisher="Contoso",
        offer="Finance",
        sku=sku,
        os_type="Linux",
        tags={"team": "platform"},
    )


def _versions(
    world: World, definition_id: str, names: list[str], image: str | None = None
) -> list[bulk.NewVersion]:
    source = image or world.image
    return [
        bulk.NewVersion(definition_id, version_create(n, image=source, targets=TARGETS))
        for n in names
    ]


def _batch(world: World, gallery: str, versions: list[str], image: str | None = None) -> bulk.Batch:
    gallery_id = f"{world.group}/providers/Microsoft.Compute/galleries/{gallery}"
    definition_id = f"{gallery_id}/images/app"
    return bulk.Batch(
        galleries=[bulk.NewGallery(world.group, GalleryCreate(name=gallery, location="westus"))],
        definitions=[bulk.NewDefinition(gallery_id, _definition())],
        versions=_versions(world, definition_id, versions, image),
    )


def _rows(catalog: Catalog, model: type[Any], skip: set[str]) -> list[dict[str, Any]]:
    table = model.__table__
    with catalog.engine.connect() as conn:
        rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).mappings()
        return [{k: v for k, v in row.items() if k not in skip} for row in rows]


def test_bulk_makes_the_rows_the_services_make(catalog: Catalog, world: World) -> None:
    image = world.build.managed_image(world.group, "with_data", data_disk_sizes_gb=[32, 64])
    names = ["1.0.0", "1.0.1", "1.1.0"]

    def by_services(db: Any) -> None:
        gallery = services.create_gallery(
            db, world.group, GalleryCreate(name="by_services", location="westus"), world.clock
        )
        gallery_id = f"{world.group}/providers/Microsoft.Compute/galleries/{gallery.name}"
        services.create_definition(db, gallery_id, _definition(), world.clock)
        for name in names:
            data = version_create(name, image=image, targets=TARGETS)
            services.create_version(db, f"{gallery_id}/images/app", data, world.clock)

    write(catalog, by_services)
    loaded = write(
        catalog, lambda db: bulk.load(db, _batch(world, "by_bulk", names, image), world.clock)
    )
    assert loaded == bulk.Loaded(galleries=1, definitions=1, versions=3, target_regions=9)

    keys = {"pk", "gallery_pk", "definition_pk", "version_pk", "name", "name_key"}
    for model in (Gallery, ImageDefinition):  # the small catalog's, by services, by bulk
        _small, by_services, by_bulk = _rows(catalog, model, keys)
        assert by_services == by_bulk
    disks = _rows(catalog, DataDisk, keys)
    assert len(disks) == 12 and disks[:6] == disks[6:]
    versions = _rows(catalog, ImageVersion, keys - {"name"})
    assert versions[:3] == versions[3:]
    targets = _rows(catalog, TargetRegion, keys)
    assert len(targets) == 18 and targets[:9] == targets[9:]
    assert {t["state"] for t in targets} == {"Completed", "Replicating"}
    # each carries its version's size (OS + 32 + 64 GB of data disks) and source region
    size_and_source = (versions[0]["os_disk_size_gb"] + 96, versions[0]["location"])
    assert {(t["size_gb"], t["source_region"]) for t in targets} == {size_and_source}


AWKWARD = "tab\there, a line\nbreak, \\N, back\\slash, \x1b[31m, [/], café"


def test_a_copy_writes_the_rows_an_insert_writes(
    catalog: Catalog, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL takes a batch's rows by COPY: the rows an executemany INSERT makes, text
    that COPY's own format escapes, NULLs, times, flags and JSON included."""
    if catalog.engine.dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    image = world.build.managed_image(world.group, "with_data", data_disk_sizes_gb=[32, 64])

    def batch(gallery: str) -> bulk.Batch:
        loaded = _batch(world, gallery, [], image)
        loaded.galleries[0].data.description = AWKWARD
        definition_id = f"{loaded.definitions[0].gallery_id}/images/app"
        tags = {"note": AWKWARD, "empty": ""}
        for name in ("1.0.0", "1.0.1"):
            data = version_create(name, image=image, targets=TARGETS, tags=tags)
            published = world.clock.now() - timedelta(minutes=1)
            loaded.versions.append(bulk.NewVersion(definition_id, data, published_at=published))
        return loaded

    copies: list[str] = []
    copy = bulk._Inserter._copy

    def copied(inserter: Any, table: sa.Table, *rest: Any) -> None:
        copies.append(table.name)
        copy(inserter, table, *rest)

    monkeypatch.setattr(bulk._Inserter, "_copy", copied)
    write(catalog, lambda db: bulk.load(db, batch("copied"), world.clock))
    assert copies == ["gallery", "image_definition", "image_version", "target_region", "data_disk"]
    monkeypatch.setattr(bulk._Inserter, "_copy", bulk._Inserter._execute_many)
    write(catalog, lambda db: bulk.load(db, batch("inserted"), world.clock))
    keys = {"pk", "gallery_pk", "definition_pk", "version_pk", "name", "name_key"}
    galleries = _rows(catalog, Gallery, keys)
    assert galleries[-2] == galleries[-1] and galleries[-1]["description"] == AWKWARD
    for model, count in ((ImageDefinition, 1), (ImageVersion, 2), (TargetRegion, 6), (DataDisk, 4)):
        rows = _rows(catalog, model, keys)
        assert rows[-2 * count : -count] == rows[-count:], model
    assert _rows(catalog, ImageVersion, keys)[-1]["tags"] == {"note": AWKWARD, "empty": ""}


def test_bulk_history_is_stored_in_the_state_reached_now(catalog: Catalog, world: World) -> None:
    batch = _batch(world, "history", [])
    definition_id = batch.definitions[0].gallery_id + "/images/app"
    now = world.clock.now()
    for name, age in (("1.0.0", timedelta(days=30)), ("1.0.1", timedelta(minutes=1))):
        data = version_create(name, image=world.image, targets=TARGETS)
        batch.versions.append(bulk.NewVersion(definition_id, data, published_at=now - age))
    write(catalog, lambda db: bulk.load(db, batch, world.clock))
    states = [(t["state"], t["progress"] == 100) for t in _rows(catalog, TargetRegion, set())]
    old, recent = states[:3], states[3:]
    assert old == [("Completed", True)] * 3
    assert recent[0] == ("Completed", True)  # the source region holds it from the start
    assert recent[1:] == [("Replicating", False)] * 2


def _refused_batch(catalog: Catalog, code: str, batch: bulk.Batch, world: World) -> None:
    refused(catalog, code, lambda db: bulk.load(db, batch, world.clock))


def test_bulk_refuses_a_version_number_twice(catalog: Catalog, world: World) -> None:
    _refused_batch(catalog, "SIG-NAME", _batch(world, "g2", ["1.0.0", "1.0.00"]), world)


def test_bulk_refuses_a_version_the_catalog_has(catalog: Catalog, world: World) -> None:
    world.version("1.0.0")
    batch = bulk.Batch(versions=_versions(world, world.definition, ["1.0.1", "1.0.0"]))
    _refused_batch(catalog, "SIG-NAME", batch, world)


def test_bulk_refuses_a_shared_identity(catalog: Catalog, world: World) -> None:
    batch = bulk.Batch(definitions=[bulk.NewDefinition(world.gallery, _definition("b", "Backend"))])
    _refused_batch(catalog, "SIG-IDENT", batch, world)  # def1 is Contoso/Finance/Backend


def test_bulk_counts_the_catalog_against_the_limits(
    catalog: Catalog, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.version("1.0.0")
    monkeypatch.setattr(limits, "VERSIONS", limits.Limit("imageVersions", 2, *_codes()))
    fits = bulk.Batch(versions=_versions(world, world.definition, ["1.0.1"]))
    write(catalog, lambda db: bulk.load(db, fits, world.clock))
    batch = bulk.Batch(versions=_versions(world, world.definition, ["1.0.2"]))
    _refused_batch(catalog, "SIG-LIMIT-VERSIONS", batch, world)


def _codes() -> tuple[str, str]:
    return limits.VERSIONS.code, limits.VERSIONS.noun


@pytest.mark.parametrize(
    ("targets", "code"),
    [
        (["westus", "northcentralus=1=Standard_ZRS"], "SIG-ZRS"),
        (["westus", "australiacentral"], "SIG-REGION-ALLOWLIST"),
        (["westus", "chinanorth"], "SIG-CLOUD"),
        (["westus=101"], "SIG-REPLICAS"),
        (["eastus"], "SIG-SOURCE-REGION"),
    ],
)
def test_bulk_checks_target_regions(
    catalog: Catalog, world: World, targets: list[str], code: str
) -> None:
    good = version_create("1.0.0", image=world.image)
    bad = version_create("1.0.1", image=world.image, targets=targets)
    batch = bulk.Batch(
        versions=[bulk.NewVersion(world.definition, good), bulk.NewVersion(world.definition, bad)]
    )
    _refused_batch(catalog, code, batch, world)


def test_bulk_refuses_a_missing_source(catalog: Catalog, world: World) -> None:
    missing = world.image.replace("image1", "nowhere")
    batch = bulk.Batch(
        versions=[bulk.NewVersion(world.definition, version_create("1.0.0", image=missing))]
    )
    _refused_batch(catalog, "SIG-NOT-FOUND", batch, world)


def test_bulk_refuses_a_version_published_in_the_future(catalog: Catalog, world: World) -> None:
    later = world.clock.now() + timedelta(hours=1)
    data = version_create("1.0.0", image=world.image)
    batch = bulk.Batch(versions=[bulk.NewVersion(world.definition, data, published_at=later)])
    _refused_batch(catalog, "SIG-INPUT", batch, world)


LARGEST_KEY = 2**31 - 1  # PostgreSQL's INTEGER; SQLite's rowids go up to 2**63 - 1


@pytest.mark.parametrize("keys", ["consecutive", "after the largest", "read back"])
def test_bulk_puts_each_row_under_its_own_parent(
    catalog: Catalog, world: World, keys: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each new row gets its own new key: two galleries, a definition in each, versions
    with their own regions and tags. On SQLite the keys follow the largest (its rowid rule)
    unless that one is taken: a gallery at the largest key makes SQLite pick keys at random,
    and the keys are read back by each row's unique columns, as on other databases."""
    if keys == "after the largest":
        services_gallery = GalleryCreate(name="top", location="westus")
        top = write(
            catalog,
            lambda db: services.create_gallery(db, world.group, services_gallery, world.clock),
        )
        largest = 2**63 - 1 if catalog.engine.dialect.name == "sqlite" else LARGEST_KEY
        with catalog.engine.begin() as conn:
            conn.execute(sa.update(Gallery).where(Gallery.pk == top.pk).values(pk=largest))
    if keys == "read back":
        monkeypatch.setattr(bulk._Inserter, "_largest_key", lambda self, model: None)
    regions = {"1.0.0": ["westus"], "1.0.1": ["westus", "eastus"], "2.0.0": ["westus=3"]}
    batch = bulk.Batch()
    for gallery in ("first", "second"):
        gallery_id = f"{world.group}/providers/Microsoft.Compute/galleries/{gallery}"
        new_gallery = GalleryCreate(name=gallery, location="westus")
        batch.galleries.append(bulk.NewGallery(world.group, new_gallery))
        batch.definitions.append(bulk.NewDefinition(gallery_id, _definition(f"app_{gallery}")))
        for name, targets in regions.items():
            data = version_create(name, image=world.image, targets=targets, tags={"g": gallery})
            batch.versions.append(bulk.NewVersion(f"{gallery_id}/images/app_{gallery}", data))
    write(catalog, lambda db: bulk.load(db, batch, world.clock))

    query = (
        sa.select(Gallery.name, ImageDefinition.name, ImageVersion.name, ImageVersion.tags)
        .add_columns(TargetRegion.region, TargetRegion.replica_count)
        .join(ImageDefinition, ImageDefinition.gallery_pk == Gallery.pk)
        .join(ImageVersion, ImageVersion.definition_pk == ImageDefinition.pk)
        .join(TargetRegion, TargetRegion.version_pk == ImageVersion.pk)
        .where(Gallery.name.in_(["first", "second"]))
    )
    with catalog.read() as db:
        found = {(g, d, v, tags["g"], *rest) for g, d, v, tags, *rest in db.execute(query)}
    expected = {
        (gallery, f"app_{gallery}", name, gallery, region, replicas)
        for gallery in ("first", "second")
        for name, region, replicas in [
            ("1.0.0", "westus", 1),
            ("1.0.1", "westus", 1),
            ("1.0.1", "eastus", 1),
            ("2.0.0", "westus", 3),
        ]
    }
    assert found == expected


@pytest.mark.parametrize("enabled", [True, False])
def test_bulk_leaves_the_cycle_collector_as_it_found_it(
    catalog: Catalog, world: World, enabled: bool
) -> None:
    """The collector is paused during a load, and set back as it was, refused or not."""
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        write(catalog, lambda db: bulk.load(db, _batch(world, "g1", ["1.0.0"]), world.clock))
        assert gc.isenabled() is enabled
        _refused_batch(catalog, "SIG-NAME", _batch(world, "g1", ["1.0.0"]), world)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_a_bulk_load_moves_the_change_marker(catalog: Catalog, world: World) -> None:
    """Rows sent through the session's connection still tell other sessions to reload."""
    before = catalog.change_marker()
    write(catalog, lambda db: bulk.load(db, _batch(world, "g2", ["1.0.0"]), world.clock))
    assert catalog.change_marker() > before


def test_bulk_checks_a_shared_source_against_each_definition(
    catalog: Catalog, world: World
) -> None:
    """A source is checked once per definition: the Linux image that fits the first
    definition is refused for a Windows one."""
    gallery_id = f"{world.group}/providers/Microsoft.Compute/galleries/g2"
    windows = _definition("win", sku="Windows").model_copy(update={"os_type": "Windows"})
    batch = bulk.Batch(
        galleries=[bulk.NewGallery(world.group, GalleryCreate(name="g2", location="westus"))],
        definitions=[
            bulk.NewDefinition(gallery_id, _definition()),
            bulk.NewDefinition(gallery_id, windows),
        ],
        versions=[
            *_versions(world, f"{gallery_id}/images/app", ["1.0.0"]),
            *_versions(world, f"{gallery_id}/images/win", ["1.0.0"]),
        ],
    )
    _refused_batch(catalog, "SIG-INPUT", batch, world)


def test_bulk_checks_shared_target_regions_against_each_versions_storage(
    catalog: Catalog,
    world: World,
) -> None:
    """The same list of target regions is checked again for a version whose own storage
    type (Standard_ZRS) one of the regions cannot hold."""
    targets = ["westus", "northcentralus"]
    versions = [
        version_create("1.0.0", image=world.image, targets=targets),
        version_create(
            "1.0.1", image=world.image, targets=targets, storage_account_type="Standard_ZRS"
        ),
    ]
    batch = bulk.Batch(versions=[bulk.NewVersion(world.definition, v) for v in versions])
    _refused_batch(catalog, "SIG-ZRS", batch, world)


def test_bulk_names_every_refused_resource(catalog: Catalog, world: World) -> None:
    taken = world.gallery.rsplit("/", 1)[1].upper()  # the catalog's gallery, another case
    batch = bulk.Batch(
        galleries=[bulk.NewGallery(world.group, GalleryCreate(name=taken, location="westus"))],
        definitions=[bulk.NewDefinition(f"{world.group}/{GALLERIES}/{taken}", _definition())],
        versions=[
            *_versions(world, world.definition, ["1.0.0", "1.0.1", "1.0.0"]),
            bulk.NewVersion(
                world.definition,
                version_create("1.0.2", image=world.image, targets=["westus", "chinanorth"]),
            ),
        ],
    )
    error = refused(catalog, "SIG-NAME", lambda db: bulk.load(db, batch, world.clock))
    assert isinstance(error, Refusals)
    named = [(arm_id.rsplit("/", 1)[-1], e.code) for arm_id, e in error.refusals]
    assert named == [
        (taken, "SIG-NAME"),
        ("app", "SIG-INPUT"),  # in the refused gallery
        ("1.0.2", "SIG-CLOUD"),
        ("1.0.0", "SIG-NAME"),  # the second 1.0.0
    ]
    assert "4 resources refused" in error.message


# --- one rule path: a single create is a batch of one ----------------------------------------

New = bulk.NewGallery | bulk.NewDefinition | bulk.NewVersion
PAST = "2020-01-31T00:00:00Z"


def _create_alone(db: Any, new: New, world: World) -> Any:
    """The one-at-a-time service for `new`, as a user's command calls it."""
    if isinstance(new, bulk.NewGallery):
        return services.create_gallery(db, new.group_id, new.data, world.clock)
    if isinstance(new, bulk.NewDefinition):
        return services.create_definition(db, new.gallery_id, new.data, world.clock)
    return services.create_version(db, new.definition_id, new.data, world.clock)


def _in_a_batch(new: New, world: World, *, alone: bool) -> bulk.Batch:
    """`new` in a batch, after a resource of its kind that is fine (unless `alone`: the
    limit cases, where a second one would count)."""
    if isinstance(new, bulk.NewGallery):
        fine_gallery = bulk.NewGallery(world.group, _gallery("fine", "eastus"))
        return bulk.Batch(galleries=[new] if alone else [fine_gallery, new])
    if isinstance(new, bulk.NewDefinition):
        fine_definition = bulk.NewDefinition(world.gallery, _definition("fine", "Fine"))
        return bulk.Batch(definitions=[new] if alone else [fine_definition, new])
    fine = bulk.NewVersion(world.definition, version_create("9.9.9", image=world.image))
    return bulk.Batch(versions=[new] if alone else [fine, new])


def _gallery(name: str, location: str = "westus", **fields: Any) -> GalleryCreate:
    return GalleryCreate(name=name, location=location, **fields)


def _refusal(catalog: Catalog, action: Any) -> CatalogError:
    try:
        with catalog.write() as db:
            action(db)
    except CatalogError as error:
        return error
    pytest.fail("accepted")


def _as_compared(error: CatalogError) -> tuple[Any, ...]:
    parts = getattr(error, "errors", [error])
    return (error.code, error.message, error.field, [(e.code, e.field) for e in parts])


def _create_cases(world: World) -> list[tuple[str, str, New]]:
    """(what, the code, a new resource it refuses) for each rule of the create path."""
    build, group, gallery, definition = world.build, world.group, world.gallery, world.definition
    specialized = build.definition(gallery, "spec", sku="Spec", os_state="Specialized")
    windows = build.definition(gallery, "win", sku="Win", os_type="Windows")
    east_snapshot = build.snapshot(group, "east", "eastus")
    world.version("1.0.0")

    def version(name: str = "2.0.0", on: str = definition, **fields: Any) -> bulk.NewVersion:
        fields.setdefault("image", world.image)
        return bulk.NewVersion(on, version_create(name, **fields))

    def definition_new(name: str = "def2", sku: str = "Other", **fields: Any) -> Any:
        return bulk.NewDefinition(gallery, _definition_with(name, sku, **fields))

    missing = f"{group}/{GALLERIES}/nowhere"
    return [
        ("gallery name", "SIG-NAME", bulk.NewGallery(group, _gallery("bad-name"))),
        ("gallery name taken", "SIG-NAME", bulk.NewGallery(group, _gallery("GALLERY1"))),
        ("gallery location", "SIG-SOURCE-REGIONS", bulk.NewGallery(group, _gallery("g", "mars"))),
        ("gallery tags", "SIG-INPUT", bulk.NewGallery(group, _gallery("g", tags={"": "x"}))),
        ("gallery group", "SIG-NOT-FOUND", bulk.NewGallery(group + "x", _gallery("g"))),
        ("definition parent", "SIG-NOT-FOUND", bulk.NewDefinition(missing, _definition())),
        ("definition name", "SIG-NAME", definition_new("bad name")),
        ("definition name taken", "SIG-NAME", definition_new("DEF1")),
        ("identity", "SIG-IDENT", definition_new(sku="backend")),
        ("publisher", "SIG-NAME", definition_new(publisher="bad publisher!")),
        ("recommended", "SIG-RECOMMENDED", definition_new(min_vcpus=8, max_vcpus=2)),
        ("definition EOL", "SIG-EOL", definition_new(end_of_life_date=PAST)),
        ("generation", "SIG-INPUT", definition_new(architecture="Arm64")),
        ("version parent", "SIG-NOT-FOUND", version(on=definition + "x")),
        ("version name", "SIG-NAME", version("1.a")),
        ("version name taken", "SIG-NAME", version("1.0.00")),
        ("no source", "SIG-INPUT", version(image=None)),
        ("missing source", "SIG-NOT-FOUND", version(image=world.image + "x")),
        ("source region", "SIG-SOURCE-REGION", version(image=None, os_snapshot=east_snapshot)),
        ("source OS", "SIG-INPUT", version(on=windows)),
        ("source OS state", "SIG-OSSTATE", version(on=specialized)),
        ("replica count", "SIG-REPLICAS", version(replica_count=0)),
        ("region twice", "SIG-REPLICAS", version(targets=["westus", "westus"])),
        ("unknown region", "SIG-REPLICAS", version(targets=["westus", "mars"])),
        ("ZRS", "SIG-ZRS", version(targets=["westus", "northcentralus=1=Standard_ZRS"])),
        ("cloud", "SIG-CLOUD", version(targets=["westus", "chinanorth"])),
        ("allowlist", "SIG-REGION-ALLOWLIST", version(targets=["westus", "australiacentral"])),
        ("source among targets", "SIG-SOURCE-REGION", version(targets=["eastus"])),
        ("version EOL", "SIG-EOL", version(end_of_life_date=PAST)),
    ]


def _refused_alike(catalog: Catalog, world: World, new: New, *, alone: bool) -> CatalogError:
    """`new` refused alone (the service) and in a batch, the same way; the error."""
    by_service = _refusal(catalog, lambda db: _create_alone(db, new, world))
    batch = _in_a_batch(new, world, alone=alone)
    in_batch = _refusal(catalog, lambda db: bulk.load(db, batch, world.clock))
    assert isinstance(in_batch, Refusals) and len(in_batch.refusals) == 1, in_batch
    assert _as_compared(in_batch.refusals[0][1]) == _as_compared(by_service)
    return by_service


def test_a_single_create_and_a_batch_refuse_alike(
    catalog: Catalog, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each rule of the create path refuses a resource created alone (the services) and
    the same resource in a batch (bulk.load, after one that is fine) with the same code,
    message and field(s), every refused field at once for a definition: one rule path."""
    for what, code, new in _create_cases(world):
        error = _refused_alike(catalog, world, new, alone=False)
        assert error.code == code, (what, error)
    every = _refused_alike(catalog, world, _crowded(world), alone=False)
    assert isinstance(every, FieldErrors)
    fields = {e.field for e in every.errors}
    assert fields == {"name", "sku", "vcpus_min", "end_of_life_date"}
    for limit, new in (
        ("GALLERIES", bulk.NewGallery(world.group, _gallery("g9"))),
        ("DEFINITIONS", bulk.NewDefinition(world.gallery, _definition("d9", "D9"))),
        ("VERSIONS", bulk.NewVersion(world.definition, version_create("9.0.0", image=world.image))),
    ):
        with monkeypatch.context() as patch:  # the subscription's region is full
            kind = getattr(limits, limit)
            with catalog.read() as db:
                (in_west_us,) = counts.usage(db, location="westus")
                used = in_west_us.used(kind.kind)
            patch.setattr(limits, limit, limits.Limit(kind.kind, used, kind.code, kind.noun))
            error = _refused_alike(catalog, world, new, alone=True)
        assert error.code == f"SIG-LIMIT-{limit}", error


def _crowded(world: World) -> bulk.NewDefinition:
    """A definition whose name and identity are taken, with its vCPUs the wrong way round
    and its end of life past."""
    data = _definition_with("DEF1", "backend", min_vcpus=8, max_vcpus=2, end_of_life_date=PAST)
    return bulk.NewDefinition(world.gallery, data)


def _definition_with(name: str, sku: str, **fields: Any) -> DefinitionCreate:
    return DefinitionCreate.model_validate({**_definition(name, sku).model_dump(), **fields})


def test_bulk_honours_each_versions_replication_speed(catalog: Catalog, world: World) -> None:
    """A version's own replication speed (the demo's versions have 10) divides its regions'
    planned durations, though another version of the same shape shares the batch."""
    batch = bulk.Batch(
        versions=[
            bulk.NewVersion(
                world.definition,
                version_create(name, image=world.image, targets=TARGETS),
                replication_speed=speed,
            )
            for name, speed in (("1.0.0", 1.0), ("1.0.1", 10.0))
        ]
    )
    write(catalog, lambda db: bulk.load(db, batch, world.clock))
    assert [v["replication_speed"] for v in _rows(catalog, ImageVersion, set())] == [1.0, 10.0]
    durations = [t["duration_seconds"] for t in _rows(catalog, TargetRegion, set())]
    realistic, faster = durations[:3], durations[3:]
    assert realistic[1] and faster == pytest.approx([d / 10 for d in realistic])


def _external(size_gb: int) -> ResolvedSource:
    """A source the catalog does not hold (an import's), with one data disk of this size."""
    disk = SourceDisk(0, size_gb, None, "/subscriptions/x/disks/data")
    return ResolvedSource(None, None, 30, [disk], external_source_id="/subscriptions/x/vm")


def test_a_rule_passed_by_a_shape_of_version_is_not_asked_again_a_refusal_is(
    catalog: Catalog, world: World
) -> None:
    """The rules are checked once per shape of version (its target regions as asked, its
    location, its source's disks) and a pass reused for the versions of that shape; a
    refused shape is checked again for each of its versions, so every one is named."""
    good, other_cloud = ["westus=2", "eastus"], ["westus", "chinanorth"]
    shapes = [(good, 128), (other_cloud, 128), (good, 128), (other_cloud, 128), (good, 4096)]
    batch = bulk.Batch(
        versions=[
            bulk.NewVersion(
                world.definition,
                version_create(f"1.0.{n}", targets=targets),
                source=_external(size_gb),
            )
            for n, (targets, size_gb) in enumerate(shapes)
        ]
    )
    error = refused(catalog, "SIG-CLOUD", lambda db: bulk.load(db, batch, world.clock))
    assert isinstance(error, Refusals)
    named = [(arm_id.rsplit("/", 1)[-1], e.code) for arm_id, e in error.refusals]
    assert named == [("1.0.1", "SIG-CLOUD"), ("1.0.3", "SIG-CLOUD"), ("1.0.4", "SIG-DISK-SIZE")]
    assert error.refusals[0][1].message == error.refusals[1][1].message
    made = bulk.Batch(versions=[batch.versions[0], batch.versions[2]])
    assert write(catalog, lambda db: bulk.load(db, made, world.clock)).target_regions == 4
