"""SQL functions that SQLite and PostgreSQL spell differently: each compiles to both, so
the queries that use them are written once."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class EpochMicroseconds(FunctionElement[int]):
    """Microseconds since 1970 of a timestamp column (the catalog stores naive UTC), as an
    exact integer: Python's datetime arithmetic gives the same number."""

    type = sa.BigInteger()
    name = "epoch_microseconds"
    inherit_cache = True


@compiles(EpochMicroseconds)
def _epoch_microseconds(element: EpochMicroseconds, compiler: Any, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    return f"CAST(EXTRACT(EPOCH FROM {value}) * 1000000 AS BIGINT)"


@compiles(EpochMicroseconds, "sqlite")
def _epoch_microseconds_sqlite(element: EpochMicroseconds, compiler: Any, **kw: Any) -> str:
    # stored as 'YYYY-MM-DD HH:MM:SS.ffffff': the whole seconds (strftime of the first 19
    # characters: given the fraction, it rounds to the millisecond, .9995 to the next
    # second), then the microseconds
    value = compiler.process(element.clauses, **kw)
    return (
        f"(CAST(strftime('%s', substr({value}, 1, 19)) AS INTEGER) * 1000000"
        f" + CAST(substr({value} || '000000', 21, 6) AS INTEGER))"
    )


class Contains(FunctionElement[bool]):
    """Whether a text holds another, as is (no case folding, no wildcards): cheaper than
    LIKE '%...%' when every row is read (the `/` filter over every version's name)."""

    type = sa.Boolean()
    name = "contains"
    inherit_cache = True


@compiles(Contains)
def _contains(element: Contains, compiler: Any, **kw: Any) -> str:
    text, part = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(strpos({text}, {part}) > 0)"


@compiles(Contains, "sqlite")
def _contains_sqlite(element: Contains, compiler: Any, **kw: Any) -> str:
    text, part = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(instr({text}, {part}) > 0)"


class Truncated(FunctionElement[int]):
    """A non-negative number without its fraction, as Python's int() does."""

    type = sa.Integer()
    name = "truncated"
    inherit_cache = True


@compiles(Truncated)
def _truncated(element: Truncated, compiler: Any, **kw: Any) -> str:
    return f"CAST(FLOOR({compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(Truncated, "sqlite")
def _truncated_sqlite(element: Truncated, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS INTEGER)"


class RowsAsJson(FunctionElement[Any]):
    """The rows of the columns given as one JSON array of arrays, in a single result row.
    Why: SQLite's driver gives up and takes back the GIL for every row it steps through,
    and a worker thread's query run while the UI thread draws waits at each of those
    hand-overs: the limits screen's 90 rows took 60 ms longer than their query did."""

    type = sa.JSON()
    name = "rows_as_json"
    inherit_cache = True


@compiles(RowsAsJson)
def _rows_as_json(element: RowsAsJson, compiler: Any, **kw: Any) -> str:
    return f"json_agg(json_build_array({compiler.process(element.clauses, **kw)}))"


@compiles(RowsAsJson, "sqlite")
def _rows_as_json_sqlite(element: RowsAsJson, compiler: Any, **kw: Any) -> str:
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"
