"""What the details pane shows of the selected node: its details (`browse.details`), what
it costs and, for a subscription, its gauges of Azure's limits; read at once, so that
they agree."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from sigtui.catalog.model.models import AZURE, Gallery, ImageDefinition, ImageVersion, Subscription
from sigtui.catalog.queries import browse, fetch, usage
from sigtui.catalog.queries.costs.rollups import total
from sigtui.catalog.queries.costs.scopes import CATALOG, Scope
from sigtui.catalog.queries.costs.sheet import PriceSheet
from sigtui.safe_text import counted

if TYPE_CHECKING:
    from sigtui.catalog.rules.access import Visibility

COSTED_KINDS = frozenset(
    {
        browse.TENANT,
        browse.SUBSCRIPTION,
        browse.GROUP,
        browse.GALLERY,
        browse.DEFINITION,
        browse.VERSION,
    }
)
# whose cost the app reads after their details (`cost_fields`): a version's is its few
# target regions, read by key with the details (one read and one redraw per tree key)
COST_APART = COSTED_KINDS - {browse.VERSION}


@dataclass(frozen=True)
class NodeDetails:
    details: browse.Details  # with what the node costs among its fields
    limits: list[usage.UsageRow]  # a subscription's, per region; none for other nodes


def cost_fields(
    db: Session, ref: browse.NodeRef, sheet: PriceSheet, viewer: Visibility | None = None
) -> list[tuple[str, str]]:
    """What the node costs (SIG-BILLING), as details fields: of what `viewer` sees."""
    cost = total(db, sheet, _cost_scope(db, ref, viewer), viewer=viewer)
    money = sheet.currency
    replicas = counted(cost.replicas, "replica")
    return [
        ("Storage per month", f"{cost.monthly_storage:,.2f} {money} ({replicas})"),
        ("One-time egress", f"{cost.one_time_egress:,.2f} {money} ({cost.egress_gb:,} GB)"),
    ]


def _cost_scope(db: Session, ref: browse.NodeRef, viewer: Visibility | None) -> Scope:
    """The node's scope; the whole catalog for a tenant that holds every subscription (a
    catalog has one tenant, mostly): the same total, summed from the target regions'
    covering index alone, where the tenant's joins every region to its subscription (at
    Azure's limits 0.1 s against 3 s, and it is what the app selects at start)."""
    if ref.kind == browse.TENANT and viewer is None:
        others = select(Subscription.pk).where(col(Subscription.tenant_pk) != ref.pk).limit(1)
        if db.exec(others).first() is None:
            return CATALOG
    return Scope(ref.kind, ref.pk)


def node_details(
    db: Session,
    ref: browse.NodeRef,
    now: datetime,
    sheet: PriceSheet,
    viewer: Visibility | None = None,
    *,
    with_cost: bool = True,
) -> NodeDetails:
    """The node's details as `viewer` sees them: a tenant's subscriptions, the costs and
    the limits' counts of what it sees only. Without `with_cost`, no cost fields: what
    a tenant or a subscription costs takes a read of all its target regions (seconds at
    Azure's limits), which the app does apart (`cost_fields`), after the rest is shown."""
    details = browse.details(db, ref, now)
    details.fields.extend(origin_fields(db, ref))
    if viewer is not None and ref.kind == browse.TENANT:
        details = _seen_subscriptions(db, details, viewer)
    if with_cost and ref.kind in COSTED_KINDS:
        details.fields.extend(cost_fields(db, ref, sheet, viewer))
    limits = (
        usage.usage_rows(db, subscription_pk=ref.pk, viewer=viewer)
        if ref.kind == browse.SUBSCRIPTION
        else []
    )
    return NodeDetails(details, limits)


_OBSERVABLE: dict[str, type[Gallery] | type[ImageDefinition] | type[ImageVersion]] = {
    browse.GALLERY: Gallery,
    browse.DEFINITION: ImageDefinition,
    browse.VERSION: ImageVersion,
}


def origin_fields(db: Session, ref: browse.NodeRef) -> list[tuple[str, str]]:
    """Where a gallery, definition or version came from, when a sync read it from Azure
    (observed state) and when; nothing for what was made in sigtui."""
    model = _OBSERVABLE.get(ref.kind)
    row: Any = db.get(model, ref.pk) if model is not None else None
    if row is None or row.origin != AZURE:
        return []
    synced = row.synced_at.strftime("%Y-%m-%d %H:%M UTC") if row.synced_at else "—"
    return [("Origin", "Azure (observed by sigtui sync)"), ("Last synced", synced)]


def _seen_subscriptions(db: Session, details: browse.Details, viewer: Visibility) -> browse.Details:
    """A tenant's details with only the subscriptions the viewer sees something in."""
    seen_ids = set(fetch.subscription_ids(db, viewer))
    tables = [
        replace(t, rows=[r for r in t.rows if r[1] in seen_ids])
        if t.title == "Subscriptions"
        else t
        for t in details.tables
    ]
    count = next((len(t.rows) for t in tables if t.title == "Subscriptions"), 0)
    fields = [(n, str(count) if n == "Subscriptions" else v) for n, v in details.fields]
    return replace(details, tables=tables, fields=fields)
