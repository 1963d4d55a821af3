"""Taking a catalog's schema back (`sigtui db downgrade`): what a downgrade drops, found
without touching the catalog, and the downgrade itself.

What disappears is found by replaying the migration scripts, from the catalog's revision
down to the target, on a scratch in-memory SQLite database: the same scripts build the
same tables on SQLite and PostgreSQL, and the catalog itself is only read (a rolled-back
dry run would need a writable catalog, and SQLite's driver commits DDL on its own).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.store.db import (
    checked_revision,
    current_revision,
    display_url,
    downgrade,
    mark_as_sigtui_catalog,
    migrations_dir,
)

BASE = "base"  # Alembic's name for "no schema"


@dataclass(frozen=True)
class DroppedTable:
    name: str
    rows: int


@dataclass(frozen=True)
class DowngradePlan:
    """What taking the catalog at `where` from `current` to `target` undoes and drops."""

    where: str
    current: str | None
    target: str | None  # None: base, no sigtui schema
    undone: tuple[tuple[str, str], ...]  # (revision, its message), newest first
    tables: tuple[DroppedTable, ...]  # the tables that disappear, with their rows now
    columns: tuple[str, ...]  # "table.column": columns dropped from tables that stay

    @property
    def target_name(self) -> str:
        return self.target or BASE

    @property
    def changes_nothing(self) -> bool:
        return not self.undone

    def lines(self) -> list[str]:
        """What it drops, as lines of text."""
        width = max((len(table.name) for table in self.tables), default=0)
        lines = [f"revisions undone ({len(self.undone)}):"]
        lines += [f"  {revision}  {message}" for revision, message in self.undone]
        if self.tables:
            rows = sum(table.rows for table in self.tables)
            lines.append(f"tables dropped ({len(self.tables)}, {_rows(rows)} in all):")
            lines += [f"  {t.name.ljust(width)}  {_rows(t.rows)}" for t in self.tables]
        if self.columns:
            lines.append(f"columns dropped ({len(self.columns)}): {', '.join(self.columns)}")
        return lines

    def as_json(self) -> dict[str, Any]:
        return {
            "undone": [{"revision": r, "message": m} for r, m in self.undone],
            "droppedTables": [{"name": t.name, "rows": t.rows} for t in self.tables],
            "droppedColumns": list(self.columns),
        }


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


def plan_downgrade(reader: Engine, revision: str) -> DowngradePlan:
    """What `downgrade(revision)` would undo and drop, read through `reader` (an engine
    that cannot write). Refuses a database that is not a sigtui catalog, one made by a
    newer sigtui, and a revision that is not below the catalog's (SIG-INPUT)."""
    where = display_url(reader.url.render_as_string(hide_password=False))
    current = checked_revision(reader)
    undone = _revisions_between(current, revision, where)
    target = undone[-1][2] if undone else current
    tables, columns = _schema_difference(current, target)
    with reader.connect() as conn:
        present = set(sa.inspect(conn).get_table_names())
        dropped = tuple(
            DroppedTable(name, _row_count(conn, name)) for name in tables if name in present
        )
    return DowngradePlan(
        where=where,
        current=current,
        target=target,
        undone=tuple((rev, message) for rev, message, _ in undone),
        tables=dropped,
        columns=columns,
    )


def apply_downgrade(engine: Engine, plan: DowngradePlan) -> None:
    """Run the downgrade `plan` describes; refused (SIG-CONFLICT) when the catalog's
    revision moved since it was planned, since it would then drop something else."""
    if plan.changes_nothing:
        return
    if current_revision(engine) != plan.current:
        raise CatalogError(
            "SIG-CONFLICT",
            f"the schema of {plan.where} changed since the downgrade was planned; run it again",
        )
    downgrade(engine, plan.target_name)
    mark_as_sigtui_catalog(engine)


def _revisions_between(
    current: str | None, revision: str, where: str
) -> list[tuple[str, str, str | None]]:
    """(revision, message, the revision below it) for each revision a downgrade from
    `current` to `revision` undoes, newest first."""
    from alembic.script.revision import RevisionError
    from alembic.util import CommandError

    try:
        steps = list(_script_directory().iterate_revisions(current, revision))
    except (RevisionError, CommandError) as exc:
        reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise CatalogError(
            "SIG-INPUT",
            f"cannot downgrade {where} from {current or BASE} to {revision!r}: {reason}",
        ) from None
    return [(step.revision, _message(step.doc), _below(step.down_revision)) for step in steps]


def _message(doc: str | None) -> str:
    return " ".join((doc or "").split())


def _below(down_revision: Any) -> str | None:
    if isinstance(down_revision, tuple | list):  # a merge: sigtui's history has none
        raise RuntimeError(f"a merge revision {down_revision} cannot be planned")
    return None if down_revision is None else str(down_revision)


@cache
def _script_directory() -> Any:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return ScriptDirectory.from_config(config)


@cache
def _schema_difference(
    current: str | None, target: str | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The tables, and the "table.column"s of the tables that stay, that going from
    `current` down to `target` drops: replayed on a scratch in-memory database."""
    from alembic import command
    from alembic.config import Config

    if current == target:
        return (), ()
    scratch = sa.create_engine("sqlite://")
    try:
        with scratch.connect() as conn:
            config = Config()
            config.set_main_option("script_location", str(migrations_dir()))
            config.attributes["connection"] = conn
            command.upgrade(config, current or BASE)
            before = _columns_by_table(conn)
            command.downgrade(config, target or BASE)
            after = _columns_by_table(conn)
    finally:
        scratch.dispose()
    tables = tuple(name for name in before if name not in after)
    columns = tuple(
        f"{name}.{column}"
        for name, kept in after.items()
        for column in before.get(name, ())
        if column not in kept
    )
    return tables, columns


def _columns_by_table(conn: sa.Connection) -> dict[str, list[str]]:
    inspector = sa.inspect(conn)
    return {
        name: [column["name"] for column in inspector.get_columns(name)]
        for name in inspector.get_table_names()
    }


def _row_count(conn: sa.Connection, table: str) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(sa.table(table))).scalar() or 0)
