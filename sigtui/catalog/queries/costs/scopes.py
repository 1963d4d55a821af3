"""What a cost covers (`Scope`), the levels costs roll up to, and a scope's SQL clause."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    Gallery,
    ImageDefinition,
    ImageVersion,
    Resource,
    ResourceGroup,
    Subscription,
)
from sigtui.catalog.queries import lookup
from sigtui.catalog.queries.browse import DEFINITION, GALLERY, GROUP, SUBSCRIPTION, TENANT, VERSION

CATALOG_LEVEL = "catalog"
REGION_LEVEL = "region"
LEVELS = (CATALOG_LEVEL, REGION_LEVEL, SUBSCRIPTION, GALLERY, DEFINITION, VERSION)


@dataclass(frozen=True)
class Scope:
    """What a cost covers: the whole catalog, or a tenant, subscription, resource group,
    gallery, definition or version by its key (the kinds of `browse.NodeRef`)."""

    kind: str = CATALOG_LEVEL
    pk: int | None = None


CATALOG = Scope()


_SCOPE_OF_ROW: dict[type[Resource], str] = {
    Subscription: SUBSCRIPTION,
    ResourceGroup: GROUP,
    Gallery: GALLERY,
    ImageDefinition: DEFINITION,
    ImageVersion: VERSION,
}


def scope_of(db: Session, arm_id: str | None) -> Scope:
    """The scope an ARM id names (None: the whole catalog)."""
    if not arm_id:
        return CATALOG
    row = lookup.resolve(db, arm_id)
    kind = _SCOPE_OF_ROW.get(type(row))
    if kind is None:
        raise CatalogError(
            "SIG-INPUT",
            f"{arm_id!r} is not a scope for costs (a subscription, resource group, gallery, "
            "image definition or image version)",
            field="scope",
        )
    return Scope(kind, row.pk)


def scope_clause(scope: Scope, *, definitions: bool = False) -> sa.ColumnElement[bool]:
    """The WHERE clause of a scope, over versions joined with their definition, gallery
    and subscription (or, with `definitions`, over definitions joined likewise)."""
    if scope.kind == CATALOG_LEVEL:
        return sa.true()
    columns: dict[str, Any] = {
        TENANT: Subscription.tenant_pk,
        SUBSCRIPTION: ImageDefinition.subscription_pk,
        GROUP: Gallery.resource_group_pk,
        GALLERY: ImageDefinition.gallery_pk,
        DEFINITION: ImageDefinition.pk,
        VERSION: ImageVersion.pk,
    }
    if scope.kind not in columns:
        raise CatalogError("SIG-INPUT", f"unknown cost scope {scope.kind!r}", field="scope")
    if definitions and scope.kind == VERSION:
        return sa.false()  # a version holds no definition
    return col(columns[scope.kind]) == scope.pk
