"""Shared fixtures: a fixed clock, a throwaway PostgreSQL server, and fresh catalogs.

Every test gets its own database. The schema is migrated once per session per engine
into a template (a SQLite file, a PostgreSQL template database) and copied per test.

Fixtures:
- `clock`: a FixedClock at 2026-01-15T12:00:00Z.
- `pg_server` (session): a `PgServer`, the throwaway PostgreSQL 15 server.
- `new_database`: a function `(engine, migrated=True) -> url` making fresh databases,
  all dropped after the test.
- `catalog_url` / `empty_db_url` (sqlite, postgresql): a fresh migrated / empty database.
- `catalog` (sqlite, postgresql) / `sqlite_catalog`: an open Catalog on a fresh database.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import pytest
from pytest_postgresql.janitor import DatabaseJanitor

from sigtui.catalog.clock import FixedClock
from sigtui.catalog.db import Catalog, open_catalog

PG_BIN = Path(os.environ.get("SIGTUI_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_USER = "postgres"
PG_TEMPLATE = "sigtui_template"

ENGINES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
]

NewDatabase = Callable[..., str]
_db_numbers = itertools.count()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 1, 15, 12, 0, 0, tzinfo=UTC))


# --- the PostgreSQL server -------------------------------------------------------------


@dataclass(frozen=True)
class PgServer:
    """A running throwaway server, reached over its unix socket."""

    socket_dir: Path
    port: int
    user: str = PG_USER

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://{self.user}@/{dbname}?host={self.socket_dir}&port={self.port}"

    @contextmanager
    def database(self, name: str, template: str | None = None) -> Iterator[str]:
        """A new database (a copy of `template`) for the block; yields its URL, then drops it
        (ending any connection a test left open)."""
        janitor = DatabaseJanitor(
            user=self.user, host=str(self.socket_dir), port=self.port, dbname=name,
            template_dbname=template,
        )  # fmt: skip
        with janitor:
            yield self.url(name)


class PgUnavailable(Exception):
    """The throwaway server could not be started; the message says why."""


def _as_pg_user() -> list[str]:
    return ["runuser", "-u", PG_USER, "--"] if os.geteuid() == 0 else []


def _run_pg(*args: str) -> None:
    try:
        subprocess.run(
            [*_as_pg_user(), *args], check=True, capture_output=True, text=True, timeout=120
        )
    except FileNotFoundError as exc:
        raise PgUnavailable(f"{exc.filename} not found") from exc
    except subprocess.CalledProcessError as exc:
        raise PgUnavailable(f"{Path(args[0]).name} failed: {exc.stderr.strip()}") from exc
    except subprocess.TimeoutExpired as exc:
        raise PgUnavailable(f"{args[0]} timed out") from exc


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _give_to_pg_user(path: Path) -> None:
    if os.geteuid() != 0:
        return
    try:
        shutil.chown(path, PG_USER, PG_USER)
    except LookupError as exc:
        raise PgUnavailable(f"there is no {PG_USER!r} user to run PostgreSQL as") from exc


def _start_pg(base: Path) -> PgServer:
    """initdb and start a server under `base` (its data, socket and log live there)."""
    if not (PG_BIN / "initdb").exists():
        raise PgUnavailable(f"PostgreSQL binaries not found in {PG_BIN}")
    sockets = base / "socket"
    sockets.mkdir()
    _give_to_pg_user(base)
    _give_to_pg_user(sockets)
    data, port = base / "data", _free_port()
    _run_pg(
        str(PG_BIN / "initdb"), "-D", str(data), "-U", PG_USER, "-A", "trust",
        "-E", "UTF8", "--locale=C", "--no-sync",
    )  # fmt: skip
    options = (
        f"-k {sockets} -p {port} -c listen_addresses='' "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    log = base / "postgres.log"
    try:
        _run_pg(
            str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"
        )
    except PgUnavailable as exc:
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise PgUnavailable(f"{exc}\n{tail}") from exc
    return PgServer(socket_dir=sockets, port=port)


def _stop_pg(base: Path) -> None:
    data = base / "data"
    if (data / "postmaster.pid").exists():
        stop = [str(PG_BIN / "pg_ctl"), "-D", str(data), "stop", "-m", "fast"]
        subprocess.run([*_as_pg_user(), *stop], check=False, capture_output=True, timeout=60)
    shutil.rmtree(base, ignore_errors=True)


def _unavailable(reason: str) -> NoReturn:
    """No server: a failure in CI (where PostgreSQL tests must run), else a skip."""
    message = f"throwaway PostgreSQL server unavailable: {reason}"
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    base = Path(tempfile.mkdtemp(prefix="sigtui-pg-"))
    try:
        server = _start_pg(base)
    except PgUnavailable as exc:
        _stop_pg(base)
        _unavailable(str(exc))
    try:
        yield server
    finally:
        _stop_pg(base)


@pytest.fixture(scope="session")
def pg_template(pg_server: PgServer) -> Iterator[str]:
    """The name of a template database migrated to head, copied by each test."""
    with pg_server.database(PG_TEMPLATE) as url:
        open_catalog(url).close()
        yield PG_TEMPLATE


# --- fresh databases ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head, copied by each test."""
    path = tmp_path_factory.mktemp("sqlite-template") / "catalog.db"
    open_catalog(f"sqlite:///{path}").close()
    leftovers = [p.name for p in path.parent.iterdir() if p != path]
    assert not leftovers, f"the template left files beside it: {leftovers}"
    return path


def _sqlite_database(request: pytest.FixtureRequest, path: Path, migrated: bool) -> str:
    if migrated:
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
    return f"sqlite:///{path}"


@contextmanager
def _pg_database(request: pytest.FixtureRequest, migrated: bool) -> Iterator[str]:
    server: PgServer = request.getfixturevalue("pg_server")
    template = request.getfixturevalue("pg_template") if migrated else None
    name = f"sigtui_test_{os.getpid()}_{next(_db_numbers)}"
    with server.database(name, template) as url:
        yield url


@pytest.fixture
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[NewDatabase]:
    """Make fresh databases: `new_database("sqlite" | "postgresql", migrated=True)` -> URL.
    Each is dropped (PostgreSQL) or left in tmp_path (SQLite) after the test."""
    with ExitStack() as stack:

        def make(engine: str, *, migrated: bool = True) -> str:
            if engine == "sqlite":
                path = tmp_path / f"catalog-{next(_db_numbers)}.db"
                return _sqlite_database(request, path, migrated)
            if engine == "postgresql":
                return stack.enter_context(_pg_database(request, migrated))
            raise ValueError(f"unknown engine {engine!r}")

        yield make


@pytest.fixture(params=ENGINES)
def catalog_url(request: pytest.FixtureRequest, new_database: NewDatabase) -> str:
    """The URL of a fresh, empty database at the schema head."""
    return new_database(request.param)


@pytest.fixture(params=ENGINES)
def empty_db_url(request: pytest.FixtureRequest, new_database: NewDatabase) -> str:
    """The URL of a fresh database with no schema at all."""
    return new_database(request.param, migrated=False)


@pytest.fixture
def catalog(catalog_url: str, clock: FixedClock) -> Iterator[Catalog]:
    opened = open_catalog(catalog_url, clock=clock)
    yield opened
    opened.close()


@pytest.fixture
def sqlite_catalog(new_database: NewDatabase, clock: FixedClock) -> Iterator[Catalog]:
    opened = open_catalog(new_database("sqlite"), clock=clock)
    yield opened
    opened.close()
