"""What things cost by a price sheet: one replica per month, egress per GB, and a group
of version x region pairs alike (`Cost`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.queries.costs.sheet import (
    BASES,
    LRS,
    SNAPSHOT,
    STORAGE_TYPES,
    ZRS,
    DiskTier,
    PriceSheet,
)
from sigtui.catalog.rules.regions import Region, get_region

ZERO = Decimal(0)


def check_basis(basis: str | None, sheet: PriceSheet) -> str:
    """`basis`, or the sheet's default basis when None (SIG-INPUT if unknown)."""
    chosen = basis or sheet.default_basis
    if chosen not in BASES:
        raise CatalogError(
            "SIG-INPUT", f"unknown cost basis {chosen!r} (one of {', '.join(BASES)})", field="basis"
        )
    return chosen


def _storage(storage: str) -> str:
    if storage not in STORAGE_TYPES:
        raise CatalogError(
            "SIG-INPUT",
            f"unknown storage account type {storage!r} (one of {', '.join(STORAGE_TYPES)})",
            field="storage_type",
        )
    return storage


def tier_for(tiers: Sequence[DiskTier], size_gb: Decimal | int) -> DiskTier | None:
    """The smallest tier that holds `size_gb` (None when none is large enough)."""
    return next((tier for tier in tiers if tier.size_gb >= size_gb), None)


def _tiered_price(tiers: Sequence[DiskTier], size_gb: Decimal) -> Decimal:
    """The smallest tier holding the size; beyond the largest tier, whole largest-tier
    disks plus the smallest tier that holds the rest."""
    largest = tiers[-1]
    full, rest = divmod(size_gb, largest.size_gb)
    price = largest.price.value * full
    if rest:
        price += (tier_for(tiers, rest) or largest).price.value
    return price


def replica_price(
    sheet: PriceSheet, size_gb: Decimal | int, storage: str, basis: str | None = None
) -> Decimal:
    """The monthly price of one replica of a version of `size_gb` in `storage`."""
    chosen = check_basis(basis, sheet)
    storage = _storage(storage)
    size = Decimal(size_gb)
    if chosen == SNAPSHOT:
        per_gb = sheet.snapshot_per_gb.get(storage) or sheet.snapshot_per_gb[LRS]
        factor = _zrs_factor(sheet, storage, sheet.snapshot_per_gb)
        return size * per_gb.value * factor
    tiers = sheet.disk_tiers.get(storage) or sheet.disk_tiers[LRS]
    return _tiered_price(tiers, size) * _zrs_factor(sheet, storage, sheet.disk_tiers)


def _zrs_factor(sheet: PriceSheet, storage: str, given: Mapping[str, Any]) -> Decimal:
    """Standard_ZRS without figures of its own: Standard_LRS x the sheet's multiplier."""
    if storage == ZRS and ZRS not in given:
        return sheet.zrs_multiplier.value
    return Decimal(1)


def egress_rate(sheet: PriceSheet, source: Region, target: Region) -> Decimal:
    """Per GB, replicating from `source` to `target` (0 within one region)."""
    if source.name == target.name:
        return ZERO
    if source.continent == target.continent:
        return sheet.egress_within[source.continent].value
    return sheet.egress_between[source.continent].value


@dataclass(frozen=True)
class Cost:
    """Storage per month, one-time egress, replicas billed and GB transferred."""

    monthly_storage: Decimal = ZERO
    one_time_egress: Decimal = ZERO
    replicas: int = 0  # each billed as a managed disk (or a snapshot)
    egress_gb: Decimal = ZERO

    def __add__(self, other: Cost) -> Cost:
        return Cost(
            self.monthly_storage + other.monthly_storage,
            self.one_time_egress + other.one_time_egress,
            self.replicas + other.replicas,
            self.egress_gb + other.egress_gb,
        )


def priced_group(
    sheet: PriceSheet,
    basis: str,
    size_gb: Decimal | int,
    storage: str,
    region: str,
    source_region: str,
    replicas: int,
    regions: int = 1,
) -> Cost:
    """The cost of `regions` version x region pairs alike (same size, storage, region and
    source region) holding `replicas` replicas between them."""
    size = Decimal(size_gb)
    target, source = get_region(region), get_region(source_region)
    crossings = 0 if target.name == source.name else regions  # egress once per region
    return Cost(
        monthly_storage=replica_price(sheet, size, storage, basis) * replicas,
        one_time_egress=size * egress_rate(sheet, source, target) * crossings,
        replicas=replicas,
        egress_gb=size * crossings,
    )
