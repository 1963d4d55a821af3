"""A catalog at Azure's limits, made through the bulk path (`services.bulk`), which checks
every rule the one-at-a-time services check.

By default (`full`): 10 subscriptions x 3 regions, each at the limits: 100 galleries, 1,000
image definitions and 10,000 image versions per subscription x region; 300,000 versions
replicating to about 900,000 target regions. One subscription x region has a gallery
holding all of its 1,000 definitions; in each, one definition holds 1,000 versions.

The data looks like an estate's: versions `1.0.N` published over two years (the newest
still replicating, the rest Completed), two to four target regions with replica counts,
Standard_ZRS where the region has availability zones, managed images with data disks,
some versions excluded from latest or with an end-of-life date, tags.

    python -m benchmarks.generate --size small --db /tmp/small.db
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sigtui.catalog import services
from sigtui.catalog.model import ids
from sigtui.catalog.model.schemas import (
    DefinitionCreate,
    GalleryCreate,
    GroupCreate,
    ManagedImageCreate,
    SubscriptionCreate,
    TargetRegionSpec,
    TenantCreate,
    VersionCreate,
)
from sigtui.catalog.rules.regions import get_region
from sigtui.catalog.services import bulk
from sigtui.catalog.store.clock import Clock, SystemClock
from sigtui.catalog.store.db import Catalog, open_catalog

TENANT = "Fabrikam Estate"

# Source regions, and the regions their versions replicate to (nearby, then further).
SOURCES = {
    "westeurope": ["northeurope", "uksouth", "francecentral", "swedencentral", "eastus"],
    "eastus": ["eastus2", "centralus", "westus2", "southcentralus", "westeurope"],
    "southeastasia": ["eastasia", "australiaeast", "japaneast", "centralindia", "koreacentral"],
    "westus2": ["westus", "westus3", "centralus", "canadacentral", "eastus"],
}

# Managed images per resource group: (name, OS type, Hyper-V generation, OS GiB, data GiB)
IMAGES = (
    ("ubuntu-2204-gen2", "Linux", "V2", 30, ()),
    ("rhel-9-gen1", "Linux", "V1", 64, (128,)),
    ("win2022-gen2", "Windows", "V2", 127, ()),
    ("win2019-gen1", "Windows", "V1", 127, (256, 64)),
)
OFFERS = ("Ubuntu", "RHEL", "WindowsServer", "Debian", "SQLServer", "Mariner", "Flatcar")
TEAMS = ("platform", "data", "web", "security", "ml", "payments")


@dataclass(frozen=True)
class Size:
    subscriptions: int
    regions: int
    galleries: int  # per subscription x region
    definitions: int  # per subscription x region
    versions: int  # per subscription x region
    big_definition: int  # versions of the first definition of each subscription x region

    @property
    def total_versions(self) -> int:
        return self.subscriptions * self.regions * self.versions


SIZES = {
    "full": Size(10, 3, 100, 1_000, 10_000, 1_000),
    "medium": Size(3, 2, 100, 1_000, 10_000, 1_000),
    "20k": Size(2, 2, 10, 100, 5_000, 1_000),  # the catalog of the read-process figure
    "small": Size(2, 2, 10, 100, 1_000, 200),
    "tiny": Size(1, 2, 3, 10, 60, 20),
}


@dataclass(frozen=True)
class Generated:
    size: Size
    versions: int
    target_regions: int
    build_seconds: float  # making the batches (the input)
    load_seconds: float  # the bulk path: checking and writing them

    @property
    def versions_per_second(self) -> float:
        return self.versions / self.load_seconds


def generate(catalog: Catalog, size: Size, *, seed: int = 8) -> Generated:
    """Fill an empty catalog: accounts through the services, then one bulk batch per
    subscription x region (each one transaction)."""
    rng = random.Random(seed)
    clock = catalog.clock
    places = _accounts(catalog, size, clock)
    versions = targets = 0
    build = load = 0.0
    for index, (group_id, location) in enumerate(places):
        started = time.perf_counter()
        batch = _batch(rng, size, group_id, location, clock.now(), big=index == 0)
        built = time.perf_counter()
        with catalog.write() as db:
            loaded = bulk.load(db, batch, clock)
        build += built - started
        load += time.perf_counter() - built
        versions += loaded.versions
        targets += loaded.target_regions
    return Generated(size, versions, targets, build, load)


def _accounts(catalog: Catalog, size: Size, clock: Clock) -> list[tuple[str, str]]:
    """The tenant, subscriptions, a resource group per region with its managed images;
    (group ARM id, region) of each subscription x region."""
    regions = list(SOURCES)[: size.regions]
    places = []
    with catalog.write() as db:
        services.create_tenant(db, TenantCreate(name=TENANT), clock)
        for s in range(size.subscriptions):
            sub_id = str(uuid.UUID(int=0x5C0_0000 + s))
            name = f"estate-{s:02d}"
            data = SubscriptionCreate(name=name, subscription_id=sub_id, tenant=TENANT)
            services.create_subscription(db, data, clock)
            for location in regions:
                group = f"rg-images-{location}"
                group_data = GroupCreate(subscription=sub_id, name=group, location=location)
                services.create_group(db, group_data, clock)
                group_id = ids.group_id(sub_id, group)
                for image, os_type, generation, os_gb, data_gb in IMAGES:
                    image_data = ManagedImageCreate(
                        group_id=group_id,
                        name=image,
                        location=location,
                        os_type=os_type,
                        hyper_v_generation=generation,
                        os_disk_size_gb=os_gb,
                        data_disk_sizes_gb=list(data_gb),
                    )
                    services.create_managed_image(db, image_data, clock)
                places.append((group_id, location))
    return places


def _spread(items: int, over: int, first: int) -> list[int]:
    """How many of `items` each of `over` holders gets when the first takes `first`."""
    if over == 1:
        return [items]
    rest = items - first
    return [first] + [
        rest // (over - 1) + (1 if i < rest % (over - 1) else 0) for i in range(over - 1)
    ]


def _batch(
    rng: random.Random, size: Size, group_id: str, location: str, now: datetime, *, big: bool
) -> bulk.Batch:
    """One subscription x region at its size: the first gallery holds every definition when
    `big` (a gallery with 1,000 definitions), else they are spread; the first definition
    holds `big_definition` versions, the others share the rest."""
    batch = bulk.Batch()
    galleries = [f"gallery_{location}_{g:03d}" for g in range(size.galleries)]
    for name in galleries:
        batch.galleries.append(
            bulk.NewGallery(
                group_id,
                GalleryCreate(name=name, location=location, tags={"team": rng.choice(TEAMS)}),
            )
        )
    per_gallery = _spread(
        size.definitions,
        size.galleries,
        size.definitions if big else size.definitions // size.galleries,
    )
    per_definition = iter(_spread(size.versions, size.definitions, size.big_definition))
    number = 0
    for gallery, count in zip(galleries, per_gallery, strict=True):
        gallery_id = f"{group_id}/providers/Microsoft.Compute/galleries/{gallery}"
        for _ in range(count):
            image = IMAGES[number % len(IMAGES)]
            definition = _definition(rng, number, image, location)
            batch.definitions.append(bulk.NewDefinition(gallery_id, definition))
            definition_id = f"{gallery_id}/images/{definition.name}"
            image_id = f"{group_id}/providers/Microsoft.Compute/images/{image[0]}"
            batch.versions.extend(
                _versions(rng, next(per_definition), definition_id, image_id, location, now)
            )
            number += 1
    return batch


def _definition(
    rng: random.Random, number: int, image: tuple[object, ...], location: str
) -> DefinitionCreate:
    _, os_type, generation, _, _ = image
    offer = OFFERS[number % len(OFFERS)]
    return DefinitionCreate(
        name=f"{offer.lower()}-{number:04d}",
        location=location,
        publisher="Fabrikam",
        offer=offer,
        sku=f"sku-{number:04d}",
        os_type=str(os_type),
        hyper_v_generation=str(generation),
        min_vcpus=2,
        max_vcpus=rng.choice((16, 32, 64)),
        description=f"{offer} base image, hardened",
        tags={"team": rng.choice(TEAMS)},
    )


def _targets(rng: random.Random, location: str) -> list[TargetRegionSpec]:
    """The source region and one to three others, with replicas; ZRS where zones allow."""
    others = rng.sample(SOURCES[location], rng.choice((1, 2, 2, 3)))
    specs = [TargetRegionSpec(region=location, replica_count=rng.choice((2, 3, 5)))]
    for name in others:
        zrs = get_region(name).availability_zones and rng.random() < 0.3
        specs.append(
            TargetRegionSpec(
                region=name,
                replica_count=rng.choice((1, 1, 2, 3)),
                storage_account_type="Standard_ZRS" if zrs else None,
            )
        )
    return specs


def _versions(
    rng: random.Random,
    count: int,
    definition_id: str,
    image_id: str,
    location: str,
    now: datetime,
) -> Iterator[bulk.NewVersion]:
    """`1.0.0` to `1.0.{count-1}`, published over two years; the newest of one definition
    in ten was published within the hour (still replicating)."""
    recent = rng.random() < 0.1
    step = timedelta(days=730) / max(count, 1)
    for n in range(count):
        age = step * (count - 1 - n) + (
            timedelta(minutes=rng.randint(1, 50)) if recent else timedelta(hours=rng.randint(2, 48))
        )
        eol = (now + timedelta(days=rng.randint(30, 900))).date() if rng.random() < 0.1 else None
        yield bulk.NewVersion(
            definition_id,
            VersionCreate(
                name=f"1.0.{n}",
                location=location,
                managed_image_id=image_id,
                target_regions=_targets(rng, location),
                exclude_from_latest=rng.random() < 0.02,
                end_of_life_date=eol,
                tags={"build": f"b{rng.randint(1000, 99999)}"},
            ),
            published_at=now - age,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="full")
    parser.add_argument("--db", required=True, help="a new SQLite file or a database URL")
    args = parser.parse_args()
    url = args.db if "://" in args.db else f"sqlite:///{args.db}"
    catalog = open_catalog(url, clock=SystemClock())
    try:
        done = generate(catalog, SIZES[args.size])
    finally:
        catalog.close()
    print(
        f"{done.versions:,} versions, {done.target_regions:,} target regions: built in "
        f"{done.build_seconds:.1f} s, loaded in {done.load_seconds:.1f} s "
        f"({done.versions_per_second:,.0f} versions/s)"
    )


if __name__ == "__main__":
    main()
