"""What a price sheet holds: disk tiers, snapshot and egress rates, each figure with its
currency, date, source and certainty; and the names of the storage types and cost bases."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sigtui.catalog.model.enums import StorageAccountType
from sigtui.catalog.rules.regions import CONTINENT_OF_GEOGRAPHY

MANAGED_DISK = "managedDisk"  # the source document's basis: a managed disk tier per replica
SNAPSHOT = "snapshot"  # Azure's basis today: a snapshot per GB-month per replica
BASES = (MANAGED_DISK, SNAPSHOT)

CERTAINTIES = ("official", "third-party", "unverified")
CONTINENTS = tuple(sorted(set(CONTINENT_OF_GEOGRAPHY.values())))
STORAGE_TYPES = tuple(s.value for s in StorageAccountType)
LRS = StorageAccountType.STANDARD_LRS.value
ZRS = StorageAccountType.STANDARD_ZRS.value
PREMIUM = StorageAccountType.PREMIUM_LRS.value

BUILT_IN = "built-in"


@dataclass(frozen=True)
class Figure:
    """One figure of the sheet, with where it comes from and how sure it is."""

    path: str  # its key in the sheet, e.g. "managedDisk.Standard_LRS[0]"
    value: Decimal
    currency: str | None  # None for a ratio (zrsMultiplier)
    date: str
    source: str
    certainty: str  # official | third-party | unverified


@dataclass(frozen=True)
class DiskTier:
    name: str  # S4, P10, ...
    size_gb: int
    price: Figure  # per disk per month


@dataclass(frozen=True)
class PriceSheet:
    currency: str
    date: str
    source: str
    origin: str  # "built-in", or the path of the user's file
    default_basis: str
    disk_tiers: Mapping[str, tuple[DiskTier, ...]]  # by storage account type
    zrs_multiplier: Figure  # Standard_ZRS = Standard_LRS x this, where not given apart
    snapshot_per_gb: Mapping[str, Figure]  # by storage account type, per GB-month
    egress_within: Mapping[str, Figure]  # per GB, by continent
    egress_between: Mapping[str, Figure]  # per GB, by the source region's continent
    notes: tuple[str, ...] = ()

    def figures(self) -> list[Figure]:
        """Every figure, for a screen that lists the sheet with its certainty."""
        tiers = [tier.price for group in self.disk_tiers.values() for tier in group]
        return [
            *tiers,
            self.zrs_multiplier,
            *self.snapshot_per_gb.values(),
            *self.egress_within.values(),
            *self.egress_between.values(),
        ]
