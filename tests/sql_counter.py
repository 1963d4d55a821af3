"""`recorded_statements(catalog)`: the SQL statements a block sends to the catalog's engines,
for tests that bound how many queries an operation runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from sigtui.catalog.store.db import Catalog


def _sharing(catalog: Catalog) -> Any:
    """The reading engine when it is an option view of the writing one (PostgreSQL)."""
    reader = catalog.reader
    return reader if isinstance(reader, sa.engine.base.OptionEngine) else None


@contextmanager
def recorded_statements(catalog: Catalog) -> Iterator[list[str]]:
    """Yields a list that each statement run inside the block is appended to."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    # writes and reads; PostgreSQL's reading engine shares the writing one's events
    engines = {catalog.engine, catalog.reader or catalog.engine} - {_sharing(catalog)}
    for engine in engines:
        sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for engine in engines:
            sa.event.remove(engine, "before_cursor_execute", record)
