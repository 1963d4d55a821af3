"""Catalog rows in the Azure CLI's JSON shape (what `az ... show/list` prints).

ARM's REST body without its `properties` wrapper, as `az` flattens it, plus
`resourceGroup` and `etag` (the row's version counter, as text). Keys are camelCase.

The list functions take whole lists and never run a query per row: parents, sources,
target regions and data disks are loaded in one query per kind (fetch.by_pk and the
`*_of` batch reads), and ARM ids are then built from the session's identity map.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlmodel import Session

from sigtui.catalog.model import ids
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    SUCCEEDED,
    DataDisk,
    Gallery,
    ImageDefinition,
    ImageVersion,
    ManagedImage,
    Principal,
    ResourceGroup,
    RoleAssignment,
    Snapshot,
    Subscription,
    TargetRegion,
    Tenant,
    pk_of,
)
from sigtui.catalog.queries import fetch, lookup
from sigtui.catalog.replication import schedule
from sigtui.catalog.rules import access
from sigtui.catalog.rules.regions import find_region

Json = dict[str, Any]
Row = TypeVar("Row")
Shown = TypeVar("Shown")

GALLERY_TYPE = "Microsoft.Compute/galleries"
DEFINITION_TYPE = "Microsoft.Compute/galleries/images"
VERSION_TYPE = "Microsoft.Compute/galleries/images/versions"
MANAGED_IMAGE_TYPE = "Microsoft.Compute/images"
SNAPSHOT_TYPE = "Microsoft.Compute/snapshots"
GROUP_TYPE = "Microsoft.Resources/resourceGroups"


# --- small conversions -----------------------------------------------------------------


def arm_datetime(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def region_display_name(name: str) -> str:
    """`westeurope` -> `West Europe` (target regions come back as display names)."""
    region = find_region(name)
    return region.display_name if region else name


def with_resource_groups(value: Shown) -> Shown:
    """Add `resourceGroup` to every object whose `id` lies under a resource group, nested
    ones included, as az does to what it prints (`storageProfile.source.resourceGroup`)."""
    if isinstance(value, list):
        for item in value:
            with_resource_groups(item)
    elif isinstance(value, dict):
        group = _group_of(value.get("id"))
        if group is not None and not any(str(k).casefold() == "resourcegroup" for k in value):
            value["resourceGroup"] = group
        for item in value.values():
            with_resource_groups(item)
    return value


def _group_of(arm_id: Any) -> str | None:
    if not isinstance(arm_id, str):
        return None
    parts = arm_id.split("/")
    folded = [part.casefold() for part in parts]
    if "resourcegroups" not in folded:
        return None
    at = folded.index("resourcegroups") + 1
    return parts[at] if at < len(parts) and parts[at] else None


def _common(db: Session, loaded: _Loaded, row: Any, group_pk: int, kind: str) -> Json:
    return {
        "id": lookup.arm_id(db, row),
        "name": row.name,
        "location": row.location,
        "resourceGroup": loaded.get(ResourceGroup, group_pk).name,
        "type": kind,
        "tags": dict(row.tags or {}),
        "etag": str(row.etag),
    }


# --- loading parents and sources (one query per kind) -------------------------------------


@dataclass
class _Loaded:
    """The rows one batch needs, by model and primary key. Holding them here also keeps
    them in the session's identity map (which references rows weakly), so that
    `lookup.arm_id` finds every parent there without SQL."""

    db: Session
    rows: dict[type, dict[int, Any]] = field(default_factory=dict)

    def load(self, model: type[Any], pks: Iterable[int | None]) -> dict[int, Any]:
        found = fetch.by_pk(self.db, model, pks)
        self.rows.setdefault(model, {}).update(found)
        return found

    def get(self, model: type[Row], pk: int) -> Row:
        row: Row = self.rows[model][pk]  # loaded as a `model`
        return row

    def parents(
        self,
        *,
        definition_pks: Iterable[int] = (),
        gallery_pks: Iterable[int] = (),
        group_pks: Iterable[int] = (),
    ) -> _Loaded:
        """The chain definition -> gallery -> group -> subscription."""
        definitions = self.load(ImageDefinition, definition_pks)
        found = self.load(Gallery, [*gallery_pks, *(d.gallery_pk for d in definitions.values())])
        groups = self.load(
            ResourceGroup, [*group_pks, *(g.resource_group_pk for g in found.values())]
        )
        self.load(Subscription, [g.subscription_pk for g in groups.values()])
        return self


# --- galleries, definitions ------------------------------------------------------------------


def galleries(db: Session, rows: Sequence[Gallery]) -> list[Json]:
    loaded = _Loaded(db).parents(group_pks=[r.resource_group_pk for r in rows])
    return with_resource_groups([_gallery(db, loaded, row) for row in rows])


def gallery(db: Session, row: Gallery) -> Json:
    return galleries(db, [row])[0]


def _gallery(db: Session, loaded: _Loaded, row: Gallery) -> Json:
    subscription = loaded.get(Subscription, row.subscription_pk)
    return {
        **_common(db, loaded, row, row.resource_group_pk, GALLERY_TYPE),
        "description": row.description,
        "identifier": {"uniqueName": f"{subscription.subscription_id}-{row.name.upper()}"},
        "provisioningState": row.provisioning_state,
    }


def definitions(db: Session, rows: Sequence[ImageDefinition]) -> list[Json]:
    loaded = _Loaded(db).parents(gallery_pks=[r.gallery_pk for r in rows])
    return with_resource_groups([_definition(db, loaded, row) for row in rows])


def definition(db: Session, row: ImageDefinition) -> Json:
    return definitions(db, [row])[0]


def _definition(db: Session, loaded: _Loaded, row: ImageDefinition) -> Json:
    parent = loaded.get(Gallery, row.gallery_pk)
    return {
        **_common(db, loaded, row, parent.resource_group_pk, DEFINITION_TYPE),
        "description": row.description,
        "eula": row.eula,
        "privacyStatementUri": row.privacy_statement_uri,
        "releaseNoteUri": row.release_note_uri,
        "endOfLifeDate": arm_datetime(row.end_of_life_date),
        "osType": row.os_type,
        "osState": row.os_state,
        "hyperVGeneration": row.hyper_v_generation,
        "architecture": row.architecture,
        "features": _features(row.features),
        "identifier": {"publisher": row.publisher, "offer": row.offer, "sku": row.sku},
        "recommended": {
            "vCPUs": {"min": row.min_vcpus, "max": row.max_vcpus},
            "memory": {"min": row.min_memory_mb, "max": row.max_memory_mb},
        },
        "disallowed": {"diskTypes": list(row.disallowed_disk_types or [])},
        "provisioningState": row.provisioning_state,
    }


def _features(features: dict[str, str] | None) -> list[Json] | None:
    """REST's `features[]`; None (az's `null`) when the definition has none."""
    if not features:
        return None
    return [{"name": name, "value": value} for name, value in features.items()]


# --- versions -----------------------------------------------------------------------------


def versions(
    db: Session, rows: Sequence[ImageVersion], *, replication_at: datetime | None = None
) -> list[Json]:
    """The versions as az shows them; with `replication_at`, also their replication status
    at that time (`--expand ReplicationStatus`)."""
    pks = [row.pk for row in rows if row.pk is not None]
    targets = fetch.target_regions_of(db, pks)
    disks = fetch.data_disks_of(db, pks)
    loaded = _Loaded(db).parents(definition_pks=[r.definition_pk for r in rows])
    _load_sources(loaded, rows, disks)
    return with_resource_groups(
        [
            _version(db, loaded, row, targets[pk_of(row)], disks[pk_of(row)], replication_at)
            for row in rows
        ]
    )


def version(db: Session, row: ImageVersion, *, replication_at: datetime | None = None) -> Json:
    return versions(db, [row], replication_at=replication_at)[0]


def _load_sources(
    loaded: _Loaded, rows: Sequence[ImageVersion], disks: dict[int, list[DataDisk]]
) -> None:
    images = loaded.load(ManagedImage, [r.managed_image_pk for r in rows])
    snapshot_pks = [r.os_snapshot_pk for r in rows]
    snapshot_pks += [d.snapshot_pk for found in disks.values() for d in found]
    snapshots = loaded.load(Snapshot, snapshot_pks)
    loaded.parents(group_pks=[s.resource_group_pk for s in [*images.values(), *snapshots.values()]])


def _version(
    db: Session,
    loaded: _Loaded,
    row: ImageVersion,
    targets: list[TargetRegion],
    disks: list[DataDisk],
    replication_at: datetime | None,
) -> Json:
    parent = loaded.get(ImageDefinition, row.definition_pk)
    gallery_row = loaded.get(Gallery, parent.gallery_pk)
    shown: Json = {
        **_common(db, loaded, row, gallery_row.resource_group_pk, VERSION_TYPE),
        "publishingProfile": _publishing_profile(row, targets),
        "storageProfile": _storage_profile(db, loaded, row, disks),
        "safetyProfile": {
            "allowDeletionOfReplicatedLocations": False,
            "reportedForPolicyViolation": False,
        },
        "provisioningState": row.provisioning_state,
    }
    if replication_at is not None:
        shown["replicationStatus"] = replication_status(targets, replication_at)
    return shown


def _publishing_profile(row: ImageVersion, targets: list[TargetRegion]) -> Json:
    return {
        "targetRegions": [
            {
                "name": region_display_name(t.region),
                "regionalReplicaCount": t.replica_count,
                "storageAccountType": t.storage_account_type,
            }
            for t in targets
        ],
        "replicaCount": row.replica_count,
        "storageAccountType": row.storage_account_type,
        "excludeFromLatest": row.exclude_from_latest,
        "endOfLifeDate": arm_datetime(row.end_of_life_date),
        "publishedDate": arm_datetime(row.published_at),
    }


def replication_status(targets: list[TargetRegion], now: datetime) -> Json:
    """The regions' states at `now`, and the version's aggregatedState."""
    statuses = [schedule.status_at(t, now) for t in targets]
    return {
        "aggregatedState": str(schedule.aggregated_state(s.state for s in statuses)),
        "summary": [
            {
                "region": region_display_name(t.region),
                "state": s.state,
                "details": t.details,
                "progress": s.progress,
            }
            for t, s in zip(targets, statuses, strict=True)
        ],
    }


# where a source goes in the storage profile: the whole version's (`storageProfile.source`)
# or a disk's (`osDiskImage.source`, `dataDiskImages[].source`), as in GalleryRP 2025-03-03
WHOLE, DISK = "whole", "disk"
_VIRTUAL_MACHINE_ID = re.compile(r"/providers/Microsoft\.Compute/virtualMachines/[^/]+/?$", re.I)


def _storage_profile(
    db: Session, loaded: _Loaded, row: ImageVersion, disks: list[DataDisk]
) -> Json:
    place, source = _version_source(db, loaded, row)
    profile: Json = {}
    if place == WHOLE:
        profile["source"] = source
    os_disk: Json = {**_size(row.os_disk_size_gb), "hostCaching": row.os_host_caching}
    if place == DISK and source is not None:
        os_disk["source"] = source
    profile["osDiskImage"] = os_disk
    profile["dataDiskImages"] = [_data_disk(db, loaded, d) for d in disks]
    return profile


def _version_source(db: Session, loaded: _Loaded, row: ImageVersion) -> tuple[str, Json | None]:
    """Where the version's source goes, and its object: a managed image, a VM or another
    version for the whole version; a snapshot, a disk or a VHD blob for the OS disk."""
    if row.managed_image_pk is not None:
        return WHOLE, {"id": lookup.arm_id(db, loaded.get(ManagedImage, row.managed_image_pk))}
    if row.os_snapshot_pk is not None:
        return DISK, {"id": lookup.arm_id(db, loaded.get(Snapshot, row.os_snapshot_pk))}
    if row.external_source_id is None:
        return DISK, None
    return external_source(row.external_source_id, row.source_storage_account_id)


def _size(size_gb: int) -> Json:
    """`sizeInGB`, left out while unknown (0: a VM's or VHD blob's disk the catalog has
    not measured)."""
    return {"sizeInGB": size_gb} if size_gb else {}


def external_source(text: str, storage_account_id: str | None = None) -> tuple[str, Json]:
    """A source the catalog does not hold, by its id (a VHD by its blob URI and the
    storage account holding it), in its place."""
    if text.casefold().startswith(("https://", "http://")):
        account = {"storageAccountId": storage_account_id} if storage_account_id else {}
        return DISK, {**account, "uri": text}
    if _VIRTUAL_MACHINE_ID.search(text):
        return WHOLE, {"virtualMachineId": text}
    try:
        kind = ids.parse_id(text).kind
    except CatalogError:  # any other id (a disk): an OS disk source
        kind = None
    return (WHOLE if kind in ("image", "version") else DISK), {"id": text}


def _data_disk(db: Session, loaded: _Loaded, disk: DataDisk) -> Json:
    shown: Json = {"lun": disk.lun, **_size(disk.size_gb), "hostCaching": disk.host_caching}
    if disk.snapshot_pk is not None:
        shown["source"] = {"id": lookup.arm_id(db, loaded.get(Snapshot, disk.snapshot_pk))}
    elif disk.external_source_id:
        shown["source"] = external_source(disk.external_source_id, disk.storage_account_id)[1]
    return shown


# --- sources: managed images and snapshots ------------------------------------------------------


def managed_images(db: Session, rows: Sequence[ManagedImage]) -> list[Json]:
    loaded = _Loaded(db).parents(group_pks=[r.resource_group_pk for r in rows])
    return with_resource_groups([_managed_image(db, loaded, row) for row in rows])


def managed_image(db: Session, row: ManagedImage) -> Json:
    return managed_images(db, [row])[0]


def _managed_image(db: Session, loaded: _Loaded, row: ManagedImage) -> Json:
    return {
        **_common(db, loaded, row, row.resource_group_pk, MANAGED_IMAGE_TYPE),
        "hyperVGeneration": row.hyper_v_generation,
        "storageProfile": {
            "osDisk": {
                "osType": row.os_type,
                "osState": row.os_state,
                "diskSizeGb": row.os_disk_size_gb,
            },
            "dataDisks": [
                {"lun": lun, "diskSizeGb": size}
                for lun, size in enumerate(row.data_disk_sizes_gb or [])
            ],
        },
        "provisioningState": SUCCEEDED,
    }


def snapshots(db: Session, rows: Sequence[Snapshot]) -> list[Json]:
    loaded = _Loaded(db).parents(group_pks=[r.resource_group_pk for r in rows])
    return with_resource_groups([_snapshot(db, loaded, row) for row in rows])


def snapshot(db: Session, row: Snapshot) -> Json:
    return snapshots(db, [row])[0]


def _snapshot(db: Session, loaded: _Loaded, row: Snapshot) -> Json:
    return {
        **_common(db, loaded, row, row.resource_group_pk, SNAPSHOT_TYPE),
        "diskSizeGb": row.size_gb,
        "osType": row.os_type,
        "provisioningState": SUCCEEDED,
    }


# --- accounts: tenants, subscriptions, resource groups ----------------------------------------


def tenants(rows: Sequence[Tenant]) -> list[Json]:
    """As `az account tenant list` prints them."""
    return [
        {"id": f"/tenants/{row.tenant_id}", "tenantId": row.tenant_id, "displayName": row.name}
        for row in rows
    ]


def tenant(row: Tenant) -> Json:
    return tenants([row])[0]


def subscriptions(db: Session, rows: Sequence[Subscription]) -> list[Json]:
    """As `az account list` prints them, plus the regions each is allowlisted for."""
    owners = fetch.by_pk(db, Tenant, [r.tenant_pk for r in rows])
    allowlists = fetch.allowlists_of(db, [r.pk for r in rows if r.pk is not None])
    return [
        {
            "id": row.subscription_id,
            "name": row.name,
            "tenantId": owners[row.tenant_pk].tenant_id,
            "homeTenantId": owners[row.tenant_pk].tenant_id,
            "cloudName": row.cloud,
            "state": "Enabled",
            "isDefault": False,
            "managedByTenants": [],
            "allowlistedRegions": allowlists.get(row.pk or 0, []),
        }
        for row in rows
    ]


def subscription(db: Session, row: Subscription) -> Json:
    return subscriptions(db, [row])[0]


def resource_groups(db: Session, rows: Sequence[ResourceGroup]) -> list[Json]:
    """As `az group list` prints them."""
    loaded = _Loaded(db)
    loaded.load(Subscription, [r.subscription_pk for r in rows])
    return [
        {
            "id": lookup.arm_id(db, row),
            "name": row.name,
            "location": row.location,
            "managedBy": None,
            "tags": dict(row.tags or {}),
            "type": GROUP_TYPE,
            "properties": {"provisioningState": SUCCEEDED},
        }
        for row in rows
    ]


def resource_group(db: Session, row: ResourceGroup) -> Json:
    return resource_groups(db, [row])[0]


# --- principals and role assignments (SIG-ACCESS) ---------------------------------------

ROLE_ASSIGNMENT_TYPE = "Microsoft.Authorization/roleAssignments"


def principal(db: Session, row: Principal) -> Json:
    tenant = db.get_one(Tenant, row.tenant_pk)
    return {
        "id": row.object_id,
        "displayName": row.name,
        "principalType": row.principal_type,
        "tenantId": tenant.tenant_id,
        "tenantName": tenant.name,
    }


def role_assignment(db: Session, row: RoleAssignment) -> Json:
    """As `az role assignment list` prints one, plus what the role allows and whether
    the principal is from another tenant than the scope."""
    who = db.get_one(Principal, row.principal_pk)
    scope = access.scope_of(db, row)
    scope_id = lookup.arm_id(db, scope)
    name = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{scope_id}|{who.object_id}|{row.role}"))
    subscription = db.get_one(Subscription, scope.subscription_pk)
    role_id = access.role_definitions()[row.role].role_id
    return {
        "id": f"{scope_id}/providers/{ROLE_ASSIGNMENT_TYPE}/{name}",
        "name": name,
        "type": ROLE_ASSIGNMENT_TYPE,
        "principalId": who.object_id,
        "principalName": who.name,
        "principalType": who.principal_type,
        "roleDefinitionId": f"/subscriptions/{subscription.subscription_id}/providers/"
        f"Microsoft.Authorization/roleDefinitions/{role_id}",
        "roleDefinitionName": row.role,
        "scope": scope_id,
        "scopeKind": access.scope_kind(row),
        "allows": sorted(c.value for c in access.capabilities_of(row.role)),
        "crossTenant": access.is_cross_tenant(db, row),
        "etag": str(row.etag),
    }
