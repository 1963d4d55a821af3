"""The sources image versions are made from (SIG-MIGRATE): managed images and snapshots
the catalog holds, and the sources it does not (a VM, a VHD blob, another gallery's
version), resolved for `services.versions.resolve_source`."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from sigtui.catalog.model import ids
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    DataDisk,
    ImageDefinition,
    ImageVersion,
    ManagedImage,
    ResourceGroup,
    Snapshot,
    Subscription,
    TargetRegion,
)
from sigtui.catalog.model.schemas import ManagedImageCreate, SnapshotCreate, VersionCreate
from sigtui.catalog.queries import lookup
from sigtui.catalog.rules import checks
from sigtui.catalog.rules.regions import get_region
from sigtui.catalog.services._common import (
    add_created,
    check_etag,
    check_unique_name,
    delete_unless_holding,
)
from sigtui.catalog.services.versions import (
    ResolvedSource,
    Resolver,
    SourceDisk,
    check_source_fits,
    data_snapshot_disks,
)
from sigtui.catalog.store.clock import Clock


def _group_and_location(db: Session, group_id: str, location: str) -> tuple[ResourceGroup, str]:
    group = lookup.resolve_as(db, group_id, ResourceGroup)
    subscription = db.get_one(Subscription, group.subscription_pk)
    region = get_region(location, field="location")
    checks.check_region_cloud(region, subscription.cloud, "location")
    return group, region.name


def create_managed_image(db: Session, data: ManagedImageCreate, clock: Clock) -> ManagedImage:
    group, location = _group_and_location(db, data.group_id, data.location)
    name = checks.check_resource_name(data.name, "managed image")
    assert group.pk is not None
    check_unique_name(
        db, ManagedImage, "resource_group_pk", group.pk, checks.name_key(name), "managed image"
    )
    os_state = checks.check_os_state(data.os_state)
    if os_state != "Generalized":
        raise CatalogError(
            "SIG-OSSTATE",
            "managed images are made from generalized VMs; a specialized source must be a snapshot",
            field="os_state",
        )
    checks.check_source_disk_size(data.os_disk_size_gb, "the OS disk", "os_disk_size_gb")
    for size in data.data_disk_sizes_gb:
        checks.check_source_disk_size(size, "a data disk", "data_disk_sizes_gb")
    image = ManagedImage(
        resource_group_pk=group.pk,
        subscription_pk=group.subscription_pk,
        name=name,
        name_key=checks.name_key(name),
        location=location,
        os_type=checks.check_os_type(data.os_type),
        os_state=os_state,
        hyper_v_generation=checks.check_hyper_v_generation(data.hyper_v_generation),
        os_disk_size_gb=data.os_disk_size_gb,
        data_disk_sizes_gb=list(data.data_disk_sizes_gb),
        tags=checks.check_tags(data.tags),
    )
    add_created(db, image, clock.now())
    return image


def create_snapshot(db: Session, data: SnapshotCreate, clock: Clock) -> Snapshot:
    group, location = _group_and_location(db, data.group_id, data.location)
    name = checks.check_resource_name(data.name, "snapshot")
    assert group.pk is not None
    check_unique_name(
        db, Snapshot, "resource_group_pk", group.pk, checks.name_key(name), "snapshot"
    )
    checks.check_source_disk_size(data.size_gb, "the snapshot's disk", "size_gb")
    snapshot = Snapshot(
        resource_group_pk=group.pk,
        subscription_pk=group.subscription_pk,
        name=name,
        name_key=checks.name_key(name),
        location=location,
        size_gb=data.size_gb,
        os_type=checks.check_os_type(data.os_type) if data.os_type else None,
        tags=checks.check_tags(data.tags),
    )
    add_created(db, snapshot, clock.now())
    return snapshot


def delete_managed_image(db: Session, image_id: str, if_match: str | None = None) -> None:
    image = lookup.resolve_as(db, image_id, ManagedImage)
    check_etag(image, if_match, "the managed image")
    delete_unless_holding(db, image)


def delete_snapshot(db: Session, snapshot_id: str, if_match: str | None = None) -> None:
    snapshot = lookup.resolve_as(db, snapshot_id, Snapshot)
    check_etag(snapshot, if_match, "the snapshot")
    delete_unless_holding(db, snapshot)


# --- sources the catalog does not hold: a VM, a VHD blob, another gallery's version ---------

_SEGMENT = r"[^/]+"
_VIRTUAL_MACHINE_ID = re.compile(
    rf"^/subscriptions/{_SEGMENT}/resourceGroups/{_SEGMENT}/providers/Microsoft\.Compute"
    rf"/virtualMachines/{_SEGMENT}/?$",
    re.IGNORECASE,
)
_STORAGE_ACCOUNT_ID = re.compile(
    rf"^/subscriptions/{_SEGMENT}/resourceGroups/{_SEGMENT}/providers/Microsoft\.Storage"
    r"/storageAccounts/([a-z0-9]{3,24})/?$",
    re.IGNORECASE,
)
# a blob endpoint's host suffix -> the cloud it belongs to
BLOB_ENDPOINTS = {
    "blob.core.windows.net": "AzureCloud",
    "blob.core.chinacloudapi.cn": "AzureChinaCloud",
    "blob.core.usgovcloudapi.net": "AzureUSGovernment",
    "blob.core.cloudapi.de": "AzureGermanCloud",
}


def names_other_source(data: VersionCreate) -> bool:
    """Whether the version is made from (or has disks from) a source that is neither a
    managed image nor snapshots alone."""
    return bool(
        data.virtual_machine_id
        or data.image_version_id
        or data.os_vhd_uri
        or data.os_vhd_storage_account_id
        or data.data_vhd_uris
        or data.data_vhd_storage_account_ids
        or data.data_vhd_luns
    )


def resolve_other_source(
    db: Session,
    data: VersionCreate,
    definition: ImageDefinition,
    location: str,
    resolve: Resolver,
) -> ResolvedSource:
    """A version's source that `names_other_source`: exactly one of a VM, another gallery's
    version, an OS VHD blob or an OS snapshot, data disks only with an OS disk source."""
    if bool(data.os_vhd_uri) != bool(data.os_vhd_storage_account_id):
        raise _vhd_pairing("os")
    whole = [data.managed_image_id, data.virtual_machine_id, data.image_version_id]
    given = [*whole, data.os_snapshot_id, data.os_vhd_uri]
    if sum(1 for source in given if source) != 1:
        raise CatalogError(
            "SIG-INPUT",
            "give exactly one source: a managed image, a virtual machine, an image version, "
            "an OS snapshot or an OS VHD (the last two with optional data disks)",
            field="source",
        )
    if any(whole):
        if data.data_snapshot_ids or data.data_vhd_uris:
            raise CatalogError(
                "SIG-INPUT",
                "data-disk snapshots and VHDs go with an OS snapshot or an OS VHD, not with a "
                "whole-image source (managed image, virtual machine, image version)",
                field="data_disks",
            )
        if data.data_vhd_storage_account_ids or data.data_vhd_luns:
            raise _vhd_pairing("data")
    if data.virtual_machine_id:
        return _virtual_machine_source(data.virtual_machine_id)
    if data.image_version_id:
        return _image_version_source(db, data.image_version_id, definition, location)
    return _os_disk_source(db, data, definition, location, resolve)


def _virtual_machine_source(vm_id: str) -> ResolvedSource:
    """A VM, by its ARM id. The catalog holds no VMs, so what Azure checks of it (in the
    version's region, its OS type and generalized/specialized state, Hyper-V generation and
    security type matching the definition, every disk within 2 TB) cannot be checked here;
    its disk sizes stay unknown (0) until a sync or import brings them."""
    if not _VIRTUAL_MACHINE_ID.match(vm_id.strip()):
        raise CatalogError(
            "SIG-INPUT",
            f"{vm_id!r} is not the ARM id of a virtual machine "
            "(/subscriptions/…/resourceGroups/…/providers/Microsoft.Compute/virtualMachines/…)",
            field="virtual_machine_id",
        )
    return ResolvedSource(None, None, 0, [], vm_id.strip(), sizes_known=False)


def _image_version_source(
    db: Session, version_id: str, definition: ImageDefinition, location: str
) -> ResolvedSource:
    """Another gallery's version: checked as other sources when the catalog holds its
    definition, else kept as an external source (sizes unknown)."""
    rid = ids.parse_id(version_id)
    if rid.kind != "version":
        raise CatalogError(
            "SIG-INPUT", f"{version_id!r} is not the ARM id of an image version", field="source"
        )
    definition_id = ids.definition_id(
        rid.subscription, rid.resource_group or "", rid.gallery or "", rid.definition or ""
    )
    try:
        source_definition = lookup.resolve_as(db, definition_id, ImageDefinition)
    except CatalogError as exc:
        if exc.code != "SIG-NOT-FOUND":
            raise
        return ResolvedSource(None, None, 0, [], version_id.strip(), sizes_known=False)
    source = lookup.find_version(db, source_definition, rid.version or "")
    _check_version_fits(db, source, source_definition, definition, location)
    disks = db.exec(
        select(DataDisk).where(DataDisk.version_pk == source.pk).order_by(col(DataDisk.lun))
    )
    return ResolvedSource(
        None,
        None,
        source.os_disk_size_gb,
        [SourceDisk(disk.lun, disk.size_gb, None) for disk in disks],
        lookup.arm_id(db, source),
        sizes_known=source.os_disk_size_gb > 0,
    )


def _check_version_fits(
    db: Session,
    source: ImageVersion,
    source_definition: ImageDefinition,
    definition: ImageDefinition,
    location: str,
) -> None:
    """OS type, state, Hyper-V generation and architecture agree; the source version has a
    replica in the new version's region (where Azure copies it from)."""
    what = f"image version {source.name} of {source_definition.name!r}"
    # its OS type here; its region is where it has replicas, checked below
    check_source_fits(location, source_definition.os_type, location, definition, what)
    if source_definition.os_state != definition.os_state:
        raise CatalogError(
            "SIG-OSSTATE",
            f"the {what} is {source_definition.os_state}, image definition "
            f"{definition.name!r} is {definition.os_state}: they must match",
            field="source",
        )
    for label, field in (("Hyper-V", "hyper_v_generation"), ("architecture", "architecture")):
        theirs, ours = getattr(source_definition, field), getattr(definition, field)
        if theirs != ours:
            raise CatalogError(
                "SIG-INPUT",
                f"the {what} is {label} {theirs}, image definition {definition.name!r} is "
                f"{ours}: they must match",
                field="source",
            )
    replicated = db.exec(
        select(TargetRegion.region).where(
            TargetRegion.version_pk == source.pk, TargetRegion.region == location
        )
    ).first()
    if replicated is None:
        raise CatalogError(
            "SIG-SOURCE-REGION",
            f"the {what} has no replica in {location}, the new version's location: "
            "add it as a target region of the source first",
            field="source",
        )


def _os_disk_source(
    db: Session,
    data: VersionCreate,
    definition: ImageDefinition,
    location: str,
    resolve: Resolver,
) -> ResolvedSource:
    """An OS snapshot or OS VHD blob, with data disks from snapshots and VHD blobs."""
    cloud = db.get_one(Subscription, definition.subscription_pk).cloud
    disks = data_snapshot_disks(db, data, location, resolve) + _data_vhd_disks(data, cloud)
    if data.os_snapshot_id:
        snapshot = resolve(db, data.os_snapshot_id, Snapshot)
        check_source_fits(snapshot.location, snapshot.os_type, location, definition, "OS snapshot")
        # the data VHDs' sizes are unknown: only the snapshots' can be checked
        known = not data.data_vhd_uris
        return ResolvedSource(None, snapshot, snapshot.size_gb, disks, sizes_known=known)
    account = _vhd_account(data.os_vhd_uri, data.os_vhd_storage_account_id, "os", cloud)
    uri = (data.os_vhd_uri or "").strip()
    return ResolvedSource(None, None, 0, disks, uri, sizes_known=False, storage_account_id=account)


def _data_vhd_disks(data: VersionCreate, cloud: str) -> list[SourceDisk]:
    """Data disks from VHD blobs, LUNs 0..n-1 where none are given (as az)."""
    uris, accounts = list(data.data_vhd_uris), list(data.data_vhd_storage_account_ids)
    if bool(uris) != bool(accounts) or (data.data_vhd_luns and not uris):
        raise _vhd_pairing("data")
    luns = list(data.data_vhd_luns) or list(range(len(uris)))
    if not len(uris) == len(luns) == len(accounts):
        raise CatalogError(
            "SIG-INPUT",
            f"{len(uris)} data-disk VHD URIs, {len(luns)} LUNs and {len(accounts)} storage "
            "accounts: give as many of each",
            field="data_vhd_uris",
        )
    return [
        SourceDisk(
            lun, 0, None, uri.strip(), storage_account_id=_vhd_account(uri, acc, "data", cloud)
        )
        for uri, lun, acc in zip(uris, luns, accounts, strict=True)
    ]


def _vhd_pairing(disk: str) -> CatalogError:
    """As az: a VHD blob's URI and its storage account go together."""
    if disk == "os":
        message = "--os-vhd-uri and --os-vhd-storage-account go together"
    else:
        message = (
            "--data-vhds-uris and --data-vhds-storage-accounts go together, "
            "--data-vhds-luns only with them"
        )
    return CatalogError("SIG-INPUT", message, field=f"{disk}_vhd")


def _vhd_account(uri: str | None, account_id: str | None, disk: str, cloud: str) -> str:
    """The storage account's ARM id, checked against the blob URI it holds: an https URI
    of that account's blob endpoint, in the version's cloud, naming a container and blob."""
    if not uri or not account_id:
        raise _vhd_pairing(disk)
    match = _STORAGE_ACCOUNT_ID.match(account_id.strip())
    if match is None:
        raise CatalogError(
            "SIG-INPUT",
            f"{account_id!r} is not the ARM id of a storage account "
            "(/subscriptions/…/resourceGroups/…/providers/Microsoft.Storage/storageAccounts/…)",
            field=f"{disk}_vhd_storage_account",
        )
    account = match.group(1).lower()
    host, endpoint_cloud = _blob_host(uri.strip(), disk)
    if host != account:
        raise CatalogError(
            "SIG-INPUT",
            f"VHD {uri!r} is in storage account {host!r}, not in {account!r}",
            field=f"{disk}_vhd_uri",
        )
    if endpoint_cloud != cloud:
        raise CatalogError(
            "SIG-CLOUD",
            f"VHD {uri!r} is in {endpoint_cloud}, the version's subscription in {cloud}",
            field=f"{disk}_vhd_uri",
        )
    return account_id.strip()


def _blob_host(uri: str, disk: str) -> tuple[str, str]:
    """(the storage account named by the URI's host, its cloud), or SIG-INPUT."""
    try:
        parts = urlsplit(uri)
        host = (parts.hostname or "").lower()
    except ValueError:
        parts, host = None, ""
    account, _, suffix = host.partition(".")
    path = [p for p in (parts.path if parts else "").split("/") if p]
    if (
        parts is None
        or parts.scheme.lower() != "https"
        or suffix not in BLOB_ENDPOINTS
        or len(path) < 2
    ):
        raise CatalogError(
            "SIG-INPUT",
            f"{uri!r} is not the https URI of a blob (https://ACCOUNT.blob.core.windows.net/"
            "CONTAINER/NAME.vhd)",
            field=f"{disk}_vhd_uri",
        )
    return account, BLOB_ENDPOINTS[suffix]
