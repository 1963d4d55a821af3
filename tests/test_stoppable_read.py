"""A read whose answer is no longer wanted (the details pane's cost read of a node the
cursor left) stops: on SQLite in the middle of its statement, on both engines without
ever giving its answer."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa
from builders import small_catalog
from sqlmodel import Session

from sigtui.catalog.queries import browse, fetch
from sigtui.catalog.queries.costs.sheet_json import builtin_sheet
from sigtui.catalog.queries.node_details import cost_fields
from sigtui.catalog.queries.stoppable import ReadStopped, Stop, stoppable_read
from sigtui.catalog.store import reach
from sigtui.catalog.store.db import Catalog

ROWS = 10_000_000  # a statement that would take seconds to its end
STOP_AT = 1_000


def _subscription(catalog: Catalog) -> browse.NodeRef:
    small_catalog(catalog)
    pk = catalog.query(fetch.subscriptions)[0].pk
    return browse.NodeRef(browse.SUBSCRIPTION, pk or 0)


def test_a_read_not_stopped_answers_as_a_plain_read(catalog: Catalog) -> None:
    ref = _subscription(catalog)
    sheet = builtin_sheet()
    answer = catalog.query(stoppable_read, Stop(), cost_fields, ref, sheet)
    assert answer == catalog.query(cost_fields, ref, sheet)


def test_a_read_stopped_before_or_while_it_runs_never_answers(catalog: Catalog) -> None:
    ref = _subscription(catalog)
    sheet = builtin_sheet()
    stopped = Stop()
    stopped.stop()
    with pytest.raises(ReadStopped):
        catalog.query(stoppable_read, stopped, cost_fields, ref, sheet)

    during = Stop()

    def stopped_midway(db: Session) -> object:
        answer = cost_fields(db, ref, sheet)
        during.stop()  # as the cursor moving on does, from the app's thread
        return answer

    with pytest.raises(ReadStopped):
        catalog.query(stoppable_read, during, stopped_midway)
    assert catalog.query(stoppable_read, Stop(), cost_fields, ref, sheet)  # the pool is fine


def test_a_stopped_sqlite_statement_ends_in_its_middle(sqlite_catalog: Catalog) -> None:
    """...and the catalog's engines do not take the statement SQLite interrupted for a
    catalog that cannot be reached: the app showed its SIG-DB banner ("interrupted"),
    retried and read every screen again each time the cursor left a subscription whose
    cost was being read."""
    reported: list[BaseException] = []
    stop_watching = reach.watch(sqlite_catalog, reported.append)
    stop = Stop()
    calls = 0

    def counted(value: int) -> int:
        nonlocal calls
        calls += 1
        if calls == STOP_AT:
            stop.stop()
        return value

    def long_read(db: Session) -> object:
        driver = db.connection().connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        driver.create_function("counted", 1, counted)
        rows = sa.text(
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < :rows) "
            "SELECT sum(counted(x)) FROM n"
        )
        return db.connection().execute(rows, {"rows": ROWS}).scalar()

    try:
        with pytest.raises(ReadStopped):
            sqlite_catalog.query(stoppable_read, stop, long_read)
    finally:
        stop_watching()
    assert STOP_AT <= calls < STOP_AT + 10_000  # ended within a few progress checks
    assert reported == []
