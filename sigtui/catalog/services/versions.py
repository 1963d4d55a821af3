"""Image versions: create (source, target regions), update (regions, replicas, exclude
from latest, EOL, tags), add/remove target regions, delete."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from types import SimpleNamespace
from typing import Any

from sqlmodel import Session, select

from sigtui.catalog.model import fields
from sigtui.catalog.model.enums import StorageAccountType
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    ImageDefinition,
    ImageVersion,
    ManagedImage,
    RegionAllowlist,
    Snapshot,
    Subscription,
    TargetRegion,
    pk_of,
)
from sigtui.catalog.model.schemas import TargetRegionSpec, VersionCreate, VersionUpdate
from sigtui.catalog.queries import lookup
from sigtui.catalog.replication import schedule
from sigtui.catalog.rules import checks
from sigtui.catalog.rules.regions import Region, find_region
from sigtui.catalog.services._common import (
    changes_of,
    check_etag,
    refuse_changes,
    save_update,
)
from sigtui.catalog.store.clock import Clock
from sigtui.safe_text import counted

# finds a source by its ARM id and model, as `lookup.resolve_as`
Resolver = Callable[[Session, str, type[Any]], Any]

VERSION_IMMUTABLE = fields.fixed_names(fields.VERSION_FIELDS)


@dataclass(frozen=True)
class SourceDisk:
    lun: int
    size_gb: int
    snapshot_pk: int | None
    external_source_id: str | None = None  # a disk the catalog does not hold (imports, VHDs)
    storage_account_id: str | None = None  # a VHD blob's storage account


@dataclass(frozen=True)
class ResolvedSource:
    """A version's source: a managed image, an OS snapshot, or (imports) an external id."""

    managed_image: ManagedImage | None
    os_snapshot: Snapshot | None
    os_disk_size_gb: int
    data_disks: list[SourceDisk]
    external_source_id: str | None = None
    sizes_known: bool = True  # False: a VM's or VHD's disks, 0 GiB where unknown
    storage_account_id: str | None = None  # an OS VHD blob's storage account

    @cached_property
    def size_gb(self) -> int:
        """The OS disk and the data disks together: what replication copies."""
        return self.os_disk_size_gb + sum(disk.size_gb for disk in self.data_disks)


def parse_target_region(text: str) -> TargetRegionSpec:
    """`region[=replicas][=storage-type]` or `region=storage-type`, as `az sig image-version
    create --target-regions` parses them; the storage type in Azure's casing."""
    parts = [p.strip() for p in (text or "").split("=")]
    if not parts[0] or len(parts) > 3:
        raise CatalogError(
            "SIG-REPLICAS",
            f"target region {text!r} is not region[=replicas][=storage-type], "
            "e.g. westeurope=2=Standard_ZRS or eastus=Standard_ZRS",
            field="target_regions",
        )
    second = parts[1] if len(parts) > 1 else ""
    if len(parts) == 2 and second and not checks.is_whole_number(second):
        return TargetRegionSpec(
            region=parts[0], storage_account_type=_second_part_storage(second, text)
        )
    replicas: int | None = None
    if second:
        if not checks.is_whole_number(second):
            raise CatalogError(
                "SIG-REPLICAS",
                f"replica count {second!r} in {text!r} is not a whole number",
                field="target_regions",
            )
        replicas = int(second)
    storage = checks.check_storage_type(parts[2]) if len(parts) > 2 and parts[2] else None
    return TargetRegionSpec(region=parts[0], replica_count=replicas, storage_account_type=storage)


def _second_part_storage(second: str, text: str) -> str:
    """`region=TYPE`: the second part is a storage type when it is no replica count (az)."""
    try:
        return checks.check_storage_type(second)
    except CatalogError:
        raise CatalogError(
            "SIG-REPLICAS",
            f"{second!r} in {text!r} is neither a replica count nor a storage account type "
            f"({', '.join(s.value for s in StorageAccountType)})",
            field="target_regions",
        ) from None


def _resolve_region(spec: TargetRegionSpec) -> Region:
    region = find_region(spec.region)
    if region is None:
        raise CatalogError(
            "SIG-REPLICAS", f"unknown target region {spec.region!r}", field="target_regions"
        )
    return region


def check_new_target(
    region: Region, storage: str, subscription: Subscription, allowlist: set[str]
) -> None:
    """Rules for a region a version starts replicating to."""
    checks.check_region_cloud(region, subscription.cloud, "target_regions")
    if region.needs_allowlist and region.name not in allowlist:
        raise CatalogError(
            "SIG-REGION-ALLOWLIST",
            f"replicating to {region.display_name} needs the subscription to be allowlisted "
            f"for it; {subscription.name!r} is not",
            field="target_regions",
        )
    checks.check_zone_storage(region, storage, "target_regions")


def allowlist_of(db: Session, subscription: Subscription) -> set[str]:
    return set(
        db.exec(
            select(RegionAllowlist.region).where(RegionAllowlist.subscription_pk == subscription.pk)
        )
    )


def resolve_targets(specs: list[TargetRegionSpec]) -> list[tuple[Region, int | None, str | None]]:
    """Regions named once each, replica counts in range; defaults left as None."""
    resolved: list[tuple[Region, int | None, str | None]] = []
    seen: set[str] = set()
    for spec in specs:
        region = _resolve_region(spec)
        if region.name in seen:
            raise CatalogError(
                "SIG-REPLICAS",
                f"{region.display_name} is listed twice; a region appears once per version",
                field="target_regions",
            )
        seen.add(region.name)
        if spec.replica_count is not None:
            checks.check_replica_count(spec.replica_count, "target_regions")
        storage = (
            checks.check_storage_type(spec.storage_account_type)
            if spec.storage_account_type
            else None
        )
        resolved.append((region, spec.replica_count, storage))
    return resolved


def resolve_source(
    db: Session,
    data: VersionCreate,
    definition: ImageDefinition,
    location: str,
    resolve: Resolver = lookup.resolve_as,
) -> ResolvedSource:
    """The version's source, checked against its definition and location. `resolve` finds a
    source by its ARM id (the bulk path passes one that remembers what it found)."""
    from sigtui.catalog.services import sources  # it imports this module

    if sources.names_other_source(data):  # a VM, another version, VHD blobs
        return sources.resolve_other_source(db, data, definition, location, resolve)
    if bool(data.managed_image_id) == bool(data.os_snapshot_id):
        raise CatalogError(
            "SIG-INPUT",
            "give exactly one source: a managed image, a virtual machine, an image version, "
            "an OS snapshot or an OS VHD (the last two with optional data disks)",
            field="source",
        )
    if data.managed_image_id:
        if data.data_snapshot_ids or data.data_snapshot_luns:
            raise CatalogError(
                "SIG-INPUT",
                "data-disk snapshots go with an OS snapshot, not with a managed image",
                field="data_snapshot_ids",
            )
        image = resolve(db, data.managed_image_id, ManagedImage)
        check_source_fits(image.location, image.os_type, location, definition, "managed image")
        if definition.os_state != "Generalized":
            raise CatalogError(
                "SIG-OSSTATE",
                f"managed images are generalized; image definition {definition.name!r} is "
                "Specialized, so its versions come from snapshots",
                field="source",
            )
        if image.hyper_v_generation != definition.hyper_v_generation:
            raise CatalogError(
                "SIG-INPUT",
                f"the managed image is Hyper-V {image.hyper_v_generation}, image definition "
                f"{definition.name!r} is {definition.hyper_v_generation}: they must match",
                field="source",
            )
        disks = [SourceDisk(lun, size, None) for lun, size in enumerate(image.data_disk_sizes_gb)]
        return ResolvedSource(image, None, image.os_disk_size_gb, disks)
    os_snapshot = resolve(db, data.os_snapshot_id or "", Snapshot)
    check_source_fits(
        os_snapshot.location, os_snapshot.os_type, location, definition, "OS snapshot"
    )
    return ResolvedSource(
        None, os_snapshot, os_snapshot.size_gb, data_snapshot_disks(db, data, location, resolve)
    )


def check_source_fits(
    source_location: str,
    source_os: str | None,
    location: str,
    definition: ImageDefinition,
    what: str,
) -> None:
    if source_location != location:
        raise CatalogError(
            "SIG-SOURCE-REGION",
            f"the {what} is in {source_location}, the version in {location}: the source must "
            "be in the version's location (its source region)",
            field="source",
        )
    if source_os and source_os != definition.os_type:
        raise CatalogError(
            "SIG-INPUT",
            f"the {what} is {source_os}, image definition {definition.name!r} is "
            f"{definition.os_type}",
            field="source",
        )


def data_snapshot_disks(
    db: Session, data: VersionCreate, location: str, resolve: Resolver
) -> list[SourceDisk]:
    """Data disks from snapshots, LUNs 0..n-1 where none are given (as az)."""
    luns = list(data.data_snapshot_luns) or list(range(len(data.data_snapshot_ids)))
    if len(luns) != len(data.data_snapshot_ids):
        raise CatalogError(
            "SIG-INPUT",
            f"{counted(len(data.data_snapshot_ids), 'data-disk snapshot')} but "
            f"{counted(len(luns), 'LUN')}",
            field="data_snapshot_luns",
        )
    if any(lun < 0 for lun in luns):
        raise CatalogError("SIG-INPUT", "LUNs are non-negative", field="data_snapshot_luns")
    if len(set(luns)) != len(luns):
        raise CatalogError(
            "SIG-DISK-SIZE", "data disks need unique LUNs", field="data_snapshot_luns"
        )
    disks = []
    for snapshot_id, lun in zip(data.data_snapshot_ids, luns, strict=True):
        snapshot = resolve(db, snapshot_id, Snapshot)
        if snapshot.location != location:
            raise CatalogError(
                "SIG-SOURCE-REGION",
                f"data-disk snapshot {snapshot.name!r} is in {snapshot.location}, the version "
                f"in {location}",
                field="data_snapshot_ids",
            )
        disks.append(SourceDisk(lun, snapshot.size_gb, snapshot.pk))
    return disks


def check_source_disks(source: ResolvedSource) -> None:
    """SIG-DISK-SIZE: every disk of the source within Azure's sizes, its LUNs unique (a
    disk of unknown size, 0 GiB of a VM or VHD, is Azure's to check)."""
    if source.sizes_known or source.os_disk_size_gb:
        checks.check_disk_size(source.os_disk_size_gb, "the OS disk", "source")
    luns = [disk.lun for disk in source.data_disks]
    if any(lun < 0 for lun in luns):
        raise CatalogError("SIG-INPUT", "LUNs are non-negative", field="data_disks")
    if len(set(luns)) != len(luns):
        raise CatalogError("SIG-DISK-SIZE", "data disks need unique LUNs", field="data_disks")
    for disk in source.data_disks:
        if source.sizes_known or disk.size_gb:
            checks.check_disk_size(disk.size_gb, f"the data disk at LUN {disk.lun}", "source")


def create_version(
    db: Session,
    definition_id: str,
    data: VersionCreate,
    clock: Clock,
    source: ResolvedSource | None = None,
) -> ImageVersion:
    """A new version, replicating to its target regions: a batch of one through the bulk
    path, which holds the create rules. `source` is given only by an import whose source
    the catalog does not hold; otherwise the data names it."""
    from sigtui.catalog.services import bulk  # it imports this module

    new = bulk.NewVersion(definition_id, data, source=source)
    version: ImageVersion = bulk.create_one(db, new, clock)
    return version


def version_name_taken(name: str, definition_name: str) -> CatalogError:
    """SIG-NAME: a version number appears once per definition (compared numerically)."""
    return CatalogError(
        "SIG-NAME",
        f"version {name} already exists in image definition {definition_name!r}",
        field="name",
    )


def check_source_among_targets(
    location: str, resolved: list[tuple[Region, int | None, str | None]]
) -> None:
    """SIG-SOURCE-REGION: a version always replicates to its source region."""
    if location not in {region.name for region, _, _ in resolved}:
        source = find_region(location)
        raise CatalogError(
            "SIG-SOURCE-REGION",
            f"the source region {source.display_name if source else location} must be "
            "one of the target regions (it cannot be removed)",
            field="target_regions",
        )


@dataclass(frozen=True)
class _NewTarget:
    """A target region to add once the version has its key (`_add_targets`)."""

    region: str
    replica_count: int
    storage_account_type: str


def _apply_targets(
    db: Session,
    version: ImageVersion,
    specs: list[TargetRegionSpec],
    subscription: Subscription,
    now: datetime,
    existing: dict[str, TargetRegion],
) -> list[_NewTarget]:
    """Make the version's target regions match `specs` (SIG-REPLICAS, SIG-ZRS,
    SIG-SOURCE-REGION, SIG-CLOUD, SIG-REGION-ALLOWLIST). Dropped regions are cancelled
    (their rows go); the new regions are returned for the caller
    to add (and start) once the version has its key."""
    resolved = resolve_targets(specs)
    check_source_among_targets(version.location, resolved)
    allowlist = allowlist_of(db, subscription)
    pending: list[_NewTarget] = []
    for region, replicas, storage in resolved:
        current = existing.get(region.name)
        if current is not None:
            if storage is not None and storage != current.storage_account_type:
                raise CatalogError(
                    "SIG-ZRS",
                    f"the storage type of {region.display_name} is "
                    f"{current.storage_account_type} and cannot change; remove the region "
                    "and add it again to change it",
                    field="target_regions",
                )
            if replicas is not None and replicas != current.replica_count:
                current.replica_count = replicas
                current.updated_at = now
                db.add(current)
            continue
        storage = storage or version.storage_account_type
        check_new_target(region, storage, subscription, allowlist)
        pending.append(
            _NewTarget(
                region=region.name,
                replica_count=replicas if replicas is not None else version.replica_count,
                storage_account_type=storage,
            )
        )
    wanted = {region.name for region, _, _ in resolved}
    for name, target in existing.items():
        if name not in wanted:
            db.delete(target)
    return pending


def _add_targets(
    db: Session, version: ImageVersion, targets: list[_NewTarget], now: datetime
) -> None:
    """Add the new target regions and start replicating to them (SIG-REPLICATION)."""
    db.flush()
    starting = sum(1 for t in targets if t.region != version.location)
    at_once = schedule.replicating_count(db, version, now) + starting
    size_gb = schedule.version_size_gb(db, version)
    for new in targets:
        target = TargetRegion(
            region=new.region,
            replica_count=new.replica_count,
            storage_account_type=new.storage_account_type,
            version_pk=pk_of(version),
            size_gb=size_gb,
            source_region=version.location,
        )
        schedule.start(target, version.location, size_gb, at_once, now, version.replication_speed)
        db.add(target)
    db.flush()


def targets_of(db: Session, version: ImageVersion) -> dict[str, TargetRegion]:
    rows = db.exec(select(TargetRegion).where(TargetRegion.version_pk == version.pk))
    return {row.region: row for row in rows}


def _current_view(db: Session, version: ImageVersion) -> SimpleNamespace:
    """The version's fixed fields as an update would name them."""
    image = db.get(ManagedImage, version.managed_image_pk) if version.managed_image_pk else None
    snapshot = db.get(Snapshot, version.os_snapshot_pk) if version.os_snapshot_pk else None
    return SimpleNamespace(
        name=version.name,
        location=version.location,
        managed_image_id=lookup.arm_id(db, image) if image else None,
        os_snapshot_id=lookup.arm_id(db, snapshot) if snapshot else None,
        replica_count=version.replica_count,
        storage_account_type=version.storage_account_type,
    )


def update_version(
    db: Session,
    version_id: str,
    data: VersionUpdate,
    clock: Clock,
    if_match: str | None = None,
) -> ImageVersion:
    """SIG-UPDATE: target regions and their replica counts, the common replica count,
    exclude-from-latest, EOL, tags."""
    version = lookup.resolve_as(db, version_id, ImageVersion)
    check_etag(version, if_match, "the image version")
    given = changes_of(data)
    if given.get("name"):
        given["name"] = str(checks.parse_version_name(given["name"]))
    if given.get("storage_account_type"):
        given["storage_account_type"] = checks.check_storage_type(given["storage_account_type"])
    refuse_changes(_current_view(db, version), given, VERSION_IMMUTABLE, "image version")
    now = clock.now()
    if data.target_regions is not None and "target_regions" in given:
        subscription = db.get_one(Subscription, version.subscription_pk)
        new_targets = _apply_targets(
            db, version, data.target_regions, subscription, now, targets_of(db, version)
        )
        _add_targets(db, version, new_targets, now)
    if "exclude_from_latest" in given and data.exclude_from_latest is not None:
        version.exclude_from_latest = data.exclude_from_latest
    if given.get("replica_count") is not None:  # the count of regions added later
        version.replica_count = checks.check_replica_count(given["replica_count"])
    if "end_of_life_date" in given and given["end_of_life_date"] != version.end_of_life_date:
        checks.check_future_eol(given["end_of_life_date"], now)
        version.end_of_life_date = given["end_of_life_date"]
    save_update(db, version, given, now)  # always an UPDATE of the row: the etag moves
    return version


def add_target_regions(
    db: Session,
    version_id: str,
    specs: list[TargetRegionSpec],
    clock: Clock,
    if_match: str | None = None,
) -> ImageVersion:
    """Add regions (or change replica counts of listed ones); replication starts there."""
    version = lookup.resolve_as(db, version_id, ImageVersion)
    current = targets_of(db, version)
    merged = [
        TargetRegionSpec(region=name, replica_count=None, storage_account_type=None)
        for name in current
    ]
    resolve_targets(specs)  # SIG-REPLICAS: each region named once, counts in range
    for spec in specs:
        region = _resolve_region(spec)
        merged = [m for m in merged if m.region != region.name]
        merged.append(spec.model_copy(update={"region": region.name}))
    return update_version(
        db, version_id, VersionUpdate(target_regions=merged), clock, if_match=if_match
    )


def remove_target_regions(
    db: Session,
    version_id: str,
    regions: list[str],
    clock: Clock,
    if_match: str | None = None,
) -> ImageVersion:
    """Remove regions (cancelling their replication); never the source region."""
    version = lookup.resolve_as(db, version_id, ImageVersion)
    current = targets_of(db, version)
    dropped = set()
    for text in regions:
        region = _resolve_region(TargetRegionSpec(region=text))
        if region.name not in current:
            raise CatalogError(
                "SIG-NOT-FOUND",
                f"{region.display_name} is not a target region of version {version.name}",
                field="target_regions",
            )
        dropped.add(region.name)
    kept = [TargetRegionSpec(region=name) for name in current if name not in dropped]
    return update_version(
        db, version_id, VersionUpdate(target_regions=kept), clock, if_match=if_match
    )


def delete_version(db: Session, version_id: str, if_match: str | None = None) -> None:
    version = lookup.resolve_as(db, version_id, ImageVersion)
    check_etag(version, if_match, "the image version")
    db.delete(version)
    db.flush()
