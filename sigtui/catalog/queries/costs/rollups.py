"""The cost of everything in a scope at one level: target regions grouped in SQL, each
group priced once in Python, the level's keys named by their ARM ids."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, func, select

from sigtui.catalog.model import ids
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    Gallery,
    ImageDefinition,
    ImageVersion,
    ResourceGroup,
    Subscription,
    TargetRegion,
)
from sigtui.catalog.queries import seen
from sigtui.catalog.queries.browse import DEFINITION, GALLERY, SUBSCRIPTION, VERSION
from sigtui.catalog.queries.costs.prices import Cost, check_basis, priced_group
from sigtui.catalog.queries.costs.scopes import (
    CATALOG,
    CATALOG_LEVEL,
    LEVELS,
    REGION_LEVEL,
    Scope,
    scope_clause,
)
from sigtui.catalog.queries.costs.sheet import PriceSheet

if TYPE_CHECKING:
    from sigtui.catalog.rules.access import Visibility

# The key a level groups by, from the nearest table to the target regions.
LEVEL_KEYS: dict[str, Mapped[int]] = {
    SUBSCRIPTION: col(ImageVersion.subscription_pk),
    GALLERY: col(ImageDefinition.gallery_pk),
    DEFINITION: col(ImageVersion.definition_pk),
    VERSION: col(TargetRegion.version_pk),
}


# The names a level's ARM id is made of, by its key.
_LEVEL_NAMES: dict[str, tuple[Any, ...]] = {
    SUBSCRIPTION: (Subscription.pk, Subscription.subscription_id),
    GALLERY: (Gallery.pk, Subscription.subscription_id, ResourceGroup.name, Gallery.name),
    DEFINITION: (
        ImageDefinition.pk,
        Subscription.subscription_id,
        ResourceGroup.name,
        Gallery.name,
        ImageDefinition.name,
    ),
    VERSION: (
        ImageVersion.pk,
        Subscription.subscription_id,
        ResourceGroup.name,
        Gallery.name,
        ImageDefinition.name,
        ImageVersion.name,
    ),
}


_ID_OF_NAMES: dict[str, Callable[..., str]] = {
    SUBSCRIPTION: ids.subscription_id,
    GALLERY: ids.gallery_id,
    DEFINITION: ids.definition_id,
    VERSION: ids.version_id,
}


NAMES_BY_KEYS = 1000  # more keys than this are named from the whole level's table


@dataclass(frozen=True)
class CostLine:
    """The cost of one thing at a level: a version, definition, gallery, subscription
    (`pk` and its ARM id as `key`), a region (`key` its programmatic name) or the catalog."""

    level: str
    key: str
    pk: int | None
    cost: Cost


def _grouped(
    db: Session, level: str, scope: Scope, where: Sequence[sa.ColumnElement[bool]]
) -> Iterable[Any]:
    """Target regions grouped by (level's key, size, storage, region, source region), with
    SUM(replicas) and COUNT(regions): one statement, its rows streamed (a catalog at the
    limits has hundreds of thousands at the version level). Keys, not names: grouping
    900,000 rows by strings costs seconds; the keys are named afterwards."""
    key = [LEVEL_KEYS[level]] if level in LEVEL_KEYS else []
    shape = [
        col(TargetRegion.size_gb),
        col(TargetRegion.storage_account_type),
        col(TargetRegion.region),
        col(TargetRegion.source_region),
    ]
    statement = sa.select(*key, *shape, func.sum(TargetRegion.replica_count), func.count())
    statement = narrowed(statement.select_from(TargetRegion), level, scope, where)
    return db.execute(statement.group_by(*key, *shape))


def narrowed(
    statement: Any, level: str, scope: Scope, where: Sequence[sa.ColumnElement[bool]]
) -> Any:
    """A statement over the target regions, joined with what `level`'s key, the scope and
    `where` name, and narrowed to them."""
    whole = scope == CATALOG and not where
    if not whole or level in (SUBSCRIPTION, GALLERY, DEFINITION):
        statement = statement.join(
            ImageVersion, col(ImageVersion.pk) == col(TargetRegion.version_pk)
        )
    if not whole or level == GALLERY:
        statement = statement.join(
            ImageDefinition, col(ImageDefinition.pk) == col(ImageVersion.definition_pk)
        )
    if not whole:  # the scope's clause names these
        statement = (
            statement.join(Gallery, col(Gallery.pk) == col(ImageDefinition.gallery_pk))
            .join(ResourceGroup, col(ResourceGroup.pk) == col(Gallery.resource_group_pk))
            .join(Subscription, col(Subscription.pk) == col(ImageVersion.subscription_pk))
        )
    return statement.where(scope_clause(scope), *where)


def seen_by(viewer: Visibility | None) -> list[sa.ColumnElement[bool]]:
    """The `where` that keeps the versions a viewer sees (none without a viewer)."""
    if viewer is None:
        return []
    pks = (col(ImageVersion.pk), col(ImageVersion.definition_pk), col(ImageDefinition.gallery_pk))
    return [seen.versions(viewer, *pks)]


def _names(db: Session, level: str, keys: Iterable[int]) -> dict[int, str]:
    """The ARM ids of a level's rows, by key."""
    wanted = sorted(keys)
    columns = _LEVEL_NAMES[level]
    statement = select(*columns).select_from(columns[0].class_)
    if level == VERSION:
        statement = statement.join(
            ImageDefinition, col(ImageDefinition.pk) == col(ImageVersion.definition_pk)
        )
    if level in (VERSION, DEFINITION):
        statement = statement.join(Gallery, col(Gallery.pk) == col(ImageDefinition.gallery_pk))
    if level != SUBSCRIPTION:
        statement = statement.join(
            ResourceGroup, col(ResourceGroup.pk) == col(Gallery.resource_group_pk)
        ).join(Subscription, col(Subscription.pk) == col(Gallery.subscription_pk))
    if not wanted:
        return {}
    if len(wanted) <= NAMES_BY_KEYS:  # else one read of the whole level
        statement = statement.where(col(columns[0]).in_(wanted))
    return {pk: _ID_OF_NAMES[level](*parts) for pk, *parts in db.exec(statement)}


def rollup(
    db: Session,
    sheet: PriceSheet,
    level: str,
    scope: Scope = CATALOG,
    basis: str | None = None,
    *,
    where: Sequence[sa.ColumnElement[bool]] = (),
    viewer: Visibility | None = None,
) -> list[CostLine]:
    """The cost of everything in `scope`, at `level` (catalog, region, subscription,
    gallery, definition, version), largest monthly storage first. One aggregate query
    (and one naming its keys); `where` narrows the versions counted (catalog code only),
    and so does `viewer`: only the versions it sees count."""
    if level not in LEVELS:
        raise CatalogError(
            "SIG-INPUT", f"unknown cost level {level!r} (one of {', '.join(LEVELS)})"
        )
    chosen = check_basis(basis, sheet)
    keyed = level in LEVEL_KEYS
    totals: dict[Any, Cost] = {}
    prices: dict[tuple[Any, ...], Cost] = {}  # groups alike are priced once
    for row in _grouped(db, level, scope, [*where, *seen_by(viewer)]):
        shape = tuple(row[1:] if keyed else row)
        cost = prices.get(shape)
        if cost is None:
            size, storage, region, source, replicas, regions = shape
            cost = priced_group(
                sheet, chosen, size, storage, region, source, int(replicas), regions
            )
            prices[shape] = cost
        key = row[0] if keyed else (shape[2] if level == REGION_LEVEL else "")
        found = totals.get(key)
        totals[key] = cost if found is None else found + cost
    if level == CATALOG_LEVEL and not totals:
        totals[""] = Cost()
    if keyed:
        names = _names(db, level, totals)
        lines = [CostLine(level, names[pk], pk, cost) for pk, cost in totals.items()]
    else:
        lines = [CostLine(level, key, None, cost) for key, cost in totals.items()]
    return sorted(lines, key=lambda line: (-line.cost.monthly_storage, line.key))


def total(
    db: Session,
    sheet: PriceSheet,
    scope: Scope = CATALOG,
    basis: str | None = None,
    viewer: Visibility | None = None,
) -> Cost:
    """The whole cost of a scope (of what `viewer` sees in it)."""
    return rollup(db, sheet, CATALOG_LEVEL, scope, basis, viewer=viewer)[0].cost
