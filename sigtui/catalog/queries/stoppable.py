"""A read that can be stopped from another thread once its answer is no longer wanted.

What a tenant or a subscription costs reads every one of its target regions (0.2 s of
SQL a subscription at Azure's limits). The app reads it for the node under the cursor;
when the cursor moves on, the read of the node left behind is of no use, and on a busy
machine it takes the CPU that the next frame needs. `stoppable_read` runs a query with a
`Stop`; `Stop.stop()` (from any thread) ends it at SQLite's next progress check, and the
read raises `ReadStopped`. On PostgreSQL the server runs the statement to its end (a
cancel would need the server's cooperation): the read still raises `ReadStopped` once it
returns, so that no stopped read's answer is ever used.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlmodel import Session

P = ParamSpec("P")
T = TypeVar("T")

PROGRESS_STEPS = 1000  # SQLite virtual machine steps between two looks at the stop flag


class ReadStopped(Exception):
    """The read was stopped before it ended; it has no answer."""


class Stop:
    """A stop flag one read looks at; `stop()` is safe from any thread."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def stop(self) -> None:
        self._event.set()

    @property
    def stopped(self) -> bool:
        return self._event.is_set()


def stoppable_read(
    db: Session,
    stop: Stop,
    read: Callable[Concatenate[Session, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """`read(db, *args, **kwargs)`, raising ReadStopped instead of answering once `stop`
    was stopped (before, during or after it ran)."""
    if stop.stopped:
        raise ReadStopped
    driver = db.connection().connection.driver_connection
    if not isinstance(driver, sqlite3.Connection):
        answer = read(db, *args, **kwargs)
    else:
        driver.set_progress_handler(lambda: int(stop.stopped), PROGRESS_STEPS)
        try:
            answer = read(db, *args, **kwargs)
        except sa.exc.OperationalError as error:
            if stop.stopped:  # SQLite's "interrupted": our handler ended the statement
                raise ReadStopped from error
            raise
        finally:
            driver.set_progress_handler(None, PROGRESS_STEPS)
    if stop.stopped:
        raise ReadStopped
    return answer
