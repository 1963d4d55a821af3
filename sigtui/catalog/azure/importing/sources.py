"""The source of an imported version: the catalog's own managed image or snapshots, or
an external source with the disk sizes the file gives; a source never changes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from sigtui.catalog import services
from sigtui.catalog.azure.importing.shapes import Json, get
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import ImageVersion, ManagedImage, Resource, Snapshot
from sigtui.catalog.model.schemas import VersionCreate
from sigtui.catalog.queries import lookup
from sigtui.catalog.rules import checks
from sigtui.catalog.services.versions import ResolvedSource, SourceDisk
from sigtui.catalog.store.clock import Clock


@dataclass(frozen=True)
class ExternalDisk:
    lun: int
    size_gb: int
    source_id: str | None


@dataclass(frozen=True)
class ExternalSource:
    """A source the catalog does not hold, with the sizes the file gives."""

    source_id: str
    os_disk_size_gb: int
    data_disks: list[ExternalDisk]


def _source_ids(body: Json) -> tuple[str | None, str | None, list[Json]]:
    """(the image source id, the OS disk source id, the data disks) of a storage profile."""
    storage = body.get("storageProfile") or {}
    image = (storage.get("source") or {}).get("id")
    os_disk = storage.get("osDiskImage") or {}
    os_source = (os_disk.get("source") or {}).get("id")
    return image, os_source, list(storage.get("dataDiskImages") or [])


def _held(db: Session, source_id: str | None, model: type[Resource]) -> Resource | None:
    """The catalog's row for a source id, or None when the catalog does not hold it."""
    if not source_id:
        return None
    try:
        row = lookup.resolve(db, source_id)
    except CatalogError:
        return None
    return row if isinstance(row, model) else None


def catalog_source(db: Session, body: Json) -> Json | None:
    """The VersionCreate source fields when the catalog holds every source, else None."""
    image_id, os_id, disks = _source_ids(body)
    if image_id and _held(db, image_id, ManagedImage) is not None:
        return {"managed_image_id": image_id}
    disk_ids = [(d.get("source") or {}).get("id") for d in disks]
    held = [_held(db, i, Snapshot) for i in [os_id, *disk_ids]]
    if os_id and not image_id and all(row is not None for row in held):
        return {
            "os_snapshot_id": os_id,
            "data_snapshot_ids": disk_ids,
            "data_snapshot_luns": [int(d.get("lun", n)) for n, d in enumerate(disks)],
        }
    return None


def external_source(body: Json) -> ExternalSource:
    image_id, os_id, disks = _source_ids(body)
    source_id = image_id or os_id
    if not source_id:
        raise CatalogError(
            "SIG-INPUT", "the version names no source (storageProfile.source or osDiskImage)"
        )
    os_size = get(body, "storageProfile", "osDiskImage", "sizeInGB")
    if not isinstance(os_size, int):
        raise CatalogError(
            "SIG-INPUT",
            f"source {source_id} is not in the catalog and the file gives no "
            "storageProfile.osDiskImage.sizeInGB for it",
        )
    external_disks = []
    for disk in disks:
        size, lun = disk.get("sizeInGB"), disk.get("lun")
        if not isinstance(size, int) or not isinstance(lun, int):
            raise CatalogError("SIG-INPUT", "each data disk of the version needs lun and sizeInGB")
        external_disks.append(ExternalDisk(lun, size, (disk.get("source") or {}).get("id")))
    return ExternalSource(source_id, os_size, external_disks)


def refuse_new_source(db: Session, row: ImageVersion, body: Json) -> None:
    """SIG-UPDATE: the source of a version cannot change."""
    image_id, os_id, _ = _source_ids(body)
    stated = image_id or os_id
    if not stated:
        return
    current = _current_source_id(db, row)
    if current is not None and current.casefold() != stated.casefold():
        raise CatalogError(
            "SIG-UPDATE",
            f"the source of the image version cannot change after creation ({current})",
            field="source",
        )


def _current_source_id(db: Session, row: ImageVersion) -> str | None:
    if row.managed_image_pk is not None:
        return lookup.arm_id(db, db.get_one(ManagedImage, row.managed_image_pk))
    if row.os_snapshot_pk is not None:
        return lookup.arm_id(db, db.get_one(Snapshot, row.os_snapshot_pk))
    return row.external_source_id


# --- a version from an external source (the same rules as services.create_version) ---------


def create_external_version(
    db: Session, definition_id: str, data: VersionCreate, source: ExternalSource, clock: Clock
) -> ImageVersion:
    """A version whose source the catalog does not hold: every rule of create_version
    except those about the source row (its location and OS are unknown)."""
    _check_external_disks(source)
    resolved = ResolvedSource(
        managed_image=None,
        os_snapshot=None,
        os_disk_size_gb=source.os_disk_size_gb,
        data_disks=[
            SourceDisk(disk.lun, disk.size_gb, None, disk.source_id) for disk in source.data_disks
        ],
        external_source_id=source.source_id,
    )
    return services.create_version(db, definition_id, data, clock, source=resolved)


def _check_external_disks(source: ExternalSource) -> None:
    checks.check_disk_size(source.os_disk_size_gb, "the OS disk", "source")
    luns = [disk.lun for disk in source.data_disks]
    if any(lun < 0 for lun in luns):
        raise CatalogError("SIG-INPUT", "LUNs are non-negative", field="data_disks")
    if len(set(luns)) != len(luns):
        raise CatalogError("SIG-DISK-SIZE", "data disks need unique LUNs", field="data_disks")
    for disk in source.data_disks:
        checks.check_disk_size(disk.size_gb, f"the data disk at LUN {disk.lun}", "source")
