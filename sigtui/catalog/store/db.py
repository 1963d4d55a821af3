"""Opening a catalog: the database URL, the engine, the schema brought to head, sessions."""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import ORMExecuteState, UOWTransaction
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.store.clock import SYSTEM_CLOCK, Clock

P = ParamSpec("P")
T = TypeVar("T")

ENV_DB = "SIGTUI_DB"
APP_NAME = "sigtui"
ACTING_AS = "sigtui.acting_as"  # Session.info key: the principal pk a session acts as
CLOCK = "sigtui.clock"  # Session.info key: the clock of the Catalog that opened it
# `PRAGMA application_id` of sigtui's SQLite files: "SIGt" in ASCII (0x53494774)
APPLICATION_ID = int.from_bytes(b"SIGt", "big")
_MARK_AS_SIGTUI = f"PRAGMA application_id = {APPLICATION_ID}"  # PRAGMA binds no value


def default_catalog_path() -> Path:
    import platformdirs  # imported here: only the default catalog needs it

    return platformdirs.user_data_path(APP_NAME) / "catalog.db"


def resolve_url(db: str | None) -> tuple[str, bool]:
    """The catalog URL from `--db`, else SIGTUI_DB, else the default file; and whether
    it is the default file (the only one that gets the demo seed on first use)."""
    if db:
        return _as_url(db), False
    if os.environ.get(ENV_DB):
        return _as_url(os.environ[ENV_DB]), False
    return f"sqlite:///{default_catalog_path()}", True


def _as_url(value: str) -> str:
    """Accept a SQLAlchemy URL, or a plain file path meaning a SQLite catalog."""
    if "://" in value:
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        _check_url(value)
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def _check_url(url: str) -> None:
    """SIG-INPUT for a database URL that cannot be parsed (a port that is not a number)."""
    from sigtui.crash_report import mask

    try:
        parsed = sa.make_url(url)
        _ = parsed.port
    except (sa.exc.ArgumentError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CatalogError(
            "SIG-INPUT", f"{mask(url)} is not a database URL ({mask(reason, url)})"
        ) from None


def display_url(url: str) -> str:
    """The URL as a user may see it: a file path, or the server without a password."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    if "password" in parsed.query:  # libpq also takes the password as a query parameter
        parsed = parsed.update_query_dict({"password": "-"})
        shown = parsed.render_as_string(hide_password=True)
        return shown.replace("password=-", "password=***")
    return parsed.render_as_string(hide_password=True)


# --- migrations ---------------------------------------------------------------------


def migrations_dir() -> Path:
    """Alembic's folder: shipped inside the wheel, or `migrations/` in a source checkout."""
    here = Path(__file__).resolve().parents[2]  # the sigtui package
    for candidate in (here / "_migrations", here.parent / "migrations"):
        if (candidate / "env.py").exists():
            return candidate
    raise RuntimeError("sigtui's migrations folder is missing from this installation")


_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)


@cache
def known_revisions() -> tuple[tuple[str, ...], str]:
    """All revision ids this sigtui knows, and the head; read from the revision files
    as text, because importing Alembic costs more than the whole check should."""
    revisions: dict[str, str | None] = {}
    for path in sorted((migrations_dir() / "versions").glob("*.py")):
        values = dict(_REVISION_LINE.findall(path.read_text("utf-8")))
        if "revision" in values:
            down = values.get("down_revision", "None").strip()
            revisions[values["revision"].strip().strip("'\"")] = (
                None if down == "None" else down.strip("'\"")
            )
    downs = {d for d in revisions.values() if d}
    heads = [r for r in revisions if r not in downs]
    if len(heads) != 1:
        raise RuntimeError(f"expected one migration head, found {heads}")
    return tuple(revisions), heads[0]


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    # Alembic's config interpolates '%': escape it (encoded passwords, socket paths)
    url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(engine), revision)


def checked_revision(engine: Engine) -> str | None:
    """The catalog's schema revision, read without writing; refused when it is not a
    sigtui catalog (other tables and no sigtui schema, or a SQLite file another
    application marked with its application_id) or a newer sigtui made it."""
    revisions, _ = known_revisions()
    with engine.connect() as conn:
        if sqlite_application_id(conn) not in (None, 0, APPLICATION_ID):
            raise _not_ours(engine, "another application's SQLite file (its application_id)")
        tables = set(sa.inspect(conn).get_table_names())
        if "alembic_version" not in tables:
            if tables:
                raise _not_ours(engine, "it holds other tables and no sigtui schema")
            return None
        current = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    if current is not None and current not in revisions:
        raise CatalogError(
            "SIG-INPUT",
            f"this catalog was made by a newer sigtui (schema revision {current}); "
            "upgrade sigtui to open it",
        )
    return current


def _not_ours(engine: Engine, why: str) -> CatalogError:
    where = display_url(engine.url.render_as_string(hide_password=False))
    return CatalogError(
        "SIG-DB", f"{where} is not a sigtui catalog ({why}); sigtui opens only its own catalogs"
    )


def sqlite_application_id(conn: sa.Connection) -> int | None:
    """A SQLite database's `PRAGMA application_id` (0: none set); None on PostgreSQL."""
    if conn.dialect.name != "sqlite":
        return None
    return int(conn.exec_driver_sql("PRAGMA application_id").scalar() or 0)


def mark_as_sigtui_catalog(engine: Engine) -> None:
    """Set sigtui's application_id on a SQLite catalog that has none yet: a write, done
    only by writers, once the catalog is known to be sigtui's (`checked_revision`)."""
    if engine.dialect.name != "sqlite":
        return
    database = engine.url.database
    if database not in (None, "", ":memory:") and not os.access(str(database), os.W_OK):
        return  # a catalog nobody may write: its next writable write marks it
    with engine.connect() as conn:
        if sqlite_application_id(conn) == 0:
            conn.exec_driver_sql(_MARK_AS_SIGTUI)
            conn.commit()


# --- engines and sessions -------------------------------------------------------------


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str) -> Engine:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = sa.create_engine(url, connect_args={"check_same_thread": False})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def make_read_engine(url: str, engine: Engine) -> Engine:
    """An engine that cannot write: SQLite opens the file read-only (`mode=ro`), so a
    read-only file, folder or mount, or a full disk, still reads; PostgreSQL runs every
    transaction READ ONLY. `engine` is the catalog's writing engine (its pool is shared
    on PostgreSQL; an in-memory SQLite database has only that one)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return engine.execution_options(postgresql_readonly=True)
    if parsed.database in (None, "", ":memory:"):
        return engine
    connect = _read_only_sqlite(Path(parsed.database))
    reader = sa.create_engine(url, creator=connect, poolclass=sa.pool.QueuePool)
    sa.event.listen(reader, "connect", _sqlite_read_pragmas)
    return reader


def _read_only_sqlite(path: Path) -> Callable[[], sqlite3.Connection]:
    def connect() -> sqlite3.Connection:
        uri = path.as_uri()
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            # a WAL catalog in a folder we cannot write: without its -shm file SQLite
            # cannot share the WAL index; with no -wal file left, nobody is writing it
            conn.close()
            if Path(f"{path}-wal").exists():
                raise
            conn = sqlite3.connect(f"{uri}?immutable=1", uri=True, check_same_thread=False)
        return conn

    return connect


def _sqlite_read_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _private_sqlite_file(path: Path) -> None:
    """The default catalog is private to its user: folder 0700, file 0600."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.parent.chmod(0o700)
    if not path.exists():
        path.touch(mode=0o600)
    path.chmod(0o600)


# --- the change marker ----------------------------------------------------------------

MARKER_ID = 1
_CHANGED = "sigtui_changed"  # the key in Session.info: this transaction changed rows


def _marker() -> sa.Table:
    """The change marker's table. Its model is imported here, not with this module: a
    process that only reads (`sigtui limits`) starts without building every table model."""
    from sigtui.catalog.model.models import CatalogChange, table_of

    return table_of(CatalogChange)


class WriteSession(Session):
    """The session of `Catalog.write()`: it notes whether its transaction changed rows."""


@sa.event.listens_for(WriteSession, "after_flush")
def _note_flushed_changes(session: Session, _flush: UOWTransaction) -> None:
    # still the pre-flush lists here; a dirty object may hold no net change
    dirty = any(session.is_modified(obj) for obj in session.dirty)
    if session.new or session.deleted or dirty:
        session.info[_CHANGED] = True


@sa.event.listens_for(WriteSession, "do_orm_execute")
def _note_bulk_changes(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        mark_changed(state.session)


def mark_changed(session: OrmSession) -> None:
    """Note that this transaction changed rows (for a write the session does not see:
    statements sent through its connection)."""
    session.info[_CHANGED] = True


def bump_change_marker(db: Session, now: Any) -> int:
    """Move the change marker on, in `db`'s transaction; its new serial. Every write path
    calls this (Catalog.write does it for its blocks); on PostgreSQL the row lock it
    takes serializes committing writers for the moment between it and the commit."""
    marker = _marker()
    serial = db.execute(
        sa.update(marker)
        .where(marker.c.id == MARKER_ID)
        .values(serial=marker.c.serial + 1, changed_at=now)
        .returning(marker.c.serial)
    ).scalar()
    if serial is None:  # the row was deleted by hand
        db.execute(sa.insert(marker).values(id=MARKER_ID, serial=1, changed_at=now))
        return 1
    return int(serial)


@dataclass
class Catalog:
    """An open catalog: where it is, its engine, its clock, and whether writes are allowed."""

    engine: Engine  # writes; only a write connects it
    clock: Clock = SYSTEM_CLOCK
    readonly: bool = False
    is_new: bool = False
    acting_as: int | None = None  # a principal's pk: writes answer to its roles (SIG-ACCESS)
    extras: dict[str, Any] = field(default_factory=dict)
    # the change serials of this Catalog's own writes, not yet seen by `changed_since`
    own_changes: set[int] = field(default_factory=set, repr=False)
    reader: Engine | None = field(default=None, repr=False)  # reads (None: `engine`)
    # the schema is behind this sigtui's and was not migrated (a reading command)
    schema_behind: str | None = field(default=None, repr=False)

    @property
    def read_engine(self) -> Engine:
        return self.reader or self.engine

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=False)

    @property
    def display_name(self) -> str:
        return display_url(self.url)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session that only reads: it writes no byte (see `make_read_engine`)."""
        self._check_schema()
        with Session(self.read_engine, expire_on_commit=False) as session:
            yield session

    def _check_schema(self) -> None:
        if self.schema_behind is not None:
            raise CatalogError("SIG-INPUT", self.schema_behind)

    @contextmanager
    def write(self, *, announce: bool = True) -> Iterator[Session]:
        """One transaction: commits when the block ends, changes nothing if it raises.
        A change moves the change marker on, unless `announce` is False."""
        if self.readonly:
            raise CatalogError("SIG-ACCESS", "the catalog is open read-only (--readonly)")
        self._check_schema()
        with WriteSession(self.engine, expire_on_commit=False) as session:
            session.info[ACTING_AS] = self.acting_as
            session.info[CLOCK] = self.clock
            try:
                yield session
                session.flush()
                serial = None
                if announce and session.info.get(_CHANGED):
                    serial = bump_change_marker(session, self.clock.now())
                session.commit()
                if serial is not None:
                    self.own_changes.add(serial)
            except StaleDataError as exc:
                session.rollback()
                raise CatalogError(
                    "SIG-CONFLICT", "the resource was changed by someone else; reload it"
                ) from exc
            except IntegrityError as exc:
                session.rollback()
                raise CatalogError(
                    "SIG-CONFLICT",
                    "a concurrent change conflicts with this one (a name or identifier "
                    "was just taken, or a parent removed); reload and try again",
                ) from exc
            except (sa.exc.DataError, OverflowError) as exc:
                # a value the database cannot store (a number out of its range, a NUL
                # character on PostgreSQL) that no rule caught first
                session.rollback()
                raise CatalogError(
                    "SIG-INPUT",
                    "a value is out of the range or the character set that the catalog's "
                    "database can store; nothing was changed",
                ) from exc
            except BaseException:
                session.rollback()
                raise

    def query(
        self, read: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`read(db, *args, **kwargs)` in a read session of its own: how the UI asks a
        catalog query, which returns plain data (never table rows), without holding a
        session itself."""
        with self.read() as db:
            return read(db, *args, **kwargs)

    def apply(
        self, change: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`change(db, *args, **kwargs)` (a service) in one write transaction: all of it
        is committed, or nothing if it raises."""
        with self.write() as db:
            return change(db, *args, **kwargs)

    def preview(
        self, change: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`change(db, *args, **kwargs)` in a write transaction that is always rolled back
        and announces nothing: what the change would do (a dry run), with every rule."""
        with self.write(announce=False) as db:
            try:
                return change(db, *args, **kwargs)
            finally:
                db.rollback()

    def change_marker(self) -> int:
        """The catalog's change serial: it moves on with every committed change, from
        any session; one primary-key read, cheap enough to poll every second or two."""
        with self.read_engine.connect() as conn:
            marker = _marker()
            query = sa.select(marker.c.serial).where(marker.c.id == MARKER_ID)
            return int(conn.execute(query).scalar() or 0)

    def changed_since(self, seen: int) -> tuple[int, bool]:
        """The change serial now, and whether another session (not this Catalog's own
        writes, which their caller already shows) changed the catalog since `seen`."""
        marker = self.change_marker()
        unseen = range(seen + 1, marker + 1)
        by_others = len(unseen) > len(self.own_changes) or any(
            serial not in self.own_changes for serial in unseen
        )
        self.own_changes = {serial for serial in self.own_changes if serial > marker}
        return marker, by_others

    def close(self) -> None:
        if self.reader is not None:
            self.reader.dispose()
        self.engine.dispose()


def open_catalog(
    url: str,
    *,
    clock: Clock = SYSTEM_CLOCK,
    readonly: bool = False,
    private: bool = False,
    migrate: bool = True,
) -> Catalog:
    """Open the catalog at `url`. Its schema revision is read without writing; a writer
    (`migrate`, not `readonly`) creates the catalog or brings its schema to head, a
    reader is refused a catalog that is missing or behind, with the command that fixes
    it."""
    writer = migrate and not readonly
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)
        if not path.exists() and not writer:
            raise CatalogError(
                "SIG-NOT-FOUND",
                f"there is no catalog at {path}; {_upgrade_command(url)} creates an empty one",
            )
        if private and writer:
            _private_sqlite_file(path)
        elif writer:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()  # an empty database: the reader below opens what exists
    engine = make_engine(url)
    catalog = Catalog(engine=engine, clock=clock, readonly=readonly)
    catalog.reader = make_read_engine(url, engine)
    try:
        current = checked_revision(catalog.read_engine)
        if current != known_revisions()[1]:
            if writer:
                upgrade(engine)
                catalog.is_new = current is None
            else:
                catalog.schema_behind = _behind_message(url, current)
        if writer:
            mark_as_sigtui_catalog(engine)
    except sa.exc.OperationalError as exc:
        catalog.close()
        reason = (str(exc.orig).strip().splitlines() or ["unreachable"])[0]
        raise CatalogError(
            "SIG-DB", f"cannot open the catalog at {display_url(url)}: {reason}"
        ) from None
    except BaseException:
        catalog.close()
        raise
    return catalog


def _upgrade_command(url: str) -> str:
    return f"`sigtui --db {display_url(url)} db upgrade`"


def _behind_message(url: str, current: str | None) -> str:
    where = display_url(url)
    if current is None:
        return f"{where} holds no sigtui catalog yet; {_upgrade_command(url)} creates it"
    return (
        f"the catalog at {where} has schema revision {current}, older than this sigtui's "
        f"{known_revisions()[1]}; {_upgrade_command(url)} upgrades it"
    )
