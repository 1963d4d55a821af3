"""Whether the catalog's database can be reached: the errors that say it cannot, and a
watch on the catalog's engines that reports each one wherever it happens (a worker thread,
a handler), so that the app can say so and retry (DESIGN.md §3)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine.base import OptionEngine

from sigtui.catalog.store.db import Catalog

# the DBAPI's own words for "cannot connect / the connection broke" (a refused or dropped
# connection, a server shut down, a database that accepts no connections, a locked file)
UNREACHABLE: tuple[type[Exception], ...] = (sa.exc.OperationalError, sa.exc.InterfaceError)


def unreachable(error: BaseException | None) -> BaseException | None:
    """The database error in `error`'s chain of causes that says the catalog cannot be
    reached, or None. A statement SQLite interrupted was stopped by sigtui itself (a
    read no longer wanted, `queries/stoppable.py`): the catalog answered."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if interrupted(error):
            return None
        if isinstance(error, UNREACHABLE):
            return error
        if isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
            return error
        error = error.__cause__ or error.__context__
    return None


def interrupted(error: BaseException) -> bool:
    """Whether `error` is SQLite's "interrupted": a statement ended by a progress handler
    (or `interrupt()`), never by the database going away."""
    driver_error = getattr(error, "orig", None) or error
    return getattr(driver_error, "sqlite_errorcode", None) == sqlite3.SQLITE_INTERRUPT


def vanished(error: BaseException) -> bool:
    """Whether `error` is a row read while another session deleted it (a read racing a
    delete: the view that asked is read again after the change)."""
    return isinstance(error, sa.exc.NoResultFound)


def first_line(error: BaseException) -> str:
    """The first line of the driver's message (without SQLAlchemy's background note)."""
    lines = str(getattr(error, "orig", None) or error).strip().splitlines()
    return lines[0].strip() if lines else type(error).__name__


def watch(catalog: Catalog, report: Callable[[BaseException], None]) -> Callable[[], None]:
    """Call `report` (from whichever thread met it) with every error of the catalog's
    engines that says the database cannot be reached; returns how to stop watching."""

    def handle_error(context: sa.engine.ExceptionContext) -> None:
        error = context.sqlalchemy_exception or context.original_exception
        if context.is_disconnect or unreachable(error) is not None:
            report(error)

    # a PostgreSQL reader is an option view of the writing engine: it shares its events
    engines = [catalog.engine]
    if catalog.reader is not None and not isinstance(catalog.reader, OptionEngine):
        engines.append(catalog.reader)
    for engine in engines:
        sa.event.listen(engine, "handle_error", handle_error)

    def stop() -> None:
        for engine in engines:
            if sa.event.contains(engine, "handle_error", handle_error):
                sa.event.remove(engine, "handle_error", handle_error)

    return stop


def probe(catalog: Catalog) -> None:
    """Read the change marker: raises when the catalog cannot be reached."""
    catalog.change_marker()
