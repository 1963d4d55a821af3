"""`create` as Azure's PUT (DESIGN.md section 4): creating what exists already succeeds.

The same create run again returns the resource as it is, without a write; a create that
gives an updatable field another value updates it (a field the create leaves out is
reset, as a PUT's body replaces the resource); one that would change a fixed field is
SIG-UPDATE, from the update service, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, select

from sigtui.catalog.model import fields
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    DataDisk,
    Gallery,
    ImageDefinition,
    ImageVersion,
    ManagedImage,
    ResourceGroup,
    Snapshot,
)
from sigtui.catalog.model.schemas import (
    DefinitionCreate,
    DefinitionUpdate,
    GalleryCreate,
    GalleryUpdate,
    TargetRegionSpec,
    VersionCreate,
    VersionUpdate,
)
from sigtui.catalog.queries import lookup
from sigtui.catalog.rules import checks
from sigtui.catalog.rules.regions import find_region
from sigtui.catalog.services import definitions, galleries, versions
from sigtui.catalog.services._common import changes_of
from sigtui.catalog.store.clock import Clock


def _same(old: Any, new: Any, *, ignore_case: bool) -> bool:
    if ignore_case and isinstance(old, str) and isinstance(new, str):
        return old.casefold() == new.casefold()
    return bool(old == new)


def _differs(row: Any, wanted: dict[str, Any], fixed: Iterable[str]) -> bool:
    """Whether `wanted` gives any column of `row` another value (fixed fields, names
    and regions, compared ignoring case as ARM does)."""
    fixed = set(fixed)
    return any(
        not _same(getattr(row, field), value, ignore_case=field in fixed)
        for field, value in wanted.items()
        if hasattr(row, field)
    )


# --- galleries and definitions -------------------------------------------------------------


def put_gallery(db: Session, group_id: str, data: GalleryCreate, clock: Clock) -> Gallery:
    group = lookup.resolve_as(db, group_id, ResourceGroup)
    existing = lookup.find_child(db, Gallery, "resource_group_pk", group.pk or 0, data.name)
    if existing is None:
        return galleries.create_gallery(db, group_id, data, clock)
    update = GalleryUpdate.model_validate(data.model_dump())
    if not _differs(existing, changes_of(update), galleries.GALLERY_IMMUTABLE):
        return existing
    return galleries.update_gallery(db, lookup.arm_id(db, existing), update, clock)


def put_definition(
    db: Session, gallery_id: str, data: DefinitionCreate, clock: Clock
) -> ImageDefinition:
    gallery = lookup.resolve_as(db, gallery_id, Gallery)
    existing = lookup.find_child(db, ImageDefinition, "gallery_pk", gallery.pk or 0, data.name)
    if existing is None:
        return definitions.create_definition(db, gallery_id, data, clock)
    update = DefinitionUpdate.model_validate(data.model_dump())
    wanted = definitions.normalized(changes_of(update))
    if not _differs(existing, wanted, definitions.DEFINITION_IMMUTABLE):
        return existing
    return definitions.update_definition(db, lookup.arm_id(db, existing), update, clock)


# --- versions --------------------------------------------------------------------------------


def _source_ids(db: Session, version: ImageVersion) -> dict[str, Any]:
    """The version's source as a create names it: ARM ids, data-disk snapshots by LUN
    (a managed image's data disks come with it)."""
    image = db.get(ManagedImage, version.managed_image_pk) if version.managed_image_pk else None
    snapshot = db.get(Snapshot, version.os_snapshot_pk) if version.os_snapshot_pk else None
    disks = db.exec(select(DataDisk).where(DataDisk.version_pk == version.pk)).all()
    data_disks = sorted(
        (disk.lun, _snapshot_id(db, disk.snapshot_pk) or disk.external_source_id or "")
        for disk in disks
        if disk.snapshot_pk is not None or disk.external_source_id
    )
    return {
        "managed_image_id": lookup.arm_id(db, image) if image else version.external_source_id,
        "os_snapshot_id": lookup.arm_id(db, snapshot) if snapshot else None,
        "data_disks": data_disks,
    }


def _snapshot_id(db: Session, pk: int | None) -> str | None:
    snapshot = db.get(Snapshot, pk) if pk is not None else None
    return lookup.arm_id(db, snapshot) if snapshot else None


def _wanted_source(data: VersionCreate) -> dict[str, Any]:
    luns = list(data.data_snapshot_luns) or list(range(len(data.data_snapshot_ids)))
    vhd_luns = list(data.data_vhd_luns) or list(range(len(data.data_vhd_uris)))
    whole = data.virtual_machine_id or data.image_version_id or data.os_vhd_uri
    return {
        # a source the catalog does not hold is kept where an imported one is (external)
        "managed_image_id": data.managed_image_id or whole,
        "os_snapshot_id": data.os_snapshot_id,
        "data_disks": sorted(
            [
                *zip(luns, data.data_snapshot_ids, strict=False),
                *zip(vhd_luns, data.data_vhd_uris, strict=False),
            ]
        ),
    }


def _same_source(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    def folded(value: Any) -> Any:
        if isinstance(value, str):
            return value.casefold()
        if isinstance(value, list):
            return [(lun, str(source).casefold()) for lun, source in value]
        return value

    return all(folded(current[key]) == folded(wanted[key]) for key in current)


def _full_targets(data: VersionCreate, location: str) -> list[TargetRegionSpec]:
    """The target regions a PUT asks for, each with its count and storage type (the
    version's common ones where a region gives none)."""
    specs = data.target_regions or [TargetRegionSpec(region=location)]
    return [
        TargetRegionSpec(
            region=region.name,
            replica_count=replicas if replicas is not None else data.replica_count,
            storage_account_type=storage or checks.check_storage_type(data.storage_account_type),
        )
        for region, replicas, storage in versions.resolve_targets(specs)
    ]


def _targets_differ(db: Session, version: ImageVersion, wanted: list[TargetRegionSpec]) -> bool:
    current = {
        name: (row.replica_count, row.storage_account_type)
        for name, row in versions.targets_of(db, version).items()
    }
    return current != {
        spec.region: (spec.replica_count, spec.storage_account_type) for spec in wanted
    }


def put_version(db: Session, definition_id: str, data: VersionCreate, clock: Clock) -> ImageVersion:
    definition = lookup.resolve_as(db, definition_id, ImageDefinition)
    try:
        existing = lookup.find_version(db, definition, str(checks.parse_version_name(data.name)))
    except CatalogError as exc:
        if exc.code != "SIG-NOT-FOUND":
            raise
        return versions.create_version(db, definition_id, data, clock)
    location = find_region(data.location)
    targets = _full_targets(data, location.name if location else data.location)
    update = VersionUpdate(
        name=str(checks.parse_version_name(data.name)),
        location=data.location,
        managed_image_id=data.managed_image_id,
        os_snapshot_id=data.os_snapshot_id,
        replica_count=data.replica_count,
        storage_account_type=checks.check_storage_type(data.storage_account_type),
        target_regions=targets,
        exclude_from_latest=data.exclude_from_latest,
        end_of_life_date=data.end_of_life_date,
        tags=data.tags,
    )
    plain = changes_of(update)
    plain.pop("target_regions")
    source = _source_ids(db, existing)
    if not _same_source(source, _wanted_source(data)):
        raise CatalogError(
            "SIG-UPDATE",
            f"the source of image version {existing.name} cannot change after creation",
            field="source",
        )
    fixed = fields.fixed_names(fields.VERSION_FIELDS)
    if not _differs(existing, plain, fixed) and not _targets_differ(db, existing, targets):
        return existing
    return versions.update_version(db, lookup.arm_id(db, existing), update, clock)
