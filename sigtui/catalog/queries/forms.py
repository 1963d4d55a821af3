"""What a create or edit form needs: the parent a new resource goes under, the resource an
edit form changes as it is now (with its etag, for SIG-CONFLICT), and the sources a
version can be made from. Plain frozen dataclasses, each read in one session
(`Catalog.query`); and `saved_arm_id`, what a form is told of the resource it saved."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from sqlmodel import Session

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    DataDisk,
    Gallery,
    ImageDefinition,
    ImageVersion,
    ManagedImage,
    Resource,
    ResourceGroup,
    Snapshot,
    Subscription,
    Tenant,
)
from sigtui.catalog.queries import browse, fetch, lookup
from sigtui.catalog.queries.browse import region_label
from sigtui.catalog.rules.checks import parse_version_name

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

P = ParamSpec("P")
Model = TypeVar("Model", bound=Resource)
Read = TypeVar("Read", bound="DataclassInstance")


@dataclass(frozen=True)
class Place:
    """The parent of a new resource, as a form shows and names it."""

    ref: str  # what the service takes: an ARM id, or a tenant/subscription id
    name: str
    label: str
    cloud: str = "AzureCloud"
    location: str | None = None
    subscription_pk: int | None = None  # where a new one counts against the limits


def _existing(db: Session, model: type[Model], pk: int, what: str) -> Model:
    """The row, or SIG-NOT-FOUND when someone deleted it since the form opened."""
    row = db.get(model, pk)
    if row is None:
        raise CatalogError("SIG-NOT-FOUND", f"the {what} was deleted by someone else")
    return row


def _as_is(row: Resource, read: type[Read], **given: Any) -> Read:
    """`read` with the row's values of its fields, but for those `given`."""
    taken = {f.name: getattr(row, f.name) for f in fields(read) if f.name not in given}
    return read(**taken, **given)


# --- the parent of a new resource ---------------------------------------------------------


def _tenant_place(db: Session, pk: int) -> Place:
    tenant = db.get_one(Tenant, pk)
    return Place(tenant.tenant_id, tenant.name, f"{tenant.name} ({tenant.tenant_id})")


def _subscription_place(db: Session, pk: int) -> Place:
    sub = db.get_one(Subscription, pk)
    label = f"{sub.name} ({sub.subscription_id}, {sub.cloud})"
    return Place(sub.subscription_id, sub.name, label, sub.cloud, None, pk)


def _located_place(
    db: Session, row: ResourceGroup | Gallery | ImageDefinition, label: str
) -> Place:
    """A group, gallery or definition as the place of a new resource: in its location, in
    its subscription's cloud, counted against that subscription's limits."""
    sub = db.get_one(Subscription, row.subscription_pk)
    return Place(lookup.arm_id(db, row), row.name, label, sub.cloud, row.location, sub.pk)


def _group_place(db: Session, pk: int) -> Place:
    group = db.get_one(ResourceGroup, pk)
    sub = db.get_one(Subscription, group.subscription_pk)
    return _located_place(db, group, f"{group.name} ({sub.name}, {region_label(group.location)})")


def _gallery_place(db: Session, pk: int) -> Place:
    gallery = db.get_one(Gallery, pk)
    group = db.get_one(ResourceGroup, gallery.resource_group_pk)
    label = f"{gallery.name} ({group.name}, {region_label(gallery.location)})"
    return _located_place(db, gallery, label)


def _definition_place(db: Session, pk: int) -> Place:
    definition = db.get_one(ImageDefinition, pk)
    gallery = db.get_one(Gallery, definition.gallery_pk)
    label = (
        f"{definition.name} ({gallery.name}; {definition.os_type} {definition.os_state}, "
        f"{region_label(definition.location)})"
    )
    return _located_place(db, definition, label)


PLACES: dict[str, Callable[[Session, int], Place]] = {
    browse.TENANT: _tenant_place,
    browse.SUBSCRIPTION: _subscription_place,
    browse.GROUP: _group_place,
    browse.IMAGES: _group_place,
    browse.SNAPSHOTS: _group_place,
    browse.GALLERY: _gallery_place,
    browse.DEFINITION: _definition_place,
}


def place(db: Session, ref: browse.NodeRef) -> Place:
    """The node a new resource goes under (a tenant, subscription, group or one of its
    folders, gallery or definition)."""
    return PLACES[ref.kind](db, ref.pk)


# --- what edit forms change ---------------------------------------------------------------


@dataclass(frozen=True)
class SubscriptionState:
    pk: int
    etag: int
    name: str
    subscription_id: str
    cloud: str
    tenant_name: str
    allowlist: list[str]


def subscription_state(db: Session, pk: int) -> SubscriptionState:
    sub = _existing(db, Subscription, pk, "subscription")
    tenant = db.get_one(Tenant, sub.tenant_pk)
    return _as_is(
        sub, SubscriptionState, tenant_name=tenant.name, allowlist=fetch.allowlist(db, pk)
    )


@dataclass(frozen=True)
class ResourceState:
    """What an edit form knows of every resource it edits: its key, its etag (what it
    saves over, SIG-CONFLICT), its ARM id (what the service takes)."""

    pk: int
    etag: int
    arm_id: str
    name: str
    location: str
    tags: dict[str, str]


State = TypeVar("State", bound=ResourceState)


def _resource_state(db: Session, row: Resource, read: type[State], **given: Any) -> State:
    """`read` with the row's values of its fields and its ARM id, but for those `given`."""
    return _as_is(row, read, arm_id=lookup.arm_id(db, row), **given)


@dataclass(frozen=True)
class GalleryState(ResourceState):
    description: str | None
    group: Place


def gallery_state(db: Session, pk: int) -> GalleryState:
    gallery = _existing(db, Gallery, pk, "gallery")
    group = _group_place(db, gallery.resource_group_pk)
    return _resource_state(db, gallery, GalleryState, group=group)


@dataclass(frozen=True)
class DefinitionState(ResourceState):
    publisher: str
    offer: str
    sku: str
    os_type: str
    os_state: str
    hyper_v_generation: str
    architecture: str
    features: dict[str, str]
    description: str | None
    eula: str | None
    privacy_statement_uri: str | None
    release_note_uri: str | None
    end_of_life_date: datetime | None  # SIG-EOL: a date-time
    min_vcpus: int | None
    max_vcpus: int | None
    min_memory_mb: int | None
    max_memory_mb: int | None
    disallowed_disk_types: list[str]
    gallery: Place


def definition_state(db: Session, pk: int) -> DefinitionState:
    definition = _existing(db, ImageDefinition, pk, "image definition")
    gallery = _gallery_place(db, definition.gallery_pk)
    return _resource_state(db, definition, DefinitionState, gallery=gallery)


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
    hyper_v_generation: str | None = None  # a managed image's; a snapshot carries none

    @property
    def label(self) -> str:
        what = "image" if self.kind == browse.MANAGED_IMAGE else "snapshot"
        facts = [self.group, region_label(self.location), self.os_type or "no OS"]
        size = f"{self.size_gb} GiB"
        if self.data_disks_gb:
            size += f" + {len(self.data_disks_gb)} data"
        return f"{what} {self.name} · " + " · ".join([*facts, size])


def _sources(db: Session, subscription_pk: int) -> list[SourceChoice]:
    groups: dict[int, str] = {}
    parents: dict[tuple[str, int], Any] = {}  # the sources' ARM ids read their group once

    def group_name(pk: int) -> str:
        if pk not in groups:
            groups[pk] = db.get_one(ResourceGroup, pk).name
        return groups[pk]

    images = [
        SourceChoice(
            lookup.arm_id(db, i, parents),
            browse.MANAGED_IMAGE,
            i.name,
            group_name(i.resource_group_pk),
            i.location,
            i.os_type,
            i.os_disk_size_gb,
            tuple(i.data_disk_sizes_gb),
            i.hyper_v_generation,
        )
        for i in fetch.all_managed_images(db, subscription_pk)
    ]
    snapshots = [
        SourceChoice(
            lookup.arm_id(db, s, parents),
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
    """What a new version's form offers: its definition, the sources of the definition's
    subscription and the name after the highest version's."""

    definition: Place
    os_type: str
    sources: list[SourceChoice]
    next_name: str
    os_state: str = "Generalized"
    hyper_v_generation: str = "V2"


def version_place(db: Session, definition_pk: int) -> VersionPlace:
    definition = db.get_one(ImageDefinition, definition_pk)
    return VersionPlace(
        _definition_place(db, definition_pk),
        definition.os_type,
        _sources(db, definition.subscription_pk),
        next_version_name(list(fetch.versions(db, definition_pk, limit=1))),  # the highest
        definition.os_state,
        definition.hyper_v_generation,
    )


def generation_text(generation: str) -> str:
    """`V1` -> `Gen1`, as the portal says it."""
    return generation.replace("V", "Gen", 1) if generation.startswith("V") else generation


def source_misfit(source: SourceChoice, place: VersionPlace, location: str | None) -> str | None:
    """Why `source` cannot make a version of the definition in `location` (the first rule
    it breaks, as a short word a form counts: `Windows`, `Gen1`, ...), or None. The rules
    are the ones services.versions applies to a chosen source."""
    if source.os_type and source.os_type != place.os_type:
        return source.os_type  # SIG-INPUT: the OS type differs from the definition's
    if source.kind == browse.MANAGED_IMAGE:
        if place.os_state != "Generalized":
            return "Generalized"  # SIG-OSSTATE: a managed image for a Specialized definition
        generation = source.hyper_v_generation
        if generation and generation != place.hyper_v_generation:
            return generation_text(generation)
    if location and source.location != location:
        return "in another region"  # SIG-SOURCE-REGION
    return None


@dataclass(frozen=True)
class TargetState:
    region: str
    replica_count: int
    storage_account_type: str


@dataclass(frozen=True)
class DataDiskState:
    lun: int
    size_gb: int
    snapshot: str | None  # the name of the snapshot it was made from, if any


@dataclass(frozen=True)
class VersionState(ResourceState):
    replica_count: int
    storage_account_type: str
    exclude_from_latest: bool
    end_of_life_date: datetime | None  # SIG-EOL: a date-time
    definition: Place
    source: str  # the source, as the details pane words it
    targets: list[TargetState]
    data_disks: list[DataDiskState]


def _source_text(db: Session, version: ImageVersion) -> str:
    if version.managed_image_pk:
        image = db.get_one(ManagedImage, version.managed_image_pk)
        return f"image {image.name} · {region_label(image.location)}"
    if version.os_snapshot_pk:
        snapshot = db.get_one(Snapshot, version.os_snapshot_pk)
        return f"snapshot {snapshot.name} · {region_label(snapshot.location)}"
    return f"external {version.external_source_id}"


def _data_disk_state(db: Session, disk: DataDisk) -> DataDiskState:
    snapshot = db.get_one(Snapshot, disk.snapshot_pk).name if disk.snapshot_pk else None
    return DataDiskState(disk.lun, disk.size_gb, snapshot)


def version_state(db: Session, pk: int) -> VersionState:
    version = _existing(db, ImageVersion, pk, "image version")
    return _resource_state(
        db,
        version,
        VersionState,
        definition=_definition_place(db, version.definition_pk),
        source=_source_text(db, version),
        targets=[
            TargetState(t.region, t.replica_count, t.storage_account_type)
            for t in fetch.target_regions(db, pk)
        ],
        data_disks=[_data_disk_state(db, d) for d in fetch.data_disks(db, pk)],
    )


# --- saving -------------------------------------------------------------------------------


def saved_arm_id(
    db: Session,
    write: Callable[Concatenate[Session, P], Resource],
    *args: P.args,
    **kwargs: P.kwargs,
) -> str:
    """The ARM id of the resource `write` (a service) wrote, in the same transaction."""
    return lookup.arm_id(db, write(db, *args, **kwargs))
