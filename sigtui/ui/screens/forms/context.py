"""What a form reads before it opens: the parent a new resource goes under, the resource
an edit form changes (with its etag), and the sources a version can be made from.

Read in one short `catalog.read()` session; rows come back detached (their loaded
fields stay readable)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from sigtui.catalog import services
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    DataDisk,
    Gallery,
    ImageDefinition,
    ImageVersion,
    ManagedImage,
    ResourceGroup,
    Snapshot,
    Subscription,
    TargetRegion,
    Tenant,
)
from sigtui.catalog.queries import browse, fetch, lookup
from sigtui.catalog.rules.checks import parse_version_name
from sigtui.catalog.rules.regions import find_region
from sigtui.catalog.store.db import Catalog

Session = Any
Row = TypeVar("Row")


def _existing(db: Session, model: type[Row], pk: int, what: str) -> Row:
    """The row, or SIG-NOT-FOUND when someone deleted it since the form opened."""
    row: Row | None = db.get(model, pk)
    if row is None:
        raise CatalogError("SIG-NOT-FOUND", f"the {what} was deleted by someone else")
    return row


def region_name(location: str | None) -> str:
    region = find_region(location) if location else None
    return region.display_name if region else (location or "")


@dataclass(frozen=True)
class Place:
    """The parent of a new resource, as a form needs it."""

    kind: str
    ref: str  # what the service takes: an ARM id, or a tenant/subscription id
    name: str
    label: str  # how the form shows it
    cloud: str = "AzureCloud"
    location: str | None = None
    subscription_pk: int | None = None


def _subscription_of(db: Session, pk: int) -> Subscription:
    subscription: Subscription = db.get_one(Subscription, pk)
    return subscription


def _tenant_place(db: Session, pk: int) -> Place:
    tenant = db.get_one(Tenant, pk)
    label = f"{tenant.name} ({tenant.tenant_id})"
    return Place(browse.TENANT, tenant.tenant_id, tenant.name, label)


def _subscription_place(db: Session, pk: int) -> Place:
    sub = _subscription_of(db, pk)
    label = f"{sub.name} ({sub.subscription_id}, {sub.cloud})"
    return Place(browse.SUBSCRIPTION, sub.subscription_id, sub.name, label, sub.cloud, None, sub.pk)


def _group_place(db: Session, pk: int) -> Place:
    group = db.get_one(ResourceGroup, pk)
    sub = _subscription_of(db, group.subscription_pk)
    label = f"{group.name} ({sub.name}, {region_name(group.location)})"
    return Place(
        browse.GROUP, lookup.arm_id(db, group), group.name, label, sub.cloud, group.location, sub.pk
    )


def _gallery_place(db: Session, pk: int) -> Place:
    gallery = db.get_one(Gallery, pk)
    sub = _subscription_of(db, gallery.subscription_pk)
    group = db.get_one(ResourceGroup, gallery.resource_group_pk)
    label = f"{gallery.name} ({group.name}, {region_name(gallery.location)})"
    return Place(
        browse.GALLERY,
        lookup.arm_id(db, gallery),
        gallery.name,
        label,
        sub.cloud,
        gallery.location,
        sub.pk,
    )


def _definition_place(db: Session, pk: int) -> Place:
    definition = db.get_one(ImageDefinition, pk)
    sub = _subscription_of(db, definition.subscription_pk)
    gallery = db.get_one(Gallery, definition.gallery_pk)
    label = (
        f"{definition.name} ({gallery.name}; {definition.os_type} {definition.os_state}, "
        f"{region_name(definition.location)})"
    )
    return Place(
        browse.DEFINITION,
        lookup.arm_id(db, definition),
        definition.name,
        label,
        sub.cloud,
        definition.location,
        sub.pk,
    )


PLACES = {
    browse.TENANT: _tenant_place,
    browse.SUBSCRIPTION: _subscription_place,
    browse.GROUP: _group_place,
    browse.IMAGES: _group_place,
    browse.SNAPSHOTS: _group_place,
    browse.GALLERY: _gallery_place,
    browse.DEFINITION: _definition_place,
}


def load_place(catalog: Catalog, ref: browse.NodeRef) -> Place:
    with catalog.read() as db:
        return PLACES[ref.kind](db, ref.pk)


# --- what edit forms change ---------------------------------------------------------------


@dataclass(frozen=True)
class SubscriptionState:
    subscription: Subscription
    tenant_name: str
    allowlist: list[str]


def load_subscription(catalog: Catalog, pk: int) -> SubscriptionState:
    with catalog.read() as db:
        sub = _existing(db, Subscription, pk, "subscription")
        tenant = db.get_one(Tenant, sub.tenant_pk)
        return SubscriptionState(sub, tenant.name, services.allowlisted_regions(db, sub))


@dataclass(frozen=True)
class GalleryState:
    gallery: Gallery
    arm_id: str
    place: Place  # its resource group


def load_gallery(catalog: Catalog, pk: int) -> GalleryState:
    with catalog.read() as db:
        gallery = _existing(db, Gallery, pk, "gallery")
        place = _group_place(db, gallery.resource_group_pk)
        return GalleryState(gallery, lookup.arm_id(db, gallery), place)


@dataclass(frozen=True)
class DefinitionState:
    definition: ImageDefinition
    arm_id: str
    place: Place  # its gallery


def load_definition(catalog: Catalog, pk: int) -> DefinitionState:
    with catalog.read() as db:
        definition = _existing(db, ImageDefinition, pk, "image definition")
        place = _gallery_place(db, definition.gallery_pk)
        return DefinitionState(definition, lookup.arm_id(db, definition), place)


# --- versions: their sources and their parts -----------------------------------------------


@dataclass(frozen=True)
class SourceChoice:
    """A managed image or a snapshot a version can be made from."""

    arm_id: str
    kind: str  # browse.MANAGED_IMAGE | browse.SNAPSHOT
    name: str
    group: str
    location: str
    os_type: str | None
    size_gb: int
    data_disks_gb: tuple[int, ...] = ()

    @property
    def label(self) -> str:
        what = "image" if self.kind == browse.MANAGED_IMAGE else "snapshot"
        facts = [self.group, region_name(self.location), self.os_type or "no OS"]
        size = f"{self.size_gb} GiB"
        if self.data_disks_gb:
            size += f" + {len(self.data_disks_gb)} data"
        return f"{what} {self.name} · " + " · ".join([*facts, size])


def _sources(db: Session, subscription_pk: int) -> list[SourceChoice]:
    groups: dict[int, str] = {}

    def group_name(pk: int) -> str:
        if pk not in groups:
            groups[pk] = db.get_one(ResourceGroup, pk).name
        return groups[pk]

    images = [
        SourceChoice(
            lookup.arm_id(db, i),
            browse.MANAGED_IMAGE,
            i.name,
            group_name(i.resource_group_pk),
            i.location,
            i.os_type,
            i.os_disk_size_gb,
            tuple(i.data_disk_sizes_gb),
        )
        for i in fetch.all_managed_images(db, subscription_pk)
    ]
    snapshots = [
        SourceChoice(
            lookup.arm_id(db, s),
            browse.SNAPSHOT,
            s.name,
            group_name(s.resource_group_pk),
            s.location,
            s.os_type,
            s.size_gb,
        )
        for s in fetch.all_snapshots(db, subscription_pk)
    ]
    return images + snapshots


def next_version_name(versions: list[ImageVersion]) -> str:
    if not versions:
        return "1.0.0"
    top = max(parse_version_name(v.name) for v in versions)
    return f"{top.major}.{top.minor}.{top.patch + 1}"


@dataclass(frozen=True)
class VersionPlace:
    place: Place  # the definition
    os_type: str
    os_state: str
    sources: list[SourceChoice]
    next_name: str


def load_version_place(catalog: Catalog, definition_pk: int) -> VersionPlace:
    with catalog.read() as db:
        definition = db.get_one(ImageDefinition, definition_pk)
        place = _definition_place(db, definition_pk)
        versions = list(fetch.versions(db, definition_pk))
        return VersionPlace(
            place,
            definition.os_type,
            definition.os_state,
            _sources(db, definition.subscription_pk),
            next_version_name(versions),
        )


@dataclass(frozen=True)
class VersionState:
    version: ImageVersion
    arm_id: str
    place: Place  # its definition
    source: str  # the source, as the details pane words it
    targets: list[TargetRegion]
    data_disks: list[DataDisk] = field(default_factory=list)
    data_disk_sources: dict[int, str] = field(default_factory=dict)  # lun -> snapshot name


def _source_text(db: Session, version: ImageVersion) -> str:
    if version.managed_image_pk:
        image = db.get_one(ManagedImage, version.managed_image_pk)
        return f"image {image.name} · {region_name(image.location)}"
    if version.os_snapshot_pk:
        snapshot = db.get_one(Snapshot, version.os_snapshot_pk)
        return f"snapshot {snapshot.name} · {region_name(snapshot.location)}"
    return f"external {version.external_source_id}"


def load_version(catalog: Catalog, pk: int) -> VersionState:
    with catalog.read() as db:
        version = _existing(db, ImageVersion, pk, "image version")
        disks = list(fetch.data_disks(db, pk))
        names = {d.lun: db.get_one(Snapshot, d.snapshot_pk).name for d in disks if d.snapshot_pk}
        return VersionState(
            version,
            lookup.arm_id(db, version),
            _definition_place(db, version.definition_pk),
            _source_text(db, version),
            list(fetch.target_regions(db, pk)),
            disks,
            names,
        )
