"""Use of Azure's limits per subscription x region, as gauges (SIG-LIMIT-*).

The counts come from `counts.usage`: one aggregate statement for every row of a screen,
never a query per row. The limits themselves live in `sigtui.catalog.rules.limits` only.

A gauge's level: "ok" below 80 % of its limit, "warning" from 80 %, "critical" from 95 %.
Rows come fullest first (the highest share of any of their three limits).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import Session

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.queries import counts as counts_of
from sigtui.catalog.rules import limits
from sigtui.catalog.rules.limits import Limit
from sigtui.catalog.rules.regions import find_region, get_region

if TYPE_CHECKING:
    from sigtui.catalog.rules.access import Visibility

WARNING_SHARE = 0.80
CRITICAL_SHARE = 0.95

OK = "ok"
WARNING = "warning"
CRITICAL = "critical"
LEVELS = (OK, WARNING, CRITICAL)  # in order of gravity


def current_limits() -> tuple[Limit, Limit, Limit]:
    """Galleries, definitions, versions: read at each call, as the services do."""
    return (limits.GALLERIES, limits.DEFINITIONS, limits.VERSIONS)


def limit_of(kind: str) -> Limit:
    """The limit of a kind: `galleries`, `imageDefinitions` or `imageVersions`."""
    for limit in current_limits():
        if limit.kind == kind:
            return limit
    kinds = ", ".join(limit.kind for limit in current_limits())
    raise CatalogError("SIG-INPUT", f"unknown kind of resource {kind!r} (one of {kinds})")


def level_of(used: int, maximum: int) -> str:
    """ "ok", "warning" (from 80 % of the limit) or "critical" (from 95 %)."""
    share = used / maximum
    if share >= CRITICAL_SHARE:
        return CRITICAL
    if share >= WARNING_SHARE:
        return WARNING
    return OK


@dataclass(frozen=True)
class Gauge:
    """How much of one limit a subscription uses in one region."""

    kind: str  # galleries | imageDefinitions | imageVersions (the CLI's JSON keys)
    noun: str  # "galleries", "image definitions", "image versions"
    code: str  # SIG-LIMIT-GALLERIES, ...
    used: int
    limit: int

    @property
    def share(self) -> float:
        """Used / limit, from 0 to 1 (1 or more: at the limit)."""
        return self.used / self.limit

    @property
    def percent(self) -> int:
        """The share in whole percent, rounded down (99 % stays below the limit)."""
        return self.used * 100 // self.limit

    @property
    def free(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def level(self) -> str:
        return level_of(self.used, self.limit)

    @property
    def at_limit(self) -> bool:
        return self.used >= self.limit


@dataclass(frozen=True)
class UsageRow:
    """One subscription in one region, with a gauge per limit."""

    subscription_pk: int
    subscription: str  # its name
    subscription_id: str
    location: str  # the programmatic region name
    region: str  # the region's display name
    galleries: Gauge
    definitions: Gauge
    versions: Gauge

    @property
    def gauges(self) -> tuple[Gauge, Gauge, Gauge]:
        return (self.galleries, self.definitions, self.versions)

    def gauge(self, kind: str) -> Gauge:
        for gauge in self.gauges:
            if gauge.kind == kind:
                return gauge
        raise KeyError(kind)

    @property
    def fullest(self) -> float:
        """The highest share of any of the three limits."""
        return max(gauge.share for gauge in self.gauges)

    @property
    def level(self) -> str:
        """The gravest level of the three gauges."""
        return max((gauge.level for gauge in self.gauges), key=LEVELS.index)


def _gauges(counts: counts_of.Usage) -> tuple[Gauge, Gauge, Gauge]:
    galleries, definitions, versions = (
        Gauge(limit.kind, limit.noun, limit.code, counts.used(limit.kind), limit.maximum)
        for limit in current_limits()
    )
    return galleries, definitions, versions


def _region_name(location: str) -> str:
    region = find_region(location)
    return region.display_name if region else location


def usage_rows(
    db: Session,
    subscription_pk: int | None = None,
    location: str | None = None,
    viewer: Visibility | None = None,
) -> list[UsageRow]:
    """Gauges for every subscription x region in use (of one subscription, one region, when
    given; the region in any spelling), fullest first; with a viewer, counting only what it
    sees (a subscription where it sees nothing has no row). Two queries in all: the counts
    (one aggregate) and the subscriptions' names."""
    wanted = get_region(location, field="location").name if location else None
    counts = counts_of.usage(db, subscription_pk=subscription_pk, location=wanted, viewer=viewer)
    names = counts_of.subscription_names(db, {c.subscription_pk for c in counts})
    rows = [
        UsageRow(
            c.subscription_pk,
            *names[c.subscription_pk],
            c.location,
            _region_name(c.location),
            *_gauges(c),
        )
        for c in counts
    ]
    return sorted(rows, key=lambda r: (-r.fullest, r.subscription.casefold(), r.location))


@dataclass(frozen=True)
class Headroom:
    """Room left under one limit, for a create form to warn before it is filled in."""

    kind: str
    code: str
    used: int
    limit: int
    location: str

    @property
    def free(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def at_limit(self) -> bool:
        """True when the service would refuse one more (SIG-LIMIT-*)."""
        return self.used >= self.limit

    @property
    def level(self) -> str:
        return level_of(self.used, self.limit)

    @property
    def message(self) -> str:
        """What a form shows: at the limit, nearly there, or how many are left."""
        noun = limit_of(self.kind).noun
        region = _region_name(self.location)
        if self.at_limit:
            return (
                f"{self.code}: at the limit: {self.used:,} of {self.limit:,} {noun} in "
                f"{region}; Azure allows no more in this subscription and region"
            )
        return f"{self.free:,} of {self.limit:,} {noun} left in {region}"


def headroom(db: Session, subscription_pk: int, location: str, kind: str) -> Headroom:
    """Room left for one more `kind` (`galleries`, `imageDefinitions`, `imageVersions`)
    in a subscription and region (any spelling of the region). One aggregate query."""
    limit = limit_of(kind)
    region = get_region(location, field="location").name
    counts = counts_of.usage(db, subscription_pk=subscription_pk, location=region)
    used = counts[0].used(kind) if counts else 0
    return Headroom(kind, limit.code, used, limit.maximum, region)
