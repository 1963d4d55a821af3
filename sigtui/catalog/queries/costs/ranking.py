"""The costliest things of a level, ranked in SQL with float prices and then costed
exactly (a catalog at Azure's limits holds 300,000 versions)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import Select

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import ImageDefinition, ImageVersion, TargetRegion
from sigtui.catalog.queries.browse import GALLERY, VERSION
from sigtui.catalog.queries.costs.prices import check_basis, replica_price
from sigtui.catalog.queries.costs.rollups import LEVEL_KEYS, CostLine, narrowed, rollup, seen_by
from sigtui.catalog.queries.costs.scopes import CATALOG, Scope
from sigtui.catalog.queries.costs.sheet import PriceSheet

if TYPE_CHECKING:
    from sigtui.catalog.rules.access import Visibility

# Float sums in SQL may differ from exact ones by a few units in the last place: the
# ranking keeps everything within this fraction of the last place, costed exactly after.
RANKING_MARGIN = 1e-9
RANKED_SPARE = 2  # the ranking reads this many times `limit` rows, ties past the last place


@dataclass(frozen=True)
class Ranking:
    """The costliest things at a level, most monthly storage first (as `rollup` orders
    them), and how many things with a cost the level has in the scope."""

    lines: list[CostLine]
    count: int


def costliest(
    db: Session,
    sheet: PriceSheet,
    level: str,
    limit: int,
    scope: Scope = CATALOG,
    basis: str | None = None,
    viewer: Visibility | None = None,
) -> Ranking:
    """The `limit` costliest subscriptions, galleries, definitions or versions of a scope.

    A catalog at Azure's limits holds 300,000 versions: costing each exactly takes seconds.
    One SQL aggregate ranks them instead, with replica prices as floats; the things within
    a hair of the last place are then costed exactly by `rollup`, so the figures and the
    order of ties are the ones it gives."""
    return costliest_of(db, sheet, {level: limit}, scope, basis, viewer)[level]


def costliest_of(
    db: Session,
    sheet: PriceSheet,
    limits: Mapping[str, int],
    scope: Scope = CATALOG,
    basis: str | None = None,
    viewer: Visibility | None = None,
) -> dict[str, Ranking]:
    """`costliest` of several levels at once (the cost screen's galleries and versions):
    every level's ranking is read in one statement from one sum per version, so the
    target regions are read once, not once a level."""
    chosen = check_basis(basis, sheet)
    for level in limits:
        if level not in LEVEL_KEYS:
            raise CatalogError(
                "SIG-INPUT", f"cannot rank costs by {level!r} (one of {', '.join(LEVEL_KEYS)})"
            )
    rankings = {level: Ranking([], 0) for level in limits}
    wanted = {level: limit for level, limit in limits.items() if limit >= 1}
    price = _replica_price_case(db, sheet, chosen) if wanted else None
    if price is None:
        return rankings
    by_version = _by_version(price, scope, viewer).cte("by_version")
    reads = [_top(level, _ranked(by_version, level), limit) for level, limit in wanted.items()]
    rows: dict[str, list[tuple[int, float, int]]] = {level: [] for level in wanted}
    for level, key, monthly, count in db.execute(sa.union_all(*reads)):
        rows[level].append((key, monthly, count))
    for level, read in rows.items():
        if read:
            read.sort(key=lambda row: -row[1])  # each level's rows came in its order
            candidates = _candidates(level, wanted[level], read, price, scope, viewer)
            lines = rollup(db, sheet, level, scope, chosen, where=[candidates], viewer=viewer)
            rankings[level] = Ranking(lines[: wanted[level]], int(read[0][2]))
    return rankings


def _top(level: str, ranked: Any, limit: int) -> Any:
    """The first rows of a level's ranking (`RANKED_SPARE` times `limit`), with the level's
    name and how many it ranks, as one part of a UNION ALL (a subquery: SQLite takes no
    ORDER BY in a part of a compound). The count is a query of its own: a window over
    300,000 rows costs a third of the ranking."""
    count = select(func.count()).select_from(ranked).scalar_subquery()
    top = (
        select(sa.literal(level).label("level"), ranked.c.key, ranked.c.monthly)
        .order_by(ranked.c.monthly.desc())
        .limit(limit * RANKED_SPARE)
        .subquery(f"top_{level}")
    )
    return select(top.c.level, top.c.key, top.c.monthly, count.label("count"))


def _candidates(
    level: str,
    limit: int,
    rows: list[tuple[int, float, int]],
    price: Any,
    scope: Scope,
    viewer: Visibility | None,
) -> sa.ColumnElement[bool]:
    """Whether a thing of `level` is to be costed exactly, from the first rows of its
    ranking: every thing within a hair of the last place, all of them when the rows read
    end among such ties."""
    floor = rows[min(limit, len(rows)) - 1][1] * (1 - RANKING_MARGIN)
    key = LEVEL_KEYS[level]
    if len(rows) == limit * RANKED_SPARE and rows[-1][1] >= floor:  # ties past what was read
        ranked = _ranked(_by_version(price, scope, viewer).cte("by_version"), level)
        return key.in_(select(ranked.c.key).where(ranked.c.monthly >= floor))
    return key.in_([row[0] for row in rows if row[1] >= floor])


def _by_version(price: Any, scope: Scope, viewer: Visibility | None) -> Any:
    """Each version of the scope with target regions (`key`) and its monthly storage as a
    float (`monthly`)."""
    version_key = col(TargetRegion.version_pk)
    monthly = func.sum(price * col(TargetRegion.replica_count))
    return narrowed(
        select(version_key.label("key"), monthly.label("monthly")).select_from(TargetRegion),
        VERSION,
        scope,
        seen_by(viewer),
    ).group_by(version_key)


def _ranked(versions: Any, level: str) -> Any:
    """A common table expression (read twice: by `_top`'s count and rows): each key of
    `level` (`key`) and its monthly storage as a float (`monthly`), summed from `versions`
    (`_by_version`'s rows)."""
    if level == VERSION:
        return versions
    key = LEVEL_KEYS[level]
    # Mapped.label is typed Label[Never] (SQLAlchemy's stubs): say what the rows hold
    statement: Select[int, Any] = select(
        key.label("key"), func.sum(versions.c.monthly).label("monthly")
    )
    statement = statement.select_from(versions).join(
        ImageVersion, col(ImageVersion.pk) == versions.c.key
    )
    if level == GALLERY:
        statement = statement.join(
            ImageDefinition, col(ImageDefinition.pk) == col(ImageVersion.definition_pk)
        )
    return statement.group_by(key).cte(f"ranked_{level}")


def _replica_price_case(db: Session, sheet: PriceSheet, basis: str) -> Any:
    """A replica's monthly price as a float SQL expression over a target region's storage
    type and size: one CASE branch per storage type and price, naming the sizes the
    catalog holds. None when the catalog has no target regions."""
    pairs = db.exec(
        select(col(TargetRegion.storage_account_type), col(TargetRegion.size_gb)).distinct()
    ).all()
    if not pairs:
        return None
    sizes: dict[tuple[str, float], list[int]] = {}
    for storage, size in pairs:
        price = float(replica_price(sheet, size, storage, basis))
        sizes.setdefault((storage, price), []).append(size)
    storage_type, size_gb = col(TargetRegion.storage_account_type), col(TargetRegion.size_gb)
    return sa.case(
        *(
            ((storage_type == storage) & size_gb.in_(sorted(held)), price)
            for (storage, price), held in sizes.items()
        ),
        else_=0.0,
    )
