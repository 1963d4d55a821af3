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
  through the CLI, once per session, copied per test (test_search and test_export have an
  `estate` of their own).
- `copy_of_built`: a function `(engine, build, clock) -> Copy(url, made)`, a per-test copy
  of the catalog `build(url, clock)` makes (and what it returned); built once per session
  (per worker) per engine and clock time. Fixtures that build the same catalog for every
  test (the demo seed, an estate) use it: a copy costs milliseconds, a build up to seconds.
- `world`: `builders.small_catalog` in `catalog` (a tenant, a subscription, a group in
  West US, a gallery, a Linux definition and a managed image with a 30 GB OS disk), built
  once per session per engine and its rows put into the test's catalog.
"""

from __future__ import annotations

import fcntl
import itertools
import os
import pickle
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple, NoReturn

import pytest
import sqlalchemy as sa
from builders import Build as Builder
from builders import World, small_catalog
from cli_runner import Sigtui, build_estate
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


# The suite starts many Python processes (xdist workers, CLI and app subprocesses); with
# bytecode caching off (PYTHONDONTWRITEBYTECODE) each would compile sigtui anew.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

NewDatabase = Callable[..., str]
_db_numbers = itertools.count()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 1, 15, 12, 0, 0, tzinfo=UTC))


# --- running in parallel (pytest-xdist) ----------------------------------------------------


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: three workers for two cores. A pilot test spends part of its time idle,
    waiting for the app to settle, and an extra worker uses that time; two a core cost
    more CPU than they win (measured on 2 cores: 3 workers, 6:00 and 8m52s of CPU; 4,
    6:17 and 10m12s)."""
    return max(2, 3 * len(os.sched_getaffinity(0)) // 2)


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

    def create_database(self, name: str, template: str) -> str:
        """A new database (a copy of `template`) kept until the server is thrown away."""
        DatabaseJanitor(
            user=self.user, host=str(self.socket_dir), port=self.port, dbname=name,
            template_dbname=template,
        ).init()  # fmt: skip
        return self.url(name)


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
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c autovacuum=off"
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
    brought back to the template's state (schema and rows) by `reset`.

    A reset runs on one connection kept for the session (a new connection costs
    PostgreSQL a process and a cold catalog cache, more than the reset itself). It
    DELETEs the rows of small tables: a TRUNCATE costs PostgreSQL new files for each table
    and index (50-130 ms for them all, against 10-20 ms); tables grown past BIG_TABLE are
    truncated, so that no test scans the dead rows of another's thousands."""

    NAME = "sigtui_reused"
    BIG_TABLE = 256 * 1024  # bytes

    def __init__(self, server: PgServer, template: str) -> None:
        self.server, self.template = server, template
        self.url = server.url(self.NAME)
        self._admin = sa.create_engine(server.url("postgres"), poolclass=sa.pool.NullPool)
        self._engine = sa.create_engine(self.url, pool_size=1, max_overflow=0, pool_pre_ping=True)
        self._recreate()
        self._state, self._rows = self._snapshot()
        self._sequences = self._owned_sequences()

    def reset(self) -> str:
        """Empty every table (the template's own rows put back); its URL."""
        with self._engine.connect() as conn:
            self._end_other_connections(conn)
            if self._schema_state(conn) == self._state:
                self._empty(conn)
                for table, rows in self._rows:
                    conn.execute(table.insert(), rows)
                conn.commit()
                return self.url
            conn.rollback()
        self._recreate()
        return self.url

    def close(self) -> None:
        self._engine.dispose()
        self._admin.dispose()

    def _empty(self, conn: sa.Connection) -> None:
        """Every table emptied and its sequences restarted, as `TRUNCATE ... RESTART
        IDENTITY` of them all would."""
        names = self._state[1]
        big = conn.execute(
            sa.text(
                "SELECT relname FROM pg_class WHERE relkind = 'r' AND relname = ANY(:names) "
                "AND pg_relation_size(oid) > :size"
            ),
            {"names": list(names), "size": self.BIG_TABLE},
        ).scalars()
        big_names = set(big)
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")  # no triggers
        for name in names:  # nor foreign key checks: any order
            if name not in big_names:
                conn.exec_driver_sql(f'DELETE FROM "{name}"')
        conn.exec_driver_sql("SET LOCAL session_replication_role = DEFAULT")
        if big_names:
            listed = ", ".join(f'"{name}"' for name in sorted(big_names))
            conn.exec_driver_sql(f"TRUNCATE {listed} CASCADE")
        for sequence in self._sequences:
            conn.exec_driver_sql(f"ALTER SEQUENCE {sequence} RESTART")

    def _recreate(self) -> None:
        self._engine.dispose()
        with self._admin.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"
                ),
                {"name": self.NAME},
            )
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.NAME}"')
            conn.exec_driver_sql(f'CREATE DATABASE "{self.NAME}" TEMPLATE "{self.template}"')

    @staticmethod
    def _end_other_connections(conn: sa.Connection) -> None:
        """A test may leave connections open (an engine not disposed): end them, so that
        nothing holds a lock on the tables."""
        conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )

    @staticmethod
    def _schema_state(conn: sa.Connection) -> tuple[str | None, tuple[str, ...]]:
        """The schema revision and the tables: what a reset needs to be the same."""
        tables = tuple(sorted(sa.inspect(conn).get_table_names()))
        revision = None
        if "alembic_version" in tables:
            revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        return revision, tuple(t for t in tables if t != "alembic_version")

    def _owned_sequences(self) -> list[str]:
        """The sequences of the tables' columns (those RESTART IDENTITY restarts), quoted."""
        with self._engine.connect() as conn:
            return list(
                conn.execute(
                    sa.text(
                        "SELECT quote_ident(n.nspname) || '.' || quote_ident(s.relname) "
                        "FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
                        "JOIN pg_namespace n ON n.oid = s.relnamespace "
                        "JOIN pg_class t ON t.oid = d.refobjid "
                        "WHERE d.deptype IN ('a', 'i') AND t.relname = ANY(:names) "
                        "ORDER BY 1"
                    ),
                    {"names": list(self._state[1])},
                ).scalars()
            )

    def _snapshot(self) -> tuple[tuple[str | None, tuple[str, ...]], list[tuple[sa.Table, Any]]]:
        """The schema state and every row the template holds (the change marker's)."""
        metadata = sa.MetaData()
        with self._engine.connect() as conn:
            state = self._schema_state(conn)
            metadata.reflect(conn, only=state[1])
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


# --- files made once per run, shared by the xdist workers ----------------------------------


def _run_folder(factory: pytest.TempPathFactory) -> Path:
    """A folder of this run that all its xdist workers share (each worker's own base
    folder is a child of the run's)."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def shared_file(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], Any]) -> Path:
    """The file `name`, made by `make(path)` once per run: the first worker to ask makes
    it under a lock, the others wait for it. Tests copy it, never change it."""
    folder = _run_folder(factory) / "shared"
    folder.mkdir(exist_ok=True)
    path = folder / name
    with open(folder / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            making = folder / f"{name}.making"
            shutil.rmtree(making, ignore_errors=True)
            making.mkdir()
            make(making / name)
            os.replace(making / name, path)
            shutil.rmtree(making)
    return path


def shared_demo_file(factory: pytest.TempPathFactory, now: datetime) -> Path:
    """The demo seed loaded at `now` into a SQLite file, once per run (loading it costs
    a second; a copy, milliseconds)."""
    from tests.hostile import write_demo_file

    return shared_file(factory, f"demo-{now:%Y%m%dT%H%M%S}.db", lambda p: write_demo_file(p, now))


# --- catalogs built once and copied per test -------------------------------------------------

Build = Callable[[str, FixedClock], Any]


class Copy(NamedTuple):
    """A test's copy of a built catalog: its URL, and what the build returned (shared by
    every copy: a build returns values a test cannot change, or the test copies them)."""

    url: str
    made: Any


CopyOfBuilt = Callable[[str, Build, FixedClock], Copy]


@dataclass(frozen=True)
class PgContents:
    """Every row of a PostgreSQL catalog and where each of its sequences stands (plain
    values: it can be pickled, and shared by the workers)."""

    tables: tuple[str, ...]
    rows: list[tuple[str, list[dict[str, Any]]]]  # (table, its rows), parents first
    sequences: list[tuple[str, int]]  # (name, last value) of each sequence used

    @classmethod
    def of(cls, url: str) -> PgContents:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        try:
            metadata = sa.MetaData()
            metadata.reflect(engine)
            with engine.connect() as conn:
                rows = [
                    (table.name, [dict(row._mapping) for row in conn.execute(table.select())])
                    for table in metadata.sorted_tables
                    if table.name != "alembic_version"
                ]
                sequences = conn.execute(
                    sa.text(
                        "SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences "
                        "WHERE last_value IS NOT NULL"
                    )
                )
                return cls(
                    tuple(name for name, _ in rows),
                    [(name, found) for name, found in rows if found],
                    [(name, value) for name, value in sequences],
                )
        finally:
            engine.dispose()

    def put_into(self, url: str) -> None:
        """Make a fresh migrated catalog at `url` (its sequences unused) hold exactly these
        contents. DELETE, not TRUNCATE: a few rows, and TRUNCATE costs a file a table."""
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        try:
            tables = _reflected(engine, self.tables)
            with engine.begin() as conn:
                for name in reversed(self.tables):
                    conn.exec_driver_sql(f'DELETE FROM "{name}"')
                for name, rows in self.rows:
                    conn.execute(tables[name].insert(), rows)
                for name, value in self.sequences:
                    conn.execute(
                        sa.text("SELECT setval(:name, :value)"), {"name": name, "value": value}
                    )
        finally:
            engine.dispose()


_REFLECTED: dict[tuple[str, ...], sa.MetaData] = {}


def _reflected(engine: sa.Engine, tables: tuple[str, ...]) -> dict[str, sa.Table]:
    """The tables of a catalog at the schema head, reflected once per worker (every
    migrated catalog has the same)."""
    if tables not in _REFLECTED:
        metadata = sa.MetaData()
        metadata.reflect(engine, only=list(tables))
        _REFLECTED[tables] = metadata
    return dict(_REFLECTED[tables].tables)


class BuiltCatalogs:
    """Catalogs that a fixture builds the same way for every test (the `estate`, the demo
    seed), built once per session (per xdist worker) per engine and clock time into a
    migrated database, and copied per test: the SQLite file, or the PostgreSQL rows and
    sequences put into a fresh database (a few ms; a CREATE DATABASE ... TEMPLATE costs
    0.2 s). A copy holds the same rows, ids, etags and sequences as building it anew at
    that time; what the build returned is kept with it."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self._factory = factory
        self._folder = factory.mktemp("built")
        self._built: dict[tuple[str, Build, datetime], tuple[Path | PgContents, Any]] = {}

    def source(
        self, request: pytest.FixtureRequest, engine: str, build: Build, clock: FixedClock
    ) -> tuple[Path | PgContents, Any]:
        """The built SQLite file or PostgreSQL database's contents; what the build returned."""
        key = (engine, build, clock.now())
        if key not in self._built:
            self._built[key] = self._build(request, engine, build, FixedClock(clock.now()))
        return self._built[key]

    def _build(
        self, request: pytest.FixtureRequest, engine: str, build: Build, clock: FixedClock
    ) -> tuple[Path | PgContents, Any]:
        number = next(_db_numbers)
        if engine == "sqlite":
            path = self._folder / f"built-{number}.db"
            if build is load_demo_into:  # the same file for every worker
                shutil.copyfile(shared_demo_file(self._factory, clock.now()), path)
                return path, None
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
            made = build(f"sqlite:///{path}", clock)
            leftovers = [p.name for p in self._folder.iterdir() if p.name.startswith(path.name)]
            assert leftovers == [path.name], f"the build left files beside it: {leftovers}"
            return path, made
        server: PgServer = request.getfixturevalue("pg_server")

        def build_contents() -> tuple[PgContents, Any]:
            url = server.create_database(
                f"sigtui_built_{number}", request.getfixturevalue("pg_template")
            )
            made = build(url, clock)
            return PgContents.of(url), made

        if build is not load_demo_into:
            return build_contents()
        name = f"demo-{clock.now():%Y%m%dT%H%M%S}.pg.pickle"  # the same for every worker
        shared = shared_file(
            self._factory, name, lambda path: path.write_bytes(pickle.dumps(build_contents()))
        )
        contents, made = pickle.loads(shared.read_bytes())
        return contents, made


def load_demo_into(url: str, clock: FixedClock) -> None:
    """A build for `copy_of_built`: the demo seed loaded through the service."""
    from sigtui.catalog.services.seed import load_demo

    catalog = open_catalog(url, clock=clock)
    load_demo(catalog)
    catalog.close()


@pytest.fixture(scope="session")
def built_catalogs(tmp_path_factory: pytest.TempPathFactory) -> BuiltCatalogs:
    return BuiltCatalogs(tmp_path_factory)


@pytest.fixture
def copy_of_built(
    request: pytest.FixtureRequest, new_database: NewDatabase, built_catalogs: BuiltCatalogs
) -> CopyOfBuilt:
    """`copy_of_built(engine, build, clock)` -> a `Copy`, for this test, of what
    `build(url, clock)` makes in a fresh migrated database (built once per session): the
    SQLite file copied, or the PostgreSQL rows and sequences put into a fresh database."""

    def copy(engine: str, build: Build, clock: FixedClock) -> Copy:
        source, made = built_catalogs.source(request, engine, build, clock)
        url = new_database(engine, migrated=not isinstance(source, Path))
        if isinstance(source, Path):
            shutil.copyfile(source, url.removeprefix("sqlite:///"))
        else:
            source.put_into(url)
        return Copy(url, made)

    return copy


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


WorldIds = tuple[str, str, str, str, str]
WorldBuild = Callable[[str, FixedClock], WorldIds]


def small_catalog_and(extend: Callable[[World], object]) -> WorldBuild:
    """A build of `small_catalog` and what `extend` adds to it; it returns the small
    catalog's ids (make one per module: the session keeps its catalogs by build)."""

    def build(url: str, clock: FixedClock) -> WorldIds:
        catalog = open_catalog(url, clock=clock)
        world = small_catalog(catalog)
        extend(world)
        catalog.close()
        return world.subscription, world.group, world.gallery, world.definition, world.image

    return build


def world_fixture(build: WorldBuild, name: str) -> Any:
    """A fixture `name` of the world `build` makes: built once per session per engine, its
    rows put into each test's `catalog`, the same as building it there (its writes counted
    as the catalog's own, as when it makes them). It depends on `catalog`, not on the
    shared `world`: a fixture overriding one of its own name loses the engines that
    `catalog` is parametrized with."""

    @pytest.fixture(name=name)
    def built(
        request: pytest.FixtureRequest,
        catalog: Catalog,
        catalog_url: str,
        built_catalogs: BuiltCatalogs,
    ) -> World:
        return built_world(request, catalog, catalog_url, built_catalogs, build)

    return built


def _put_sqlite_rows(source: Path, url: str) -> None:
    """Make the fresh migrated SQLite catalog at `url` hold exactly the rows of `source`."""
    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        conn.execute("ATTACH DATABASE ? AS built", (str(source),))
        names = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM built.sqlite_master WHERE type = 'table' "
                "AND name != 'alembic_version'"
            )
        ]
        with conn:
            for name in names:
                conn.execute(f'DELETE FROM main."{name}"')
                conn.execute(f'INSERT INTO main."{name}" SELECT * FROM built."{name}"')
        conn.execute("DETACH DATABASE built")
    finally:
        conn.close()


world = world_fixture(small_catalog_and(lambda world: None), "world")  # `small_catalog`


def built_world(
    request: pytest.FixtureRequest,
    catalog: Catalog,
    catalog_url: str,
    built_catalogs: BuiltCatalogs,
    build: WorldBuild,
) -> World:
    """The `World` that `build(url, clock)` makes (`small_catalog` and more; it returns
    the small catalog's ids) in `catalog`, as the `world` fixture makes its own."""
    engine, clock = catalog.engine.url.get_backend_name(), catalog.clock
    assert isinstance(clock, FixedClock)
    source, ids = built_catalogs.source(request, engine, build, clock)
    if isinstance(source, Path):
        _put_sqlite_rows(source, catalog_url)
    else:
        source.put_into(catalog_url)
    catalog.own_changes.update(range(1, catalog.change_marker() + 1))
    return World(Builder(catalog), catalog, *ids)


# --- the command line ------------------------------------------------------------------


@pytest.fixture
def sigtui(catalog_url: str, clock: FixedClock) -> Sigtui:
    return Sigtui(catalog_url, clock)


def _estate_catalog(url: str, clock: FixedClock) -> None:
    build_estate(Sigtui(url, clock))


@pytest.fixture(params=ENGINES)
def estate(request: pytest.FixtureRequest, copy_of_built: CopyOfBuilt, clock: FixedClock) -> Sigtui:
    """A tenant, a subscription, a group in West Europe, a managed image, a gallery, a
    definition and version 1.0.0 replicated to West Europe (x2) and East US (made through
    the CLI once per session, copied per test)."""
    return Sigtui(copy_of_built(request.param, _estate_catalog, clock).url, clock)
