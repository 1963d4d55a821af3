"""Opening a catalog: where the URL comes from, how it is shown, the private default file,
SQLite's settings, the fresh-database fixtures, and a cheap re-open."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import platformdirs
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite
from sqlmodel import Session, SQLModel

from sigtui.catalog import services
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import CatalogChange, UTCDateTime
from sigtui.catalog.model.schemas import TenantCreate
from sigtui.catalog.queries import fetch
from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import (
    APPLICATION_ID,
    ENV_DB,
    Catalog,
    current_revision,
    display_url,
    known_revisions,
    make_engine,
    open_catalog,
    resolve_url,
)

PASSWORD = "s3cr%40t"  # "s3cr@t", URL-encoded
SECRETS = ("s3cr", "%40t", "@t@")

# --- the URL ----------------------------------------------------------------------------


def test_the_db_option_wins_over_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(ENV_DB, str(tmp_path / "from-env.db"))
    assert resolve_url(str(tmp_path / "from-option.db")) == (
        f"sqlite:///{tmp_path / 'from-option.db'}",
        False,
    )


def test_the_environment_wins_over_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_DB, "postgresql://alice@db.example.com/catalog")
    assert resolve_url(None) == ("postgresql+psycopg://alice@db.example.com/catalog", False)


@pytest.mark.parametrize("env_value", [None, ""], ids=["unset", "empty"])
def test_the_default_is_a_file_in_the_user_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env_value: str | None
) -> None:
    if env_value is None:
        monkeypatch.delenv(ENV_DB, raising=False)
    else:
        monkeypatch.setenv(ENV_DB, env_value)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    expected = platformdirs.user_data_path("sigtui") / "catalog.db"
    assert resolve_url(None) == (f"sqlite:///{expected}", True)


def test_a_relative_path_becomes_an_absolute_sqlite_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_url("team.db") == (f"sqlite:///{tmp_path.resolve() / 'team.db'}", False)


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql+psycopg://alice:{PASSWORD}@db.example.com:5432/catalog",
        f"postgresql://alice:{PASSWORD}@db.example.com/catalog",
    ],
)
def test_display_url_never_shows_the_password(url: str) -> None:
    shown = display_url(resolve_url(url)[0])
    assert "db.example.com" in shown
    assert not any(secret in shown for secret in SECRETS), shown


def test_a_connection_error_never_shows_the_password() -> None:
    url = f"postgresql+psycopg://alice:{PASSWORD}@/catalog?host=/nonexistent-sigtui&port=1"
    with pytest.raises(CatalogError) as info:
        open_catalog(url)
    assert info.value.code == "SIG-DB"
    assert not any(secret in str(info.value) for secret in SECRETS), str(info.value)


def test_a_path_with_a_percent_sign_opens(tmp_path: Path) -> None:
    path = tmp_path / "100%" / "catalog.db"
    open_catalog(f"sqlite:///{path}").close()
    assert path.exists()


# --- the private default file ---------------------------------------------------------------


@pytest.mark.parametrize("folder_exists", [False, True], ids=["new-folder", "open-folder"])
def test_the_private_file_is_readable_by_its_owner_only(
    tmp_path: Path, folder_exists: bool
) -> None:
    path = tmp_path / "data" / "sigtui" / "catalog.db"
    if folder_exists:
        path.parent.mkdir(parents=True, mode=0o755)
    old_umask = os.umask(0)  # the modes must not depend on a lax umask
    try:
        catalog = open_catalog(f"sqlite:///{path}", private=True)
        sidecars = list(path.parent.glob("catalog.db-*"))  # the WAL files, while open
        catalog.close()
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in sidecars if p.exists())


# --- SQLite's settings ----------------------------------------------------------------------


def test_sqlite_enforces_foreign_keys_and_uses_wal(sqlite_catalog: Catalog) -> None:
    with sqlite_catalog.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


# --- the fixtures ---------------------------------------------------------------------------


def test_a_fresh_catalog_is_empty_at_head(catalog: Catalog, clock: FixedClock) -> None:
    assert current_revision(catalog.engine) == known_revisions()[1]
    assert catalog.clock is clock
    with catalog.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            rows = 1 if table.name == CatalogChange.__tablename__ else 0  # the marker's row
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() == rows


def test_each_database_is_a_separate_copy(
    catalog_url: str, new_database: Callable[..., str]
) -> None:
    engine = make_engine(catalog_url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE probe (id INTEGER)"))
    engine.dispose()
    other = make_engine(new_database(sa.make_url(catalog_url).get_backend_name()))
    with other.connect() as conn:
        assert not sa.inspect(conn).has_table("probe")
        assert sa.inspect(conn).has_table("gallery")
    other.dispose()


# --- re-opening is cheap --------------------------------------------------------------------

_OPEN_AND_REPORT = """
import sys
from sigtui.catalog.store.db import open_catalog
open_catalog(sys.argv[1]).close()
print("alembic imported" if "alembic" in sys.modules else "alembic not imported")
"""


def _open_in_fresh_python(url: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", _OPEN_AND_REPORT, url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_reopening_a_catalog_at_head_does_not_import_alembic(catalog_url: str) -> None:
    assert _open_in_fresh_python(catalog_url) == "alembic not imported"


def test_opening_an_empty_database_migrates_it_with_alembic(empty_db_url: str) -> None:
    assert _open_in_fresh_python(empty_db_url) == "alembic imported"


@given(st.datetimes(timezones=st.just(UTC)))
def test_sqlite_stores_times_in_sqlalchemys_own_format(moment: datetime) -> None:
    """Times are bound by a quicker formatter than SQLAlchemy's on SQLite, to the same
    text: SQLite compares stored times as text, old rows and new."""
    dialect = sqlite.dialect()
    ours = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    theirs = sa.DateTime().dialect_impl(dialect).bind_processor(dialect)
    assert ours(moment) == theirs(moment.replace(tzinfo=None))


def test_sqlite_stores_other_offsets_as_the_same_utc_time() -> None:
    dialect = sqlite.dialect()
    ours = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    paris = datetime(2026, 6, 1, 14, 30, 5, 120, tzinfo=timezone(timedelta(hours=2)))
    assert ours(paris) == "2026-06-01 12:30:05.000120"
    with pytest.raises(ValueError, match="naive"):
        ours(datetime(2026, 6, 1, 14, 30))


def _tenant_names(db: Session) -> list[str]:
    return [tenant.name for tenant in fetch.tenants(db)]


def test_query_runs_a_read_in_a_session_of_its_own(catalog: Catalog) -> None:
    catalog.apply(services.create_tenant, TenantCreate(name="Contoso"), catalog.clock)
    assert catalog.query(_tenant_names) == ["Contoso"]


def test_apply_commits_all_of_a_change_or_nothing(catalog: Catalog) -> None:
    def create_then_fail(db: Session) -> None:
        services.create_tenant(db, TenantCreate(name="Fabrikam"), catalog.clock)
        db.flush()
        raise CatalogError("SIG-INPUT", "refused after the row was sent")

    with pytest.raises(CatalogError):
        catalog.apply(create_then_fail)
    assert catalog.query(_tenant_names) == []


def test_apply_on_a_read_only_catalog_is_refused(catalog_url: str) -> None:
    readonly = open_catalog(catalog_url, readonly=True)
    try:
        with pytest.raises(CatalogError) as refused:
            readonly.apply(services.create_tenant, TenantCreate(name="Contoso"), readonly.clock)
        assert refused.value.code == "SIG-ACCESS"
    finally:
        readonly.close()


def test_a_database_of_another_application_is_refused_untouched(tmp_path: Path) -> None:
    """sigtui opens only its own catalogs: other tables and no sigtui schema."""
    import hashlib
    import sqlite3

    path = tmp_path / "other-app.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE notes (body TEXT)")
    connection.execute("INSERT INTO notes VALUES ('mine')")
    connection.commit()
    connection.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(CatalogError, match="is not a sigtui catalog"):
        open_catalog(f"sqlite:///{path}")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other-app.db"]  # not made WAL


# --- sigtui's mark on its SQLite files (PRAGMA application_id) -------------------------

OTHER_APPLICATION_ID = 0x12345678


def _application_id(path: Path) -> int:
    import sqlite3

    connection = sqlite3.connect(path)
    try:
        return int(connection.execute("PRAGMA application_id").fetchone()[0])
    finally:
        connection.close()


def _set_application_id(path: Path, value: int) -> str:
    """Set it (checkpointed into the file); the file's digest afterwards."""
    import hashlib
    import sqlite3

    connection = sqlite3.connect(path)
    try:
        connection.execute(f"PRAGMA application_id = {value:d}")
        connection.commit()
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sigtui_marks_the_sqlite_catalogs_it_creates(tmp_path: Path) -> None:
    assert APPLICATION_ID == 0x53494774  # "SIGt"
    open_catalog(f"sqlite:///{tmp_path / 'new.db'}").close()
    assert _application_id(tmp_path / "new.db") == APPLICATION_ID


def test_an_unmarked_catalog_is_marked_by_its_next_write_never_by_a_read(
    new_database: Callable[..., str], clock: FixedClock
) -> None:
    import hashlib

    url = new_database("sqlite")
    path = Path(sa.make_url(url).database or "")
    unmarked = _set_application_id(path, 0)  # a catalog from before the mark
    reader = open_catalog(url, migrate=False)
    try:
        assert reader.query(fetch.tenants) == []
    finally:
        reader.close()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == unmarked
    assert _application_id(path) == 0
    writer = open_catalog(url, clock=clock)
    try:
        writer.apply(services.create_tenant, TenantCreate(name="Contoso"), clock)
    finally:
        writer.close()
    assert _application_id(path) == APPLICATION_ID


@pytest.mark.parametrize("content", ["empty", "other tables", "sigtui tables"])
def test_a_file_marked_by_another_application_is_refused_untouched(
    tmp_path: Path, sqlite_template: Path, content: str
) -> None:
    """Whatever it holds, even sigtui's own tables, or nothing at all."""
    import hashlib
    import shutil
    import sqlite3

    path = tmp_path / "other.db"
    if content == "sigtui tables":
        shutil.copyfile(sqlite_template, path)
    elif content == "other tables":
        connection = sqlite3.connect(path)
        connection.execute("CREATE TABLE notes (body TEXT)")
        connection.commit()
        connection.close()
    before = _set_application_id(path, OTHER_APPLICATION_ID)
    for migrate in (True, False):
        with pytest.raises(CatalogError) as refused:
            open_catalog(f"sqlite:///{path}", migrate=migrate)
        assert refused.value.code == "SIG-DB"
        assert refused.value.message.startswith(f"{path} is not a sigtui catalog (")
    from cli_runner import Sigtui

    sigtui = Sigtui(str(path), FixedClock(datetime(2026, 1, 15, 12, tzinfo=UTC)))
    for command in (["sig", "list"], ["account", "tenant", "create", "--name", "Contoso"]):
        result = sigtui(*command)
        assert result.exit_code == 1, result.output
        assert result.stderr == f"error: SIG-DB: {path} is not a sigtui catalog (another " + (
            "application's SQLite file (its application_id)); sigtui opens only its own catalogs\n"
        )
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    wal = tmp_path / "other.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0  # not a frame written
    if content != "sigtui tables":  # the template is in WAL mode; the others are not made so
        assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]
