"""The demo seed (seed/demo.toml loaded by sigtui.catalog.services.seed): it shows off every
feature, goes through the services, is deterministic, and loads all or nothing."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import ENGINES, CopyOfBuilt, load_demo_into
from sqlmodel import Session, SQLModel, col, func, select

from sigtui.catalog import services
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    CatalogChange,
    CatalogEvent,
    DataDisk,
    Gallery,
    ImageDefinition,
    ImageVersion,
    Principal,
    RegionAllowlist,
    RoleAssignment,
    Subscription,
    TargetRegion,
    Tenant,
)
from sigtui.catalog.model.schemas import GalleryCreate, TenantCreate
from sigtui.catalog.queries import counts, events, fetch, lookup
from sigtui.catalog.replication import schedule
from sigtui.catalog.rules.limits import GALLERIES
from sigtui.catalog.rules.regions import get_region
from sigtui.catalog.services.seed import SeedResult, demo_path, load_demo, seed_dir
from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import Catalog, open_catalog

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 25)  # the day the demo was written: EOLs before it are expired
SEED_CREATED = datetime(2024, 5, 6, 8, 0, tzinfo=UTC)
SEED_NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
LOADED_AT = datetime(2026, 1, 15, 12, tzinfo=UTC)  # the demo catalog's clock
SOVEREIGN_CLOUDS = {"AzureChinaCloud", "AzureUSGovernment"}

DEMO_ENGINES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
]


@pytest.fixture(scope="module", params=DEMO_ENGINES)
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Catalog]:
    """One demo catalog per engine, loaded once for the read-only checks of this module."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'catalog.db'}"
        else:
            server = request.getfixturevalue("pg_server")
            url = stack.enter_context(server.database(f"sigtui_demo_{os.getpid()}"))
        catalog = open_catalog(url, clock=FixedClock(LOADED_AT))
        stack.callback(catalog.close)
        load_demo(catalog)
        yield catalog


@pytest.fixture
def db(demo: Catalog) -> Iterator[Session]:
    with demo.read() as session:
        yield session


def _count(db: Session, model: type[SQLModel], *where: Any) -> int:
    return db.exec(select(func.count()).select_from(model).where(*where)).one()


def _values(db: Session, column: Any, *where: Any) -> set[Any]:
    return set(db.exec(select(column).where(*where)))


# --- what the demo holds -------------------------------------------------------------------


def test_tenants_and_subscriptions(db: Session) -> None:
    assert _count(db, Tenant) >= 2
    assert _count(db, Subscription) == 4
    assert _values(db, Subscription.cloud) & SOVEREIGN_CLOUDS


def test_a_subscription_allowlisted_for_australia_central_replicates_there(db: Session) -> None:
    allowlisted = _values(
        db, RegionAllowlist.subscription_pk, RegionAllowlist.region == "australiacentral"
    )
    assert allowlisted
    states = _values(
        db,
        TargetRegion.state,
        TargetRegion.region == "australiacentral",
        col(TargetRegion.version_pk).in_(
            select(ImageVersion.pk).where(col(ImageVersion.subscription_pk).in_(allowlisted))
        ),
    )
    assert "Replicating" in states


def test_six_galleries_in_several_regions_and_a_batch_near_the_limit(db: Session) -> None:
    named = db.exec(select(Gallery).where(col(Gallery.name).not_like("ciScratch%"))).all()
    assert len(named) == 6
    assert len({g.location for g in named}) >= 4
    assert _count(db, Gallery) == 97
    fullest = max(u.galleries for u in counts.usage(db))
    assert fullest / GALLERIES.maximum >= 0.9
    assert fullest <= GALLERIES.maximum


def test_everything_is_created_in_known_regions(db: Session) -> None:
    for model in (Gallery, ImageDefinition, ImageVersion):
        for location in _values(db, model.location):
            assert get_region(location).name == location, (model.__name__, location)


def test_the_source_documents_three_definitions_share_one_gallery(db: Session) -> None:
    rows = db.exec(
        select(ImageDefinition).where(
            col(ImageDefinition.name).in_(["myImage1", "myImage2", "myImage3"])
        )
    ).all()
    identities = {d.name: (d.publisher, d.offer, d.sku) for d in rows}
    assert identities == {
        "myImage1": ("Contoso", "Finance", "Backend"),
        "myImage2": ("Contoso", "Finance", "Frontend"),
        "myImage3": ("Test", "Finance", "Frontend"),
    }
    assert len({d.gallery_pk for d in rows}) == 1


def test_definitions_cover_both_os_types_and_states_and_every_field(db: Session) -> None:
    definitions = db.exec(select(ImageDefinition)).all()
    assert {(d.os_type, d.os_state) for d in definitions} >= {
        ("Linux", "Generalized"),
        ("Windows", "Generalized"),
        ("Windows", "Specialized"),
    }
    assert {d.hyper_v_generation for d in definitions} == {"V1", "V2"}
    for field in (
        "description",
        "eula",
        "privacy_statement_uri",
        "release_note_uri",
        "end_of_life_date",
        "min_vcpus",
        "max_memory_mb",
        "disallowed_disk_types",
        "tags",
    ):
        assert any(getattr(d, field) for d in definitions), field


def test_thirty_versions_with_one_to_five_target_regions(db: Session) -> None:
    assert _count(db, ImageVersion) == 30
    per_version = db.exec(
        select(TargetRegion.version_pk, func.count()).group_by(TargetRegion.version_pk)
    ).all()
    counts = [n for _, n in per_version]
    assert len(counts) == 30
    assert min(counts) == 1 and max(counts) == 5


def test_target_regions_use_lrs_and_zrs_and_stay_in_their_cloud(db: Session) -> None:
    rows = db.exec(
        select(TargetRegion, Subscription.cloud)
        .join(ImageVersion, col(ImageVersion.pk) == TargetRegion.version_pk)
        .join(Subscription, col(Subscription.pk) == ImageVersion.subscription_pk)
    ).all()
    assert {t.storage_account_type for t, _ in rows} >= {"Standard_LRS", "Standard_ZRS"}
    for target, cloud in rows:
        region = get_region(target.region)
        assert region.cloud == cloud
        assert target.storage_account_type != "Standard_ZRS" or region.availability_zones
    sovereign = {get_region(t.region).name for t, cloud in rows if cloud in SOVEREIGN_CLOUDS}
    assert len(sovereign) >= 2


def test_latest_skips_a_version_excluded_from_latest(db: Session) -> None:
    excluded = db.exec(select(ImageVersion).where(col(ImageVersion.exclude_from_latest))).all()
    assert excluded
    for version in excluded:
        definition = db.get_one(ImageDefinition, version.definition_pk)
        latest = lookup.latest_version(db, definition)
        assert latest is not None and latest.pk != version.pk


def test_some_versions_are_past_their_end_of_life(db: Session) -> None:
    dates = [v.end_of_life_date for v in db.exec(select(ImageVersion))]
    assert sum(1 for d in dates if d and d.date() < TODAY) >= 3
    assert any(d is None or d.date() > TODAY for d in dates)
    for version in db.exec(
        select(ImageVersion).where(col(ImageVersion.end_of_life_date).isnot(None))
    ):
        assert version.end_of_life_date > version.published_at  # SIG-EOL when set


def test_replication_in_every_state(db: Session) -> None:
    states = _values(db, TargetRegion.state)
    assert states == {"Unknown", "Replicating", "Completed", "Failed"}
    failed = db.exec(select(TargetRegion).where(TargetRegion.state == "Failed")).all()
    for target in failed:
        assert get_region(target.region).display_name in target.details
    in_flight = db.exec(select(TargetRegion).where(TargetRegion.state == "Replicating")).all()
    assert all(0 < t.progress < 100 for t in in_flight)
    by_version = fetch.target_regions_of(db, _values(db, ImageVersion.pk))
    aggregated = {schedule.aggregated_state(t.state for t in ts) for ts in by_version.values()}
    assert aggregated == {"Unknown", "InProgress", "Completed", "Failed"}


def test_versions_come_from_managed_images_and_snapshots(db: Session) -> None:
    assert _count(db, ImageVersion, col(ImageVersion.managed_image_pk).isnot(None)) > 0
    assert _count(db, ImageVersion, col(ImageVersion.os_snapshot_pk).isnot(None)) > 0
    snapshot_luns = _values(db, DataDisk.lun, col(DataDisk.snapshot_pk).isnot(None))
    assert len(snapshot_luns) >= 2
    assert _count(db, DataDisk, col(DataDisk.snapshot_pk).is_(None)) > 0  # from managed images


def test_principals_of_two_tenants_share_galleries_and_definitions(db: Session) -> None:
    assert _values(db, Principal.principal_type) == {"User", "Group", "ServicePrincipal"}
    assigned_tenants = _values(
        db,
        Principal.tenant_pk,
        col(Principal.pk).in_(select(RoleAssignment.principal_pk)),
    )
    assert len(assigned_tenants) >= 2
    assert _count(db, RoleAssignment, col(RoleAssignment.gallery_pk).isnot(None)) > 0
    assert _count(db, RoleAssignment, col(RoleAssignment.definition_pk).isnot(None)) > 0
    assert _values(db, RoleAssignment.role) <= set(services.ROLES)


def test_times_come_from_the_seed_clock_not_the_catalogs(db: Session) -> None:
    tenant_times = _values(db, Tenant.created_at)
    assert tenant_times == {SEED_CREATED}
    for model in (Gallery, ImageDefinition, ImageVersion, RoleAssignment):
        assert db.exec(select(func.max(model.updated_at))).one() <= SEED_NOW
    finished = col(TargetRegion.state) != "Replicating"
    assert db.exec(select(func.max(TargetRegion.updated_at)).where(finished)).one() == SEED_NOW


def test_regions_in_flight_carry_on_from_the_time_of_loading(db: Session) -> None:
    """A living estate: what was Replicating at seed.now resumes when the demo loads."""
    in_flight = db.exec(select(TargetRegion).where(TargetRegion.state == "Replicating")).all()
    assert in_flight
    for target in in_flight:
        assert target.updated_at == LOADED_AT
        assert target.started_at is not None and target.duration_seconds
        elapsed = (LOADED_AT - target.started_at).total_seconds()
        assert elapsed == pytest.approx(target.duration_seconds * target.progress / 100)


# --- how it loads ----------------------------------------------------------------------------


def _dump(catalog: Catalog, *, keys: bool = True) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table; without `keys`, without the surrogate keys (`pk`,
    `*_pk`), which a PostgreSQL sequence does not restart after a reset. Not the change
    marker."""
    dump: dict[str, list[tuple[Any, ...]]] = {}
    with catalog.read() as db:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in (CatalogChange.__tablename__, CatalogEvent.__tablename__):
                continue  # they count and log the writes, which differ; what they wrote does not
            columns = [c for c in table.columns if keys or not c.name.endswith("pk")]
            order = list(table.primary_key.columns)
            dump[table.name] = [tuple(r) for r in db.exec(sa.select(*columns).order_by(*order))]
    return dump


def _engine_of(catalog: Catalog) -> str:
    return catalog.engine.url.get_backend_name()


def test_loading_twice_gives_the_same_catalog(catalog: Catalog, new_database: Any) -> None:
    load_demo(catalog)
    other = open_catalog(new_database(_engine_of(catalog)), clock=catalog.clock)
    try:
        load_demo(other)
        assert _dump(other) == _dump(catalog)
    finally:
        other.close()


def test_the_summary_counts_what_was_loaded(catalog: Catalog) -> None:
    result = load_demo(catalog)
    assert isinstance(result, SeedResult)
    assert (result.tenants, result.subscriptions, result.galleries) == (3, 4, 97)
    assert (result.image_definitions, result.image_versions) == (12, 30)
    summary = result.summary()
    assert summary.startswith("Loaded the demo catalog: 3 tenants, 4 subscriptions, ")
    assert "97 galleries" in summary and "30 image versions" in summary
    assert "\n" not in summary


def test_the_versions_load_as_one_batch(sqlite_catalog: Catalog) -> None:
    """The demo's versions go through the bulk path as one batch: one INSERT of versions,
    one of their target regions and one of their data disks, not one per version."""
    inserts: Counter[str] = Counter()

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        words = statement.split(None, 3)
        if words[0].upper() == "INSERT":
            inserts[words[2].strip('"')] += 1

    sa.event.listen(sqlite_catalog.engine, "before_cursor_execute", count)
    try:
        result = load_demo(sqlite_catalog)
    finally:
        sa.event.remove(sqlite_catalog.engine, "before_cursor_execute", count)
    assert (result.image_versions, result.target_regions) == (30, 91)
    assert [inserts[t] for t in ("image_version", "target_region", "data_disk")] == [1, 1, 1]


def test_a_catalog_that_is_not_empty_is_refused(catalog: Catalog) -> None:
    with catalog.write() as db:
        services.create_tenant(db, TenantCreate(name="Woodgrove"), catalog.clock)
    before = _dump(catalog)
    with pytest.raises(CatalogError) as caught:
        load_demo(catalog)
    assert caught.value.code == "SIG-INPUT"
    assert "--reset" in caught.value.message
    assert _dump(catalog) == before


@pytest.fixture(params=ENGINES)
def loaded(
    request: pytest.FixtureRequest, copy_of_built: CopyOfBuilt, clock: FixedClock
) -> Iterator[Catalog]:
    """A catalog the demo was loaded into (loaded once per session and copied: the same
    as loading it again, as test_loading_twice_gives_the_same_catalog shows)."""
    catalog = open_catalog(copy_of_built(request.param, load_demo_into, clock).url, clock=clock)
    yield catalog
    catalog.close()


def test_reset_replaces_everything_with_the_demo(loaded: Catalog) -> None:
    catalog = loaded
    fresh = _dump(catalog, keys=False)
    with catalog.write() as db:
        group = fetch.groups(db)[0]
        services.create_gallery(
            db, lookup.arm_id(db, group), GalleryCreate(name="extra", location=group.location),
            catalog.clock,
        )  # fmt: skip
        services.create_tenant(db, TenantCreate(name="Woodgrove"), catalog.clock)
    load_demo(catalog, reset=True)
    assert _dump(catalog, keys=False) == fresh
    logged = catalog.query(events.recent_events, catalog.clock.now())
    assert [e.action for e in logged if e.actor != events.REPLICATION_ACTOR][:4] == [
        "seed",  # the reset: the log keeps what came before it
        "create",
        "create",
        "seed",
    ]


def _broken_seed(tmp_path: Path) -> Path:
    """The demo with one more version, replicating out of its cloud (SIG-CLOUD)."""
    path = tmp_path / "broken.toml"
    text = demo_path().read_text("utf-8")
    path.write_text(
        text
        + '\n[[version]]\ndefinition = "sigFederal/rhel-9-stig"\nname = "9.6.0"\n'
        + "published = 2025-02-28T10:00:00Z\n"
        + 'managed_image = "img-rhel9-stig-20250106"\n'
        + 'target_regions = ["usgovvirginia", "westeurope"]\n',
        "utf-8",
    )
    return path


def test_a_refused_entry_leaves_the_catalog_as_it_was(catalog: Catalog, tmp_path: Path) -> None:
    broken = _broken_seed(tmp_path)
    with pytest.raises(CatalogError) as caught:
        load_demo(catalog, path=broken)
    assert caught.value.code == "SIG-CLOUD"
    assert "sigFederal/rhel-9-stig/9.6.0" in caught.value.message
    assert all(not rows for rows in _dump(catalog).values())


def test_a_refused_reset_leaves_the_demo_as_it_was(loaded: Catalog, tmp_path: Path) -> None:
    before = _dump(loaded)
    with pytest.raises(CatalogError) as caught:
        load_demo(loaded, reset=True, path=_broken_seed(tmp_path))
    assert caught.value.code == "SIG-CLOUD"
    assert _dump(loaded) == before  # the reset was rolled back with the failed load


def test_the_seed_file_is_found_in_the_source_tree() -> None:
    assert seed_dir() == ROOT / "seed"
    assert demo_path().is_file()
