"""Migration safety: a catalog made at the first revision and filled with data keeps every
row when it is upgraded to head; a catalog made by a newer sigtui is refused with a clear
message, by the library (tests/test_migrations.py) and by every way in of the CLI."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from conftest import ENGINES, NewDatabase
from revisions import FUTURE_REVISION, revision_of, set_revision
from sqlmodel import SQLModel

from sigtui.catalog.services.seed import load_demo
from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import (
    current_revision,
    known_revisions,
    make_engine,
    open_catalog,
    upgrade,
)
from sigtui.cli import cli
from sigtui.cli.context import CliState

FIRST_REVISION = "0001"
# columns added after the first revision: (table, column) -> the value an upgrade gives
ADDED_AFTER_FIRST = {
    ("target_region", "duration_seconds"): None,
    ("image_definition", "architecture"): "x64",
    ("image_definition", "features"): {},
    ("image_version", "source_storage_account_id"): None,
    ("data_disk", "storage_account_id"): None,
    ("gallery", "provisioning_state"): "Succeeded",
    ("image_definition", "provisioning_state"): "Succeeded",
    ("image_version", "provisioning_state"): "Succeeded",
    ("image_version", "os_host_caching"): "ReadWrite",
    ("data_disk", "host_caching"): "None",
    ("gallery", "origin"): "local",
    ("gallery", "synced_at"): None,
    ("image_definition", "origin"): "local",
    ("image_definition", "synced_at"): None,
    ("image_version", "origin"): "local",
    ("image_version", "synced_at"): None,
    ("image_version", "replication_speed"): 1.0,
    ("gallery", "import_digest"): None,
    ("image_definition", "import_digest"): None,
    ("image_version", "import_digest"): None,
}
# columns added after the first revision that the upgrade fills from other rows: left out
# of the INSERTs, and expected back as the services wrote them
DERIVED_AFTER_FIRST = {("target_region", "size_gb"), ("target_region", "source_region")}
# columns renamed after the first revision: (table, column at head) -> (its first name, the
# value it held then, from the value at head); recommended memory went from GB to MB
MB_PER_GB = 1024
RENAMED_AFTER_FIRST = {
    ("image_definition", "min_memory_mb"): ("min_memory_gb", lambda mb: mb and mb // MB_PER_GB),
    ("image_definition", "max_memory_mb"): ("max_memory_gb", lambda mb: mb and mb // MB_PER_GB),
}
# tables added after the first revision: their rows are left out of this comparison
TABLES_AFTER_FIRST = {"catalog_change", "catalog_event"}

State = dict[str, list[dict[str, Any]]]


def _rows(engine: sa.Engine) -> State:
    """Every row of every table of the schema at head, in primary-key order."""
    state: State = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows = conn.execute(sa.select(table).order_by(*order)).mappings().all()
            state[table.name] = [dict(row) for row in rows]
    return state


def _at_first_revision(state: State) -> State:
    """The rows as the first revision's schema holds them (later columns left out)."""
    later = ADDED_AFTER_FIRST.keys() | DERIVED_AFTER_FIRST
    return {
        name: [
            dict(_first_named(name, k, v) for k, v in row.items() if (name, k) not in later)
            for row in rows
        ]
        for name, rows in state.items()
        if name not in TABLES_AFTER_FIRST
    }


def _first_named(table: str, column: str, value: Any) -> tuple[str, Any]:
    """A column and its value as the first revision held them."""
    if (table, column) not in RENAMED_AFTER_FIRST:
        return column, value
    first_name, first_value = RENAMED_AFTER_FIRST[table, column]
    return first_name, first_value(value)


def _first_named_table(table: sa.Table) -> sa.Table:
    """The table with the columns it had at the first revision, by their names then, and
    no defaults (SQLAlchemy would send a later column's default)."""
    renamed = {
        head: first
        for (name, head), (first, _) in RENAMED_AFTER_FIRST.items()
        if name == table.name
    }
    later = ADDED_AFTER_FIRST.keys() | DERIVED_AFTER_FIRST
    columns = [
        sa.Column(renamed.get(c.name, c.name), c.type)
        for c in table.columns
        if (table.name, c.name) not in later
    ]
    return sa.Table(table.name, sa.MetaData(), *columns)


def _insert(engine: sa.Engine, state: State) -> None:
    """Plain INSERTs of every row (parents first), with the keys they had."""
    with engine.begin() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if state.get(table.name):
                conn.execute(sa.insert(_first_named_table(table)), state[table.name])
        if engine.dialect.name == "postgresql":  # explicit keys: move the sequences on
            for table in SQLModel.metadata.sorted_tables:
                if "pk" in table.c and state.get(table.name):
                    top = max(row["pk"] for row in state[table.name])
                    conn.execute(
                        sa.text("SELECT setval(pg_get_serial_sequence(:t, 'pk'), :n)"),
                        {"t": table.name, "n": top},
                    )


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def empty_url(engine_name: str, new_database: NewDatabase) -> str:
    """A database with no schema, on the engine of the test."""
    return new_database(engine_name, migrated=False)


@pytest.fixture
def demo_rows(engine_name: str, new_database: NewDatabase, clock: FixedClock) -> State:
    """Every row of the demo catalog (loaded at head through the services)."""
    catalog = open_catalog(new_database(engine_name), clock=clock)
    try:
        load_demo(catalog)
        return _rows(catalog.engine)
    finally:
        catalog.close()


def test_a_catalog_filled_at_the_first_revision_keeps_every_row_at_head(
    empty_url: str, demo_rows: State
) -> None:
    """The demo's rows, written into a database at revision 0001 with plain INSERTs, are
    all there, unchanged, once the database is upgraded to head."""
    assert sum(len(rows) for rows in demo_rows.values()) > 100
    assert all(demo_rows[t.name] for t in SQLModel.metadata.sorted_tables), "a table is empty"
    engine = make_engine(empty_url)
    try:
        upgrade(engine, FIRST_REVISION)
        assert current_revision(engine) == FIRST_REVISION
        _insert(engine, _at_first_revision(demo_rows))
        upgrade(engine, "head")
        assert current_revision(engine) == known_revisions()[1]
        after = _rows(engine)
    finally:
        engine.dispose()
    expected = {
        name: [
            {**row, **{k: v for (t, k), v in ADDED_AFTER_FIRST.items() if t == name}}
            for row in rows
        ]
        for name, rows in demo_rows.items()
        if name not in TABLES_AFTER_FIRST
    }
    for table in expected:
        assert after[table] == expected[table], f"{table} changed in the upgrade"


def test_the_upgraded_catalog_takes_new_writes(empty_url: str, demo_rows: State) -> None:
    engine = make_engine(empty_url)
    try:
        upgrade(engine, FIRST_REVISION)
        _insert(engine, _at_first_revision(demo_rows))
    finally:
        engine.dispose()
    catalog = open_catalog(empty_url)  # opening brings it to head
    try:
        assert current_revision(catalog.engine) == known_revisions()[1]
        with catalog.write() as db:
            table = SQLModel.metadata.tables["tenant"]
            before = db.exec(sa.select(sa.func.count()).select_from(table)).one()[0]
        from sigtui.catalog import services
        from sigtui.catalog.model.schemas import TenantCreate

        with catalog.write() as db:
            services.create_tenant(db, TenantCreate(name="After the upgrade"), catalog.clock)
        with catalog.read() as db:
            now = db.exec(sa.select(sa.func.count()).select_from(table)).one()[0]
        assert now == before + 1
    finally:
        catalog.close()


# --- a catalog from a newer sigtui ------------------------------------------------------------


NEWER_CATALOG_COMMANDS: list[list[str]] = [
    ["sig", "list"],
    ["db", "upgrade"],
    ["seed"],
    ["account", "tenant", "create", "--name", "x"],
]


@pytest.mark.parametrize("command", NEWER_CATALOG_COMMANDS, ids=lambda c: " ".join(c))
def test_the_cli_refuses_a_catalog_from_a_newer_sigtui(
    catalog_url: str, command: list[str]
) -> None:
    set_revision(catalog_url, FUTURE_REVISION)
    result = CliRunner().invoke(cli, ["--db", catalog_url, *command], obj=CliState())
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: SIG-INPUT: this catalog was made by a newer sigtui")
    assert FUTURE_REVISION in result.stderr
    assert "upgrade sigtui" in result.stderr
    assert "Traceback" not in result.output
    assert revision_of(catalog_url) == FUTURE_REVISION  # nothing was migrated


@pytest.mark.parametrize("command", [["db", "current"], ["db", "downgrade", "0001", "--yes"]])
def test_db_commands_on_a_newer_catalog_never_crash(catalog_url: str, command: list[str]) -> None:
    set_revision(catalog_url, FUTURE_REVISION)
    result: Result = CliRunner().invoke(cli, ["--db", catalog_url, *command], obj=CliState())
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        assert FUTURE_REVISION in result.stdout
    assert revision_of(catalog_url) == FUTURE_REVISION
