"""One subscription's estate written in one transaction, through the importer's planner
and writer (the same rules as `sigtui import`): all of it, or nothing.

After the import: what it created or changed is marked observed (`origin` 'azure',
`synced_at` now); an observed version's replicating regions are taken off the
simulator's timeline (their state stays as Azure reported it); what a sync brought
earlier and Azure no longer has is removed, only within the scope synced. A second sync
with nothing changed in Azure writes nothing (not even the change marker)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from sigtui.catalog import services
from sigtui.catalog.azure.importing.result import ImportResult
from sigtui.catalog.azure.importing.shapes import Json
from sigtui.catalog.azure.importing.write import import_document
from sigtui.catalog.azure.sync.arm import AzureSubscription
from sigtui.catalog.model.enums import ReplicationState
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    AZURE,
    Gallery,
    ImageDefinition,
    ImageVersion,
    ResourceGroup,
    Subscription,
    TargetRegion,
    Tenant,
    table_of,
)
from sigtui.catalog.model.schemas import SubscriptionCreate, TenantCreate
from sigtui.catalog.rules import checks
from sigtui.catalog.store.clock import Clock
from sigtui.catalog.store.db import Catalog

IN_LIST = 500  # keys per IN list
KINDS = ("gallery", "definition", "version")
Key = tuple[str, ...]  # a resource's names under its subscription, casefolded


@dataclass(frozen=True)
class _Row:
    pk: int
    etag: int
    origin: str


Rows = dict[str, dict[Key, _Row]]  # by kind


@dataclass
class Written:
    """What writing one subscription did (or would do, in a dry run)."""

    result: ImportResult
    observed: int = 0  # rows marked observed without a change of their fields
    removed: list[str] | None = None  # what Azure no longer has: kind and names

    @property
    def changed(self) -> bool:
        return bool(self.result.created or self.result.updated or self.observed or self.removed)


class _DryRun(Exception):
    def __init__(self, written: Written) -> None:
        super().__init__("dry run")
        self.written = written


def write_subscription(
    catalog: Catalog,
    subscription: AzureSubscription,
    bodies: list[Json],
    resource_group: str | None,
    *,
    dry_run: bool = False,
) -> Written:
    """Write what Azure holds of `subscription` (within `resource_group`, if given) in one
    transaction; a dry run plans the same and writes nothing."""
    try:
        with catalog.write() as db:
            written = _write(db, catalog.clock, subscription, bodies, resource_group)
            if dry_run:
                raise _DryRun(written)
            return written
    except _DryRun as dry:
        return dry.written
    except CatalogError as exc:
        message = f"{subscription.label}: nothing written: {exc.message}"
        raise CatalogError(exc.code, message, field=exc.field) from None


def _write(
    db: Session,
    clock: Clock,
    subscription: AzureSubscription,
    bodies: list[Json],
    resource_group: str | None,
) -> Written:
    held = _ensure_subscription(db, subscription, clock)
    before = _scoped(db, held, resource_group)
    result = import_document(db, bodies, clock, file=subscription.label)
    after = _scoped(db, held, resource_group)
    seen = _seen_keys(bodies)
    now = clock.now()
    observed = _mark_observed(db, before, after, seen, now)
    removed = _remove_absent(db, after, seen)
    _freeze_observed(db, held, resource_group)
    return Written(result, observed, removed)


# --- the subscription and its tenant -----------------------------------------------------


def _ensure_subscription(db: Session, azure: AzureSubscription, clock: Clock) -> Subscription:
    """The catalog's subscription of that id, made (with its tenant) when missing."""
    subscription_id = checks.check_uuid(azure.subscription_id, "subscription_id")
    held = db.exec(
        select(Subscription).where(Subscription.subscription_id == subscription_id)
    ).first()
    if held is not None:
        return held
    tenant = _ensure_tenant(db, azure, clock)
    name = _free_name(db, Subscription, azure.name, subscription_id)
    data = SubscriptionCreate(
        name=name, subscription_id=subscription_id, tenant=tenant.tenant_id, cloud=azure.cloud
    )
    return services.create_subscription(db, data, clock)


def _ensure_tenant(db: Session, azure: AzureSubscription, clock: Clock) -> Tenant:
    tenant_id = checks.check_uuid(azure.tenant_id, "tenant_id")
    held = db.exec(select(Tenant).where(Tenant.tenant_id == tenant_id)).first()
    if held is not None:
        return held
    name = _free_name(db, Tenant, azure.tenant_name, tenant_id)
    return services.create_tenant(db, TenantCreate(name=name, tenant_id=tenant_id), clock)


def _free_name(
    db: Session, model: type[Tenant] | type[Subscription], name: str, fallback: str
) -> str:
    """`name` when it is a valid name no other row has, else `fallback` (the id)."""
    try:
        name = checks.check_plain_name(name, model.__tablename__)
    except CatalogError:
        return fallback
    taken = db.exec(select(model.pk).where(model.name_key == checks.name_key(name))).first()
    return fallback if taken is not None else name


# --- the rows within the scope synced ---------------------------------------------------


def _scoped(db: Session, subscription: Subscription, resource_group: str | None) -> Rows:
    """The catalog's galleries, definitions and versions within the scope, by names."""
    groups, galleries, definitions, versions = (
        table_of(ResourceGroup),
        table_of(Gallery),
        table_of(ImageDefinition),
        table_of(ImageVersion),
    )
    where: list[Any] = [groups.c.subscription_pk == subscription.pk]
    if resource_group:
        where.append(groups.c.name_key == checks.name_key(resource_group))
    in_groups = galleries.join(groups, groups.c.pk == galleries.c.resource_group_pk)
    in_galleries = definitions.join(in_groups, galleries.c.pk == definitions.c.gallery_pk)
    in_definitions = versions.join(in_galleries, definitions.c.pk == versions.c.definition_pk)
    queries = (
        (galleries, in_groups, [galleries.c.name_key]),
        (definitions, in_galleries, [galleries.c.name_key, definitions.c.name_key]),
        (
            versions,
            in_definitions,
            [galleries.c.name_key, definitions.c.name_key, versions.c.name],
        ),
    )
    rows: Rows = {}
    for kind, (table, joined, names) in zip(KINDS, queries, strict=True):
        columns = [table.c.pk, table.c.etag, table.c.origin, groups.c.name_key, *names]
        query = sa.select(*columns).select_from(joined).where(*where)
        rows[kind] = {
            tuple(str(p).casefold() for p in row[3:]): _Row(row[0], row[1], row[2])
            for row in db.execute(query)
        }
    return rows


def _seen_keys(bodies: Iterable[Json]) -> dict[str, set[Key]]:
    """The names of what Azure holds, by kind, from its ARM ids."""
    seen: dict[str, set[Key]] = {kind: set() for kind in KINDS}
    kind_of = {2: "gallery", 3: "definition", 4: "version"}
    for body in bodies:
        # subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/galleries/G/images/D/...
        parts = str(body.get("id") or "").strip("/").split("/")
        names = tuple(p.casefold() for p in parts[3::2])  # RG, the provider, G, D, V
        key = names[:1] + names[2:]
        if len(key) in kind_of:
            seen[kind_of[len(key)]].add(key)
    return seen


# --- observed state -----------------------------------------------------------------------

_TABLES: dict[str, Any] = {
    "gallery": Gallery,
    "definition": ImageDefinition,
    "version": ImageVersion,
}


def _chunks(values: Iterable[int]) -> Iterator[list[int]]:
    iterator = iter(values)
    while chunk := list(islice(iterator, IN_LIST)):
        yield chunk


def _mark_observed(
    db: Session, before: Rows, after: Rows, seen: dict[str, set[Key]], now: datetime
) -> int:
    """Mark observed what the import created or changed, and what was local and Azure
    holds as it is (its etag moves: its origin changed); the count of the latter."""
    adopted = 0
    for kind in KINDS:
        table = table_of(_TABLES[kind])
        written, unchanged_local = [], []
        for key, row in after[kind].items():
            if key not in seen[kind]:
                continue
            old = before[kind].get(key)
            if old is None or old.etag != row.etag:
                written.append(row.pk)
            elif row.origin != AZURE:
                unchanged_local.append(row.pk)
        values = {"origin": AZURE, "synced_at": now}
        for chunk in _chunks(written):
            db.execute(sa.update(table).where(table.c.pk.in_(chunk)).values(**values))
        for chunk in _chunks(unchanged_local):
            moved = {**values, "etag": table.c.etag + 1, "updated_at": now}
            db.execute(sa.update(table).where(table.c.pk.in_(chunk)).values(**moved))
        adopted += len(unchanged_local)
    return adopted


def _remove_absent(db: Session, after: Rows, seen: dict[str, set[Key]]) -> list[str]:
    """Remove what a sync brought and Azure no longer has (versions first); a definition
    or gallery still holding a resource made in sigtui stays."""
    removed = []
    for kind in reversed(KINDS):
        table = table_of(_TABLES[kind])
        gone = {
            key: row.pk
            for key, row in after[kind].items()
            if row.origin == AZURE and key not in seen[kind]
        }
        for chunk in _chunks(sorted(gone.values())):
            query = sa.delete(table).where(table.c.pk.in_(chunk), *_holds_nothing(kind, table))
            db.execute(query)
        still = _existing(db, table, gone.values())
        removed += [
            f"{kind} {'/'.join(key)}" for key, pk in sorted(gone.items()) if pk not in still
        ]
    return removed


def _holds_nothing(kind: str, table: Any) -> list[Any]:
    if kind == "gallery":
        children = table_of(ImageDefinition)
        return [~sa.exists().where(children.c.gallery_pk == table.c.pk)]
    if kind == "definition":
        children = table_of(ImageVersion)
        return [~sa.exists().where(children.c.definition_pk == table.c.pk)]
    return []


def _existing(db: Session, table: Any, pks: Iterable[int]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(pks):
        found.update(db.execute(sa.select(table.c.pk).where(table.c.pk.in_(chunk))).scalars())
    return found


def _freeze_observed(db: Session, subscription: Subscription, resource_group: str | None) -> None:
    """Take the observed versions' replicating regions off the simulator's timeline: with
    no start time, a region stays at the state and progress Azure reported."""
    regions = table_of(TargetRegion)
    versions = table_of(ImageVersion)
    scoped = sa.select(versions.c.pk).where(
        versions.c.subscription_pk == subscription.pk, versions.c.origin == AZURE
    )
    if resource_group:
        scoped = _in_group(scoped, versions, resource_group)
    on_timeline = sa.and_(
        regions.c.version_pk.in_(scoped),
        regions.c.state == ReplicationState.REPLICATING.value,
        regions.c.started_at.is_not(None),
    )
    if db.execute(sa.select(regions.c.pk).where(on_timeline).limit(1)).first() is None:
        return  # nothing to write: a sync with nothing new writes nothing
    db.execute(sa.update(regions).where(on_timeline).values(started_at=None, duration_seconds=None))


def _in_group(query: Any, versions: Any, resource_group: str) -> Any:
    definitions, galleries, groups = (
        table_of(ImageDefinition),
        table_of(Gallery),
        table_of(ResourceGroup),
    )
    return (
        query.join(definitions, definitions.c.pk == versions.c.definition_pk)
        .join(galleries, galleries.c.pk == definitions.c.gallery_pk)
        .join(groups, groups.c.pk == galleries.c.resource_group_pk)
        .where(groups.c.name_key == checks.name_key(resource_group))
    )
