"""Reading and forcing a database's Alembic revision, by URL."""

from __future__ import annotations

import sqlalchemy as sa

from sigtui.catalog.store.db import current_revision, make_engine

# a revision no sigtui knows: the mark of a catalog made by a newer sigtui
FUTURE_REVISION = "9999_from_the_future"


def set_revision(url: str, revision: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    engine.dispose()


def revision_of(url: str) -> str | None:
    engine = make_engine(url)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()
