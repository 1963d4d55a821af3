"""The cleanup list (SIG-EOL): image versions and definitions past their end-of-life
date, and what they cost per month (SIG-BILLING), for a screen that deletes them.

One query lists what expired (versions and definitions together); the costs come from
`costs.rollup` (SQL aggregates). A definition's cost is that of all its versions; a
definition that still has versions cannot be deleted (SIG-DELETE): `blocked_by` says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from sigtui.catalog.model import ids
from sigtui.catalog.model.models import (
    Gallery,
    ImageDefinition,
    ImageVersion,
    ResourceGroup,
    Subscription,
    TargetRegion,
)
from sigtui.catalog.queries import seen
from sigtui.catalog.queries.browse import DEFINITION, VERSION
from sigtui.catalog.queries.costs.prices import Cost, check_basis
from sigtui.catalog.queries.costs.rollups import rollup
from sigtui.catalog.queries.costs.scopes import CATALOG, CATALOG_LEVEL, Scope, scope_clause
from sigtui.catalog.queries.costs.sheet import PriceSheet

if TYPE_CHECKING:
    from sigtui.catalog.rules.access import Visibility


@dataclass(frozen=True)
class Expired:
    """A version or definition past its end-of-life date."""

    kind: str  # "version" | "definition" (browse's node kinds)
    pk: int
    arm_id: str
    name: str  # the version's `Major.Minor.Patch`, or the definition's name
    subscription: str
    gallery: str
    definition: str
    location: str
    end_of_life_date: datetime  # SIG-EOL: a date-time
    days_past: int  # whole days since its end of life
    etag: int  # for a delete with if_match (SIG-CONFLICT)
    versions: int  # a definition's versions (0 for a version)
    cost: Cost  # a definition: all its versions

    @property
    def blocked_by(self) -> str | None:
        """Why it cannot be deleted yet (SIG-DELETE), or None."""
        if self.kind == DEFINITION and self.versions:
            if self.versions == 1:
                return "it still has 1 version; delete it first"
            return f"it still has {self.versions} versions; delete them first"
        return None


@dataclass(frozen=True)
class CleanupList:
    currency: str
    basis: str
    today: date
    items: list[Expired]  # costliest first, then the longest expired
    monthly_storage: Decimal  # what deleting every item saves per month (no double count)


_Rows = sa.Select[*tuple[Any, ...]]


def _version_rows(now: datetime, scope: Scope, viewer: Visibility | None) -> _Rows:
    return (
        sa.select(
            sa.literal(VERSION).label("kind"),
            col(ImageVersion.pk),
            col(Subscription.subscription_id),
            col(Subscription.name).label("subscription"),
            col(ResourceGroup.name).label("group_name"),
            col(Gallery.name).label("gallery"),
            col(ImageDefinition.name).label("definition"),
            col(ImageVersion.name).label("version"),
            col(ImageVersion.location),
            col(ImageVersion.end_of_life_date),
            col(ImageVersion.etag),
            sa.literal(0).label("versions"),
        )
        .join(ImageDefinition, col(ImageDefinition.pk) == col(ImageVersion.definition_pk))
        .join(Gallery, col(Gallery.pk) == col(ImageDefinition.gallery_pk))
        .join(ResourceGroup, col(ResourceGroup.pk) == col(Gallery.resource_group_pk))
        .join(Subscription, col(Subscription.pk) == col(ImageVersion.subscription_pk))
        .where(
            col(ImageVersion.end_of_life_date) < now,
            scope_clause(scope),
            seen.versions(
                viewer,
                col(ImageVersion.pk),
                col(ImageVersion.definition_pk),
                col(ImageDefinition.gallery_pk),
            ),
        )
    )


def _definition_rows(now: datetime, scope: Scope, viewer: Visibility | None) -> _Rows:
    versions = (
        select(func.count())
        .where(col(ImageVersion.definition_pk) == col(ImageDefinition.pk))
        .scalar_subquery()
    )
    return (
        sa.select(
            sa.literal(DEFINITION).label("kind"),
            col(ImageDefinition.pk),
            col(Subscription.subscription_id),
            col(Subscription.name).label("subscription"),
            col(ResourceGroup.name).label("group_name"),
            col(Gallery.name).label("gallery"),
            col(ImageDefinition.name).label("definition"),
            sa.cast(sa.null(), sa.String).label("version"),
            col(ImageDefinition.location),
            col(ImageDefinition.end_of_life_date),
            col(ImageDefinition.etag),
            versions.label("versions"),
        )
        .join(Gallery, col(Gallery.pk) == col(ImageDefinition.gallery_pk))
        .join(ResourceGroup, col(ResourceGroup.pk) == col(Gallery.resource_group_pk))
        .join(Subscription, col(Subscription.pk) == col(ImageDefinition.subscription_pk))
        .where(
            col(ImageDefinition.end_of_life_date) < now,
            scope_clause(scope, definitions=True),
            seen.definitions(viewer, col(ImageDefinition.pk), col(ImageDefinition.gallery_pk)),
        )
    )


def _arm_id(row: Any) -> str:
    if row.kind == VERSION:
        return ids.version_id(
            row.subscription_id, row.group_name, row.gallery, row.definition, row.version
        )
    return ids.definition_id(row.subscription_id, row.group_name, row.gallery, row.definition)


def _expired_regions(now: datetime) -> tuple[sa.ColumnElement[bool], sa.ColumnElement[bool]]:
    """The target regions of expired versions, and of the versions of expired definitions,
    named by their version's key: the rollups then read those versions' regions by the
    version (an index), not every target region of the catalog joined to its version."""
    expired_versions = select(col(ImageVersion.pk)).where(col(ImageVersion.end_of_life_date) < now)
    of_expired_definitions = (
        select(col(ImageVersion.pk))
        .join(ImageDefinition, col(ImageDefinition.pk) == col(ImageVersion.definition_pk))
        .where(col(ImageDefinition.end_of_life_date) < now)
    )
    return (
        col(TargetRegion.version_pk).in_(expired_versions),
        col(TargetRegion.version_pk).in_(of_expired_definitions),
    )


def expired(
    db: Session,
    now: datetime,
    sheet: PriceSheet,
    basis: str | None = None,
    scope: Scope = CATALOG,
    viewer: Visibility | None = None,
) -> CleanupList:
    """Versions and definitions whose end-of-life date is before `now`'s date (those
    `viewer` sees), with their monthly cost: one listing query and three cost rollups."""
    chosen = check_basis(basis, sheet)
    today = now.date()
    statement = sa.union_all(
        _version_rows(now, scope, viewer), _definition_rows(now, scope, viewer)
    )
    rows = db.execute(statement).all()
    version_expired, definition_expired = _expired_regions(now)
    costs = {
        (VERSION, line.pk): line.cost
        for line in rollup(
            db, sheet, VERSION, scope, chosen, where=[version_expired], viewer=viewer
        )
    }
    costs |= {
        (DEFINITION, line.pk): line.cost
        for line in rollup(
            db, sheet, DEFINITION, scope, chosen, where=[definition_expired], viewer=viewer
        )
    }
    either = [sa.or_(version_expired, definition_expired)]
    [both] = rollup(db, sheet, CATALOG_LEVEL, scope, chosen, where=either, viewer=viewer)
    items = [
        Expired(
            kind=row.kind,
            pk=row.pk,
            arm_id=_arm_id(row),
            name=row.version if row.kind == VERSION else row.definition,
            subscription=row.subscription,
            gallery=row.gallery,
            definition=row.definition,
            location=row.location,
            end_of_life_date=row.end_of_life_date,
            days_past=(now.date() - row.end_of_life_date.date()).days,
            etag=row.etag,
            versions=int(row.versions),
            cost=costs.get((row.kind, row.pk), Cost()),
        )
        for row in rows
    ]
    items.sort(key=lambda i: (-i.cost.monthly_storage, i.end_of_life_date, i.arm_id.casefold()))
    return CleanupList(sheet.currency, chosen, today, items, both.cost.monthly_storage)
