"""Galleries, definitions and versions per subscription x region: the counts behind the
limits (SIG-LIMIT-*), as one aggregate statement.

The statement names the few columns it reads as plain SQL tables, not through the table
models: a process that only shows the limits (`sigtui limits`) then starts without
building every model, which costs more than its query (tests/test_usage.py checks these
names against the models)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from sigtui.catalog.rules.limits import ALL_LIMITS
from sigtui.catalog.store.sql_functions import RowsAsJson

COUNTED_TABLES = {"g": "gallery", "d": "image_definition", "v": "image_version"}
SUBSCRIPTION = sa.table(
    "subscription", sa.column("pk"), sa.column("name"), sa.column("subscription_id")
)


@dataclass(frozen=True)
class Usage:
    """Galleries, definitions and versions of one subscription in one region."""

    subscription_pk: int
    location: str
    galleries: int
    definitions: int
    versions: int

    def used(self, kind: str) -> int:
        return {
            "galleries": self.galleries,
            "imageDefinitions": self.definitions,
            "imageVersions": self.versions,
        }[kind]

    @property
    def fullest(self) -> float:
        """The highest share of any limit used (0 to 1)."""
        return max(self.used(limit.kind) / limit.maximum for limit in ALL_LIMITS)


def usage(
    db: Session, subscription_pk: int | None = None, location: str | None = None
) -> list[Usage]:
    """Counts per subscription x region, as one SQL statement (three indexed GROUP BYs)
    answering in one row (`RowsAsJson`)."""
    parts = []
    for kind, name in COUNTED_TABLES.items():
        table = sa.table(name, sa.column("subscription_pk"), sa.column("location"))
        statement = sa.select(
            table.c.subscription_pk,
            table.c.location,
            sa.literal(kind).label("kind"),
            sa.func.count().label("n"),
        )
        if subscription_pk is not None:
            statement = statement.where(table.c.subscription_pk == subscription_pk)
        if location is not None:
            statement = statement.where(table.c.location == location)
        parts.append(statement.group_by(table.c.subscription_pk, table.c.location))
    counted = sa.union_all(*parts).subquery("counted")
    in_one_row = sa.select(RowsAsJson(*counted.c)).select_from(counted)
    rows = db.execute(in_one_row).scalar()
    counts: dict[tuple[int, str], dict[str, int]] = {}
    for sub_pk, loc, kind, n in rows or []:
        counts.setdefault((sub_pk, loc), {"g": 0, "d": 0, "v": 0})[kind] = n
    return [
        Usage(sub_pk, loc, c["g"], c["d"], c["v"]) for (sub_pk, loc), c in sorted(counts.items())
    ]


def subscription_names(db: Session, pks: set[int]) -> dict[int, tuple[str, str]]:
    """Name and subscription id by primary key."""
    columns = SUBSCRIPTION.c
    statement = sa.select(columns.pk, columns.name, columns.subscription_id).where(
        columns.pk.in_(sorted(pks))
    )
    return {pk: (name, subscription_id) for pk, name, subscription_id in db.execute(statement)}
