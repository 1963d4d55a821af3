"""Galleries, definitions and versions per subscription x region: the counts behind the
limits (SIG-LIMIT-*), as one aggregate statement.

The statement names the few columns it reads as plain SQL tables, not through the table
models: a process that only shows the limits (`sigtui limits`) then starts without
building every model, which costs more than its query (tests/test_usage.py checks these
names against the models)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session

from sigtui.catalog.queries import seen
from sigtui.catalog.rules.limits import ALL_LIMITS
from sigtui.catalog.store.sql_functions import RowsAsJson

if TYPE_CHECKING:
    from sigtui.catalog.rules.access import Visibility

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


def _seen_by(viewer: Visibility, kind: str, table: Any) -> sa.ColumnElement[bool]:
    """What of `table` (g, d or v) the viewer sees: a version through its definition's
    gallery."""
    if kind == "g":
        return seen.galleries(viewer, table.c.pk)
    if kind == "d":
        return seen.definitions(viewer, table.c.pk, table.c.gallery_pk)
    parent = sa.table("image_definition", sa.column("pk"), sa.column("gallery_pk"))
    gallery_of = sa.select(parent.c.gallery_pk).where(parent.c.pk == table.c.definition_pk)
    return seen.versions(viewer, table.c.pk, table.c.definition_pk, gallery_of.scalar_subquery())


def usage(
    db: Session,
    subscription_pk: int | None = None,
    location: str | None = None,
    viewer: Visibility | None = None,
) -> list[Usage]:
    """Counts per subscription x region, as one SQL statement (three indexed GROUP BYs)
    answering in one row (`RowsAsJson`); with a viewer, of what it sees only."""
    parts = []
    for kind, name in COUNTED_TABLES.items():
        table = sa.table(
            name,
            sa.column("subscription_pk"),
            sa.column("location"),
            sa.column("pk"),
            sa.column("gallery_pk"),
            sa.column("definition_pk"),
        )
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
        if viewer is not None:
            statement = statement.where(_seen_by(viewer, kind, table))
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
