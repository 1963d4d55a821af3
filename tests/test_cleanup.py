"""The cleanup list (SIG-EOL): versions and definitions past end-of-life, with what they
cost per month, for a screen that deletes them."""

from __future__ import annotations

from datetime import date, timedelta

from builders import World, read
from sql_counter import recorded_statements

from sigtui.catalog import services
from sigtui.catalog.queries import cleanup
from sigtui.catalog.queries.costs.scopes import CATALOG, Scope, scope_of
from sigtui.catalog.queries.costs.sheet_json import builtin_sheet

SHEET = builtin_sheet()
DAY = 24 * 3600
S4 = SHEET.disk_tiers["Standard_LRS"][0].price.value  # a 30 GB version's replica


def _in_days(world: World, days: int) -> date:
    return world.clock.now().date() + timedelta(days=days)


def _expired(world: World, scope: Scope = CATALOG) -> cleanup.CleanupList:
    with world.catalog.read() as db:
        return cleanup.expired(db, world.clock.now(), SHEET, scope=scope)


def test_nothing_has_expired_before_its_end_of_life(world: World) -> None:
    world.version("1.0.0", end_of_life_date=_in_days(world, 10))
    listed = _expired(world)
    assert (listed.items, listed.monthly_storage) == ([], 0)


def test_expired_versions_and_definitions_with_their_monthly_cost(world: World) -> None:
    world.version("1.0.0", targets=["westus=2", "eastus"], end_of_life_date=_in_days(world, 10))
    world.version("1.0.1", targets=["westus"], end_of_life_date=_in_days(world, 20))
    world.version("2.0.0", targets=["westus"])  # no end of life
    old = world.build.definition(
        world.gallery, "old", sku="Old", end_of_life_date=_in_days(world, 5)
    )
    world.build.version(old, "1.0.0", image=world.image, targets=["westus", "westeurope"])
    world.clock.advance(15 * DAY)

    listed = _expired(world)
    shown = [(i.kind, i.name, i.days_past, i.cost.replicas, i.versions) for i in listed.items]
    assert shown == [
        ("version", "1.0.0", 5, 3, 0),  # the costliest first
        ("definition", "old", 10, 2, 1),
    ]
    version, definition = listed.items
    assert version.cost.monthly_storage == 3 * S4
    assert version.arm_id == f"{world.definition}/versions/1.0.0"
    assert version.etag == read(world.catalog, version.arm_id).etag
    assert (version.gallery, version.definition, version.location) == ("gallery1", "def1", "westus")
    assert definition.arm_id == old
    assert definition.blocked_by == "it still has 1 version; delete it first"
    assert version.blocked_by is None
    assert listed.monthly_storage == 5 * S4
    assert (listed.currency, listed.basis) == ("USD", "managedDisk")


def test_the_total_counts_a_version_of_an_expired_definition_once(world: World) -> None:
    old = world.build.definition(
        world.gallery, "old", sku="Old", end_of_life_date=_in_days(world, 5)
    )
    world.build.version(old, "1.0.0", image=world.image, end_of_life_date=_in_days(world, 5))
    world.clock.advance(10 * DAY)
    listed = _expired(world)
    assert sorted(i.kind for i in listed.items) == ["definition", "version"]
    assert sum(i.cost.monthly_storage for i in listed.items) == 2 * S4
    assert listed.monthly_storage == S4  # deleting both frees one replica


def test_a_scope_narrows_the_list(world: World) -> None:
    world.version("1.0.0", end_of_life_date=_in_days(world, 1))
    other = world.build.definition(world.gallery, "other", sku="Other")
    world.build.version(other, "1.0.0", image=world.image, end_of_life_date=_in_days(world, 1))
    world.clock.advance(2 * DAY)
    with world.catalog.read() as db:
        scope = scope_of(db, other)
    assert [i.arm_id for i in _expired(world, scope).items] == [f"{other}/versions/1.0.0"]
    assert len(_expired(world).items) == 2


def test_a_listed_version_can_be_deleted_with_its_etag(world: World) -> None:
    world.version("1.0.0", end_of_life_date=_in_days(world, 1))
    world.clock.advance(2 * DAY)
    [item] = _expired(world).items
    world.write(lambda db: services.delete_version(db, item.arm_id, if_match=item.etag))
    assert _expired(world).items == []


def test_one_listing_query_plus_the_cost_rollups(world: World) -> None:
    for n in range(5):
        world.version(f"1.0.{n}", end_of_life_date=_in_days(world, 1))
    world.clock.advance(2 * DAY)
    with recorded_statements(world.catalog) as statements:
        listed = _expired(world)
    assert len(listed.items) == 5
    # the list; the rollup by version (its aggregate, then the names of its keys), by
    # definition (none expired: nothing to name) and in all
    assert len(statements) == 5
