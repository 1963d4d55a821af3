"""What the details pane shows of the selected node: its details (`browse.details`), what
it costs and, for a subscription, its gauges of Azure's limits; read at once, so that
they agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from sigtui.catalog.queries import browse, usage
from sigtui.catalog.queries.costs.rollups import total
from sigtui.catalog.queries.costs.scopes import Scope
from sigtui.catalog.queries.costs.sheet import PriceSheet

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


@dataclass(frozen=True)
class NodeDetails:
    details: browse.Details  # with what the node costs among its fields
    limits: list[usage.UsageRow]  # a subscription's, per region; none for other nodes


def cost_fields(db: Session, ref: browse.NodeRef, sheet: PriceSheet) -> list[tuple[str, str]]:
    """What the node costs (SIG-BILLING), as details fields."""
    cost = total(db, sheet, Scope(ref.kind, ref.pk))
    money = sheet.currency
    return [
        ("Storage per month", f"{cost.monthly_storage:,.2f} {money} ({cost.replicas} replicas)"),
        ("One-time egress", f"{cost.one_time_egress:,.2f} {money} ({cost.egress_gb:,} GB)"),
    ]


def node_details(db: Session, ref: browse.NodeRef, now: datetime, sheet: PriceSheet) -> NodeDetails:
    details = browse.details(db, ref, now)
    if ref.kind in COSTED_KINDS:
        details.fields.extend(cost_fields(db, ref, sheet))
    limits = usage.usage_rows(db, subscription_pk=ref.pk) if ref.kind == browse.SUBSCRIPTION else []
    return NodeDetails(details, limits)
