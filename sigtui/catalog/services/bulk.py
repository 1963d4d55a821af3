"""Bulk loading: many galleries, definitions and versions in one transaction, under the
same rules as the one-at-a-time services, at the speed a catalog at Azure's limits needs.

A batch names each new resource's parent by ARM id: a parent already in the catalog, or one
made earlier in the same batch (galleries before definitions before versions). The whole
batch is checked in memory first, with the services' rule functions: names (SIG-NAME),
identity (SIG-IDENT), version numbers, sources (existence, location, OS type and state,
Hyper-V generation), disk sizes (SIG-DISK-SIZE), target regions (SIG-REPLICAS, SIG-ZRS,
SIG-CLOUD, SIG-REGION-ALLOWLIST, SIG-SOURCE-REGION), end-of-life dates (SIG-EOL), tags, and
the counts per subscription x region including the rows already there (SIG-LIMIT-*). Only
then are the rows written, one executemany per table: a refused batch raises CatalogError
and writes nothing.

A version may carry the time it was published (a history being loaded): its regions start
replicating at that time and are stored in the state reached now, as if the replication
clock had run since (`replication.start`, then `replication.status_at`).
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from sigtui.catalog import ids, limits, lookup, queries, replication, rules
from sigtui.catalog.clock import Clock
from sigtui.catalog.db import mark_changed
from sigtui.catalog.errors import CatalogError
from sigtui.catalog.limits import Limit
from sigtui.catalog.models import (
    DataDisk,
    Gallery,
    ImageDefinition,
    ImageVersion,
    ReplicationState,
    ResourceGroup,
    Subscription,
    TargetRegion,
)
from sigtui.catalog.regions import get_region
from sigtui.catalog.schemas import DefinitionCreate, GalleryCreate, TargetRegionSpec, VersionCreate
from sigtui.catalog.services.versions import (
    ResolvedSource,
    allowlist_of,
    check_new_target,
    check_source_among_targets,
    resolve_source,
    resolve_targets,
)


@dataclass(frozen=True)
class NewGallery:
    group_id: str  # ARM id of a resource group of the catalog
    data: GalleryCreate


@dataclass(frozen=True)
class NewDefinition:
    gallery_id: str  # ARM id of a gallery of the catalog or of the batch
    data: DefinitionCreate


@dataclass(frozen=True)
class NewVersion:
    definition_id: str  # ARM id of a definition of the catalog or of the batch
    data: VersionCreate
    published_at: datetime | None = None  # None: now


@dataclass
class Batch:
    galleries: list[NewGallery] = field(default_factory=list)
    definitions: list[NewDefinition] = field(default_factory=list)
    versions: list[NewVersion] = field(default_factory=list)


@dataclass(frozen=True)
class Loaded:
    """How many rows a batch added."""

    galleries: int
    definitions: int
    versions: int
    target_regions: int


@dataclass
class _PendingDefinition:
    row: Any  # an ImageDefinition to be
    gallery: Any  # a Gallery of the catalog, or of the batch (its key comes at write time)


@dataclass
class _PendingVersion:
    definition: Any  # an ImageDefinition, of the catalog or of the batch
    row: dict[str, Any]
    targets: list[dict[str, Any]]
    disks: list[dict[str, Any]]


def _key(arm_id: str) -> str:
    """ARM ids compare case-insensitively."""
    return arm_id.rstrip("/").casefold()


class _Known:
    """Rows by ARM id: of the catalog (looked up once each) or of the batch; subscriptions
    and their allowlists by key, read once each."""

    def __init__(self, db: Session) -> None:
        self.db = db
        self.rows: dict[tuple[type[Any], str], Any] = {}
        self.subscriptions: dict[int, Subscription] = {}
        self.allowlists: dict[int, set[str]] = {}
        self.durations: dict[tuple[int, str, str, int], float] = {}
        self.sources: dict[tuple[Any, ...], ResolvedSource] = {}
        self.target_lists: dict[tuple[Any, ...], list[tuple[str, int, str]]] = {}

    def add(self, arm_id: str, model: type[Any], row: Any) -> None:
        self.rows[model, _key(arm_id)] = row

    def resolve(self, db: Session, arm_id: str, model: type[Any]) -> Any:
        """As `lookup.resolve_as`, remembered (a `services.versions.Resolver`)."""
        key = (model, _key(arm_id))
        if key not in self.rows:
            self.rows[key] = lookup.resolve_as(db, arm_id, model)
        return self.rows[key]

    def get(self, arm_id: str, model: type[Any]) -> Any:
        return self.resolve(self.db, arm_id, model)

    def duration(self, size_gb: int, source: str, target: str, at_once: int) -> float:
        """`replication.planned_seconds`, computed once per shape of version."""
        key = (size_gb, source, target, at_once)
        if key not in self.durations:
            self.durations[key] = replication.planned_seconds(*key)
        return self.durations[key]

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
            rules.check_disk_size(source.os_disk_size_gb, "the OS disk", "source")
            for disk in source.data_disks:
                rules.check_disk_size(disk.size_gb, f"the data disk at LUN {disk.lun}", "source")
            self.sources[key] = source
        return self.sources[key]

    def targets(
        self, data: VersionCreate, location: str, storage: str, subscription: Subscription
    ) -> list[tuple[str, int, str]]:
        """(region, replica count, storage type) of each target region, checked once per
        list of targets, source region, defaults and subscription."""
        specs = data.target_regions or [TargetRegionSpec(region=location)]
        key = (
            tuple((t.region, t.replica_count, t.storage_account_type) for t in specs),
            location,
            storage,
            data.replica_count,
            subscription.pk,
        )
        if key not in self.target_lists:
            resolved = resolve_targets(specs)
            check_source_among_targets(location, resolved)
            allowlist = self.allowlist(subscription)
            targets = []
            for region, replicas, region_storage in resolved:
                chosen = region_storage or storage
                check_new_target(region, chosen, subscription, allowlist)
                targets.append(
                    (region.name, data.replica_count if replicas is None else replicas, chosen)
                )
            self.target_lists[key] = targets
        return self.target_lists[key]

    def subscription(self, pk: int) -> Subscription:
        if pk not in self.subscriptions:
            self.subscriptions[pk] = self.db.get_one(Subscription, pk)
        return self.subscriptions[pk]

    def allowlist(self, subscription: Subscription) -> set[str]:
        assert subscription.pk is not None
        if subscription.pk not in self.allowlists:
            self.allowlists[subscription.pk] = allowlist_of(self.db, subscription)
        return self.allowlists[subscription.pk]


def load(db: Session, batch: Batch, clock: Clock) -> Loaded:
    """Check the whole batch, then write it (in the caller's transaction)."""
    with _collector_paused():
        return _load(db, batch, clock)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused: a batch makes millions of small objects, none in
    cycles, and the collections they set off took a quarter of a load's time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _load(db: Session, batch: Batch, clock: Clock) -> Loaded:
    now = clock.now()
    known = _Known(db)
    galleries = [_gallery(known, item, now) for item in batch.galleries]
    _check_gallery_names(db, galleries)
    definitions = [_definition(known, item, now) for item in batch.definitions]
    _check_definition_names(db, definitions)
    versions = [_version(known, item, now) for item in batch.versions]
    _check_version_names(db, versions)
    _check_limits(
        db,
        (limits.GALLERIES, [(g.subscription_pk, g.location) for g in galleries]),
        (limits.DEFINITIONS, [(d.row.subscription_pk, d.row.location) for d in definitions]),
        (limits.VERSIONS, [(v.row["subscription_pk"], v.row["location"]) for v in versions]),
    )
    return _write(db, galleries, definitions, versions)


# --- checks, one resource at a time (the rules of the create_* services) -------------------


def _new(model: type[Any], now: datetime, **values: Any) -> Any:
    """A row to insert, with every column of `model` (made new now, etag 1), as an object
    the rule checks read like a row of the catalog; its key comes when it is written."""
    row = dict.fromkeys((c.key for c in model.__table__.columns), None)
    row.update(etag=1, created_at=now, updated_at=now, **values)
    return SimpleNamespace(**row)


def _gallery(known: _Known, item: NewGallery, now: datetime) -> Any:
    group = known.get(item.group_id, ResourceGroup)
    subscription = known.subscription(group.subscription_pk)
    data = item.data
    name = rules.check_gallery_name(data.name)
    region = rules.check_source_location(data.location, subscription.cloud)
    gallery = _new(
        Gallery,
        now,
        resource_group_pk=group.pk,
        subscription_pk=subscription.pk,
        name=name,
        name_key=rules.name_key(name),
        location=region.name,
        description=data.description,
        tags=rules.check_tags(data.tags),
    )
    known.add(ids.gallery_id(subscription.subscription_id, group.name, name), Gallery, gallery)
    return gallery


def _definition(known: _Known, item: NewDefinition, now: datetime) -> _PendingDefinition:
    gallery = known.get(item.gallery_id, Gallery)
    subscription = known.subscription(gallery.subscription_pk)
    data = item.data
    name = rules.check_definition_name(data.name)
    region = rules.check_source_location(data.location, subscription.cloud)
    publisher = rules.check_identifier(data.publisher, "publisher", 128)
    offer = rules.check_identifier(data.offer, "offer", 64)
    sku = rules.check_identifier(data.sku, "sku", 64)
    rules.check_recommended(data.min_vcpus, data.max_vcpus, "vCPUs", "vcpus")
    rules.check_recommended(data.min_memory_gb, data.max_memory_gb, "memory (GB)", "memory_gb")
    rules.check_future_eol(data.end_of_life_date, now)
    definition = _new(
        ImageDefinition,
        now,
        gallery_pk=gallery.pk,
        subscription_pk=subscription.pk,
        name=name,
        name_key=rules.name_key(name),
        location=region.name,
        publisher=publisher,
        offer=offer,
        sku=sku,
        publisher_key=rules.name_key(publisher),
        offer_key=rules.name_key(offer),
        sku_key=rules.name_key(sku),
        os_type=rules.check_os_type(data.os_type),
        os_state=rules.check_os_state(data.os_state),
        hyper_v_generation=rules.check_hyper_v_generation(data.hyper_v_generation),
        description=data.description,
        eula=data.eula,
        privacy_statement_uri=data.privacy_statement_uri,
        release_note_uri=data.release_note_uri,
        end_of_life_date=data.end_of_life_date,
        min_vcpus=data.min_vcpus,
        max_vcpus=data.max_vcpus,
        min_memory_gb=data.min_memory_gb,
        max_memory_gb=data.max_memory_gb,
        disallowed_disk_types=rules.check_disk_types(data.disallowed_disk_types),
        tags=rules.check_tags(data.tags),
    )
    known.add(f"{item.gallery_id.rstrip('/')}/images/{name}", ImageDefinition, definition)
    return _PendingDefinition(definition, gallery)


def _version(known: _Known, item: NewVersion, now: datetime) -> _PendingVersion:
    definition = known.get(item.definition_id, ImageDefinition)
    subscription = known.subscription(definition.subscription_pk)
    data = item.data
    number = rules.parse_version_name(data.name)
    location = rules.check_source_location(data.location, subscription.cloud).name
    source = known.source(data, definition, location)
    rules.check_replica_count(data.replica_count)
    storage = rules.check_storage_type(data.storage_account_type)
    rules.check_future_eol(data.end_of_life_date, now)
    published = item.published_at or now
    if published > now:
        raise CatalogError(
            "SIG-INPUT",
            f"version {data.name} is published at {published.isoformat()}, after now",
            field="published_at",
        )
    targets = [
        {"region": region, "replica_count": replicas, "storage_account_type": chosen}
        for region, replicas, chosen in known.targets(data, location, storage, subscription)
    ]
    size_gb = source.os_disk_size_gb + sum(disk.size_gb for disk in source.data_disks)
    at_once = sum(1 for t in targets if t["region"] != location)
    for target in targets:
        duration = known.duration(size_gb, location, target["region"], at_once)
        target.update(_replication(target["region"], location, duration, published, now))
        target.update(size_gb=size_gb, source_region=location)
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
        "external_source_id": None,
        "os_disk_size_gb": source.os_disk_size_gb,
        "replica_count": data.replica_count,
        "storage_account_type": storage,
        "exclude_from_latest": data.exclude_from_latest,
        "end_of_life_date": data.end_of_life_date,
        "published_at": published,
        "created_at": published,
        "updated_at": published,
        "tags": rules.check_tags(data.tags),
    }
    disks = [
        {
            "lun": disk.lun,
            "size_gb": disk.size_gb,
            "snapshot_pk": disk.snapshot_pk,
            "external_source_id": disk.external_source_id,
        }
        for disk in source.data_disks
    ]
    return _PendingVersion(definition, row, targets, disks)


def _replication(
    region: str, source: str, duration: float, started: datetime, now: datetime
) -> dict[str, Any]:
    """A target region that started replicating at `started` for `duration` seconds, in
    the state it has reached `now`: what `replication.start` then `replication.advance`
    write (the source region holds the image from the start)."""
    if region == source:
        return _done(started, started, 0.0, started)
    done_at = started + timedelta(seconds=duration)
    if done_at <= now:
        return _done(started, done_at, duration, now)
    moving = SimpleNamespace(
        state=ReplicationState.REPLICATING,
        started_at=started,
        duration_seconds=duration,
        progress=0,
    )
    progress = replication.status_at(moving, now).progress  # type: ignore[arg-type]
    return {
        "state": ReplicationState.REPLICATING,
        "progress": progress,
        "details": "",
        "duration_seconds": duration,
        "started_at": started,
        "updated_at": now if progress else started,
        "completed_at": None,
    }


def _done(started: datetime, done_at: datetime, duration: float, seen: datetime) -> dict[str, Any]:
    return {
        "state": ReplicationState.COMPLETED,
        "progress": 100,
        "details": "",
        "duration_seconds": duration,
        "started_at": started,
        "updated_at": seen,
        "completed_at": done_at,
    }


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


def _check_gallery_names(db: Session, galleries: list[Any]) -> None:
    """SIG-NAME: unique in their group, ignoring case."""
    taken = _existing(
        db, Gallery, "resource_group_pk", (g.resource_group_pk for g in galleries), "name_key"
    )
    for gallery in galleries:
        key = (gallery.resource_group_pk, gallery.name_key)
        if key in taken:
            raise CatalogError(
                "SIG-NAME",
                f"a gallery named {gallery.name!r} already exists here (names ignore case)",
                field="name",
            )
        taken.add(key)


def _parent_key(parent: Any) -> Any:
    """A parent's key, or (parents of the batch, without one yet) the object's identity."""
    return parent.pk if parent.pk is not None else ("new", id(parent))


def _check_definition_names(db: Session, definitions: list[_PendingDefinition]) -> None:
    """SIG-NAME: unique in their gallery; SIG-IDENT: no two share publisher/offer/SKU."""
    existing = _existing(
        db,
        ImageDefinition,
        "gallery_pk",
        (d.gallery.pk for d in definitions),
        "name_key",
        "publisher_key",
        "offer_key",
        "sku_key",
        "name",
    )
    names = {(gallery, key) for gallery, key, *_ in existing}
    identities = {(gallery, p, o, s): name for gallery, _, p, o, s, name in existing}
    for pending in definitions:
        d, parent = pending.row, _parent_key(pending.gallery)
        if (parent, d.name_key) in names:
            raise CatalogError(
                "SIG-NAME",
                f"an image definition named {d.name!r} already exists here (names ignore case)",
                field="name",
            )
        names.add((parent, d.name_key))
        identity = (parent, d.publisher_key, d.offer_key, d.sku_key)
        if identity in identities:
            raise CatalogError(
                "SIG-IDENT",
                f"image definition {identities[identity]!r} in gallery "
                f"{pending.gallery.name!r} already uses publisher/offer/SKU "
                f"{d.publisher}/{d.offer}/{d.sku}; definitions may share one or two of these "
                "values, never all three",
                field="sku",
            )
        identities[identity] = d.name


def _check_version_names(db: Session, versions: list[_PendingVersion]) -> None:
    """SIG-NAME: a version number appears once per definition (compared numerically)."""
    taken = _existing(
        db,
        ImageVersion,
        "definition_pk",
        (v.definition.pk for v in versions),
        "major",
        "minor",
        "patch",
    )
    for version in versions:
        definition = version.definition
        row = version.row
        key = (_parent_key(definition), row["major"], row["minor"], row["patch"])
        if key in taken:
            raise CatalogError(
                "SIG-NAME",
                f"version {version.row['name']} already exists in image definition "
                f"{definition.name!r}",
                field="name",
            )
        taken.add(key)


def _check_limits(db: Session, *wanted: tuple[Limit, list[tuple[int, str]]]) -> None:
    """SIG-LIMIT-*: per subscription x region, those there plus those of the batch fit."""
    subscriptions = {sub for _, places in wanted for sub, _ in places}
    used: Counter[tuple[str, int, str]] = Counter()
    for pk in sorted(subscriptions):
        for usage in queries.usage(db, subscription_pk=pk):
            for limit in limits.ALL_LIMITS:
                used[limit.kind, pk, usage.location] = usage.used(limit.kind)
    for limit, places in wanted:
        for (sub, location), added in sorted(Counter(places).items()):
            before = used[limit.kind, sub, location]
            if before + added > limit.maximum:
                region = get_region(location).display_name
                raise CatalogError(
                    limit.code,
                    f"the subscription has {before:,} {limit.noun} in {region} and the batch "
                    f"adds {added:,}; Azure allows at most {limit.maximum:,} per subscription "
                    "per region",
                )


# --- writing ------------------------------------------------------------------------------------


def _columns(row: Any, model: type[Any]) -> dict[str, Any]:
    """A model instance's column values, without its key (the database gives it)."""
    return {c.key: getattr(row, c.key) for c in model.__table__.columns if c.key != "pk"}


def _insert(db: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Insert rows (dicts with the same keys) with one executemany of the driver.

    The values go through their column types' bind processors a column at a time: the
    conversions are the ones SQLAlchemy makes, without its per-row parameter building,
    which took as long as the rule checks.
    No RETURNING either: on SQLite, SQLAlchemy sends one statement per row to keep the rows'
    order; the new keys are read back by the rows' unique keys (`_keys`)."""
    if not rows:
        return
    table = model.__table__
    columns = [table.c[key] for key in rows[0]]
    connection = db.connection()
    dialect = connection.dialect
    statement = sa.insert(table).values({c.key: sa.bindparam(c.key, type_=c.type) for c in columns})
    compiled = statement.compile(dialect=dialect)
    values = {c.key: _bound(c, dialect, [row[c.key] for row in rows]) for c in columns}
    if compiled.positional:
        ordered = (values[key] for key in compiled.positiontup or ())
        parameters: list[Any] = list(zip(*ordered, strict=True))
    else:
        keys = list(values)
        parameters = [
            dict(zip(keys, row, strict=True)) for row in zip(*values.values(), strict=True)
        ]
    connection.exec_driver_sql(str(compiled), parameters)
    mark_changed(db)


def _bound(column: sa.Column[Any], dialect: Any, values: list[Any]) -> list[Any]:
    """Values as the driver takes them, through the column type's bind processor, once
    per distinct value (rows share times: a version's regions start when it is published)."""
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return values
    try:
        once = {value: process(value) for value in set(values)}
    except TypeError:  # values that cannot be hashed (JSON)
        return [process(value) for value in values]
    return [once[value] for value in values]


def _keys(
    db: Session, model: type[Any], parent: str, unique: tuple[str, ...], parent_pks: set[Any]
) -> dict[tuple[Any, ...], int]:
    """Keys of the rows under these parents, by (parent key, *unique columns): one query."""
    table = model.__table__
    columns = [table.c[parent], *(table.c[c] for c in unique)]
    statement = sa.select(table.c.pk, *columns).where(table.c[parent].in_(sorted(parent_pks)))
    return {tuple(row[1:]): row[0] for row in db.execute(statement)}


def _write(
    db: Session,
    galleries: list[Any],
    definitions: list[_PendingDefinition],
    versions: list[_PendingVersion],
) -> Loaded:
    _insert(db, Gallery, [_columns(g, Gallery) for g in galleries])
    if galleries:
        groups = {g.resource_group_pk for g in galleries}
        keys = _keys(db, Gallery, "resource_group_pk", ("name_key",), groups)
        for gallery in galleries:
            gallery.pk = keys[gallery.resource_group_pk, gallery.name_key]
    for pending in definitions:
        pending.row.gallery_pk = pending.gallery.pk
    _insert(db, ImageDefinition, [_columns(d.row, ImageDefinition) for d in definitions])
    if definitions:
        parents = {d.row.gallery_pk for d in definitions}
        keys = _keys(db, ImageDefinition, "gallery_pk", ("name_key",), parents)
        for pending in definitions:
            pending.row.pk = keys[pending.row.gallery_pk, pending.row.name_key]
    for version in versions:
        version.row["definition_pk"] = version.definition.pk
    _insert(db, ImageVersion, [v.row for v in versions])
    targets, disks = [], []
    if versions:
        parents = {v.row["definition_pk"] for v in versions}
        keys = _keys(db, ImageVersion, "definition_pk", ("major", "minor", "patch"), parents)
        for version in versions:
            row = version.row
            pk = keys[row["definition_pk"], row["major"], row["minor"], row["patch"]]
            for part in (*version.targets, *version.disks):
                part["version_pk"] = pk
            targets += version.targets
            disks += version.disks
    _insert(db, TargetRegion, targets)
    _insert(db, DataDisk, disks)
    return Loaded(len(galleries), len(definitions), len(versions), len(targets))
