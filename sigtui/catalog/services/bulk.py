"""Bulk loading: many galleries, definitions and versions in one transaction, under the
same rules as the one-at-a-time services, at the speed a catalog at Azure's limits needs.

A batch names each new resource's parent by ARM id: a parent already in the catalog, or one
made earlier in the same batch (galleries before definitions before versions). The whole
batch is checked in memory first, with the services' rule functions: names (SIG-NAME),
identity (SIG-IDENT), version numbers, sources (existence, location, OS type and state,
Hyper-V generation), disk sizes (SIG-DISK-SIZE), target regions (SIG-REPLICAS, SIG-ZRS,
SIG-CLOUD, SIG-REGION-ALLOWLIST, SIG-SOURCE-REGION), end-of-life dates (SIG-EOL), tags, and
the counts per subscription x region including the rows already there (SIG-LIMIT-*), and,
for a session acting as a principal, its roles (SIG-ACCESS). Only then are the rows
written, one executemany per table (PostgreSQL: one COPY): a refused batch raises
CatalogError and writes nothing.

These are the only create rules: the one-at-a-time services (`create_gallery`,
`create_definition`, `create_version`) load a batch of one (`create_one`).

A version may carry the time it was published (a history being loaded): its regions start
replicating at that time and are stored in the state they have reached now
(`schedule.start`, then `schedule.status_at`), which is what reads compute from the
schedule anyway.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import attrgetter, itemgetter
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from sigtui.catalog.model import ids
from sigtui.catalog.model.enums import ReplicationState
from sigtui.catalog.model.errors import (
    CatalogError,
    FieldErrors,
    Refusal,
    Refusals,
    check_all,
)
from sigtui.catalog.model.models import (
    DATA_DISK_CACHING,
    OS_DISK_CACHING,
    SUCCEEDED,
    DataDisk,
    Gallery,
    ImageDefinition,
    ImageVersion,
    ResourceGroup,
    Subscription,
    TargetRegion,
    UTCDateTime,
)
from sigtui.catalog.model.schemas import (
    DefinitionCreate,
    GalleryCreate,
    TargetRegionSpec,
    VersionCreate,
)
from sigtui.catalog.queries import counts, lookup
from sigtui.catalog.replication import schedule
from sigtui.catalog.rules import access, checks, limits
from sigtui.catalog.rules.limits import Limit
from sigtui.catalog.services import events
from sigtui.catalog.services._common import limit_reached, name_taken
from sigtui.catalog.services.definitions import definition_columns, identity_taken
from sigtui.catalog.services.galleries import gallery_columns
from sigtui.catalog.services.versions import (
    ResolvedSource,
    allowlist_of,
    check_new_target,
    check_source_among_targets,
    check_source_disks,
    resolve_source,
    resolve_targets,
    version_name_taken,
)
from sigtui.catalog.store.clock import Clock
from sigtui.catalog.store.db import ACTING_AS, mark_changed


@dataclass(frozen=True)
class NewGallery:
    group_id: str  # ARM id of a resource group of the catalog
    data: GalleryCreate
    provisioning_state: str = SUCCEEDED
    created_at: datetime | None = None  # None: now (a history being loaded: the demo's)


@dataclass(frozen=True)
class NewDefinition:
    gallery_id: str  # ARM id of a gallery of the catalog or of the batch
    data: DefinitionCreate
    reported: bool = False  # as Azure holds it (imports): a past end of life is kept
    provisioning_state: str = SUCCEEDED
    # None: now; a history being loaded (the demo's): its end of life is checked then
    created_at: datetime | None = None


@dataclass(frozen=True)
class NewVersion:
    definition_id: str  # ARM id of a definition of the catalog or of the batch
    data: VersionCreate
    published_at: datetime | None = None  # None: now
    # when its regions' states are taken (None: now): the demo seed takes them as they
    # were when it was published, then records what was observed (`schedule.record`)
    state_at: datetime | None = None
    replication_speed: float = 1.0  # the version's own (the demo's replicate faster)
    reported: bool = False  # as Azure holds it (imports): a past end of life is kept
    # a source the catalog does not hold (imports), with its disks as a file gives them;
    # None: the data names the catalog's managed image or snapshots
    source: ResolvedSource | None = None
    provisioning_state: str = SUCCEEDED
    os_host_caching: str = OS_DISK_CACHING
    data_host_caching: Mapping[int, str] = field(default_factory=dict)  # by LUN, where given
    # the digest of the text it is imported from, kept with its row (migration 0014):
    # given only when nothing else writes the version in the same import
    import_digest: str | None = None


@dataclass
class Batch:
    galleries: list[NewGallery] = field(default_factory=list)
    definitions: list[NewDefinition] = field(default_factory=list)
    versions: list[NewVersion] = field(default_factory=list)
    # parents of the catalog the caller has already read, by (model, ARM id): not read again
    held: dict[tuple[type[Any], str], Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Loaded:
    """How many rows a batch added."""

    galleries: int
    definitions: int
    versions: int
    target_regions: int
    # the new rows' keys by their ARM id (as the batch named it, without case)
    version_keys: dict[str, int] = field(default_factory=dict, compare=False)
    gallery_keys: dict[str, int] = field(default_factory=dict, compare=False)
    definition_keys: dict[str, int] = field(default_factory=dict, compare=False)


@dataclass
class _PendingDefinition:
    row: Any  # an ImageDefinition to be
    gallery: Any  # a Gallery of the catalog, or of the batch (its key comes at write time)
    arm_id: str
    # what refuses its fields besides the name and identity, refused with them (a form
    # shows every one)
    errors: list[CatalogError]


# a target region's replication state, as `_replication` gives it
REPLICATION_COLUMNS = (
    "state",
    "progress",
    "details",
    "duration_seconds",
    "started_at",
    "updated_at",
    "completed_at",
)
# Target regions and data disks are many (three and two per version, at Azure's limits),
# so their rows are lists in these columns' order (the table's), their version's key
# first (known when the versions are written); versions, galleries and definitions are dicts.
TARGET_COLUMNS = (
    "version_pk",
    "region",
    "replica_count",
    "storage_account_type",
    "size_gb",
    "source_region",
    *REPLICATION_COLUMNS,
)
DISK_COLUMNS = (
    "version_pk",
    "lun",
    "size_gb",
    "snapshot_pk",
    "external_source_id",
    "storage_account_id",
    "host_caching",
)


@dataclass
class _PendingVersion:
    definition: Any  # an ImageDefinition, of the catalog or of the batch
    row: dict[str, Any]
    targets: list[list[Any]]  # TARGET_COLUMNS
    disks: list[list[Any]]  # DISK_COLUMNS
    arm_id: str = ""


_REGION_AND_STORAGE = attrgetter("region", "storage_account_type")


def _as_asked(spec: TargetRegionSpec) -> tuple[Any, ...]:
    """A target region as asked: its replica count's type too (True == 1 as a key)."""
    replicas = spec.replica_count
    return (spec.region, spec.storage_account_type, replicas, type(replicas))


# what a version's replication time depends on, its target region aside: its source region,
# size in GB, how many of its regions replicate at once and its own speed
_Shape = tuple[str, int, int, float]


def _key(arm_id: str) -> str:
    """ARM ids compare case-insensitively."""
    return arm_id.rstrip("/").casefold()


class _Known:
    """Rows by ARM id: of the catalog (looked up once each) or of the batch; subscriptions
    and their allowlists by key, read once each."""

    def __init__(self, db: Session) -> None:
        self.db = db
        self.rows: dict[tuple[type[Any], str], Any] = {}
        self.as_written: dict[tuple[type[Any], str], Any] = {}  # by the id as the batch gave it
        self.subscriptions: dict[int, Subscription] = {}
        self.allowlists: dict[int, set[str]] = {}
        self.durations: dict[tuple[int, str, str, int, float], tuple[float, timedelta]] = {}
        self.replications: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self.sources: dict[tuple[Any, ...], ResolvedSource] = {}
        self.target_lists: dict[tuple[Any, ...], list[tuple[str, str]]] = {}
        # what is checked once per shape (a rule's verdict is the same for each version of
        # that shape): only what passed is kept (a refused one is checked again, for its error)
        self.targets_asked: dict[tuple[Any, ...], tuple[tuple[str, int, str], ...]] = {}
        self.target_row_lists: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
        self.locations: dict[tuple[str, str], str] = {}
        self.disk_shapes: set[tuple[Any, ...]] = set()

    def add(self, arm_id: str, model: type[Any], row: Any) -> None:
        self.rows[model, _key(arm_id)] = row

    def resolve(self, db: Session, arm_id: str, model: type[Any]) -> Any:
        """As `lookup.resolve_as`, remembered (a `services.versions.Resolver`)."""
        row = self.as_written.get((model, arm_id))
        if row is None:
            key = (model, _key(arm_id))
            if key not in self.rows:
                self.rows[key] = lookup.resolve_as(db, arm_id, model)
            row = self.as_written[model, arm_id] = self.rows[key]
        return row

    def get(self, arm_id: str, model: type[Any]) -> Any:
        return self.resolve(self.db, arm_id, model)

    def duration(
        self, size_gb: int, source: str, target: str, at_once: int, speed: float
    ) -> tuple[float, timedelta]:
        """`schedule.planned_seconds`, computed once per shape and speed of version."""
        key = (size_gb, source, target, at_once, speed)
        if key not in self.durations:
            seconds = schedule.planned_seconds(*key)
            self.durations[key] = (seconds, timedelta(seconds=seconds))
        return self.durations[key]

    def replication(
        self, region: str, shape: _Shape, started: datetime, now: datetime
    ) -> tuple[Any, ...]:
        """`_replication`, computed once per shape of version, time it started and time
        its state is taken at."""
        key = (region, shape, started, now)
        if key not in self.replications:
            source, size_gb, at_once, speed = shape
            duration = self.duration(size_gb, source, region, at_once, speed)
            self.replications[key] = _replication(region, source, duration, started, now)
        return self.replications[key]

    def target_rows(
        self,
        regions: tuple[tuple[str, int, str], ...],
        shape: _Shape,
        started: datetime,
        now: datetime,
    ) -> list[tuple[Any, ...]]:
        """A version's target regions as rows (TARGET_COLUMNS but its key), made once per
        list of regions, shape of version, time it started and time its state is taken at."""
        key = (regions, shape, started, now)
        rows = self.target_row_lists.get(key)
        if rows is None:
            source, size_gb = shape[0], shape[1]
            rows = self.target_row_lists[key] = [
                (
                    region,
                    replicas,
                    chosen,
                    size_gb,
                    source,
                    *self.replication(region, shape, started, now),
                )
                for region, replicas, chosen in regions
            ]
        return rows

    def location(self, location: str, cloud: str) -> str:
        """`checks.check_source_location`, checked once per location and cloud."""
        key = (location, cloud)
        name = self.locations.get(key)
        if name is None:
            name = self.locations[key] = checks.check_source_location(location, cloud).name
        return name

    def check_disks(self, source: ResolvedSource) -> None:
        """`check_source_disks`, checked once per shape of source: its disks' LUNs and sizes."""
        disks = tuple((disk.lun, disk.size_gb) for disk in source.data_disks)
        shape = (source.sizes_known, source.os_disk_size_gb, disks)
        if shape not in self.disk_shapes:
            check_source_disks(source)
            self.disk_shapes.add(shape)

    def source(self, data: VersionCreate, definition: Any, location: str) -> ResolvedSource:
        """`resolve_source` and the source's disk sizes, checked once per source, definition
        and location (a batch's versions share a few sources)."""
        key = (
            data.managed_image_id,
            data.os_snapshot_id,
            tuple(data.data_snapshot_ids),
            tuple(data.data_snapshot_luns),
            id(definition),  # definitions stay in `rows` for the batch: ids are not reused
            location,
        )
        if key not in self.sources:
            source = resolve_source(self.db, data, definition, location, self.resolve)
            check_source_disks(source)
            self.sources[key] = source
        return self.sources[key]

    def targets(
        self, data: VersionCreate, location: str, storage: str, subscription: Subscription
    ) -> tuple[tuple[str, int, str], ...]:
        """(region, replica count, storage type) of each target region, checked once per
        list of target regions as asked (their replica counts of their types), the version's
        replica count, source region, default storage type and subscription."""
        specs = data.target_regions or [TargetRegionSpec(region=location)]
        replicas = data.replica_count
        asked = (
            tuple(map(_as_asked, specs)),
            replicas,
            type(replicas),
            location,
            storage,
            subscription.pk,
        )
        found = self.targets_asked.get(asked)
        if found is None:
            found = self.targets_asked[asked] = tuple(
                self._targets(specs, data, location, storage, subscription)
            )
        return found

    def _targets(
        self,
        specs: list[TargetRegionSpec],
        data: VersionCreate,
        location: str,
        storage: str,
        subscription: Subscription,
    ) -> list[tuple[str, int, str]]:
        """The regions are checked once per list of regions and storage types, source
        region, default storage type and subscription; replica counts (the rest of
        `resolve_targets`) each time."""
        key = (tuple(map(_REGION_AND_STORAGE, specs)), location, storage, subscription.pk)
        regions = self.target_lists.get(key)
        if regions is None:
            resolved = resolve_targets(specs)
            check_source_among_targets(location, resolved)
            allowlist = self.allowlist(subscription)
            regions = []
            for region, _, region_storage in resolved:
                chosen = region_storage or storage
                check_new_target(region, chosen, subscription, allowlist)
                regions.append((region.name, chosen))
            self.target_lists[key] = regions
        targets = []
        for (name, chosen), spec in zip(regions, specs, strict=True):
            replicas = spec.replica_count
            if replicas is None:
                replicas = data.replica_count
            else:
                checks.check_replica_count(replicas, "target_regions")
            targets.append((name, replicas, chosen))
        return targets

    def subscription(self, pk: int) -> Subscription:
        if pk not in self.subscriptions:
            self.subscriptions[pk] = self.db.get_one(Subscription, pk)
        return self.subscriptions[pk]

    def allowlist(self, subscription: Subscription) -> set[str]:
        assert subscription.pk is not None
        if subscription.pk not in self.allowlists:
            self.allowlists[subscription.pk] = allowlist_of(self.db, subscription)
        return self.allowlists[subscription.pk]


def load(db: Session, batch: Batch, clock: Clock, refusals: list[Refusal] | None = None) -> Loaded:
    """Check the whole batch, then write it (in the caller's transaction). A refused
    resource refuses the batch: `Refusals` names every one, and nothing is written. A
    caller that gives `refusals` gets them added there instead, and the rest written: it
    refuses its transaction itself (an import goes on to report every refused resource)."""
    with collector_paused():
        loaded = _load(db, batch, clock, refusals)
    if not events.in_batch(db):  # an import records its own event
        created = (
            f"{loaded.galleries} galleries, {loaded.definitions} image definitions, "
            f"{loaded.versions} image versions"
        )
        events.record_event(db, "create", "batch", None, created)
    return loaded


def create_one(db: Session, new: NewGallery | NewDefinition | NewVersion, clock: Clock) -> Any:
    """One new gallery, definition or version: a batch of one, refused as the services
    refuse (its own error, not a batch's), recorded as the services' creates are (an
    event for it), and read back as the ORM row."""
    model: type[Any]
    if isinstance(new, NewGallery):
        batch, model, arm_id = Batch(galleries=[new]), Gallery, gallery_id(new)
    elif isinstance(new, NewDefinition):
        batch, model, arm_id = Batch(definitions=[new]), ImageDefinition, definition_id(new)
    else:
        batch, model, arm_id = Batch(versions=[new]), ImageVersion, version_id(new)
    refused: list[Refusal] = []
    with events.batch(db):  # its own event below, not a batch's
        loaded = load(db, batch, clock, refused)
    if refused:
        raise refused[0][1] if len(refused) == 1 else Refusals(refused)
    keys = {**loaded.gallery_keys, **loaded.definition_keys, **loaded.version_keys}
    row = db.get_one(model, keys[arm_id.casefold()])
    events.record_created(db, row)
    return row


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused: a batch makes millions of small objects, none in
    cycles, and the collections they set off took a quarter of a load's time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _load(db: Session, batch: Batch, clock: Clock, refusals: list[Refusal] | None) -> Loaded:
    now = clock.now()
    known = _Known(db)
    for (model, arm_id), row in batch.held.items():
        known.add(arm_id, model, row)
    refused = _Refused()
    made = refused.each(batch.galleries, gallery_id, lambda item: _gallery(known, item, now))
    galleries = _check_gallery_names(db, made, refused)
    made = refused.each(
        batch.definitions, definition_id, lambda item: _definition(known, item, refused, now)
    )
    definitions = _check_definition_names(db, made, refused)
    made = refused.each(
        batch.versions, version_id, lambda item: _version(known, item, refused, now)
    )
    versions = _check_version_names(db, made, refused)
    _check_limits(
        db,
        known,
        refused,
        (limits.GALLERIES, [(g.subscription_pk, g.location) for _, g in galleries]),
        (limits.DEFINITIONS, [(d.row.subscription_pk, d.row.location) for d in definitions]),
        (limits.VERSIONS, [(v.row["subscription_pk"], v.row["location"]) for v in versions]),
    )
    if refused.found:
        if refusals is None:
            raise Refusals(refused.found)
        refusals.extend(refused.found)
    return _write(db, galleries, definitions, versions)


# --- refused resources -----------------------------------------------------------------------


Labelled = tuple[str, Any]  # a resource of the batch, checked so far, with its ARM id


class _Refused:
    """The batch's refused resources, and the rows they would have made (their children
    are refused too)."""

    def __init__(self) -> None:
        self.found: list[Refusal] = []
        self.rows: set[int] = set()  # id() of rows refused; they live as long as the batch

    def each(
        self, items: Sequence[Any], label: Callable[[Any], str], make: Callable[[Any], Any]
    ) -> list[Labelled]:
        """`make` of each item that it does not refuse, with the item's ARM id."""
        made = []
        for item in items:
            try:
                made.append((label(item), make(item)))
            except CatalogError as exc:
                self.found.append((label(item), exc))
        return made

    def refuse(self, arm_id: str, row: Any, error: CatalogError) -> None:
        self.found.append((arm_id, error))
        self.rows.add(id(row))

    def check_parent(self, parent: Any, what: str) -> None:
        if id(parent) in self.rows:
            raise CatalogError("SIG-INPUT", f"its {what} {parent.name!r} is refused")


def gallery_id(item: NewGallery) -> str:
    """The ARM id a new gallery of a batch will have."""
    return f"{item.group_id.rstrip('/')}/providers/Microsoft.Compute/galleries/{item.data.name}"


def definition_id(item: NewDefinition) -> str:
    """The ARM id a new definition of a batch will have."""
    return f"{item.gallery_id.rstrip('/')}/images/{item.data.name}"


def version_id(item: NewVersion) -> str:
    """The ARM id a new version of a batch will have."""
    return f"{item.definition_id.rstrip('/')}/versions/{item.data.name}"


# --- checks, one resource at a time (the rules of the create_* services) -------------------


def _new(model: type[Any], now: datetime, **values: Any) -> Any:
    """A row to insert, with every column of `model` (made new now, etag 1), as an object
    the rule checks read like a row of the catalog; its key comes when it is written."""
    row = {c.key: _scalar_default(c) for c in model.__table__.columns}
    row.update(etag=1, created_at=now, updated_at=now, **values)
    return SimpleNamespace(**row)


def _scalar_default(column: Any) -> Any:
    """A column's constant default (a new row's `origin`), else None."""
    default: Any = column.default
    return default.arg if default is not None and default.is_scalar else None


def _created(when: datetime | None, now: datetime, what: str) -> datetime:
    """When a resource of the batch is made: `when` (not after now), else now."""
    if when is None:
        return now
    if when > now:
        raise CatalogError(
            "SIG-INPUT", f"the {what} is made at {when.isoformat()}, after now", field="created_at"
        )
    return when


def _check_access(db: Session, model: type[Any], **columns: Any) -> None:
    """SIG-ACCESS: a session acting as a principal creates only where its roles allow
    (the write guard's rule, asked of rows written without a flush)."""
    principal_pk = db.info.get(ACTING_AS)
    if principal_pk is not None:
        access.check_new_row(db, principal_pk, model(**columns))


def _gallery(known: _Known, item: NewGallery, now: datetime) -> Any:
    now = _created(item.created_at, now, "gallery")
    group = known.get(item.group_id, ResourceGroup)
    _check_access(known.db, Gallery, name=item.data.name, resource_group_pk=group.pk)
    subscription = known.subscription(group.subscription_pk)
    data = item.data
    name = checks.check_gallery_name(data.name)
    region = checks.check_source_location(data.location, subscription.cloud)
    gallery = _new(
        Gallery,
        now,
        resource_group_pk=group.pk,
        subscription_pk=subscription.pk,
        provisioning_state=item.provisioning_state,
        **gallery_columns(data, name, region.name),
    )
    known.add(ids.gallery_id(subscription.subscription_id, group.name, name), Gallery, gallery)
    return gallery


def _definition(
    known: _Known, item: NewDefinition, refused: _Refused, now: datetime
) -> _PendingDefinition:
    now = _created(item.created_at, now, "image definition")
    gallery = known.get(item.gallery_id, Gallery)
    refused.check_parent(gallery, "gallery")
    _check_access(known.db, ImageDefinition, name=item.data.name, gallery_pk=gallery.pk)
    subscription = known.subscription(gallery.subscription_pk)
    data = item.data
    name = checks.check_definition_name(data.name)
    region = checks.check_source_location(data.location, subscription.cloud)
    publisher = checks.check_identifier(data.publisher, "publisher", 128)
    offer = checks.check_identifier(data.offer, "offer", 64)
    sku = checks.check_identifier(data.sku, "sku", 64)
    errors = _refused_fields(
        lambda: checks.check_recommended(data.min_vcpus, data.max_vcpus, "vCPUs", "vcpus"),
        lambda: checks.check_recommended(
            data.min_memory_mb, data.max_memory_mb, "memory (MB)", "memory_mb"
        ),
        lambda: None if item.reported else checks.check_future_eol(data.end_of_life_date, now),
    )
    definition = _new(
        ImageDefinition,
        now,
        gallery_pk=gallery.pk,
        subscription_pk=subscription.pk,
        provisioning_state=item.provisioning_state,
        **definition_columns(data, name, region.name, publisher, offer, sku),
    )
    known.add(f"{item.gallery_id.rstrip('/')}/images/{name}", ImageDefinition, definition)
    return _PendingDefinition(definition, gallery, definition_id(item), errors)


def _refused_fields(*field_checks: Callable[[], object]) -> list[CatalogError]:
    """What `check_all` of the checks refuses, one error each."""
    try:
        check_all(*field_checks)
    except FieldErrors as refused:
        return refused.errors
    except CatalogError as refused:
        return [refused]
    return []


def _version(known: _Known, item: NewVersion, refused: _Refused, now: datetime) -> _PendingVersion:
    definition = known.get(item.definition_id, ImageDefinition)
    refused.check_parent(definition, "image definition")
    _check_access(known.db, ImageVersion, name=item.data.name, definition_pk=definition.pk)
    subscription = known.subscription(definition.subscription_pk)
    data = item.data
    number = checks.parse_version_name(data.name)
    location = known.location(data.location, subscription.cloud)
    source = item.source or known.source(data, definition, location)
    if item.source is not None:
        known.check_disks(source)
    checks.check_replica_count(data.replica_count)
    storage = checks.check_storage_type(data.storage_account_type)
    published = _published(item, now)
    if not item.reported:  # as of its publishing (a history being loaded: the demo's)
        checks.check_future_eol(data.end_of_life_date, published)
    state_at = item.state_at or now
    if not published <= state_at <= now:
        raise CatalogError(
            "SIG-INPUT",
            f"version {data.name}'s replication state is taken at {state_at.isoformat()}, "
            "before it was published or after now",
            field="state_at",
        )
    regions = known.targets(data, location, storage, subscription)
    # all but the source region (which is among them) replicate at once
    shape = (location, source.size_gb, len(regions) - 1, item.replication_speed)
    targets = [[None, *target] for target in known.target_rows(regions, shape, published, state_at)]
    row = {
        "etag": 1,
        "subscription_pk": subscription.pk,
        "name": str(number),
        "major": number.major,
        "minor": number.minor,
        "patch": number.patch,
        "location": location,
        "managed_image_pk": source.managed_image.pk if source.managed_image else None,
        "os_snapshot_pk": source.os_snapshot.pk if source.os_snapshot else None,
        "external_source_id": source.external_source_id,
        "source_storage_account_id": source.storage_account_id,
        "os_disk_size_gb": source.os_disk_size_gb,
        "os_host_caching": item.os_host_caching,
        "replica_count": data.replica_count,
        "storage_account_type": storage,
        "exclude_from_latest": data.exclude_from_latest,
        "end_of_life_date": data.end_of_life_date,
        "published_at": published,
        "provisioning_state": item.provisioning_state,
        "created_at": published,
        "updated_at": published,
        "tags": checks.check_tags(data.tags),
        "replication_speed": item.replication_speed,
        "import_digest": item.import_digest,
    }
    disks = [
        [
            None,
            disk.lun,
            disk.size_gb,
            disk.snapshot_pk,
            disk.external_source_id,
            disk.storage_account_id,
            item.data_host_caching.get(disk.lun, DATA_DISK_CACHING),
        ]
        for disk in source.data_disks
    ]
    return _PendingVersion(definition, row, targets, disks, version_id(item))


def _published(item: NewVersion, now: datetime) -> datetime:
    published = item.published_at or now
    if published > now:
        raise CatalogError(
            "SIG-INPUT",
            f"version {item.data.name} is published at {published.isoformat()}, after now",
            field="published_at",
        )
    return published


def _replication(
    region: str, source: str, duration: tuple[float, timedelta], started: datetime, now: datetime
) -> tuple[Any, ...]:
    """A target region that started replicating at `started` for `duration` (seconds, and
    as a timedelta), in the state it has reached `now` (REPLICATION_COLUMNS): the schedule
    `schedule.start` writes, in the state `schedule.status_at` computes from it (the
    source region holds the image from the start)."""
    if region == source:
        return (ReplicationState.COMPLETED, 100, "", 0.0, started, started, started)
    seconds, delta = duration
    done_at = started + delta
    if done_at <= now:
        return (ReplicationState.COMPLETED, 100, "", seconds, started, now, done_at)
    moving = SimpleNamespace(
        state=ReplicationState.REPLICATING,
        started_at=started,
        duration_seconds=seconds,
        progress=0,
    )
    progress = schedule.status_at(moving, now).progress
    updated = now if progress else started
    return (ReplicationState.REPLICATING, progress, "", seconds, started, updated, None)


# --- checks across the batch and the catalog --------------------------------------------------


def _existing(
    db: Session, model: type[Any], parent: str, parent_pks: Iterable[int | None], *columns: str
) -> set[tuple[Any, ...]]:
    """(parent key, *columns) of the rows already under these parents: one query."""
    keys = sorted({pk for pk in parent_pks if pk is not None})
    if not keys:
        return set()
    parent_column = getattr(model, parent)
    statement = select(parent_column, *(getattr(model, c) for c in columns)).where(
        col(parent_column).in_(keys)
    )
    return {tuple(row) for row in db.exec(statement)}


def _check_gallery_names(
    db: Session, galleries: list[Labelled], refused: _Refused
) -> list[Labelled]:
    """SIG-NAME: unique in their group, ignoring case. The galleries not refused."""
    taken = _existing(
        db, Gallery, "resource_group_pk", (g.resource_group_pk for _, g in galleries), "name_key"
    )
    kept = []
    for arm_id, gallery in galleries:
        key = (gallery.resource_group_pk, gallery.name_key)
        if key in taken:
            refused.refuse(arm_id, gallery, name_taken("gallery"))
            continue
        taken.add(key)
        kept.append((arm_id, gallery))
    return kept


def _parent_key(parent: Any) -> Any:
    """A parent's key, or (parents of the batch, without one yet) the object's identity."""
    return parent.pk if parent.pk is not None else ("new", id(parent))


def _check_definition_names(
    db: Session, definitions: list[Labelled], refused: _Refused
) -> list[_PendingDefinition]:
    """SIG-NAME: unique in their gallery; SIG-IDENT: no two share publisher/offer/SKU;
    refused with the definition's other refused fields (`_PendingDefinition.errors`). The
    definitions not refused."""
    existing = _existing(
        db,
        ImageDefinition,
        "gallery_pk",
        (d.gallery.pk for _, d in definitions),
        "name_key",
        "publisher_key",
        "offer_key",
        "sku_key",
        "name",
    )
    names = {(gallery, key) for gallery, key, *_ in existing}
    identities = {(gallery, p, o, s): name for gallery, _, p, o, s, name in existing}
    kept = []
    for arm_id, pending in definitions:
        d, parent = pending.row, _parent_key(pending.gallery)
        identity = (parent, d.publisher_key, d.offer_key, d.sku_key)
        errors = []
        if (parent, d.name_key) in names:
            errors.append(name_taken("image definition"))
        if identity in identities:
            clash = identities[identity]
            errors.append(identity_taken(clash, pending.gallery.name, d.publisher, d.offer, d.sku))
        errors += pending.errors
        if errors:
            refused.refuse(arm_id, d, errors[0] if len(errors) == 1 else FieldErrors(errors))
            continue
        names.add((parent, d.name_key))
        identities[identity] = d.name
        kept.append(pending)
    return kept


def _check_version_names(
    db: Session, versions: list[Labelled], refused: _Refused
) -> list[_PendingVersion]:
    """SIG-NAME: a version number appears once per definition (compared numerically). The
    versions not refused."""
    taken = _existing(
        db,
        ImageVersion,
        "definition_pk",
        (v.definition.pk for _, v in versions),
        "major",
        "minor",
        "patch",
    )
    kept = []
    for arm_id, version in versions:
        definition = version.definition
        row = version.row
        key = (_parent_key(definition), row["major"], row["minor"], row["patch"])
        if key in taken:
            refused.found.append((arm_id, version_name_taken(row["name"], definition.name)))
            continue
        taken.add(key)
        kept.append(version)
    return kept


def _check_limits(
    db: Session, known: _Known, refused: _Refused, *wanted: tuple[Limit, list[tuple[int, str]]]
) -> None:
    """SIG-LIMIT-*: per subscription x region, those there plus those of the batch fit."""
    regions: dict[int, set[str]] = {}
    for _, places in wanted:
        for sub, location in places:
            regions.setdefault(sub, set()).add(location)
    used: Counter[tuple[str, int, str]] = Counter()
    for pk, locations in sorted(regions.items()):
        # one region (a single create): its rows only, not the whole subscription's
        only = next(iter(locations)) if len(locations) == 1 else None
        for usage in counts.usage(db, subscription_pk=pk, location=only):
            for limit in limits.ALL_LIMITS:
                used[limit.kind, pk, usage.location] = usage.used(limit.kind)
    for limit, places in wanted:
        for (sub, location), added in sorted(Counter(places).items()):
            before = used[limit.kind, sub, location]
            if before + added > limit.maximum:
                error = limit_reached(limit, before, location, added)
                refused.found.append((_subscription_id(known, sub), error))


def _subscription_id(known: _Known, pk: int) -> str:
    return ids.subscription_id(known.subscription(pk).subscription_id)


# --- writing ------------------------------------------------------------------------------------


def _columns(row: Any, model: type[Any]) -> dict[str, Any]:
    """A model instance's column values, without its key (the database gives it)."""
    return {c.key: getattr(row, c.key) for c in model.__table__.columns if c.key != "pk"}


def _with_defaults(
    table: sa.Table, columns: Sequence[str], values: list[Sequence[Any]]
) -> tuple[list[str], list[Sequence[Any]]]:
    """The columns and their values (a sequence per column) with every column left out
    that has a constant default (a column added later: SQLAlchemy would add it to the
    statement), given that default; in the table's order."""
    missing = [
        c
        for c in table.columns
        if c.key not in columns and c.default is not None and c.default.is_scalar
    ]
    if not missing:
        return list(columns), values
    count = len(values[0]) if values else 0
    by_name = dict(zip(columns, values, strict=True))
    for column in missing:
        by_name[column.key] = (_scalar_default(column),) * count
    order = [c.key for c in table.columns if c.key in by_name]
    return order, [by_name[name] for name in order]


class _Inserter:
    """Inserts rows with one executemany of the driver per table (PostgreSQL: one COPY).

    The values go through their column types' bind processors a column at a time, once
    per distinct value (times once per distinct time across the tables: a version's
    regions start when it is published): the conversions SQLAlchemy makes, without its
    per-row parameter building, which took as long as the rule checks.
    No RETURNING either: on SQLite, SQLAlchemy sends one statement per row to keep the rows'
    order; the new keys come from `new`."""

    def __init__(self, db: Session) -> None:
        self.db = db
        self.connection = db.connection()
        self.dialect = self.connection.dialect
        self.bound: dict[Any, dict[Any, Any]] = {}

    def new(
        self, model: type[Any], rows: list[dict[str, Any]], unique: tuple[str, ...]
    ) -> list[int]:
        """Insert rows (dicts with the same keys) and return their new keys, in order.

        SQLite gives each new row the key after the largest (its rowid rule): when the
        largest key grew by exactly the number of rows, they are the ones in between.
        Otherwise (other databases) the keys are read back by the rows' `unique` columns,
        the first a parent key: one query."""
        if not rows:
            return []
        before = self._largest_key(model)
        self.dicts(model, rows)
        after = self._largest_key(model)
        if before is not None and after is not None and after - before == len(rows):
            return list(range(before + 1, after + 1))
        table = model.__table__
        parent = table.c[unique[0]]
        statement = sa.select(table.c.pk, *(table.c[c] for c in unique)).where(
            parent.in_(sorted({row[unique[0]] for row in rows}))
        )
        keys = {tuple(found[1:]): found[0] for found in self.db.execute(statement)}
        return [keys[tuple(row[c] for c in unique)] for row in rows]

    def _largest_key(self, model: type[Any]) -> int | None:
        if self.dialect.name != "sqlite":
            return None
        largest = sa.select(sa.func.coalesce(sa.func.max(model.__table__.c.pk), 0))
        return int(self.db.execute(largest).scalar_one())

    def dicts(self, model: type[Any], rows: list[dict[str, Any]]) -> None:
        """Rows as dicts with the same keys."""
        if rows:
            columns = [c.key for c in model.__table__.columns if c.key in rows[0]]
            self.rows(model, columns, list(map(itemgetter(*columns), rows)))

    def rows(self, model: type[Any], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Rows as sequences of values in `columns` order, the table's."""
        if not rows:
            return
        table = model.__table__
        values: list[Sequence[Any]] = list(zip(*rows, strict=True))
        columns, values = _with_defaults(table, columns, values)
        for at, name in enumerate(columns):
            values[at] = self._bound(table.c[name], values[at])
        parameters: list[Any] = list(zip(*values, strict=True))
        if self.dialect.name == "postgresql":
            self._copy(table, columns, parameters)
        else:
            self._execute_many(table, columns, parameters)
        mark_changed(self.db)

    def _execute_many(self, table: sa.Table, columns: list[str], parameters: list[Any]) -> None:
        statement = sa.insert(table).values(
            {name: sa.bindparam(name, type_=table.c[name].type) for name in columns}
        )
        compiled = statement.compile(dialect=self.dialect)
        if not compiled.positional:
            parameters = [dict(zip(columns, row, strict=True)) for row in parameters]
        else:  # SQLAlchemy lists the columns in the table's order, as they are given
            assert compiled.positiontup == list(columns), compiled.positiontup
        self.connection.exec_driver_sql(str(compiled), parameters)

    def _copy(self, table: sa.Table, columns: list[str], parameters: list[Any]) -> None:
        """PostgreSQL's COPY, in the transaction: the values an INSERT binds, adapted by
        psycopg alike, in 40 % less time than its executemany (the server's indexes and
        foreign key checks take most of what is left)."""
        from psycopg import sql  # the PostgreSQL driver: composes the statement's names

        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        driver: Any = self.connection.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in parameters:
                copy.write_row(row)

    def _bound(self, column: sa.Column[Any], values: Sequence[Any]) -> Sequence[Any]:
        """Values as the driver takes them: through the column type's bind processor,
        once per distinct value."""
        process = column.type.dialect_impl(self.dialect).bind_processor(self.dialect)
        if process is None:
            return values
        shared = UTCDateTime if isinstance(column.type, UTCDateTime) else column
        once = self.bound.setdefault(shared, {})
        try:
            for value in set(values).difference(once):
                once[value] = process(value)
        except TypeError:  # values that cannot be hashed (JSON)
            return list(map(process, values))
        return list(map(once.__getitem__, values))


def _write(
    db: Session,
    galleries: list[Labelled],
    definitions: list[_PendingDefinition],
    versions: list[_PendingVersion],
) -> Loaded:
    insert = _Inserter(db)
    rows = [_columns(g, Gallery) for _, g in galleries]
    unique: tuple[str, ...] = ("resource_group_pk", "name_key")
    gallery_keys = {}
    for (arm_id, gallery), pk in zip(galleries, insert.new(Gallery, rows, unique), strict=True):
        gallery.pk = gallery_keys[arm_id.casefold()] = pk
    for pending in definitions:
        pending.row.gallery_pk = pending.gallery.pk
    rows = [_columns(d.row, ImageDefinition) for d in definitions]
    unique = ("gallery_pk", "name_key")
    definition_keys = {}
    for pending, pk in zip(definitions, insert.new(ImageDefinition, rows, unique), strict=True):
        pending.row.pk = definition_keys[pending.arm_id.casefold()] = pk
    for version in versions:
        version.row["definition_pk"] = version.definition.pk
    rows = [v.row for v in versions]
    unique = ("definition_pk", "major", "minor", "patch")
    targets: list[list[Any]] = []
    disks: list[list[Any]] = []
    keys = {}
    for version, pk in zip(versions, insert.new(ImageVersion, rows, unique), strict=True):
        for target in version.targets:
            target[0] = pk
        for disk in version.disks:
            disk[0] = pk
        targets += version.targets
        disks += version.disks
        keys[version.arm_id.casefold()] = pk
    insert.rows(TargetRegion, TARGET_COLUMNS, targets)
    insert.rows(DataDisk, DISK_COLUMNS, disks)
    return Loaded(
        len(galleries),
        len(definitions),
        len(versions),
        len(targets),
        keys,
        gallery_keys,
        definition_keys,
    )
