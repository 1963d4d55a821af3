"""The demo catalog: `seed/demo.toml` (data) loaded through the services (`sigtui seed`).

Every entry goes through the same rules a user's command would, so the demo obeys every
rule: accounts, sources and access one at a time through their services; galleries and
definitions, then versions, as two batches of the bulk path (which holds the create rules
of the one-at-a-time services). The whole load is one transaction: a refused entry, an
error or a kill leaves the catalog as it was. The services run under a FixedClock set
from the data, so two loads give the same ids, etags and timestamps.
"""

from __future__ import annotations

import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, func, select

from sigtui.catalog import services
from sigtui.catalog.model.errors import CatalogError, Refusal
from sigtui.catalog.model.models import (
    RESOURCE_TABLES,
    CatalogChange,
    CatalogEvent,
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
)
from sigtui.catalog.model.schemas import (
    DefinitionCreate,
    GalleryCreate,
    GroupCreate,
    ManagedImageCreate,
    PrincipalCreate,
    RoleAssignmentCreate,
    SnapshotCreate,
    SubscriptionCreate,
    TenantCreate,
    VersionCreate,
    build,
)
from sigtui.catalog.queries import fetch, lookup
from sigtui.catalog.replication import schedule
from sigtui.catalog.rules.regions import get_region
from sigtui.catalog.services import bulk, events
from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import Catalog

SEED_FILE = "demo.toml"
DEFAULT_REPLICATION_MINUTES = 30

Entry = dict[str, Any]
Schema = TypeVar("Schema", bound=SQLModel)


def seed_dir() -> Path:
    """The demo's folder: shipped inside the wheel, or `seed/` in a source checkout."""
    here = Path(__file__).resolve().parents[2]  # the sigtui package
    for candidate in (here / "_seed", here.parent / "seed"):
        if (candidate / SEED_FILE).exists():
            return candidate
    raise RuntimeError("sigtui's seed folder is missing from this installation")


def demo_path() -> Path:
    return seed_dir() / SEED_FILE


# --- the result -------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedResult:
    """What the catalog holds after the load (it was empty before), and how long it took."""

    tenants: int
    subscriptions: int
    resource_groups: int
    galleries: int
    image_definitions: int
    image_versions: int
    target_regions: int
    managed_images: int
    snapshots: int
    principals: int
    role_assignments: int
    seconds: float = 0.0

    def summary(self) -> str:
        versions = _plural(self.image_versions, "image version")
        parts = [
            _plural(self.tenants, "tenant"),
            _plural(self.subscriptions, "subscription"),
            _plural(self.resource_groups, "resource group"),
            _plural(self.galleries, "gallery", "galleries"),
            _plural(self.image_definitions, "image definition"),
            f"{versions} in {_plural(self.target_regions, 'target region')}",
            _plural(self.managed_images, "managed image"),
            _plural(self.snapshots, "snapshot"),
            _plural(self.principals, "principal"),
            _plural(self.role_assignments, "role assignment"),
        ]
        return "Loaded the demo catalog: " + ", ".join(parts) + "."


def _plural(count: int, noun: str, nouns: str | None = None) -> str:
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


_COUNTED: dict[str, type[SQLModel]] = {
    "tenants": Tenant,
    "subscriptions": Subscription,
    "resource_groups": ResourceGroup,
    "galleries": Gallery,
    "image_definitions": ImageDefinition,
    "image_versions": ImageVersion,
    "target_regions": TargetRegion,
    "managed_images": ManagedImage,
    "snapshots": Snapshot,
    "principals": Principal,
    "role_assignments": RoleAssignment,
}


def _counts(db: Session) -> dict[str, int]:
    return {
        name: db.exec(select(func.count()).select_from(model)).one()
        for name, model in _COUNTED.items()
    }


# --- loading ------------------------------------------------------------------------------


def load_demo(catalog: Catalog, *, reset: bool = False, path: Path | None = None) -> SeedResult:
    """Load the demo catalog (or the seed file at `path`) in one transaction.

    The catalog must be empty, unless `reset`: then every row is deleted first, in the
    same transaction. Raises CatalogError (and changes nothing) when an entry is refused.
    """
    data = read_seed(path or demo_path())
    started = time.perf_counter()
    with catalog.write() as db:
        if reset:
            _delete_everything(db)
        elif not _is_empty(db):
            raise CatalogError(
                "SIG-INPUT",
                "the catalog is not empty; use --reset to replace everything in it "
                "with the demo catalog",
            )
        with events.batch(db):  # one event for the whole seed
            _DemoLoader(db, data["seed"], live_now=catalog.clock.now()).load(data)
        counts = _counts(db)
        events.record_event(db, "seed", "catalog", None, SeedResult(**counts).summary())
    return SeedResult(**counts, seconds=time.perf_counter() - started)


def read_seed(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError("SIG-INPUT", f"cannot read the seed file {path}: {exc}") from None
    if not isinstance(data.get("seed"), dict):
        raise CatalogError("SIG-INPUT", f"the seed file {path} has no [seed] table")
    return data


def _is_empty(db: Session) -> bool:
    return all(db.exec(select(model.pk).limit(1)).first() is None for model in RESOURCE_TABLES)


def _delete_everything(db: Session) -> None:
    """Empty the catalog, children first. The one write that bypasses the services: it
    obeys no rule because it keeps nothing (but the change marker, which must only grow,
    and the event log, which records the reset)."""
    for table in reversed(SQLModel.metadata.sorted_tables):
        if table.name not in (CatalogChange.__tablename__, CatalogEvent.__tablename__):
            db.exec(sa.delete(table))
    db.flush()


# --- reading entries ------------------------------------------------------------------------


def _need(entry: Entry, key: str) -> Any:
    if key not in entry:
        raise CatalogError("SIG-INPUT", f"{key!r} is missing")
    return entry[key]


def _without(entry: Entry, keys: tuple[str, ...]) -> Entry:
    return {k: v for k, v in entry.items() if k not in keys}


def _schema(schema: type[Schema], values: Entry) -> Schema:
    """A service input from seed values; a key the schema does not know is an error (a
    typo must not be ignored silently)."""
    unknown = sorted(set(values) - set(schema.model_fields))
    if unknown:
        raise CatalogError("SIG-INPUT", f"unknown field(s): {', '.join(unknown)}")
    return build(schema, **values)


_PREFIX = "the demo seed's "


@contextmanager
def _entry(what: str) -> Iterator[None]:
    """Name the seed entry in any error raised while loading it."""
    try:
        yield
    except CatalogError as exc:
        if exc.message.startswith(_PREFIX):  # an entry inside this one named itself
            raise
        raise CatalogError(exc.code, f"{_PREFIX}{what}: {exc.message}", field=exc.field) from exc


@dataclass(frozen=True)
class _Placed:
    """A loaded resource as later entries refer to it: its ARM id and location."""

    id: str
    location: str


@dataclass(frozen=True)
class _Published:
    """A version of the batch, and what was observed of its replication."""

    label: str  # the seed's name for it, for errors
    placed: _Placed
    published_at: datetime
    listed: Entry  # outcomes by region name (the `replication` table)


_OUTCOME_KEYS = ("state", "progress", "details")


class _DemoLoader:
    """Feeds the seed's entries to the services, kind by kind, parents first."""

    def __init__(self, db: Session, seed: Entry, live_now: datetime) -> None:
        self.db = db
        # regions in flight carry on from their progress at the time of loading, so the
        # demo is a living estate on first run (the rest is as observed at seed.now)
        self.live_now = max(live_now, _aware(_need(seed, "now"), "seed.now"))
        with _entry("[seed] table"):
            self.start = _aware(_need(seed, "created"), "seed.created")
            self.now = _aware(_need(seed, "now"), "seed.now")
            if self.start > self.now:
                raise CatalogError("SIG-INPUT", "seed.created is after seed.now")
        minutes = seed.get("replication_minutes", DEFAULT_REPLICATION_MINUTES)
        self.replication_time = timedelta(minutes=minutes)
        # every demo version's own replication speed: the demo replicates visibly on its own
        self.replication_speed = float(seed.get("replication_speed", 1.0))
        self.clock = FixedClock(self.start)
        self.groups: dict[tuple[str, str], _Placed] = {}
        self.sources: dict[str, str] = {}
        self.galleries: dict[str, _Placed] = {}
        self.definitions: dict[str, _Placed] = {}
        self.versions: dict[str, _Placed] = {}
        self.principals: dict[str, str] = {}
        # the galleries and definitions, then the versions: each written together
        self.batch = bulk.Batch()
        self.published: list[_Published] = []  # the versions of `batch`, in its order

    def load(self, data: dict[str, Any]) -> None:
        steps = (
            ("tenant", self._tenant),
            ("subscription", self._subscription),
            ("resource_group", self._group),
            ("gallery", self._gallery),
            ("gallery_batch", self._gallery_batch),
            ("definition", self._definition),
            ("version", self._version),
            ("principal", self._principal),
            ("role_assignment", self._role_assignment),
        )
        for kind, load_one in steps:
            if kind == "version":  # the galleries and definitions are one batch
                self._load_batch()
            if kind == "principal":  # the versions another, then their replication
                self._load_versions()
            for entry in data.get(kind, []):
                with _entry(f"{kind.replace('_', ' ')} {_label(entry)}"):
                    load_one(entry)

    def _load_batch(self) -> None:
        """The galleries and definitions, through the bulk path (its rules are the
        services'): one insert per table; a refused one is named by its ARM id."""
        with _entry("galleries and image definitions"):
            bulk.load(self.db, self.batch, FixedClock(self.now))
        self.batch = bulk.Batch()

    def _load_versions(self) -> None:
        """The versions, through the bulk path as one batch (one insert per table), each
        with its regions as they were when it was published; then what was observed of
        them (`_replicate`). A refused version is named as the seed names it."""
        refused: list[Refusal] = []
        loaded = bulk.load(self.db, self.batch, FixedClock(self.now), refused)
        if refused:
            raise self._refused(refused)
        keys = [loaded.version_keys[v.placed.id.casefold()] for v in self.published]
        targets = fetch.target_regions_of(self.db, keys)
        for version, pk in zip(self.published, keys, strict=True):
            with _entry(f"version {version.label}"):
                self._replicate(version, targets[pk])
        self.batch = bulk.Batch()

    def _refused(self, refused: list[Refusal]) -> CatalogError:
        labels = {v.placed.id.casefold(): v.label for v in self.published}
        named = [(labels.get(arm_id.casefold(), arm_id), error) for arm_id, error in refused]
        first = named[0][1]
        message = "; ".join(f"version {label}: {error.message}" for label, error in named)
        return CatalogError(first.code, f"{_PREFIX}{message}", field=first.field)

    # time ---------------------------------------------------------------------------------

    def _at(self, entry: Entry, key: str = "created") -> None:
        """Set the clock to the entry's time (within the seed's span), else `seed.created`."""
        value = entry.get(key, self.start)
        self.clock.set(self._within_span(_aware(value, key), key))

    def _within_span(self, moment: datetime, what: str) -> datetime:
        if not self.start <= moment <= self.now:
            raise CatalogError(
                "SIG-INPUT",
                f"{what} {moment.isoformat()} is outside the seed's span, "
                f"{self.start.isoformat()} to {self.now.isoformat()}",
            )
        return moment

    # accounts --------------------------------------------------------------------------------

    def _tenant(self, entry: Entry) -> None:
        self._at(entry)
        data = _schema(TenantCreate, _without(entry, ("created",)))
        services.create_tenant(self.db, data, self.clock)

    def _subscription(self, entry: Entry) -> None:
        self._at(entry)
        data = _schema(SubscriptionCreate, _without(entry, ("created",)))
        services.create_subscription(self.db, data, self.clock)

    def _group(self, entry: Entry) -> None:
        self._at(entry)
        values = _without(entry, ("created", "managed_images", "snapshots"))
        group = services.create_group(self.db, _schema(GroupCreate, values), self.clock)
        placed = _Placed(lookup.arm_id(self.db, group), group.location)
        key = (_need(entry, "subscription"), group.name)
        _register(self.groups, key, placed, "resource group")
        for image in entry.get("managed_images", []):
            with _entry(f"managed image {_label(image)}"):
                self._managed_image(image, placed)
        for snapshot in entry.get("snapshots", []):
            with _entry(f"snapshot {_label(snapshot)}"):
                self._snapshot(snapshot, placed)

    def _managed_image(self, entry: Entry, group: _Placed) -> None:
        self._at(entry)
        values = {"location": group.location, **_without(entry, ("created",))}
        data = _schema(ManagedImageCreate, {**values, "group_id": group.id})
        image = services.create_managed_image(self.db, data, self.clock)
        _register(self.sources, image.name, lookup.arm_id(self.db, image), "source")

    def _snapshot(self, entry: Entry, group: _Placed) -> None:
        self._at(entry)
        values = {"location": group.location, **_without(entry, ("created",))}
        data = _schema(SnapshotCreate, {**values, "group_id": group.id})
        snapshot = services.create_snapshot(self.db, data, self.clock)
        _register(self.sources, snapshot.name, lookup.arm_id(self.db, snapshot), "source")

    # galleries and definitions ----------------------------------------------------------

    def _group_of(self, entry: Entry) -> _Placed:
        key = (_need(entry, "subscription"), _need(entry, "resource_group"))
        return _ref(self.groups, key, "resource group")

    def _gallery(self, entry: Entry) -> None:
        self._at(entry)
        group = self._group_of(entry)
        values = {"location": group.location, **_without(entry, _GALLERY_REFS)}
        self._create_gallery(group, _schema(GalleryCreate, values))

    def _create_gallery(self, group: _Placed, data: GalleryCreate) -> None:
        new = bulk.NewGallery(group.id, data, created_at=self.clock.now())
        self.batch.galleries.append(new)
        placed = _Placed(bulk.gallery_id(new), get_region(data.location).name)
        _register(self.galleries, data.name, placed, "gallery")

    def _gallery_batch(self, entry: Entry) -> None:
        """`count` galleries named from the `name` and `description` patterns (`{index}`),
        created `interval_minutes` apart."""
        unknown = sorted(set(entry) - set(_BATCH_KEYS))
        if unknown:
            raise CatalogError("SIG-INPUT", f"unknown field(s): {', '.join(unknown)}")
        group = self._group_of(entry)
        first, count = entry.get("first", 1), _need(entry, "count")
        interval = timedelta(minutes=entry.get("interval_minutes", 0))
        start = _aware(entry.get("created", self.start), "created")
        pattern, about = _need(entry, "name"), entry.get("description")
        for offset in range(count):
            index = first + offset
            self.clock.set(self._within_span(start + offset * interval, "created"))
            values = {
                "location": entry.get("location", group.location),
                "tags": entry.get("tags", {}),
                "name": pattern.format(index=index),
                "description": about.format(index=index) if about else None,
            }
            self._create_gallery(group, _schema(GalleryCreate, values))

    def _definition(self, entry: Entry) -> None:
        self._at(entry)
        gallery_name = _need(entry, "gallery")
        gallery = _ref(self.galleries, gallery_name, "gallery")
        values = {"location": gallery.location, **_without(entry, ("gallery", "created"))}
        data = _schema(DefinitionCreate, values)
        new = bulk.NewDefinition(gallery.id, data, created_at=self.clock.now())
        self.batch.definitions.append(new)
        placed = _Placed(bulk.definition_id(new), get_region(data.location).name)
        _register(self.definitions, f"{gallery_name}/{data.name}", placed, "definition")

    # versions and their replication -------------------------------------------------------

    def _version(self, entry: Entry) -> None:
        self._at(entry, "published")
        definition_ref = _need(entry, "definition")
        definition = _ref(self.definitions, definition_ref, "image definition")
        values = {
            "location": definition.location,
            **_without(entry, _VERSION_REFS),
            **self._version_source(entry),
        }
        if "target_regions" in entry:
            values["target_regions"] = [
                services.parse_target_region(text) for text in entry["target_regions"]
            ]
        data = _schema(VersionCreate, values)
        published = self.clock.now()
        new = bulk.NewVersion(
            definition.id,
            data,
            published_at=published,
            state_at=published,  # as published: `_replicate` records what was observed
            replication_speed=self.replication_speed,  # a demo's, not a user's field
        )
        self.batch.versions.append(new)
        placed = _Placed(bulk.version_id(new), get_region(data.location).name)
        label = f"{definition_ref}/{data.name}"
        _register(self.versions, label, placed, "version")
        listed = entry.get("replication", {})
        self.published.append(_Published(repr(label), placed, published, listed))

    def _version_source(self, entry: Entry) -> Entry:
        """Source ids from source names: a managed image, or OS + data-disk snapshots."""
        source: Entry = {}
        if "managed_image" in entry:
            source["managed_image_id"] = _ref(self.sources, entry["managed_image"], "source")
        if "os_snapshot" in entry:
            source["os_snapshot_id"] = _ref(self.sources, entry["os_snapshot"], "source")
        disks = entry.get("data_snapshots", [])
        if disks:
            source["data_snapshot_ids"] = [
                _ref(self.sources, _need(d, "snapshot"), "source") for d in disks
            ]
            source["data_snapshot_luns"] = [_need(d, "lun") for d in disks]
        return source

    def _replicate(self, version: _Published, targets: list[TargetRegion]) -> None:
        """The listed regions take their state as observed at `seed.now`; every other
        target region completed `replication_minutes` after the version was published."""
        outcomes = {get_region(name).name: outcome for name, outcome in version.listed.items()}
        completed_at = min(version.published_at + self.replication_time, self.now)
        version_id = version.placed.id
        for target in targets:
            outcome = outcomes.pop(target.region, None)
            if outcome is not None:
                self._record(version_id, target.region, outcome)
            elif target.region != version.placed.location:
                schedule.record(self.db, version_id, target.region, "Completed", completed_at)
        if outcomes:
            raise CatalogError(
                "SIG-REPLICATION",
                f"replication is listed for {', '.join(outcomes)}, not target regions",
            )

    def _record(self, version_id: str, region: str, outcome: Entry) -> None:
        unknown = sorted(set(outcome) - set(_OUTCOME_KEYS))
        if unknown:
            raise CatalogError(
                "SIG-INPUT", f"replication of {region}: unknown field(s) {', '.join(unknown)}"
            )
        state = _need(outcome, "state")
        schedule.record(
            self.db,
            version_id,
            region,
            state,
            self.live_now if state == "Replicating" else self.now,
            progress=outcome.get("progress"),
            details=outcome.get("details", ""),
        )

    # access ---------------------------------------------------------------------------------

    def _principal(self, entry: Entry) -> None:
        self._at(entry)
        data = _schema(PrincipalCreate, _without(entry, ("created",)))
        principal = services.create_principal(self.db, data, self.clock)
        _register(self.principals, principal.name, principal.object_id, "principal")

    def _role_assignment(self, entry: Entry) -> None:
        self._at(entry)
        values = {
            **_without(entry, ("created",)),
            "assignee": _ref(self.principals, _need(entry, "assignee"), "principal"),
            "scope": self._scope(_need(entry, "scope")),
        }
        services.create_role_assignment(self.db, _schema(RoleAssignmentCreate, values), self.clock)

    def _scope(self, ref: str) -> str:
        """A scope reference: gallery, gallery/definition or gallery/definition/version."""
        kinds = {1: (self.galleries, "gallery"), 2: (self.definitions, "image definition")}
        table, what = kinds.get(ref.count("/") + 1, (self.versions, "image version"))
        return _ref(table, ref, what).id


_GALLERY_REFS = ("subscription", "resource_group", "created")
_BATCH_KEYS = (
    *_GALLERY_REFS,
    "location",
    "name",
    "description",
    "tags",
    "count",
    "first",
    "interval_minutes",
)
_VERSION_REFS = (
    "definition",
    "published",
    "managed_image",
    "os_snapshot",
    "data_snapshots",
    "target_regions",
    "replication",
)

Key = TypeVar("Key")
Value = TypeVar("Value")


def _register(table: dict[Key, Value], key: Key, value: Value, what: str) -> None:
    """Remember a loaded resource by the name later entries use for it (once each)."""
    if key in table:
        raise CatalogError("SIG-INPUT", f"the seed names {what} {key!r} twice")
    table[key] = value


def _ref(table: dict[Key, Value], key: Key, what: str) -> Value:
    if key not in table:
        raise CatalogError(
            "SIG-NOT-FOUND", f"{what} {key!r} is not defined earlier in the seed file"
        )
    return table[key]


def _aware(value: Any, what: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise CatalogError(
            "SIG-INPUT",
            f"{what} must be a date-time with a time zone, like 2025-03-01T09:00:00Z "
            f"(got {value!r})",
        )
    return value


def _label(entry: Entry) -> str:
    name = entry.get("name")
    if "definition" in entry and name:
        return repr(f"{entry['definition']}/{name}")
    if name:
        return repr(name)
    if "assignee" in entry:
        return f"{entry['assignee']!r} at {entry.get('scope')!r}"
    return "(unnamed)"
