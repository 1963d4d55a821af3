"""`recorded_statements(catalog)`: the SQL statements a block sends to the catalog's engine,
for tests that bound how many queries an operation runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from sigtui.catalog.store.db import Catalog


@contextmanager
def recorded_statements(catalog: Catalog) -> Iterator[list[str]]:
    """Yields a list that each statement run inside the block is appended to."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    sa.event.listen(catalog.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(catalog.engine, "before_cursor_execute", record)
