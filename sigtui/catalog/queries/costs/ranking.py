"""The costliest things of a level, ranked in SQL with float prices and then costed
exactly (a catalog at Azure's limits holds 300,000 versions)."""

from __future__ import annotations

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
    chosen = check_basis(basis, sheet)
    if level not in LEVEL_KEYS:
        raise CatalogError(
            "SIG-INPUT", f"cannot rank costs by {level!r} (one of {', '.join(LEVEL_KEYS)})"
        )
    if limit < 1:
        return Ranking([], 0)
    ranked = _ranked(db, sheet, chosen, level, scope, viewer)
    if ranked is None:
        return Ranking([], 0)
    read = limit * RANKED_SPARE
    rows = db.exec(
        select(ranked.c.key, ranked.c.monthly, func.count().over())
        .order_by(ranked.c.monthly.desc())
        .limit(read)
    ).all()
    if not rows:
        return Ranking([], 0)
    floor = rows[min(limit, len(rows)) - 1][1] * (1 - RANKING_MARGIN)
    key = LEVEL_KEYS[level]
    if len(rows) == read and rows[-1][1] >= floor:  # ties past what was read: all of them
        candidates: Any = select(ranked.c.key).where(ranked.c.monthly >= floor)
    else:
        candidates = [row[0] for row in rows if row[1] >= floor]
    lines = rollup(db, sheet, level, scope, chosen, where=[key.in_(candidates)], viewer=viewer)
    return Ranking(lines[:limit], int(rows[0][2]))


def _ranked(
    db: Session,
    sheet: PriceSheet,
    basis: str,
    level: str,
    scope: Scope,
    viewer: Visibility | None = None,
) -> Any:
    """A subquery: each key of `level` in the scope (`key`) and its monthly storage as a
    float (`monthly`), summed per version first; None when no version has a target
    region."""
    price = _replica_price_case(db, sheet, basis)
    if price is None:
        return None
    version_key = col(TargetRegion.version_pk)
    monthly = func.sum(price * col(TargetRegion.replica_count))
    by_version = narrowed(
        select(version_key.label("key"), monthly.label("monthly")).select_from(TargetRegion),
        VERSION,
        scope,
        seen_by(viewer),
    ).group_by(version_key)
    if level == VERSION:
        return by_version.subquery("ranked")
    versions = by_version.subquery("by_version")
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
    return statement.group_by(key).subquery("ranked")


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
