"""The life-cycle rules of DESIGN.md section 2: SIG-LATEST, SIG-DELETE, SIG-EOL,
SIG-RECOMMENDED, SIG-UPDATE and SIG-CONFLICT, on galleries, definitions and versions.

Named after the rule codes; every refused case checks the code and an unchanged catalog
(`builders.refused`), every accepted case the resulting data. SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from builders import (
    OTHER_SUBSCRIPTION_ID,
    SUBSCRIPTION_ID,
    World,
    catalog_state,
    count,
    definition_call,
    definition_update_call,
    etag,
    gallery_update_call,
    read,
    replicas,
    targets,
    version_call,
    version_update_call,
)

from sigtui.catalog import services
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    DataDisk,
    Gallery,
    ImageDefinition,
    ImageVersion,
    ManagedImage,
    RegionAllowlist,
    RoleAssignment,
    Snapshot,
    Subscription,
    TargetRegion,
)
from sigtui.catalog.model.schemas import (
    RoleAssignmentCreate,
    TargetRegionSpec,
)
from sigtui.catalog.queries import fetch, lookup
from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import Catalog

LRS = "Standard_LRS"
TODAY = date(2026, 1, 15)  # the `clock` fixture's date (it is 12:00 UTC)
YESTERDAY, TOMORROW = date(2026, 1, 14), date(2026, 1, 16)
AN_HOUR_AGO = datetime(2026, 1, 15, 11, 0, tzinfo=UTC)


def az_eol(day: date) -> datetime:
    """A date alone as an end-of-life date-time: 12:59:59 UTC that day (SIG-EOL)."""
    return datetime(day.year, day.month, day.day, 12, 59, 59, tzinfo=UTC)


DAY = 24 * 3600


def _latest(catalog: Catalog, definition_id: str) -> str:
    with catalog.read() as db:
        definition = lookup.resolve_as(db, definition_id, ImageDefinition)
        return lookup.find_version(db, definition, "latest").name


# --- SIG-LATEST ----------------------------------------------------------------------------


def test_SIG_LATEST_compares_numerically(world: World) -> None:
    for name in ("1.9.0", "1.10.0", "1.2.10", "0.99.99"):
        world.version(name)
    assert _latest(world.catalog, world.definition) == "1.10.0"  # as text, 1.9.0 would win
    with world.catalog.read() as db:
        definition = lookup.resolve_as(db, world.definition, ImageDefinition)
        assert [v.name for v in fetch.versions(db, definition.pk)] == [
            "1.10.0",
            "1.9.0",
            "1.2.10",
            "0.99.99",
        ]
        # `latest` in an ARM id, in any case, resolves too
        assert lookup.resolve(db, world.definition + "/versions/LATEST").name == "1.10.0"
        assert lookup.find_version(db, definition, "1.09.0").name == "1.9.0"
    world.version("10.0.0")
    world.version("9.99.99")
    assert _latest(world.catalog, world.definition) == "10.0.0"


def test_SIG_LATEST_skips_versions_excluded_from_latest(world: World) -> None:
    world.version("1.2.10")
    world.version("1.9.0")
    world.version("1.10.0", exclude_from_latest=True)
    assert _latest(world.catalog, world.definition) == "1.9.0"
    nine = world.definition + "/versions/1.9.0"
    world.write(version_update_call(world, nine, exclude_from_latest=True))
    assert _latest(world.catalog, world.definition) == "1.2.10"
    ten = world.definition + "/versions/1.10.0"
    world.write(version_update_call(world, ten, exclude_from_latest=False))
    assert _latest(world.catalog, world.definition) == "1.10.0"


def test_SIG_LATEST_no_candidate(world: World) -> None:
    def find_latest(db):
        definition = lookup.resolve_as(db, world.definition, ImageDefinition)
        return lookup.find_version(db, definition, "latest")

    world.refused("SIG-LATEST", find_latest)  # no versions at all
    world.version("1.0.0", exclude_from_latest=True)
    world.version("2.0.0", exclude_from_latest=True)
    error = world.refused("SIG-LATEST", find_latest)
    assert "def1" in error.message
    world.refused(
        "SIG-LATEST", lambda db: lookup.resolve(db, world.definition + "/versions/latest")
    )


# --- SIG-DELETE ----------------------------------------------------------------------------


def test_SIG_DELETE_gallery_with_definitions(world: World) -> None:
    world.build.definition(world.gallery, "def2", sku="Frontend")
    error = world.refused("SIG-DELETE", lambda db: services.delete_gallery(db, world.gallery))
    assert "gallery1" in error.message
    assert "def1" in error.message and "def2" in error.message
    for definition in (world.definition, world.definition.replace("def1", "def2")):
        world.write(lambda db, d=definition: services.delete_definition(db, d))
    world.write(lambda db: services.delete_gallery(db, world.gallery))
    assert count(world.catalog, Gallery) == 0
    world.refused("SIG-NOT-FOUND", lambda db: lookup.resolve(db, world.gallery))


def test_SIG_DELETE_names_the_first_five_blockers(world: World) -> None:
    for i in range(2, 8):
        world.build.definition(world.gallery, f"def{i}", sku=f"sku{i}")
    error = world.refused("SIG-DELETE", lambda db: services.delete_gallery(db, world.gallery))
    assert "7 image definitions" in error.message
    assert "and 2 more" in error.message
    assert sum(f"def{i}" in error.message for i in range(1, 8)) == 5


def test_SIG_DELETE_definition_with_versions(world: World) -> None:
    first, second = world.version("1.0.0"), world.version("1.0.1")
    error = world.refused("SIG-DELETE", lambda db: services.delete_definition(db, world.definition))
    assert "def1" in error.message and "1.0.0" in error.message and "1.0.1" in error.message
    for version in (first, second):
        world.write(lambda db, v=version: services.delete_version(db, v))
    world.write(lambda db: services.delete_definition(db, world.definition))
    assert count(world.catalog, ImageDefinition) == 0


def test_SIG_DELETE_group_with_contents(world: World) -> None:
    world.build.snapshot(world.group, "snap1")
    error = world.refused("SIG-DELETE", lambda db: services.delete_group(db, world.group))
    for blocker in ("rg-images", "gallery gallery1", "image image1", "snapshot snap1"):
        assert blocker in error.message
    empty = world.build.group("rg-empty")
    world.write(lambda db: services.delete_group(db, empty))
    with world.catalog.read() as db:
        assert [g.name for g in fetch.groups(db)] == ["rg-images"]
    # a subscription with groups cannot go either; an empty one can
    error = world.refused(
        "SIG-DELETE", lambda db: services.delete_subscription(db, SUBSCRIPTION_ID)
    )
    assert "rg-images" in error.message
    world.build.subscription("Empty", OTHER_SUBSCRIPTION_ID, allowlisted=["australiacentral"])
    assert count(world.catalog, RegionAllowlist) == 1
    world.write(lambda db: services.delete_subscription(db, "empty"))
    assert (count(world.catalog, Subscription), count(world.catalog, RegionAllowlist)) == (1, 0)


def test_SIG_DELETE_sources_used_by_versions(world: World) -> None:
    version = world.version()
    error = world.refused("SIG-DELETE", lambda db: services.delete_managed_image(db, world.image))
    assert "image1" in error.message and "gallery1/images/def1/versions/1.0.0" in error.message
    os_disk = world.build.snapshot(world.group, "os")
    data_disk = world.build.snapshot(world.group, "data", os_type=None)
    world.version("2.0.0", image=None, os_snapshot=os_disk, data_snapshot_ids=[data_disk])
    for snapshot in (os_disk, data_disk):
        error = world.refused("SIG-DELETE", lambda db, s=snapshot: services.delete_snapshot(db, s))
        assert "versions/2.0.0" in error.message
    unused = world.build.managed_image(world.group, "unused")
    world.write(lambda db: services.delete_managed_image(db, unused))
    spare = world.build.snapshot(world.group, "spare")
    world.write(lambda db: services.delete_snapshot(db, spare))
    assert (count(world.catalog, ManagedImage), count(world.catalog, Snapshot)) == (1, 2)
    # once its versions are gone, the image can go too
    world.write(lambda db: services.delete_version(db, version))
    world.write(lambda db: services.delete_managed_image(db, world.image))
    assert count(world.catalog, ManagedImage) == 0


def test_SIG_DELETE_a_version_takes_its_parts_along(world: World) -> None:
    os_disk = world.build.snapshot(world.group, "os")
    data_disk = world.build.snapshot(world.group, "data", os_type=None)
    version = world.version(
        image=None, os_snapshot=os_disk, data_snapshot_ids=[data_disk], targets=["westus", "eastus"]
    )
    world.build.principal("alice")
    world.write(
        lambda db: services.create_role_assignment(
            db, RoleAssignmentCreate(assignee="alice", role="Reader", scope=version), world.clock
        )
    )
    assert (count(world.catalog, TargetRegion), count(world.catalog, DataDisk)) == (2, 1)
    world.write(lambda db: services.delete_version(db, version))
    for model in (ImageVersion, TargetRegion, DataDisk, RoleAssignment):
        assert count(world.catalog, model) == 0, model.__name__
    assert count(world.catalog, Snapshot) == 2


# --- SIG-EOL -------------------------------------------------------------------------------


def test_SIG_EOL_on_create(world: World) -> None:
    for past in (YESTERDAY, AN_HOUR_AGO):
        error = world.refused("SIG-EOL", definition_call(world, end_of_life_date=past))
        assert error.field == "end_of_life_date"
        world.refused("SIG-EOL", version_call(world, end_of_life_date=past))
    definition = world.write(definition_call(world, end_of_life_date=TOMORROW))
    assert definition.end_of_life_date == az_eol(TOMORROW)
    assert read(world.catalog, world.version(end_of_life_date=TOMORROW)).end_of_life_date == (
        az_eol(TOMORROW)
    )


def test_SIG_EOL_compares_date_times(world: World) -> None:
    """A date alone is 12:59:59 UTC that day: today's date is still ahead at 12:00."""
    definition = world.write(definition_call(world, end_of_life_date=TODAY))
    assert definition.end_of_life_date == az_eol(TODAY)
    in_an_hour = datetime(2026, 1, 15, 13, 0, tzinfo=UTC)
    version = read(world.catalog, world.version(end_of_life_date=in_an_hour))
    assert version.end_of_life_date == in_an_hour  # a time of day given is kept


def test_SIG_EOL_when_changed_on_update(world: World) -> None:
    version = world.version()
    for past in (YESTERDAY, AN_HOUR_AGO):
        world.refused("SIG-EOL", definition_update_call(world, end_of_life_date=past))
        world.refused("SIG-EOL", version_update_call(world, version, end_of_life_date=past))
    world.write(definition_update_call(world, end_of_life_date=date(2027, 6, 30)))
    world.write(version_update_call(world, version, end_of_life_date=date(2027, 6, 30)))
    assert read(world.catalog, world.definition).end_of_life_date == az_eol(date(2027, 6, 30))
    assert read(world.catalog, version).end_of_life_date == az_eol(date(2027, 6, 30))


def test_SIG_EOL_an_unchanged_past_date_does_not_block_other_updates(
    world: World, clock: FixedClock
) -> None:
    assert clock is world.clock and clock.now().date() == TODAY
    eol = date(2026, 1, 20)
    definition = world.build.definition(world.gallery, "def2", sku="Frontend", end_of_life_date=eol)
    version = world.version(end_of_life_date=eol, targets=["westus"])
    clock.advance(10 * DAY)  # 2026-01-25: both are past their end of life now
    world.write(
        definition_update_call(world, definition, description="still here", end_of_life_date=eol)
    )
    world.write(definition_update_call(world, definition, max_vcpus=8))
    world.write(version_update_call(world, version, exclude_from_latest=True, end_of_life_date=eol))
    world.write(version_update_call(world, version, targets=["westus", "eastus"]))
    assert read(world.catalog, definition).description == "still here"
    assert read(world.catalog, definition).end_of_life_date == az_eol(eol)
    assert read(world.catalog, version).end_of_life_date == az_eol(eol)
    assert set(replicas(world.catalog, version)) == {"westus", "eastus"}
    # changing it still needs a date in the future of the (moved) clock
    world.refused(
        "SIG-EOL", definition_update_call(world, definition, end_of_life_date=date(2026, 1, 22))
    )
    world.refused(
        "SIG-EOL", version_update_call(world, version, end_of_life_date=date(2026, 1, 24))
    )
    world.write(version_update_call(world, version, end_of_life_date=date(2026, 1, 26)))
    assert read(world.catalog, version).end_of_life_date == az_eol(date(2026, 1, 26))
    # and it may be cleared
    world.write(definition_update_call(world, definition, end_of_life_date=None))
    assert read(world.catalog, definition).end_of_life_date is None


# --- SIG-RECOMMENDED -----------------------------------------------------------------------


def test_SIG_RECOMMENDED_on_create(world: World) -> None:
    for fields in (
        {"min_vcpus": 4, "max_vcpus": 2},
        {"min_memory_mb": 16, "max_memory_mb": 8},
        {"min_vcpus": 0},
        {"max_vcpus": 0},
        {"min_memory_mb": 0, "max_memory_mb": 4},
        {"max_memory_mb": -8},
    ):
        world.refused("SIG-RECOMMENDED", definition_call(world, **fields))
    definition = world.write(
        definition_call(world, min_vcpus=2, max_vcpus=2, min_memory_mb=8, max_memory_mb=8)
    )
    assert (definition.min_vcpus, definition.max_vcpus) == (2, 2)
    assert (definition.min_memory_mb, definition.max_memory_mb) == (8, 8)
    only_min = world.write(definition_call(world, "def3", sku="Only", min_vcpus=1))
    assert (only_min.min_vcpus, only_min.max_vcpus) == (1, None)


def test_SIG_RECOMMENDED_update_checks_the_merged_values(world: World) -> None:
    world.write(
        definition_update_call(world, min_vcpus=2, max_vcpus=8, min_memory_mb=4, max_memory_mb=16)
    )
    for fields in (
        {"max_vcpus": 1},
        {"min_vcpus": 9},
        {"min_vcpus": 0},
        {"max_memory_mb": 3},
        {"min_memory_mb": 17},
        {"min_memory_mb": 8, "max_memory_mb": 6},
    ):
        world.refused("SIG-RECOMMENDED", definition_update_call(world, **fields))
    world.write(definition_update_call(world, min_vcpus=4))
    world.write(definition_update_call(world, max_memory_mb=4))
    definition = read(world.catalog, world.definition)
    assert (definition.min_vcpus, definition.max_vcpus) == (4, 8)
    assert (definition.min_memory_mb, definition.max_memory_mb) == (4, 4)


# --- SIG-UPDATE ----------------------------------------------------------------------------


def test_SIG_UPDATE_gallery(world: World) -> None:
    for field, value in [("name", "gallery2"), ("location", "eastus"), ("location", "East US")]:
        error = world.refused("SIG-UPDATE", gallery_update_call(world, **{field: value}))
        assert error.field == field
    world.write(
        gallery_update_call(world, name="GALLERY1", location="West US", description="Images")
    )
    world.write(gallery_update_call(world, location="westus", tags={"env": "prod"}))
    gallery = read(world.catalog, world.gallery)
    assert (gallery.name, gallery.location) == ("gallery1", "westus")
    assert (gallery.description, gallery.tags) == ("Images", {"env": "prod"})


DEFINITION_FIELDS = {  # field: (value at creation, another value)
    "name": ("def2", "def3"),
    "location": ("westus", "eastus"),
    "publisher": ("Contoso", "Fabrikam"),
    "offer": ("Finance", "Sales"),
    "sku": ("Frontend", "Backend2"),
    "os_type": ("Linux", "Windows"),
    "os_state": ("Generalized", "Specialized"),
    "hyper_v_generation": ("V2", "V1"),
}


def test_SIG_UPDATE_definition_fixed_fields(world: World) -> None:
    created = {field: value for field, (value, _) in DEFINITION_FIELDS.items()}
    definition = world.build.definition(world.gallery, **created)
    for field, (_, other) in DEFINITION_FIELDS.items():
        error = world.refused(
            "SIG-UPDATE", definition_update_call(world, definition, **{field: other})
        )
        assert error.field == field
    # repeating every fixed field's value is fine (the location also by its display name)
    world.write(definition_update_call(world, definition, **{**created, "location": "West US"}))
    world.write(definition_update_call(world, definition, os_type="linux", publisher="CONTOSO"))
    row = read(world.catalog, definition)
    assert {field: getattr(row, field) for field in DEFINITION_FIELDS} == created


def test_SIG_UPDATE_definition_updatable_fields(world: World) -> None:
    world.write(
        definition_update_call(
            world,
            description="Backend servers",
            min_vcpus=2,
            max_vcpus=4,
            min_memory_mb=8,
            max_memory_mb=32,
            end_of_life_date=date(2027, 1, 1),
            eula="Another EULA",
            privacy_statement_uri="https://x.example/p",
            release_note_uri="https://x.example/n",
            disallowed_disk_types=["premium_lrs"],
            tags={"team": "finance"},
        )
    )
    row = read(world.catalog, world.definition)
    assert (row.description, row.tags, row.end_of_life_date) == (
        "Backend servers",
        {"team": "finance"},
        az_eol(date(2027, 1, 1)),
    )
    assert (row.eula, row.privacy_statement_uri, row.release_note_uri) == (
        "Another EULA",
        "https://x.example/p",
        "https://x.example/n",
    )
    assert row.disallowed_disk_types == ["Premium_LRS"]
    assert (row.min_vcpus, row.max_vcpus, row.min_memory_mb, row.max_memory_mb) == (2, 4, 8, 32)


def test_SIG_UPDATE_version_fixed_fields(world: World) -> None:
    version = world.version(targets=["westus", "eastus"])
    other_image = world.build.managed_image(world.group, "image2")
    snapshot = world.build.snapshot(world.group, "os")
    for field, other in [
        ("name", "2.0.0"),
        ("location", "eastus"),
        ("managed_image_id", other_image),
        ("os_snapshot_id", snapshot),
        ("storage_account_type", "Premium_LRS"),
    ]:
        error = world.refused("SIG-UPDATE", version_update_call(world, version, **{field: other}))
        assert error.field == field
    world.write(
        version_update_call(
            world,
            version,
            name="1.0.0",
            location="West US",
            managed_image_id=world.image.upper(),
            replica_count=1,
            storage_account_type="standard_lrs",
        )
    )
    row = read(world.catalog, version)
    assert (row.name, row.location, row.replica_count, row.storage_account_type) == (
        "1.0.0",
        "westus",
        1,
        LRS,
    )
    assert replicas(world.catalog, version) == {"westus": (1, LRS), "eastus": (1, LRS)}


def test_SIG_UPDATE_version_updatable_fields(world: World) -> None:
    version = world.version(targets=["westus", "eastus"])
    world.write(
        version_update_call(
            world,
            version,
            targets=["westus=3", "eastus", "northeurope=2"],
            exclude_from_latest=True,
            end_of_life_date=date(2027, 1, 1),
            replica_count=3,
            tags={"build": "42"},
        )
    )
    row = read(world.catalog, version)
    assert (row.exclude_from_latest, row.end_of_life_date, row.tags, row.replica_count) == (
        True,
        az_eol(date(2027, 1, 1)),
        {"build": "42"},
        3,
    )
    assert replicas(world.catalog, version) == {
        "westus": (3, LRS),
        "eastus": (1, LRS),
        "northeurope": (2, LRS),
    }


# --- SIG-CONFLICT --------------------------------------------------------------------------


def test_SIG_CONFLICT_stale_etag_refused(world: World) -> None:
    stale = etag(world.catalog, world.gallery)
    world.write(gallery_update_call(world, if_match=str(stale), description="first"))
    assert etag(world.catalog, world.gallery) == stale + 1
    world.refused("SIG-CONFLICT", gallery_update_call(world, if_match=stale, description="second"))
    world.refused(
        "SIG-CONFLICT", lambda db: services.delete_gallery(db, world.gallery, if_match=str(stale))
    )
    # the current etag, written the way ARM quotes it, is accepted
    world.write(gallery_update_call(world, if_match=f'W/"{stale + 1}"', description="second"))
    assert read(world.catalog, world.gallery).description == "second"

    stale = etag(world.catalog, world.definition)
    world.write(definition_update_call(world, description="changed"))
    world.refused("SIG-CONFLICT", definition_update_call(world, if_match=stale, description="lost"))
    world.refused(
        "SIG-CONFLICT",
        lambda db: services.delete_definition(db, world.definition, if_match=str(stale)),
    )
    assert read(world.catalog, world.definition).description == "changed"


def test_SIG_CONFLICT_the_etag_moves_on_every_write(world: World) -> None:
    version = world.version(targets=["westus"])
    writes = [
        (world.gallery, gallery_update_call(world, description="d")),
        (world.gallery, gallery_update_call(world, tags={"a": "b"})),
        (world.definition, definition_update_call(world, description="d")),
        (world.definition, definition_update_call(world, end_of_life_date=date(2027, 1, 1))),
        (version, version_update_call(world, version, targets=["westus", "eastus"])),
        (version, version_update_call(world, version, targets=["westus", "eastus=2"])),
        (version, version_update_call(world, version, exclude_from_latest=True)),
        (
            version,
            lambda db: services.add_target_regions(
                db, version, [TargetRegionSpec(region="centralus")], world.clock
            ),
        ),
        (
            version,
            lambda db: services.remove_target_regions(db, version, ["eastus"], world.clock),
        ),
    ]
    for resource, action in writes:
        before = etag(world.catalog, resource)
        world.write(action)
        assert etag(world.catalog, resource) == before + 1
    assert replicas(world.catalog, version) == {"westus": (1, LRS), "centralus": (1, LRS)}


def test_SIG_CONFLICT_a_version_changed_only_in_its_regions(world: World) -> None:
    version = world.version(targets=["westus"])
    stale = etag(world.catalog, version)
    world.write(
        lambda db: services.add_target_regions(
            db, version, [TargetRegionSpec(region="eastus")], world.clock, if_match=str(stale)
        )
    )
    for action in (
        version_update_call(world, version, if_match=stale, exclude_from_latest=True),
        lambda db: services.add_target_regions(
            db, version, [TargetRegionSpec(region="centralus")], world.clock, if_match=stale
        ),
        lambda db: services.remove_target_regions(
            db, version, ["eastus"], world.clock, if_match=stale
        ),
        lambda db: services.delete_version(db, version, if_match=stale),
    ):
        world.refused("SIG-CONFLICT", action)
    assert set(targets(world.catalog, version)) == {"westus", "eastus"}


def test_SIG_CONFLICT_two_sessions(world: World) -> None:
    """Read in one session, write in another, then the first writes: refused."""
    catalog = world.catalog
    with catalog.read() as db:  # an edit form reads the gallery...
        seen = lookup.resolve_as(db, world.gallery, Gallery).etag
    world.write(gallery_update_call(world, description="theirs"))  # ...someone else saves first
    world.refused("SIG-CONFLICT", gallery_update_call(world, if_match=seen, description="mine"))
    assert read(catalog, world.gallery).description == "theirs"


def _lost_update(world: World, gallery_id: str, second_write) -> None:
    """A first transaction reads the gallery; another writes it; the first then writes."""
    catalog = world.catalog
    with pytest.raises(CatalogError) as caught, catalog.write() as first:
        # the first session reads (and holds) the gallery, as a long-lived form would
        held = lookup.resolve_as(first, gallery_id, Gallery)
        seen = held.etag
        world.write(gallery_update_call(world, gallery_id, description="theirs"))  # another one
        after_theirs = catalog_state(catalog)
        second_write(first)
    assert caught.value.code == "SIG-CONFLICT"
    assert (seen, etag(catalog, gallery_id)) == (1, 2)
    assert catalog_state(catalog) == after_theirs
    assert read(catalog, gallery_id).description == "theirs"


def test_SIG_CONFLICT_two_open_transactions_update(world: World) -> None:
    """Without an explicit etag, the row's version counter still catches a lost update."""
    _lost_update(world, world.gallery, gallery_update_call(world, description="mine"))


def test_SIG_CONFLICT_two_open_transactions_delete(world: World) -> None:
    empty = world.build.gallery(world.group, "gallery2")
    _lost_update(world, empty, lambda db: services.delete_gallery(db, empty))


def test_SIG_INPUT_managed_image_hyper_v_generation_must_match(world: World) -> None:
    gen2 = world.build.managed_image(world.group, "gen2-image", hyper_v_generation="V2")
    world.refused("SIG-INPUT", version_call(world, image=gen2))
    assert world.write(version_call(world, image=world.image)).name == "1.0.0"
