"""Managed images and snapshots: the sources image versions are made from (SIG-MIGRATE)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    DataDisk,
    ImageVersion,
    ManagedImage,
    ResourceGroup,
    Snapshot,
    Subscription,
)
from sigtui.catalog.model.schemas import ManagedImageCreate, SnapshotCreate
from sigtui.catalog.queries import lookup
from sigtui.catalog.rules import checks
from sigtui.catalog.rules.regions import get_region
from sigtui.catalog.services._common import (
    add_created,
    check_etag,
    check_unique_name,
    delete_unless_holding,
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
    checks.check_disk_size(data.os_disk_size_gb, "the OS disk", "os_disk_size_gb")
    for size in data.data_disk_sizes_gb:
        checks.check_disk_size(size, "a data disk", "data_disk_sizes_gb")
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
    checks.check_disk_size(data.size_gb, "the snapshot's disk", "size_gb")
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
    users = list(db.exec(select(ImageVersion).where(ImageVersion.managed_image_pk == image.pk)))
    names = [lookup.arm_id(db, v).split("/galleries/")[1] for v in users]
    delete_unless_holding(db, image, "managed image", names, "image versions made from it")


def delete_snapshot(db: Session, snapshot_id: str, if_match: str | None = None) -> None:
    snapshot = lookup.resolve_as(db, snapshot_id, Snapshot)
    check_etag(snapshot, if_match, "the snapshot")
    users = list(
        db.exec(
            select(ImageVersion).where(
                (col(ImageVersion.os_snapshot_pk) == snapshot.pk)
                | col(ImageVersion.pk).in_(
                    select(DataDisk.version_pk).where(DataDisk.snapshot_pk == snapshot.pk)
                )
            )
        )
    )
    names = [lookup.arm_id(db, v).split("/galleries/")[1] for v in users]
    delete_unless_holding(db, snapshot, "snapshot", names, "image versions made from it")
