"""The source of an imported version: the catalog's own managed image or snapshots, or
an external source (a VM, another gallery's version, VHD blobs, an estate's image or
disks) with the disk sizes the file gives; a source never changes. The disks' host
caching as Azure reported it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from sigtui.catalog.azure.importing.scope import Scope
from sigtui.catalog.azure.importing.shapes import HOST_CACHING, Json, reported
from sigtui.catalog.model import ids
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import DATA_DISK_CACHING, OS_DISK_CACHING, ManagedImage, Snapshot
from sigtui.catalog.queries import lookup
from sigtui.catalog.rules import checks
from sigtui.catalog.services.versions import ResolvedSource, SourceDisk

_MODELS: dict[str, type[ManagedImage] | type[Snapshot]] = {
    "image": ManagedImage,
    "snapshot": Snapshot,
}


@dataclass(frozen=True)
class StorageProfile:
    """A version's storage profile as the file gives it (GalleryRP 2025-03-03): a whole
    source (`source.id` of a managed image or a version, `source.virtualMachineId`), or
    disk sources (`id` of a snapshot or disk, or a VHD blob's `uri` and `storageAccountId`)."""

    whole: Json
    os_disk: Json
    disks: list[Json]

    @classmethod
    def of(cls, body: Json) -> StorageProfile:
        storage = body.get("storageProfile") or {}
        return cls(
            storage.get("source") or {},
            storage.get("osDiskImage") or {},
            list(storage.get("dataDiskImages") or []),
        )

    @property
    def image_id(self) -> str | None:
        """`source.id`: a managed image or another gallery's version."""
        return self.whole.get("id")

    @property
    def whole_id(self) -> str | None:
        return self.image_id or self.whole.get("virtualMachineId")

    @property
    def source_id(self) -> str | None:
        """The version's source: the whole source, else the OS disk's."""
        return self.whole_id or _disk_source(self.os_disk)[0]


def _disk_source(disk: Json) -> tuple[str | None, str | None]:
    """(a disk's source: its id or VHD blob URI, the blob's storage account)."""
    source = disk.get("source") or {}
    return source.get("id") or source.get("uri"), source.get("storageAccountId")


def source_ids(body: Json) -> list[str]:
    """Every source id a version's body names that the catalog may hold: its image's,
    its OS and data disks' (not VMs nor VHD blobs)."""
    profile = StorageProfile.of(body)
    disks = [profile.os_disk, *profile.disks]
    named = [profile.image_id, *((d.get("source") or {}).get("id") for d in disks)]
    return [str(text) for text in named if text]


class HeldSources:
    """Which of a batch's source ids name a managed image or snapshot of the catalog: one
    query per kind of source (their resource groups found once each)."""

    def __init__(self, db: Session, scope: Scope, arm_ids: Iterable[str]) -> None:
        self._held: set[tuple[str, str]] = set()  # (kind, the id without case)
        wanted: dict[str, dict[int, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
        if not _holds_any_source(db):  # no id is parsed (an estate's import: 20,000 of them)
            return
        for arm_id in arm_ids:
            rid = _parsed(arm_id)
            if rid is None or rid.kind not in _MODELS:
                continue
            group = scope.find(rid.subscription, rid.resource_group or "")
            if group is not None and group.pk is not None:
                wanted[rid.kind][group.pk][checks.name_key(rid.name or "")] = arm_id
        for kind, by_group in wanted.items():
            model = _MODELS[kind]
            names = sorted({key for keys in by_group.values() for key in keys})
            rows = db.exec(
                select(model.resource_group_pk, model.name_key).where(
                    col(model.resource_group_pk).in_(sorted(by_group)),
                    col(model.name_key).in_(names),
                )
            )
            for group_pk, key in rows:
                if key in by_group[group_pk]:
                    self._held.add((kind, by_group[group_pk][key].casefold()))

    def holds(self, arm_id: str | None, kind: str) -> bool:
        return bool(arm_id) and (kind, str(arm_id).casefold()) in self._held


def _holds_any_source(db: Session) -> bool:
    """Whether the catalog holds any managed image or snapshot."""
    return any(db.exec(select(model.pk).limit(1)).first() is not None for model in _MODELS.values())


def _parsed(arm_id: str) -> ids.ResourceId | None:
    try:
        return ids.parse_id(arm_id)
    except CatalogError:
        return None


def catalog_source(profile: StorageProfile, held: HeldSources) -> Json | None:
    """The VersionCreate source fields when the catalog holds every source, else None."""
    if profile.image_id and held.holds(profile.image_id, "image"):
        return {"managed_image_id": profile.image_id}
    os_id = (profile.os_disk.get("source") or {}).get("id")
    disk_ids = [(d.get("source") or {}).get("id") for d in profile.disks]
    if (
        os_id
        and not profile.whole_id
        and all(held.holds(i, "snapshot") for i in [os_id, *disk_ids])
    ):
        return {
            "os_snapshot_id": os_id,
            "data_snapshot_ids": disk_ids,
            "data_snapshot_luns": [int(d.get("lun", n)) for n, d in enumerate(profile.disks)],
        }
    return None


def external_source(profile: StorageProfile) -> ResolvedSource:
    """A source the catalog does not hold (a VM, another gallery's version, a VHD blob,
    an image or disk of the estate), with the disk sizes the file gives: 0 where it gives
    none (their rules are checked with the version's: `services.versions.check_source_disks`)."""
    source_id = profile.source_id
    if not source_id:
        raise CatalogError(
            "SIG-INPUT",
            "the version names no source (storageProfile.source or osDiskImage.source)",
        )
    os_size = _size(profile.os_disk)
    disks = [_external_disk(disk, n) for n, disk in enumerate(profile.disks)]
    return ResolvedSource(
        managed_image=None,
        os_snapshot=None,
        os_disk_size_gb=os_size or 0,
        data_disks=disks,
        external_source_id=str(source_id),
        sizes_known=os_size is not None and all(_size(d) is not None for d in profile.disks),
        storage_account_id=None if profile.whole_id else _disk_source(profile.os_disk)[1],
    )


def _size(disk: Json) -> int | None:
    size = disk.get("sizeInGB")
    return size if isinstance(size, int) and not isinstance(size, bool) else None


def _external_disk(disk: Json, index: int) -> SourceDisk:
    """A data disk as the file gives it: its LUN (its place where none is given, as az
    numbers them), size (0 while unknown) and source."""
    lun = disk.get("lun", index)
    if not isinstance(lun, int) or isinstance(lun, bool):
        raise CatalogError("SIG-INPUT", f"data disk LUN {lun!r} is not a number", field="lun")
    source_id, account = _disk_source(disk)
    return SourceDisk(lun, _size(disk) or 0, None, source_id, storage_account_id=account)


def host_caching(profile: StorageProfile) -> tuple[str, dict[int, str]]:
    """(the OS disk's hostCaching, each data disk's by LUN), as Azure reported them;
    sigtui's defaults where the file gives none."""
    os_caching = reported(
        profile.os_disk.get("hostCaching"), HOST_CACHING, OS_DISK_CACHING, "hostCaching"
    )
    data = {
        disk.get("lun", n): reported(
            disk.get("hostCaching"), HOST_CACHING, DATA_DISK_CACHING, "hostCaching"
        )
        for n, disk in enumerate(profile.disks)
    }
    return os_caching, data


def refuse_new_source(db: Session, row: Any, body: Json) -> None:
    """SIG-UPDATE: the source of a version (an image_version row) cannot change."""
    stated = StorageProfile.of(body).source_id
    if not stated:
        return
    current = _current_source_id(db, row)
    if current is not None and current.casefold() != str(stated).casefold():
        raise CatalogError(
            "SIG-UPDATE",
            f"the source of the image version cannot change after creation ({current})",
            field="source",
        )


def _current_source_id(db: Session, row: Any) -> str | None:
    if row.managed_image_pk is not None:
        return lookup.arm_id(db, db.get_one(ManagedImage, row.managed_image_pk))
    if row.os_snapshot_pk is not None:
        return lookup.arm_id(db, db.get_one(Snapshot, row.os_snapshot_pk))
    external: str | None = row.external_source_id
    return external
