"""Every rollup of a scope (`sigtui cost`), and what the cost screen shows of the whole
catalog."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlmodel import Session

from sigtui.catalog.queries.browse import DEFINITION, GALLERY, SUBSCRIPTION, VERSION
from sigtui.catalog.queries.costs.prices import Cost, check_basis
from sigtui.catalog.queries.costs.ranking import Ranking, costliest_of
from sigtui.catalog.queries.costs.rollups import rollup
from sigtui.catalog.queries.costs.scopes import CATALOG, REGION_LEVEL, Scope
from sigtui.catalog.queries.costs.sheet import PriceSheet

if TYPE_CHECKING:
    from sigtui.catalog.rules.access import Visibility


@dataclass(frozen=True)
class CostReport:
    """Every rollup of a scope, for the cost screen and `sigtui cost`."""

    currency: str
    basis: str
    sheet: PriceSheet
    scope: Scope
    total: Cost
    by_region: dict[str, Cost] = field(default_factory=dict)
    by_version: dict[str, Cost] = field(default_factory=dict)
    by_definition: dict[str, Cost] = field(default_factory=dict)
    by_gallery: dict[str, Cost] = field(default_factory=dict)
    by_subscription: dict[str, Cost] = field(default_factory=dict)


def cost_report(
    db: Session,
    sheet: PriceSheet,
    scope: Scope = CATALOG,
    basis: str | None = None,
    viewer: Visibility | None = None,
) -> CostReport:
    """Totals and rollups by region, version, definition, gallery and subscription of a
    scope (of what `viewer` sees in it): one aggregate query per level."""
    chosen = check_basis(basis, sheet)

    def by(level: str) -> dict[str, Cost]:
        lines = rollup(db, sheet, level, scope, chosen, viewer=viewer)
        return {line.key: line.cost for line in lines}

    by_region = by(REGION_LEVEL)
    return CostReport(
        currency=sheet.currency,
        basis=chosen,
        sheet=sheet,
        scope=scope,
        total=sum(by_region.values(), Cost()),
        by_region=by_region,
        by_version=by(VERSION),
        by_definition=by(DEFINITION),
        by_gallery=by(GALLERY),
        by_subscription=by(SUBSCRIPTION),
    )


@dataclass(frozen=True)
class CostOverview:
    """What the cost screen shows of the whole catalog: the total and every region, and
    only the costliest galleries and versions (a catalog may hold 300,000 versions)."""

    currency: str
    basis: str
    sheet: PriceSheet
    total: Cost
    by_region: dict[str, Cost]
    galleries: Ranking
    versions: Ranking


def cost_overview(
    db: Session,
    sheet: PriceSheet,
    *,
    galleries: int,
    versions: int,
    basis: str | None = None,
    viewer: Visibility | None = None,
) -> CostOverview:
    """The whole catalog's cost by region, with its `galleries` and `versions` costliest
    (of what `viewer` sees)."""
    chosen = check_basis(basis, sheet)
    regions = rollup(db, sheet, REGION_LEVEL, basis=chosen, viewer=viewer)
    by_region = {line.key: line.cost for line in regions}
    limits = {GALLERY: galleries, VERSION: versions}
    ranked = costliest_of(db, sheet, limits, basis=chosen, viewer=viewer)
    return CostOverview(
        currency=sheet.currency,
        basis=chosen,
        sheet=sheet,
        total=sum(by_region.values(), Cost()),
        by_region=by_region,
        galleries=ranked[GALLERY],
        versions=ranked[VERSION],
    )
