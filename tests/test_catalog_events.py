"""The catalog's events (migration 0011): each write records who changed what and when, in
its own transaction (a refused one records nothing); the events query adds each region's
replication, read from its schedule without writing. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from builders import (
    World,
    catalog_state,
    version_call,
    version_update_call,
)

from sigtui.catalog import services
from sigtui.catalog.model.schemas import RoleAssignmentCreate
from sigtui.catalog.queries import events, lookup
from sigtui.catalog.replication import schedule
from sigtui.catalog.services.events import local_actor
from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import Catalog


def _recorded(catalog: Catalog) -> list[events.Event]:
    """The recorded events, newest first (replication events left out)."""
    found = catalog.query(events.recent_events, catalog.clock.now())
    return [event for event in found if event.actor != events.REPLICATION_ACTOR]


def test_each_write_records_who_did_what_in_its_own_transaction(world: World) -> None:
    before = len(_recorded(world.catalog))
    version = world.write(version_call(world, "1.0.0", targets=["westus", "eastus"])).name
    version_id = world.definition + "/versions/" + version
    world.write(version_update_call(world, version_id, exclude_from_latest=True))
    world.write(version_update_call(world, version_id, targets=["westus", "eastus", "westeurope"]))
    world.write(version_update_call(world, version_id, targets=["westus", "eastus=2"]))
    past = world.clock.now() - timedelta(days=1)
    world.refused("SIG-EOL", version_update_call(world, version_id, end_of_life_date=past))
    world.write(lambda db: services.delete_version(db, version_id))

    newest = _recorded(world.catalog)[: len(_recorded(world.catalog)) - before]
    assert [(e.action, e.kind, e.arm_id) for e in newest] == [
        ("delete", "image version", version_id),
        ("update", "image version", version_id),
        ("update", "image version", version_id),
        ("update", "image version", version_id),
        ("create", "image version", version_id),
    ]
    assert {e.actor for e in newest} == {local_actor()}
    assert newest[1].summary == "-West Europe ~East US"
    assert newest[2].summary == "+West Europe"
    assert newest[3].summary == "exclude from latest"
    assert newest[4].summary == "1.0.0"


def test_a_principal_viewed_as_is_the_actor(world: World) -> None:
    world.build.principal("alice")
    role = "Compute Gallery Artifacts Publisher"
    data = RoleAssignmentCreate(assignee="alice", role=role, scope=world.definition)
    world.write(lambda db: services.create_role_assignment(db, data, world.clock))
    with world.catalog.read() as db:
        alice = lookup.find_principal(db, "alice").pk
    as_alice = Catalog(engine=world.catalog.engine, clock=world.clock, acting_as=alice)
    with as_alice.write() as db:  # the write guard checks the version, never the event
        version_call(world, "2.0.0")(db)
    newest = _recorded(world.catalog)[0]
    assert (newest.actor, newest.action, newest.summary) == ("alice", "create", "2.0.0")
    assignment = _recorded(world.catalog)[1]
    assert (assignment.kind, assignment.arm_id) == ("role assignment", world.definition)
    assert assignment.summary == f"{role} for alice"


def test_replication_events_are_read_from_the_schedule_and_reading_writes_nothing(
    world: World,
) -> None:
    clock = world.clock
    assert isinstance(clock, FixedClock)
    version_id = world.version("1.0.0", targets=["westus", "eastus", "westeurope"])
    started = clock.now()

    def replication_at(moment: FixedClock) -> list[tuple[str, str]]:
        found = world.catalog.query(events.recent_events, moment.now())
        return sorted(
            (e.action, e.summary.split(" (")[0])
            for e in found
            if e.actor == events.REPLICATION_ACTOR and e.arm_id == version_id
        )

    state = catalog_state(world.catalog)
    assert replication_at(clock) == [("started", "East US"), ("started", "West Europe")]
    later = FixedClock(started + timedelta(days=2))
    assert replication_at(later) == [
        ("completed", "East US"),
        ("completed", "West Europe"),
        ("started", "East US"),
        ("started", "West Europe"),
    ]
    assert catalog_state(world.catalog) == state  # reads never write
    soon = started + timedelta(seconds=1)
    world.write(lambda db: schedule.fail(db, version_id, "eastus", "disk <[/]> lost", soon))
    failed = [
        e for e in world.catalog.query(events.recent_events, later.now()) if e.action == "failed"
    ]
    assert [(e.summary, e.at) for e in failed] == [("East US at 0%: disk <[/]> lost", soon)]
    # a month later, the window (a week) has moved past them
    assert replication_at(FixedClock(started + timedelta(days=30))) == []
