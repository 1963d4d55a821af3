"""Writing a document's gallery resources into the catalog: one file, one transaction;
the subscriptions and resource groups their ids name are created when missing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from sigtui.catalog import services
from sigtui.catalog.azure.importing.definitions import import_definition
from sigtui.catalog.azure.importing.documents import Item, items_of
from sigtui.catalog.azure.importing.galleries import import_gallery
from sigtui.catalog.azure.importing.result import ImportResult
from sigtui.catalog.azure.importing.shapes import Json
from sigtui.catalog.azure.importing.template import Deployment
from sigtui.catalog.azure.importing.versions import import_version
from sigtui.catalog.model import ids
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import ResourceGroup, Subscription, Tenant
from sigtui.catalog.model.schemas import GroupCreate, SubscriptionCreate, TenantCreate
from sigtui.catalog.queries import lookup
from sigtui.catalog.rules import checks
from sigtui.catalog.rules.regions import get_region
from sigtui.catalog.store.clock import Clock
from sigtui.catalog.store.db import Catalog

Progress = Callable[[int], object]  # told how many items are done; its result is unused


IMPORT_TENANT = "Imported"  # the tenant of subscriptions that an import creates


_MALFORMED = (AttributeError, TypeError, ValueError, KeyError, IndexError)


@contextmanager
def _malformed_refused() -> Iterator[None]:
    """A document whose structure is not what Azure writes (a list where an object
    belongs, a text where a number does): SIG-INPUT, not a crash."""
    try:
        yield
    except _MALFORMED as exc:
        raise CatalogError(
            "SIG-INPUT",
            "the file is not shaped as Azure writes gallery resources "
            f"({type(exc).__name__}: {exc})",
        ) from None


def import_document(
    db: Session,
    document: Any,
    clock: Clock,
    *,
    file: str = "",
    progress: Progress | None = None,
    deployment: Deployment | None = None,
) -> ImportResult:
    """Import every gallery resource of a document in the caller's transaction."""
    result = ImportResult(file=file)
    with _malformed_refused():
        for item in items_of(document, result, _located(db, deployment)):
            outcome = _import_named(db, item, clock)
            setattr(result, outcome, getattr(result, outcome) + 1)
            if progress is not None:
                progress(1)
    return result


def import_into(
    catalog: Catalog,
    path: Path,
    document: Any,
    *,
    deployment: Deployment | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import one file's document in one transaction: all of it, or nothing."""
    try:
        with catalog.write() as db:
            return import_document(
                db,
                document,
                catalog.clock,
                file=str(path),
                progress=progress,
                deployment=deployment,
            )
    except CatalogError as exc:
        raise CatalogError(exc.code, f"{path}: nothing imported: {exc.message}") from None


def _located(db: Session, deployment: Deployment | None) -> Deployment | None:
    """The deployment with its resource group's location (the group must exist)."""
    if deployment is None or deployment.group_id is None:
        return deployment
    group = lookup.resolve_as(db, deployment.group_id, ResourceGroup)
    return replace(deployment, group_id=lookup.arm_id(db, group), group_location=group.location)


def count_items(document: Any, deployment: Deployment | None = None) -> int:
    located = replace(deployment, group_location="") if deployment else None
    with _malformed_refused():
        return len(items_of(document, ImportResult(), located))


def _import_named(db: Session, item: Item, clock: Clock) -> str:
    """Import one item; its errors name its id."""
    try:
        return _import_item(db, item, clock)
    except CatalogError as exc:
        raise CatalogError(exc.code, f"{item.id}: {exc.message}", field=exc.field) from None


def _import_item(db: Session, item: Item, clock: Clock) -> str:
    location = _location(item.body)
    _ensure_group(db, item.rid, location, clock)
    importers = {"gallery": import_gallery, "definition": import_definition}
    if item.kind == "version":
        return import_version(db, item, location, clock)
    return importers[item.kind](db, item, location, clock)


def _location(body: Json) -> str:
    text = str(body.get("location") or "")
    return get_region(text, field="location").name


def _ensure_group(db: Session, rid: ids.ResourceId, location: str, clock: Clock) -> None:
    subscription = db.exec(
        select(Subscription).where(Subscription.subscription_id == rid.subscription)
    ).first()
    if subscription is None:
        subscription = services.create_subscription(
            db,
            SubscriptionCreate(
                name=rid.subscription,
                subscription_id=rid.subscription,
                tenant=_import_tenant(db, clock).tenant_id,
                cloud=get_region(location).cloud,
            ),
            clock,
        )
    group = db.exec(
        select(ResourceGroup).where(
            ResourceGroup.subscription_pk == subscription.pk,
            ResourceGroup.name_key == checks.name_key(rid.resource_group or ""),
        )
    ).first()
    if group is None:
        services.create_group(
            db,
            GroupCreate(
                subscription=rid.subscription, name=rid.resource_group or "", location=location
            ),
            clock,
        )


def _import_tenant(db: Session, clock: Clock) -> Tenant:
    tenant = db.exec(
        select(Tenant).where(Tenant.name_key == checks.name_key(IMPORT_TENANT))
    ).first()
    return tenant or services.create_tenant(db, TenantCreate(name=IMPORT_TENANT), clock)
