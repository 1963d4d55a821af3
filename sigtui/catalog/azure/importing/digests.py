"""The digests of the import texts gallery resources were written from (migration 0014):
which of a file's items the catalog holds as they are, and keeping a written resource's.

The tables are named as plain SQL tables (a key and the digest): a re-import of texts the
catalog holds needs nothing else of the catalog's models (it starts quicker without them)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

# the table of each kind of item
TABLES = {
    kind: sa.table(name, sa.column("pk"), sa.column("import_digest"))
    for kind, name in (
        ("gallery", "gallery"),
        ("definition", "image_definition"),
        ("version", "image_version"),
    )
}
# PostgreSQL: the digests as one array (`= ANY`), not a parameter each: a statement of the
# same text whatever their number, looked up in the index in half the time of an IN list
_ASKED: sa.BindParameter[Any] = sa.bindparam("digests", type_=sa.ARRAY(sa.String))
_KNOWN = sa.union_all(
    *(
        sa.select(table.c.import_digest).where(table.c.import_digest == sa.any_(_ASKED))
        for table in TABLES.values()
    )
)


# SQLite: the digests as one JSON list, not a parameter each (hundreds at a time): the
# statement is made and bound in half the time, and still looks each up in the index
_LISTED = sa.func.json_each(sa.bindparam("digests")).table_valued("value")
_KNOWN_SQLITE = sa.union_all(
    *(
        sa.select(table.c.import_digest).where(
            table.c.import_digest.in_(sa.select(_LISTED.c.value))
        )
        for table in TABLES.values()
    )
)


# whether the catalog holds any digest at all (each through its table's partial index)
_ANY = sa.select(
    sa.or_(*(sa.exists().where(table.c.import_digest.is_not(None)) for table in TABLES.values()))
)


def digest_finder(db: Session) -> Callable[[list[str]], set[str]]:
    """`known_digests` of the catalog, or, when it holds no digest as the import starts,
    a finder that asks nothing: the only texts an import could find then are the ones it
    wrote itself, an item the file lists twice, and the planner finds that one unchanged
    anyway (a first import into an empty catalog asked a few hundred queries for none;
    on PostgreSQL, without statistics on the rows it had just written, a scan each)."""
    if db.connection().execute(_ANY).scalar():
        return partial(known_digests, db)
    return lambda _digests: set()


def known_digests(db: Session, digests: list[str]) -> set[str]:
    """Which of these digests of items' texts a gallery, definition or version of the
    catalog holds (the text it was last written from, nothing having changed it since)."""
    connection = db.connection()
    if connection.dialect.name == "sqlite":
        found = connection.execute(_KNOWN_SQLITE, {"digests": json.dumps(digests)})
    else:
        found = connection.execute(_KNOWN, {"digests": digests})
    return set(found.scalars().all())


def keep_digests(db: Session, kind: str, digests: list[tuple[int, str]]) -> None:
    """Store each (key, digest of the text it was written from) of a kind of item."""
    if not digests:
        return
    table = TABLES[kind]
    wanted: sa.BindParameter[str] = sa.bindparam("wanted")
    statement = (
        sa.update(table)
        .where(table.c.pk == sa.bindparam("key"), table.c.import_digest.is_distinct_from(wanted))
        .values(import_digest=wanted)
    )  # the same digest again would clear it (migration 0014's trigger): left as it is
    db.connection().execute(statement, [{"key": pk, "wanted": d} for pk, d in digests])
