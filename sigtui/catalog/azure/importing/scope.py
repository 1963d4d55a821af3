"""The subscriptions and resource groups an import's ids name: found once each, and
created when missing (under the tenant `IMPORT_TENANT`)."""

from __future__ import annotations

from sqlmodel import Session, select

from sigtui.catalog import services
from sigtui.catalog.model import ids
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import ResourceGroup, Subscription, Tenant
from sigtui.catalog.model.schemas import GroupCreate, SubscriptionCreate, TenantCreate
from sigtui.catalog.queries import lookup
from sigtui.catalog.rules import checks
from sigtui.catalog.rules.regions import get_region
from sigtui.catalog.store.clock import Clock

IMPORT_TENANT = "Imported"  # the tenant of subscriptions that an import creates


class Scope:
    """Resource groups by (subscription, name), each looked up once per import."""

    def __init__(self, db: Session, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._found: dict[tuple[str, str], ResourceGroup | None] = {}
        self._ensured: dict[tuple[str, str], ResourceGroup] = {}

    def find(self, subscription: str, group: str) -> ResourceGroup | None:
        """The catalog's group (its subscription by id or name, as ARM ids resolve), or None."""
        key = (subscription.casefold(), checks.name_key(group))
        if key not in self._found:
            try:
                held = lookup.find_subscription(self.db, subscription)
                self._found[key] = lookup.find_group(self.db, held, group)
            except CatalogError:
                self._found[key] = None
        return self._found[key]

    def ensure(self, rid: ids.ResourceId, location: str) -> ResourceGroup:
        """The group an item's id names, made (with its subscription) when missing; a new
        group is in the location of the first item that names it."""
        key = (rid.subscription, checks.name_key(rid.resource_group or ""))
        if key not in self._ensured:
            self._ensured[key] = self._ensure(rid, location)
        return self._ensured[key]

    def _ensure(self, rid: ids.ResourceId, location: str) -> ResourceGroup:
        db = self.db
        subscription = db.exec(
            select(Subscription).where(Subscription.subscription_id == rid.subscription)
        ).first()
        if subscription is None:
            subscription = services.create_subscription(
                db,
                SubscriptionCreate(
                    name=rid.subscription,
                    subscription_id=rid.subscription,
                    tenant=self._import_tenant().tenant_id,
                    cloud=get_region(location).cloud,
                ),
                self.clock,
            )
        group = db.exec(
            select(ResourceGroup).where(
                ResourceGroup.subscription_pk == subscription.pk,
                ResourceGroup.name_key == checks.name_key(rid.resource_group or ""),
            )
        ).first()
        if group is None:
            group = services.create_group(
                db,
                GroupCreate(
                    subscription=rid.subscription, name=rid.resource_group or "", location=location
                ),
                self.clock,
            )
        return group

    def _import_tenant(self) -> Tenant:
        tenant = self.db.exec(
            select(Tenant).where(Tenant.name_key == checks.name_key(IMPORT_TENANT))
        ).first()
        return tenant or services.create_tenant(
            self.db, TenantCreate(name=IMPORT_TENANT), self.clock
        )
