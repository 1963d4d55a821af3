"""The replication engine (SIG-REPLICATION): timelines, progress, failures and retries."""

from __future__ import annotations

import pytest
from builders import World, small_catalog, targets

from sigtui.catalog import services
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import TargetRegion
from sigtui.catalog.replication import schedule
from sigtui.catalog.rules.regions import get_region
from sigtui.catalog.store.db import Catalog, open_catalog

HOUR = 3600.0


@pytest.fixture(autouse=True)
def _real_speed() -> None:
    schedule.set_speed(None)


def _status(catalog: Catalog, version_id: str, region: str) -> schedule.Status:
    return schedule.status_at(targets(catalog, version_id)[region], catalog.clock.now())


def _advance(catalog: Catalog) -> int:
    with catalog.write() as db:
        return schedule.advance(db, catalog.clock.now())


def test_the_source_region_is_completed_at_once_others_start_replicating(
    catalog: Catalog, world: World
) -> None:
    version = world.version(targets=["westus", "eastus", "westeurope"])
    rows = targets(catalog, version)
    assert (rows["westus"].state, rows["westus"].progress) == ("Completed", 100)
    assert {rows[r].state for r in ("eastus", "westeurope")} == {"Replicating"}
    assert rows["eastus"].progress == 0


def test_progress_is_monotonic_bounded_and_completes_at_the_modelled_time(
    catalog: Catalog,
    world: World,
) -> None:
    version = world.version(targets=["westus", "eastus"])
    planned = targets(catalog, version)["eastus"].duration_seconds
    # 30 GB, same geography, two regions but only one replicating: (5 + 30 x 0.25) minutes
    assert planned == pytest.approx((5 + 30 * 0.25) * 60)
    seen = []
    for _ in range(20):
        world.clock.advance(planned / 19)
        status = _status(catalog, version, "eastus")
        seen.append(status.progress)
        assert 0 <= status.progress <= 100
    assert seen == sorted(seen)
    assert _status(catalog, version, "eastus").state == "Completed"


def test_completed_exactly_at_the_planned_time_not_before(catalog: Catalog, world: World) -> None:
    version = world.version(targets=["westus", "eastus"])
    planned = targets(catalog, version)["eastus"].duration_seconds or 0
    world.clock.advance(planned - 1)
    assert _status(catalog, version, "eastus").state == "Replicating"
    world.clock.advance(1)
    assert _status(catalog, version, "eastus").state == "Completed"


def test_larger_images_and_farther_regions_take_longer() -> None:
    pairs = [("westus", "eastus"), ("westeurope", "germanycentral"), ("westus", "westeurope")]
    kinds = [schedule.distance(get_region(a), get_region(b)) for a, b in pairs]
    assert kinds == ["geography", "continent", "intercontinental"]
    times = [schedule.planned_seconds(30, a, b, 1) for a, b in pairs]
    assert times == sorted(times) and len(set(times)) == 3
    assert schedule.planned_seconds(300, "westus", "eastus", 1) > times[0]


def test_more_regions_at_once_take_longer_each() -> None:
    alone = schedule.planned_seconds(100, "westus", "westeurope", 1)
    four = schedule.planned_seconds(100, "westus", "westeurope", 4)
    assert four == pytest.approx(alone * (1 + 3 * schedule.MODEL.parallel_penalty))


def test_large_images_take_hours_at_the_default_speed() -> None:
    assert schedule.planned_seconds(1024, "westus", "southeastasia", 3) > 10 * HOUR


def test_the_speed_factor_divides_the_time(monkeypatch: pytest.MonkeyPatch) -> None:
    normal = schedule.planned_seconds(100, "westus", "westeurope", 1)
    monkeypatch.setenv(schedule.ENV_SPEED, "60")
    assert schedule.planned_seconds(100, "westus", "westeurope", 1) == pytest.approx(normal / 60)
    schedule.set_speed(10)
    assert schedule.planned_seconds(100, "westus", "westeurope", 1) == pytest.approx(normal / 10)
    with pytest.raises(CatalogError) as refused:
        schedule.set_speed(0)
    assert refused.value.code == "SIG-INPUT"


def test_advance_writes_the_states_reached(catalog: Catalog, world: World) -> None:
    version = world.version(targets=["westus", "eastus", "westeurope"])
    world.clock.advance((targets(catalog, version)["eastus"].duration_seconds or 0) + 1)
    assert _advance(catalog) >= 2  # eastus done, westeurope moved on
    rows = targets(catalog, version)
    assert (rows["eastus"].state, rows["eastus"].progress) == ("Completed", 100)
    assert rows["westeurope"].state == "Replicating"
    assert 0 < rows["westeurope"].progress < 100


def test_a_new_engine_on_the_same_catalog_gives_the_same_answers(
    catalog: Catalog, world: World
) -> None:
    version = world.version(targets=["westus", "eastus", "westeurope"])
    world.clock.advance(600)
    before = {r: _status(catalog, version, r) for r in ("eastus", "westeurope")}
    reopened = open_catalog(catalog.url, clock=catalog.clock)
    try:
        after = {r: _status(reopened, version, r) for r in ("eastus", "westeurope")}
    finally:
        reopened.close()
    assert after == before


def test_adding_a_region_starts_it_removing_cancels_it(catalog: Catalog, world: World) -> None:
    version = world.version(targets=["westus"])
    with catalog.write() as db:
        services.add_target_regions(
            db, version, [services.parse_target_region("northeurope=2")], world.clock
        )
    added = targets(catalog, version)["northeurope"]
    assert (added.state, added.progress, added.replica_count) == ("Replicating", 0, 2)
    assert added.started_at == world.clock.now()
    with catalog.write() as db:
        services.remove_target_regions(db, version, ["North Europe"], world.clock)
    assert set(targets(catalog, version)) == {"westus"}


def test_a_failed_region_has_a_reason_and_can_be_retried(catalog: Catalog, world: World) -> None:
    version = world.version(targets=["westus", "eastus"])
    with catalog.write() as db:
        schedule.fail(db, version, "East US", "Injected fault: storage timeout.", world.clock.now())
    failed = targets(catalog, version)["eastus"]
    assert (failed.state, failed.details) == ("Failed", "Injected fault: storage timeout.")
    assert schedule.aggregated_state(["Completed", "Failed"]) == "Failed"
    world.clock.advance(HOUR)
    with catalog.write() as db:
        schedule.retry(db, version, "eastus", world.clock.now())
    retried = targets(catalog, version)["eastus"]
    assert (retried.state, retried.progress, retried.details) == ("Replicating", 0, "")
    assert retried.started_at == world.clock.now()


def test_only_failed_or_unknown_regions_can_be_retried(catalog: Catalog, world: World) -> None:
    version = world.version(targets=["westus", "eastus"])
    with pytest.raises(CatalogError) as refused, catalog.write() as db:
        schedule.retry(db, version, "westus", world.clock.now())
    assert refused.value.code == "SIG-REPLICATION"


def test_losing_the_allowlisting_fails_the_region_with_the_reason(catalog: Catalog) -> None:
    world = small_catalog(catalog, allowlisted=["australiacentral"])
    version = world.version(targets=["westus", "australiacentral"])
    with catalog.write() as db:
        subscription = services.accounts.lookup.find_subscription(db, world.subscription)
        services.set_region_allowlist(db, subscription, [], world.clock)
    world.clock.advance(60)
    assert _advance(catalog) == 1
    row: TargetRegion = targets(catalog, version)["australiacentral"]
    assert row.state == "Failed"
    assert "no longer allowlisted for Australia Central" in row.details


def test_the_board_shows_the_first_rows_of_each_list_and_counts_them_all(
    catalog: Catalog,
    world: World,
) -> None:
    """The replication screen's lists at any size: the first rows of `activity`'s order
    in each list, and every region counted by state, whatever the limit cuts."""
    for n in range(3):  # completed within the day
        world.version(f"1.0.{n}", targets=["westus", "eastus", "westeurope"])
    world.clock.advance(12 * HOUR)
    for n in range(3, 6):  # in flight, one region failed
        last = world.version(f"1.0.{n}", targets=["westus", "eastus", "westeurope"])
    with catalog.write() as db:
        schedule.fail(db, last, "eastus", "boom", world.clock.now())
    _advance(catalog)
    now = world.clock.now()
    with catalog.read() as db:
        everything = schedule.activity(db, now)
        board = schedule.board(db, now, limit=2)
        failed_only = schedule.board(db, now, states=["Failed"], limit=2)
    active = [a for a in everything if a.state != "Completed"]
    completed = [a for a in everything if a.state == "Completed"]
    assert (len(active), len(completed)) == (6, 6)
    assert board.active == active[:2] and board.completed == completed[:2]
    assert board.counts == {"Replicating": 5, "Failed": 1, "Completed": 6, "Unknown": 0}
    assert board.total("Replicating", "Failed", "Unknown") == 6
    assert [(a.version, a.state) for a in failed_only.active] == [("1.0.5", "Failed")]
    assert failed_only.completed == completed[:2]
