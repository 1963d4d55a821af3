"""The indexes the scale work relies on are the ones SQLite picks (EXPLAIN QUERY PLAN of the
statements the code sends): a subscription losing an allowlisting reads only the regions
in flight through the partial index, and the `/` filter's region search looks up a
version's regions by the version, not the whole table by region; the replication screen
reads the regions it may list through theirs (on PostgreSQL too), and the cost screen's
ranking sums each version from a covering index."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from builders import small_catalog

from sigtui.catalog import services
from sigtui.catalog.azure.importing.digests import known_digests
from sigtui.catalog.queries import cleanup, search
from sigtui.catalog.queries.costs.overview import cost_overview
from sigtui.catalog.queries.costs.sheet_json import builtin_sheet
from sigtui.catalog.replication import schedule
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
    assert all("target_region USING" in plan for plan in plans), plans
    assert all("(version_pk=?)" in plan for plan in plans), plans


@contextmanager
def postgresql_plans_of(catalog: Catalog, table: str) -> Iterator[list[str]]:
    """`plans_of` on PostgreSQL, with sequential scans off: a table this small is read
    whole, whatever the indexes; an index a statement cannot use stays out of its plan."""
    plans: list[str] = []

    def explain(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if table in statement and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            with conn.connection.dbapi_connection.cursor() as explaining:
                explaining.execute("SET enable_seqscan = off")
                explaining.execute(f"EXPLAIN {statement}", parameters)
                plans.append("\n".join(row[0] for row in explaining.fetchall()))
                explaining.execute("RESET enable_seqscan")

    sa.event.listen(catalog.engine, "before_cursor_execute", explain)
    try:
        yield plans
    finally:
        sa.event.remove(catalog.engine, "before_cursor_execute", explain)


def _board(catalog: Catalog, subscription: str | None = None) -> Callable[[Any], object]:
    now = catalog.clock.now()
    return lambda db: schedule.board(db, now, subscription=subscription, limit=10)


def _board_plans(catalog: Catalog, subscription: str | None = None) -> list[str]:
    if catalog.engine.dialect.name == "sqlite":
        plans = _plans(catalog, "target_region", _board(catalog, subscription))
        scans = [re.sub(r"SCAN \w+ USING (COVERING )?INDEX ix_target_region_unfinished", "", plan)
                 for plan in plans]  # fmt: skip
        assert not any("SCAN" in plan for plan in scans), plans  # a partial index whole only
        return plans
    with postgresql_plans_of(catalog, "target_region") as plans, catalog.read() as db:
        _board(catalog, subscription)(db)
    return plans


UNFINISHED, COMPLETED = "ix_target_region_unfinished", "ix_target_region_completed"
REPLICATING = "ix_target_region_replicating"


def test_the_replication_board_reads_only_the_regions_it_may_list(catalog: Catalog) -> None:
    """The counts and the list of completed regions find their regions through the
    partial indexes of those not Completed and of the copies completed lately (unnarrowed,
    the copies are counted from their index alone), the list of regions in flight through
    the first alone, and when the board changes next through those of the regions
    replicating and of the copies, on both engines."""
    world = small_catalog(catalog)
    world.version("1.0.0", targets=["westus", "eastus"])
    unfinished, copies, in_flight, completed, ending, leaving = _board_plans(catalog)
    assert UNFINISHED in unfinished and COMPLETED not in unfinished
    assert COMPLETED in copies and UNFINISHED not in copies
    assert UNFINISHED in completed and COMPLETED in completed
    assert COMPLETED not in in_flight  # a region stored Completed is never in flight
    if catalog.engine.dialect.name == "sqlite":  # PostgreSQL reads a table this small by name
        assert UNFINISHED in in_flight
    # when the board changes next: a region in flight ends, a copy leaves the last day
    assert REPLICATING in ending and COMPLETED in leaving
    subscription_id = world.subscription.rsplit("/", 1)[-1]
    counts, *_ = _board_plans(catalog, subscription_id)  # narrowed: counted as listed
    assert UNFINISHED in counts and COMPLETED in counts


def test_the_cost_ranking_sums_each_version_from_its_covering_index(
    sqlite_catalog: Catalog,
) -> None:
    """The cost screen ranks the versions (and galleries) by one sum per version, read
    from `ix_target_region_version_cost` alone, once for both levels."""
    world = small_catalog(sqlite_catalog)
    world.version("1.0.0", targets=["westus", "eastus"])

    def overview(db: Any) -> object:
        return cost_overview(db, builtin_sheet(), galleries=8, versions=500)

    plans = _plans(sqlite_catalog, "target_region", overview)
    ranking = [plan for plan in plans if "MATERIALIZE by_version" in plan]
    assert len(ranking) == 1, plans
    assert "SCAN target_region USING COVERING INDEX ix_target_region_version_cost" in ranking[0]


def test_an_imports_digests_are_looked_up_in_the_partial_indexes(catalog: Catalog) -> None:
    """A re-import asks which of its items' texts the catalog holds, a few hundred at a
    time: through each table's partial index of digests (SQLite: the digests as a JSON
    list; PostgreSQL: as an array), not by reading the tables."""
    small_catalog(catalog)
    asked = ["0" * 32, "f" * 32]
    if catalog.engine.dialect.name == "sqlite":
        plans = _plans(catalog, "import_digest", lambda db: known_digests(db, asked))
        assert not any(re.search(r"SCAN (gallery|image_definition|image_version)\b", plan)
                       for plan in plans), plans  # fmt: skip
    else:
        with postgresql_plans_of(catalog, "import_digest") as plans, catalog.read() as db:
            known_digests(db, asked)
    for table in ("gallery", "image_definition", "image_version"):
        assert any(f"ix_{table}_import_digest" in plan for plan in plans), plans
