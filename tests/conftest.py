"""Shared fixtures: a fixed clock, a throwaway PostgreSQL server, fresh catalogs, the small
catalog the rule tests build on, and the command line run in-process.

Every test gets a database of its own. The schema is migrated once per session (per
xdist worker) per engine: SQLite into a template file copied per test; PostgreSQL into a
template database and into the worker's own database, which is emptied with TRUNCATE
before each test that asks for it (a copy of the template costs 0.3 s; TRUNCATE a few
ms). A test that leaves that database's schema changed (a downgrade, a stamp) gets it
made again from the template by the next test. Second and unmigrated PostgreSQL
databases of one test are made anew and dropped after it.

Fixtures:
- `clock`: a FixedClock at 2026-01-15T12:00:00Z.
- `pg_server` (session): a `PgServer`, the throwaway PostgreSQL 15 server (one per
  xdist worker).
- `new_database`: a function `(engine, migrated=True) -> url` making fresh databases,
  all dropped after the test.
- `catalog_url` / `empty_db_url` (sqlite, postgresql): a fresh migrated / empty database.
- `catalog` (sqlite, postgresql) / `sqlite_catalog`: an open Catalog on a fresh database.
- `sigtui` / `estate`: a `cli_runner.Sigtui` on a fresh catalog / on a small catalog made
  through the CLI (test_search and test_export have an `estate` of their own).
- `world`: `builders.small_catalog` built in `catalog` (a tenant, a subscription, a group in
  West US, a gallery, a Linux definition and a managed image with a 30 GB OS disk).
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
from typing import Any, NoReturn

import pytest
import sqlalchemy as sa
from builders import World, small_catalog
from cli_runner import DEF, SUB_ID, TENANT_ID, V1, G, Sigtui
from pytest_postgresql.janitor import DatabaseJanitor

from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import Catalog, open_catalog

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


# --- running in parallel (pytest-xdist) ----------------------------------------------------


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: two workers a core. A pilot test spends about a third of its time idle,
    waiting for the app to settle (Textual's pilot sleeps until the process goes quiet),
    and a second worker on the core uses that time."""
    return 2 * len(os.sched_getaffinity(0))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `slow` start first, so that no worker is left alone with one at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


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


class ReusedPgDatabase:
    """The worker's own migrated PostgreSQL database, handed to one test at a time and
    brought back to the template's state (schema and rows) by `reset`."""

    NAME = "sigtui_reused"

    def __init__(self, server: PgServer, template: str) -> None:
        self.server, self.template = server, template
        self.url = server.url(self.NAME)
        self._admin = sa.create_engine(server.url("postgres"), poolclass=sa.pool.NullPool)
        self._engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        self._recreate()
        self._state, self._rows = self._snapshot()

    def reset(self) -> str:
        """Empty every table (the template's own rows put back); its URL."""
        self._end_other_connections()
        if self._schema_state() != self._state:
            self._recreate()
            return self.url
        with self._engine.begin() as conn:
            names = ", ".join(f'"{name}"' for name in self._state[1])
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            for table, rows in self._rows:
                conn.execute(table.insert(), rows)
        return self.url

    def close(self) -> None:
        self._engine.dispose()
        self._admin.dispose()

    def _recreate(self) -> None:
        self._end_other_connections()
        with self._admin.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.NAME}"')
            conn.exec_driver_sql(f'CREATE DATABASE "{self.NAME}" TEMPLATE "{self.template}"')

    def _end_other_connections(self) -> None:
        """A test may leave connections open (an engine not disposed): end them, so that
        nothing holds a lock on the tables."""
        with self._admin.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": self.NAME},
            )

    def _schema_state(self) -> tuple[str | None, tuple[str, ...]]:
        """The schema revision and the tables: what a reset needs to be the same."""
        with self._engine.connect() as conn:
            tables = tuple(sorted(sa.inspect(conn).get_table_names()))
            revision = None
            if "alembic_version" in tables:
                revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        return revision, tuple(t for t in tables if t != "alembic_version")

    def _snapshot(self) -> tuple[tuple[str | None, tuple[str, ...]], list[tuple[sa.Table, Any]]]:
        """The schema state and every row the template holds (the change marker's)."""
        state = self._schema_state()
        metadata = sa.MetaData()
        metadata.reflect(self._engine, only=state[1])
        with self._engine.connect() as conn:
            rows = [
                (table, [dict(row._mapping) for row in conn.execute(table.select())])
                for table in metadata.sorted_tables
            ]
        return state, [(table, found) for table, found in rows if found]


@pytest.fixture(scope="session")
def reused_pg_database(pg_server: PgServer, pg_template: str) -> Iterator[ReusedPgDatabase]:
    database = ReusedPgDatabase(pg_server, pg_template)
    yield database
    database.close()


@pytest.fixture
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[NewDatabase]:
    """Make fresh databases: `new_database("sqlite" | "postgresql", migrated=True)` -> URL.
    Each is dropped (PostgreSQL) or left in tmp_path (SQLite) after the test."""
    with ExitStack() as stack:
        reused = False

        def make(engine: str, *, migrated: bool = True) -> str:
            nonlocal reused
            if engine == "sqlite":
                path = tmp_path / f"catalog-{next(_db_numbers)}.db"
                return _sqlite_database(request, path, migrated)
            if engine == "postgresql" and migrated and not reused:
                reused = True
                database: ReusedPgDatabase = request.getfixturevalue("reused_pg_database")
                return database.reset()
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


@pytest.fixture
def world(catalog: Catalog) -> World:
    return small_catalog(catalog)


# --- the command line ------------------------------------------------------------------


@pytest.fixture
def sigtui(catalog_url: str, clock: FixedClock) -> Sigtui:
    return Sigtui(catalog_url, clock)


@pytest.fixture
def estate(sigtui: Sigtui) -> Sigtui:
    """A tenant, a subscription, a group in West Europe, a managed image, a gallery, a
    definition and version 1.0.0 replicated to West Europe (x2) and East US."""
    sigtui.ok("account", "tenant", "create", "--name", "Contoso", "--tenant-id", TENANT_ID)
    sigtui.ok(
        "account", "create", "--name", "Prod", "--subscription-id", SUB_ID, "--tenant", "Contoso"
    )
    sigtui.ok("group", "create", "-n", "rg1", "-l", "westeurope", "--subscription", "Prod")
    sigtui.ok(
        "image", "create", "-g", "rg1", "-n", "img1", "-l", "westeurope",
        "--os-type", "Linux", "--os-disk-size-gb", "30", "--data-disk-sizes-gb", "100", "200",
    )  # fmt: skip
    sigtui.ok("sig", "create", *G, "--description", "first", "--tags", "env=dev", "team=x")
    sigtui.ok(
        "sig", "image-definition", "create", *DEF, "--publisher", "Contoso",
        "--offer", "Finance", "--sku", "Backend", "--os-type", "Linux",
        "--minimum-cpu-core", "2", "--maximum-cpu-core", "4",
    )  # fmt: skip
    sigtui.ok(
        "sig", "image-version", "create", *V1, "--managed-image", "img1",
        "--target-regions", "westeurope=2", "eastus",
    )  # fmt: skip
    return sigtui
