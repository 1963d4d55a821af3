"""The indexes the scale work relies on are the ones SQLite picks (EXPLAIN QUERY PLAN of the
statements the code sends): a subscription losing an allowlisting reads only the regions
in flight through the partial index, and the `/` filter's region search looks up a
version's regions by the version, not the whole table by region."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from builders import small_catalog

from sigtui.catalog import services
from sigtui.catalog.queries import cleanup, search
from sigtui.catalog.queries.costs.sheet_json import builtin_sheet
from sigtui.catalog.store.db import Catalog


@contextmanager
def plans_of(catalog: Catalog, table: str) -> Iterator[list[str]]:
    """The query plans of the statements reading `table` sent inside the block."""
    plans: list[str] = []

    def explain(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if table in statement and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            raw = conn.connection.dbapi_connection
            rows = raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
            plans.append("\n".join(row[-1] for row in rows))

    sa.event.listen(catalog.engine, "before_cursor_execute", explain)
    try:
        yield plans
    finally:
        sa.event.remove(catalog.engine, "before_cursor_execute", explain)


def _plans(catalog: Catalog, table: str, action: Callable[[Any], object]) -> list[str]:
    with plans_of(catalog, table) as plans, catalog.write(announce=False) as db:
        action(db)
    assert plans, f"no statement read {table}"
    return plans


def test_losing_an_allowlisting_reads_only_the_regions_in_flight(sqlite_catalog: Catalog) -> None:
    world = small_catalog(sqlite_catalog, allowlisted=["australiacentral"])
    world.version("1.0.0", targets=["westus", "australiacentral"])

    def lose_the_allowlisting(db: Any) -> None:
        services.update_region_allowlist(db, world.subscription, [], world.clock)

    plans = _plans(sqlite_catalog, "target_region", lose_the_allowlisting)
    assert any("ix_target_region_replicating" in plan for plan in plans), plans
    assert not any("SCAN target_region" in plan for plan in plans), plans


def test_the_region_search_reads_a_versions_regions_by_version(sqlite_catalog: Catalog) -> None:
    world = small_catalog(sqlite_catalog)
    world.version("1.0.0")
    plans = _plans(sqlite_catalog, "target_region", lambda db: search.search(db, "East US"))
    assert not any("SCAN target_region" in plan for plan in plans), plans
    assert any("sqlite_autoindex_target_region" in plan for plan in plans), plans


def test_a_page_of_all_versions_by_name_reads_only_its_versions_regions(
    sqlite_catalog: Catalog,
) -> None:
    world = small_catalog(sqlite_catalog)
    for patch in range(3):
        world.version(f"1.0.{patch}", targets=["westus", "eastus"])
    now = sqlite_catalog.clock.now()

    def first_page(sort: str) -> Callable[[Any], object]:
        return lambda db: search.all_versions(db, sort, limit=2, now=now)

    by_name = _plans(sqlite_catalog, "target_region", first_page("subscription"))
    assert not any("SCAN target_region" in plan for plan in by_name), by_name
    assert any("MATERIALIZE page" in plan for plan in by_name), by_name
    # a sort by replication state needs every version's: it reads them all
    by_state = _plans(sqlite_catalog, "target_region", first_page("replication"))
    assert not any("MATERIALIZE page" in plan for plan in by_state), by_state


def test_the_cleanup_list_reads_only_the_regions_of_what_expired(sqlite_catalog: Catalog) -> None:
    world = small_catalog(sqlite_catalog)
    world.version("1.0.0", targets=["westus", "eastus"])
    now = sqlite_catalog.clock.now()
    plans = _plans(
        sqlite_catalog, "target_region", lambda db: cleanup.expired(db, now, builtin_sheet())
    )
    assert not any("SCAN target_region" in plan for plan in plans), plans
    assert all("target_region_1 (version_pk=?)" in plan for plan in plans), plans
