"""Tenants, subscriptions (cloud, allowlisted regions), resource groups and principals."""

from __future__ import annotations

import uuid

from sqlmodel import Session, func, select

from sigtui.catalog.model.enums import PrincipalType
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    Principal,
    RegionAllowlist,
    ResourceGroup,
    Subscription,
    Tenant,
    pk_of,
)
from sigtui.catalog.model.schemas import (
    GroupCreate,
    PrincipalCreate,
    SubscriptionCreate,
    TenantCreate,
)
from sigtui.catalog.queries import lookup
from sigtui.catalog.replication import schedule
from sigtui.catalog.rules import checks
from sigtui.catalog.rules.regions import get_region
from sigtui.catalog.services._common import add_created, check_etag, delete_unless_holding, touch
from sigtui.catalog.store.clock import Clock


def _new_uuid(namespace: str, name: str) -> str:
    """Deterministic ids for resources created without one (stable demo and tests)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sigtui:{namespace}:{name.casefold()}"))


def create_tenant(db: Session, data: TenantCreate, clock: Clock) -> Tenant:
    name = checks.check_plain_name(data.name, "tenant")
    tenant_id = checks.check_uuid(data.tenant_id or _new_uuid("tenant", name), "tenant_id")
    clash = db.exec(
        select(Tenant).where(
            (Tenant.name_key == checks.name_key(name)) | (Tenant.tenant_id == tenant_id)
        )
    ).first()
    if clash is not None:
        raise CatalogError("SIG-NAME", f"a tenant called {clash.name!r} or with that id exists")
    tenant = Tenant(name=name, name_key=checks.name_key(name), tenant_id=tenant_id)
    add_created(db, tenant, clock.now())
    return tenant


def create_subscription(db: Session, data: SubscriptionCreate, clock: Clock) -> Subscription:
    name = checks.check_plain_name(data.name, "subscription")
    subscription_id = checks.check_uuid(data.subscription_id, "subscription_id")
    cloud = checks.check_cloud(data.cloud)
    tenant = lookup.find_tenant(db, data.tenant)
    clash = db.exec(
        select(Subscription).where(
            (Subscription.name_key == checks.name_key(name))
            | (Subscription.subscription_id == subscription_id)
        )
    ).first()
    if clash is not None:
        raise CatalogError(
            "SIG-NAME", f"a subscription called {clash.name!r} or with that id already exists"
        )
    subscription = Subscription(
        name=name,
        name_key=checks.name_key(name),
        subscription_id=subscription_id,
        cloud=cloud,
        tenant_pk=pk_of(tenant),
    )
    add_created(db, subscription, clock.now())
    set_region_allowlist(db, subscription, data.allowlisted_regions, clock)
    return subscription


def allowlisted_regions(db: Session, subscription: Subscription) -> list[str]:
    return sorted(
        db.exec(
            select(RegionAllowlist.region).where(RegionAllowlist.subscription_pk == subscription.pk)
        )
    )


def set_region_allowlist(
    db: Session, subscription: Subscription, regions: list[str], clock: Clock
) -> list[str]:
    """SIG-REGION-ALLOWLIST: the regions (Australia Central, Central 2) this subscription
    is allowlisted for. Only regions that need allowlisting can be listed. Its versions'
    regions in flight in a region it loses fail, in the same transaction."""
    names: list[str] = []
    for text in regions:
        region = get_region(text, field="allowlisted_regions")
        if not region.needs_allowlist:
            raise CatalogError(
                "SIG-REGION-ALLOWLIST",
                f"{region.display_name} needs no allowlisting; only "
                "Australia Central and Australia Central 2 do",
                field="allowlisted_regions",
            )
        checks.check_region_cloud(region, subscription.cloud, "allowlisted_regions")
        if region.name not in names:
            names.append(region.name)
    for row in db.exec(
        select(RegionAllowlist).where(RegionAllowlist.subscription_pk == subscription.pk)
    ):
        db.delete(row)
    db.flush()
    for name in names:
        db.add(RegionAllowlist(subscription_pk=pk_of(subscription), region=name))
    now = clock.now()
    schedule.fail_unallowlisted(db, subscription, names, now)
    touch(subscription, now)
    db.add(subscription)
    db.flush()
    return sorted(names)


def update_region_allowlist(
    db: Session,
    subscription_ref: str,
    regions: list[str],
    clock: Clock,
    if_match: str | None = None,
) -> Subscription:
    """`set_region_allowlist` of a subscription named by name or id, refused with
    SIG-CONFLICT when it changed since `if_match` (its etag) was read."""
    subscription = lookup.find_subscription(db, subscription_ref)
    check_etag(subscription, if_match, "the subscription")
    set_region_allowlist(db, subscription, regions, clock)
    return subscription


def delete_subscription(db: Session, subscription_ref: str, if_match: str | None = None) -> None:
    subscription = lookup.find_subscription(db, subscription_ref)
    check_etag(subscription, if_match, "the subscription")
    delete_unless_holding(db, subscription)


def create_group(db: Session, data: GroupCreate, clock: Clock) -> ResourceGroup:
    subscription = lookup.find_subscription(db, data.subscription)
    name = checks.check_group_name(data.name)
    region = get_region(data.location, field="location")
    checks.check_region_cloud(region, subscription.cloud, "location")
    taken = db.exec(
        select(ResourceGroup.pk).where(
            ResourceGroup.subscription_pk == subscription.pk,
            ResourceGroup.name_key == checks.name_key(name),
        )
    ).first()
    if taken is not None:
        raise CatalogError(
            "SIG-NAME",
            f"resource group {name!r} already exists in this subscription",
            field="name",
        )
    group = ResourceGroup(
        subscription_pk=pk_of(subscription),
        name=name,
        name_key=checks.name_key(name),
        location=region.name,
        tags=checks.check_tags(data.tags),
    )
    add_created(db, group, clock.now())
    return group


def delete_group(db: Session, group_id: str, if_match: str | None = None) -> None:
    group = lookup.resolve_as(db, group_id, ResourceGroup)
    check_etag(group, if_match, "the resource group")
    delete_unless_holding(db, group)


def create_principal(db: Session, data: PrincipalCreate, clock: Clock) -> Principal:
    name = checks.check_plain_name(data.name, "principal")
    kind = checks.check_choice(
        data.principal_type, [t.value for t in PrincipalType], "principal type", "principal_type"
    )
    tenant = lookup.find_tenant(db, data.tenant)
    object_id = checks.check_uuid(
        data.object_id or _new_uuid("principal", f"{tenant.tenant_id}/{name}"), "object_id"
    )
    clash = db.exec(
        select(func.count()).where(
            ((Principal.tenant_pk == tenant.pk) & (Principal.name_key == checks.name_key(name)))
            | (Principal.object_id == object_id)
        )
    ).one()
    if clash:
        raise CatalogError(
            "SIG-NAME", f"principal {name!r} (or that object id) already exists in the tenant"
        )
    principal = Principal(
        tenant_pk=pk_of(tenant),
        object_id=object_id,
        name=name,
        name_key=checks.name_key(name),
        principal_type=kind,
    )
    add_created(db, principal, clock.now())
    return principal
