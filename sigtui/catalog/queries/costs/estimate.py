"""What-if: the cost of one version of a size replicated to some regions, without the
catalog."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.queries.costs.prices import Cost, check_basis, priced_group
from sigtui.catalog.queries.costs.sheet import PriceSheet
from sigtui.catalog.rules.checks import (
    check_disk_size,
    check_region_cloud,
    check_replica_count,
    check_zone_storage,
)
from sigtui.catalog.rules.regions import get_region

Target = tuple[str, int, str]  # (region in any spelling, replicas, storage account type)


@dataclass(frozen=True)
class Estimate:
    """What-if: one version of a size, replicated to some regions."""

    currency: str
    basis: str
    monthly: Decimal
    one_time: Decimal
    by_region: dict[str, Cost]  # by programmatic region name, in the order given
    replicas: int = 0


def what_if(
    size_gb: Decimal | int | float,
    targets: Sequence[Target],
    source_region: str,
    sheet: PriceSheet,
    basis: str | None = None,
) -> Estimate:
    """The monthly storage and one-time egress of one version of `size_gb` (OS + data
    disks) made in `source_region` and replicated to `targets` (the source region among
    them, SIG-SOURCE-REGION; all of them in its cloud, SIG-CLOUD; Standard_ZRS only where
    there are zones, SIG-ZRS; 1 to 100 replicas each, SIG-REPLICAS). Fast and without the
    catalog: for a calculator that updates as the user types; bad input raises
    CatalogError naming the field."""
    chosen = check_basis(basis, sheet)
    size = _size(size_gb)
    source = get_region(source_region, field="source_region")
    by_region: dict[str, Cost] = {}
    for region_name, replicas, storage in targets:
        region = get_region(region_name, field="target_regions")
        if region.name in by_region:
            raise CatalogError(
                "SIG-REPLICAS",
                f"{region.display_name} is listed twice; a region appears once per version",
                field="target_regions",
            )
        check_region_cloud(region, source.cloud, "target_regions")  # SIG-CLOUD
        check_zone_storage(region, storage, "target_regions")  # SIG-ZRS
        check_replica_count(replicas, "target_regions")
        by_region[region.name] = priced_group(
            sheet, chosen, size, storage, region.name, source.name, replicas
        )
    if source.name not in by_region:
        raise CatalogError(
            "SIG-SOURCE-REGION",
            f"the source region {source.display_name} must be one of the target regions",
            field="target_regions",
        )
    total = sum(by_region.values(), Cost())
    return Estimate(
        sheet.currency,
        chosen,
        total.monthly_storage,
        total.one_time_egress,
        by_region,
        total.replicas,
    )


def _size(size_gb: Decimal | int | float) -> Decimal:
    try:
        size = Decimal(str(size_gb))
    except ArithmeticError:
        size = Decimal("NaN")
    if isinstance(size_gb, bool) or not size.is_finite() or size <= 0:
        raise CatalogError(
            "SIG-INPUT",
            f"the version's size must be a positive number of GB, not {size_gb!r}",
            field="size_gb",
        )
    return size


def disk_sizes(sizes_gb: Sequence[int]) -> int:
    """A version's size from its disks' (the OS disk, then data disks), each bounded as a
    version's disk is (SIG-DISK-SIZE: 1 GiB to 2 TB)."""
    if not sizes_gb:
        raise CatalogError(
            "SIG-INPUT", "give the OS disk's size, then any data disks'", field="size_gb"
        )
    for index, size in enumerate(sizes_gb):
        what = "the OS disk" if index == 0 else f"data disk {index}"
        check_disk_size(size, what, "size_gb")
    return sum(sizes_gb)
