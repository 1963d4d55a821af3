"""The replication engine (SIG-REPLICATION): timelines, progress, failures and retries."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from builders import World, catalog_state, small_catalog, targets
from sqlmodel import Session, col, select

from sigtui.catalog import services
from sigtui.catalog.azure import azure_json
from sigtui.catalog.model.enums import ReplicationState
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import ImageVersion, RegionAllowlist, TargetRegion
from sigtui.catalog.queries import lookup, search
from sigtui.catalog.replication import schedule, speed
from sigtui.catalog.rules.regions import get_region
from sigtui.catalog.store.db import Catalog, open_catalog

HOUR = 3600.0


@pytest.fixture(autouse=True)
def _real_speed() -> None:
    speed.set_speed(None)


def _status(catalog: Catalog, version_id: str, region: str) -> schedule.Status:
    return schedule.status_at(targets(catalog, version_id)[region], catalog.clock.now())


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
    monkeypatch.setenv(speed.ENV_SPEED, "60")
    assert schedule.planned_seconds(100, "westus", "westeurope", 1) == pytest.approx(normal / 60)
    speed.set_speed(10)
    assert schedule.planned_seconds(100, "westus", "westeurope", 1) == pytest.approx(normal / 10)
    with pytest.raises(CatalogError) as refused:
        speed.set_speed(0)
    assert refused.value.code == "SIG-INPUT"


def _stored(catalog: Catalog, version_id: str, region: str) -> tuple[Any, ...]:
    """The row's state, progress and completion time as the table holds them."""
    row = targets(catalog, version_id)[region]
    return (row.state, row.progress, row.completed_at)


def test_past_its_planned_end_a_region_reads_completed_everywhere_and_its_row_is_unchanged(
    catalog: Catalog, world: World
) -> None:
    version = world.version(targets=["westus", "eastus"])
    row = targets(catalog, version)["eastus"]
    assert row.started_at is not None and row.duration_seconds is not None
    ended = row.started_at + timedelta(seconds=row.duration_seconds)
    world.clock.set(ended + timedelta(minutes=1))
    before = catalog_state(catalog)
    now = world.clock.now()
    with catalog.read() as db:
        board = schedule.board(db, now, limit=10)
        board_in_flight = schedule.board(db, now, states=["Replicating"], limit=10)
        completed = schedule.activity(db, now, states=["Completed"])
        in_flight = schedule.activity(db, now, states=["Replicating"])
        listed = search.all_versions(db, now=now)
        by_replication = search.all_versions(db, "replication", now=now)
        row_of_version = lookup.resolve_as(db, version, ImageVersion)
        shown = azure_json.version(db, row_of_version, replication_at=now)
    assert board.counts == {"Replicating": 0, "Failed": 0, "Completed": 1, "Unknown": 0}
    assert board.active == [] and [a.region for a in board.completed] == ["eastus"]
    assert board_in_flight.active == [] and board_in_flight.completed == board.completed
    assert in_flight == []
    assert [(a.region, a.state, a.progress, a.eta) for a in completed] == [
        ("eastus", "Completed", 100, None)
    ]
    assert completed[0].completed_at == ended
    assert (
        [(v.state, v.progress) for v in listed]
        == [("Completed", 100)]
        == [(v.state, v.progress) for v in by_replication]
    )
    status = shown["replicationStatus"]
    assert status["aggregatedState"] == "Completed"
    assert [(s["state"], s["progress"]) for s in status["summary"]] == [("Completed", 100)] * 2
    assert catalog_state(catalog) == before  # reading wrote nothing
    assert _stored(catalog, version, "eastus") == ("Replicating", 0, None)
    world.clock.set(ended + schedule.RECENT + timedelta(seconds=1))
    with catalog.read() as db:  # completed more than a day ago: no longer listed
        assert schedule.activity(db, world.clock.now()) == []


def test_the_sql_status_agrees_with_status_at(catalog: Catalog, world: World) -> None:
    """`StatusColumns` (what queries count, filter and sort by) and `status_at` /
    `completed_at` give the same answers for every kind of row, at every kind of
    moment: before the start, at it, mid-way, at the very end, after it."""
    start = world.clock.now() + timedelta(microseconds=123_456)
    schedules: dict[str, tuple[str, int, datetime | None, float | None, datetime | None]] = {
        "eastus": ("Replicating", 0, start, 1234.5678, None),
        "eastus2": ("Replicating", 40, start - timedelta(seconds=400), 1000.0, None),
        "centralus": ("Replicating", 0, start, 0.0, None),
        "northeurope": ("Replicating", 7, None, None, None),  # no schedule: as stored
        "westeurope": ("Failed", 37, start, 600.0, None),
        "southcentralus": ("Completed", 100, start, 600.0, start + timedelta(seconds=30)),
        "westus2": ("Unknown", 0, None, None, None),
    }
    version = world.version(targets=["westus", *schedules])

    def place(db: Session) -> None:
        for target in db.exec(select(TargetRegion)).all():
            if target.region in schedules:
                state, progress, started, duration, done = schedules[target.region]
                target.state, target.progress, target.completed_at = state, progress, done
                target.started_at, target.duration_seconds = started, duration
                db.add(target)

    world.write(place)
    ends = start + timedelta(seconds=1234.5678)
    instants = [
        start - timedelta(seconds=10),
        start,
        start + timedelta(seconds=300.5),
        start + timedelta(seconds=600),  # eastus2's end
        ends - timedelta(microseconds=1),
        ends,
        start + timedelta(days=1),
    ]
    since = [start, start + timedelta(seconds=100), ends + timedelta(seconds=1)]
    rows = targets(catalog, version).values()
    for now in instants:
        status = schedule.StatusColumns(TargetRegion, now)
        statement = sa.select(
            col(TargetRegion.region),
            status.state,
            status.progress,
            status.in_flight,
            *(status.completed_since(at) for at in since),
        )
        with catalog.read() as db:
            in_sql = {region: tuple(values) for region, *values in db.execute(statement)}
        for row in rows:
            expected = schedule.status_at(row, now)
            done = schedule.completed_at(row, now) if expected.state == "Completed" else None
            assert in_sql[row.region] == (
                expected.state,
                expected.progress,
                expected.state == "Replicating",
                *(done is not None and done >= at for at in since),
            ), (row.region, now)
    assert {schedule.status_at(t, ends).state for t in rows} == {
        "Completed",
        "Replicating",
        "Failed",
        "Unknown",
    }


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


def test_a_region_whose_schedule_has_ended_cannot_fail_nor_be_retried(
    catalog: Catalog, world: World
) -> None:
    version = world.version(targets=["westus", "eastus"])
    world.clock.advance((targets(catalog, version)["eastus"].duration_seconds or 0) + 1)
    for refused in (
        lambda db: schedule.fail(db, version, "eastus", "boom", world.clock.now()),
        lambda db: schedule.retry(db, version, "eastus", world.clock.now()),
    ):
        world.refused("SIG-REPLICATION", refused)


def test_a_failure_keeps_the_progress_reached(catalog: Catalog, world: World) -> None:
    version = world.version(targets=["westus", "eastus"])
    world.clock.advance((targets(catalog, version)["eastus"].duration_seconds or 0) / 2)
    reached = _status(catalog, version, "eastus").progress
    assert 0 < reached < 100
    world.write(lambda db: schedule.fail(db, version, "eastus", "boom", world.clock.now()))
    world.clock.advance(HOUR)
    assert _status(catalog, version, "eastus") == schedule.Status("Failed", reached, None)


def test_losing_an_allowlisting_fails_the_regions_in_flight_that_need_it(
    catalog: Catalog,
) -> None:
    """Failed in the allowlist's own transaction, with the reason, and nothing else
    changes: not a region whose schedule has ended, nor one in a region still
    allowlisted or needing no allowlisting, nor a version's etag."""
    world = small_catalog(catalog, allowlisted=["australiacentral", "australiacentral2"])
    done = world.version("1.0.0", targets=["westus", "australiacentral"])
    world.clock.advance((targets(catalog, done)["australiacentral"].duration_seconds or 0) + 1)
    moving = world.version(
        "1.0.1", targets=["westus", "eastus", "australiacentral", "australiacentral2"]
    )
    world.clock.advance(600)
    reached = _status(catalog, moving, "australiacentral").progress
    before = catalog_state(catalog)
    with catalog.write() as db:
        services.update_region_allowlist(db, world.subscription, ["australiacentral2"], world.clock)
    after = catalog_state(catalog)
    failed = targets(catalog, moving)["australiacentral"]
    assert (failed.state, failed.progress) == ("Failed", reached)
    assert failed.details == (
        "Subscription 'Production' is no longer allowlisted for Australia Central; "
        "ask for the allowlisting again, then retry."
    )
    changed = {table for table in before if before[table] != after[table]}
    allowed = {"subscription", "region_allowlist", "target_region", "catalog_change"}
    assert changed <= allowed | {"catalog_event"}  # the event says who changed the list
    assert "target_region" in changed
    rows_changed = [row for row in after["target_region"] if row not in before["target_region"]]
    assert [row["pk"] for row in rows_changed] == [failed.pk]
    assert _status(catalog, done, "australiacentral").state == "Completed"
    assert _status(catalog, moving, "australiacentral2").state == "Replicating"


def test_reading_never_fails_a_region_for_its_allowlisting(catalog: Catalog) -> None:
    """A region in flight where its subscription has no allowlisting (its allowlist
    written by another tool): reads show it Replicating and write nothing."""
    world = small_catalog(catalog, allowlisted=["australiacentral"])
    version = world.version(targets=["westus", "australiacentral"])
    with catalog.engine.begin() as conn:
        conn.execute(sa.delete(RegionAllowlist))
    world.clock.advance(60)
    before = catalog_state(catalog)
    now = world.clock.now()
    with catalog.read() as db:
        board = schedule.board(db, now, limit=10)
        listed = search.all_versions(db, now=now)
        row = lookup.resolve_as(db, version, ImageVersion)
        shown = azure_json.version(db, row, replication_at=now)
    assert [a.state for a in board.active] == ["Replicating"]
    assert [v.state for v in listed] == ["InProgress"]
    assert shown["replicationStatus"]["aggregatedState"] == "InProgress"
    assert catalog_state(catalog) == before


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


def _every_state(catalog: Catalog, world: World) -> datetime:
    """Versions with regions in every state a region can be in, by its schedule or as
    stored: completed long ago, completed by schedule within the day, recorded Completed
    (one exactly a day before the time returned), in flight, failed, unknown; and source
    regions (never listed). Returns the time the lists are read at first."""
    three = ["westus", "eastus", "westeurope"]
    world.version("1.0.0", targets=three)  # completed by schedule, days before
    world.clock.advance(2 * 24 * HOUR)
    recorded = world.version("1.0.1", targets=three)
    with catalog.write() as db:  # a day before the first reading, to the microsecond
        schedule.record(db, recorded, "eastus", "Completed", world.clock.now())
    world.clock.advance(20 * HOUR)
    world.version("1.0.2", targets=three)  # completes by schedule within the day
    world.clock.advance(4 * HOUR)
    odd = world.version("1.0.4", targets=three)
    with catalog.write() as db:
        schedule.fail(db, odd, "eastus", "boom", world.clock.now())
        schedule.record(db, odd, "westeurope", "Unknown", world.clock.now())
    world.version("2.0.0", targets=["eastus", "westus"])
    world.version("1.0.3", targets=three)  # in flight
    return world.clock.now()


def _expected_board(
    db: Session, now: datetime, limit: int, states: list[str] | None
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], dict[str, int]]:
    """The replication screen's lists and counts computed in Python from every target
    region (`status_at`, `completed_at`), as the screen read them before its indexes."""
    since = now - schedule.RECENT
    listed = []
    rows = db.exec(
        select(TargetRegion, ImageVersion).join(
            ImageVersion, col(ImageVersion.pk) == TargetRegion.version_pk
        )
    )
    for target, version in rows:
        status = schedule.status_at(target, now)
        done_at = schedule.completed_at(target, now)
        recent = done_at is not None and done_at >= since
        shown = status.state != "Completed" or recent
        wanted = states is None or status.state in states or status.state == "Completed"
        if target.region != version.location and shown and wanted:
            order = (version.major, version.minor, version.patch, target.region)
            listed.append((order, (version.name, target.region, status.state, status.progress)))
    listed.sort()
    counts = {state.value: 0 for state in ReplicationState} if listed else {}
    for _, (*_, state, _) in listed:
        counts[state] += 1
    active = [row for _, row in listed if row[2] != "Completed"]
    done = [row for _, row in listed if row[2] == "Completed"]
    return active[:limit], done[:limit], counts


def _shown(items: list[schedule.Activity]) -> list[tuple[Any, ...]]:
    return [(a.version, a.region, a.state, a.progress) for a in items]


def test_the_board_read_through_its_indexes_is_every_regions_state_in_python(
    catalog: Catalog, world: World
) -> None:
    """The replication screen reads only the regions not Completed and the copies
    completed lately (its partial indexes): the same lists and counts as every region's
    state computed in Python, on both engines, at any time and limit, with filters."""
    first = _every_state(catalog, world)
    subscription_id = world.subscription.rsplit("/", 1)[-1]
    seen_states = set()
    for later in (0.0, 0.5 * HOUR, 6 * HOUR, 30 * HOUR):
        now = first + timedelta(seconds=later)
        for limit, states in ((100, None), (2, None), (100, ["Failed"]), (1, ["Replicating"])):
            with catalog.read() as db:
                board = schedule.board(db, now, states=states, limit=limit)
                active, done, counts = _expected_board(db, now, limit, states)
            assert (_shown(board.active), _shown(board.completed)) == (active, done)
            assert board.counts == counts, (later, limit, states)
            seen_states |= {state for state, count in counts.items() if count}
        with catalog.read() as db:  # `activity` (the CLI) is the board's lists uncut
            listed = _shown(schedule.activity(db, now))
            active, done, counts = _expected_board(db, now, 1000, None)
            ours = schedule.board(db, now, subscription=subscription_id, limit=1000)
            nobody = schedule.board(db, now, subscription="no-such-subscription", limit=1000)
        assert sorted(listed) == sorted(active + done)
        assert (_shown(ours.active), _shown(ours.completed), ours.counts) == (active, done, counts)
        assert (nobody.active, nobody.completed, nobody.counts) == ([], [], {})
    assert seen_states == {"Replicating", "Completed", "Failed", "Unknown"}


def test_a_board_moved_on_in_time_is_the_board_read_then_until_a_state_changes(
    catalog: Catalog, world: World
) -> None:
    """A board read once gives, until its `lasts_until`, exactly what a read at any later
    moment gives (its regions in flight further on); from then on it asks to be read
    again. Checked at moments from a second to two days after the read, on both engines,
    across the ends of the in-flight regions' schedules and the last day's edge."""
    first = _every_state(catalog, world) + timedelta(seconds=1)  # a copy left the day then
    with catalog.read() as db:
        board = schedule.board(db, first, limit=100)
    assert board.lasts_until is not None and board.lasts_until > first
    moved_on, read_again = 0, 0
    for seconds in (1, 7, 60, 599, 3600, 4 * 3600, 6 * 3600, 20 * 3600, 25 * 3600, 48 * 3600):
        later = first + timedelta(seconds=seconds)
        with catalog.read() as db:
            fresh = schedule.board(db, later, limit=100)
        unread = board.at(later)
        if unread is None:
            read_again += 1
            assert later >= board.lasts_until
            continue
        moved_on += 1
        assert (unread.active, unread.completed, unread.counts) == (
            fresh.active,
            fresh.completed,
            fresh.counts,
        ), seconds
    assert moved_on and read_again
    with catalog.read() as db:
        to_the_end = schedule.board(db, board.lasts_until, limit=100)
    assert to_the_end != board.at(board.lasts_until - timedelta(microseconds=1))  # it changed
    assert board.at(first - timedelta(seconds=1)) is None  # before the read: read again
