"""A shared catalog: two sessions (two Catalog objects, as two processes would have) on one
database see each other's changes through the change marker, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from builders import small_catalog

from sigtui.catalog import services
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.schemas import GalleryUpdate, TenantCreate
from sigtui.catalog.queries import lookup
from sigtui.catalog.replication import schedule
from sigtui.catalog.services import seed
from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import Catalog, open_catalog

OTHER_TENANT = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"


@pytest.fixture
def other(catalog_url: str, clock: FixedClock) -> Iterator[Catalog]:
    """A second session on the same database as `catalog`."""
    opened = open_catalog(catalog_url, clock=clock)
    yield opened
    opened.close()


def _add_tenant(catalog: Catalog, name: str = "Fabrikam") -> None:
    with catalog.write() as db:
        services.create_tenant(db, TenantCreate(name=name, tenant_id=OTHER_TENANT), catalog.clock)


def test_a_write_in_one_session_moves_the_marker_the_other_sees(
    catalog: Catalog, other: Catalog
) -> None:
    seen = other.change_marker()
    _add_tenant(catalog)
    assert other.change_marker() == seen + 1
    assert catalog.change_marker() == other.change_marker()


def test_an_update_and_a_delete_move_it_too(catalog: Catalog, other: Catalog) -> None:
    world = small_catalog(catalog)
    gallery = world.build.gallery(world.group, "shared")
    seen = other.change_marker()
    with other.write() as db:
        services.update_gallery(db, gallery, GalleryUpdate(description="x"), other.clock)
    assert catalog.change_marker() == seen + 1
    with catalog.write() as db:
        services.delete_gallery(db, gallery)
    assert other.change_marker() == seen + 2


def test_reads_and_writes_that_change_nothing_leave_it_alone(
    catalog: Catalog, other: Catalog
) -> None:
    world = small_catalog(catalog)
    world.version("1.0.0", targets=["westus", "eastus"])
    seen = other.change_marker()
    with catalog.read() as db:
        lookup.resolve(db, world.definition)
    with catalog.write() as db:
        lookup.resolve(db, world.gallery)
    assert other.change_marker() == seen


def test_replication_moving_on_does_not_move_it(catalog: Catalog, other: Catalog) -> None:
    """Every session computes replication from the same schedule: nothing is written as
    it moves on, so no open app reloads its tree for it."""
    world = small_catalog(catalog)
    world.version("1.0.0", targets=["westus", "eastus"])
    seen = other.change_marker()
    world.clock.advance(24 * 3600)
    with catalog.read() as db:
        board = schedule.board(db, world.clock.now(), limit=10)
    assert board.total("Completed") == 1
    assert other.change_marker() == seen


def test_a_sessions_own_writes_are_not_news_to_it(catalog: Catalog, other: Catalog) -> None:
    """The app shows its own saves where they are made; only another session's change
    makes it reload (its tree, its details)."""
    seen = catalog.change_marker()
    _add_tenant(catalog)
    seen, by_others = catalog.changed_since(seen)
    assert not by_others
    assert other.changed_since(seen - 1) == (seen, True)
    with other.write() as db:
        services.create_tenant(db, TenantCreate(name="Northwind"), other.clock)
    with catalog.write() as db:  # its own write after the other's: both unseen, one not its
        services.create_tenant(db, TenantCreate(name="Tailspin"), catalog.clock)
    assert catalog.changed_since(seen) == (seen + 2, True)
    assert catalog.changed_since(seen + 2) == (seen + 2, False)  # nothing new


def test_a_refused_write_leaves_it_alone(catalog: Catalog, other: Catalog) -> None:
    _add_tenant(catalog)
    seen = other.change_marker()
    with pytest.raises(CatalogError):
        _add_tenant(other)  # the same tenant id again: refused, rolled back
    assert catalog.change_marker() == seen


def test_a_reset_seed_moves_it_on_never_back(catalog: Catalog, other: Catalog) -> None:
    seed.load_demo(catalog)
    seen = other.change_marker()
    seed.load_demo(other, reset=True)
    assert catalog.change_marker() > seen
