"""The replication engine (SIG-REPLICATION): each target region of a version replicates
on its own, and its state is kept in the catalog.

The model, in a few lines (constants in `MODEL`):

    minutes = (setup + size_gb * minutes_per_gb[distance]) * (1 + parallel_penalty * (n - 1))

- `size_gb` is the version's size: its OS disk plus its data disks.
- `distance` from the source region to the target: the same geography, the same
  continent, or another continent (sigtui.catalog.rules.regions). The source region holds
  the image from the start: it is Completed at once.
- `n` is how many regions of the version replicate at once when this one starts.
- A speed factor (`--replication-speed`, SIGTUI_REPLICATION_SPEED) divides the time, so a
  demo shows visible movement; the default models realistic durations (hours for large
  images, as the source document says).

A region's planned duration and start time are stored when it starts; its state and
progress at any moment follow from them (`status_at`), so another process, or the app
reopened later, sees the same state. `advance` writes the states reached into the rows,
and fails in-flight regions whose subscription lost the allowlisting they need.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import Session, col, func, select, update

from sigtui.catalog.model import ids
from sigtui.catalog.model.enums import AggregatedState, ReplicationState
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    DataDisk,
    Gallery,
    ImageDefinition,
    ImageVersion,
    RegionAllowlist,
    ResourceGroup,
    Subscription,
    TargetRegion,
)
from sigtui.catalog.queries import lookup
from sigtui.catalog.rules.regions import Region, get_region
from sigtui.catalog.store.db import ACTING_AS, Catalog

ENV_SPEED = "SIGTUI_REPLICATION_SPEED"


@dataclass(frozen=True)
class ReplicationModel:
    setup_minutes: float = 5.0
    minutes_per_gb: dict[str, float] = field(
        default_factory=lambda: {"geography": 0.25, "continent": 0.5, "intercontinental": 1.0}
    )
    parallel_penalty: float = 0.2  # each other region replicating at once adds 20 %


MODEL = ReplicationModel()

_speed: float | None = None


def set_speed(speed: float | None) -> None:
    """The speed factor of this process (None: from SIGTUI_REPLICATION_SPEED, else 1)."""
    if speed is not None and not speed > 0:
        raise CatalogError("SIG-INPUT", f"replication speed must be positive, not {speed}")
    global _speed
    _speed = speed


def speed() -> float:
    if _speed is not None:
        return _speed
    text = os.environ.get(ENV_SPEED, "").strip()
    try:
        value = float(text) if text else 1.0
    except ValueError:
        raise CatalogError("SIG-INPUT", f"{ENV_SPEED}={text!r} is not a number") from None
    if not value > 0:
        raise CatalogError("SIG-INPUT", f"{ENV_SPEED} must be positive, not {text}")
    return value


def distance(source: Region, target: Region) -> str:
    if source.geography == target.geography:
        return "geography"
    if source.continent == target.continent:
        return "continent"
    return "intercontinental"


def planned_seconds(size_gb: int, source: str, target: str, at_once: int) -> float:
    """How long replicating `size_gb` from `source` to `target` takes (see the model)."""
    per_gb = MODEL.minutes_per_gb[distance(get_region(source), get_region(target))]
    minutes = (MODEL.setup_minutes + size_gb * per_gb) * (
        1 + MODEL.parallel_penalty * (max(1, at_once) - 1)
    )
    return minutes * 60 / speed()


def start(
    target: TargetRegion, source_region: str, size_gb: int, at_once: int, now: datetime
) -> None:
    """Begin replication to `target` (a new version, a region added, or a retry)."""
    target.started_at = now
    target.updated_at = now
    target.details = ""
    if target.region == source_region:
        target.state = ReplicationState.COMPLETED
        target.progress = 100
        target.completed_at = now
        target.duration_seconds = 0.0
        return
    target.state = ReplicationState.REPLICATING
    target.progress = 0
    target.completed_at = None
    target.duration_seconds = planned_seconds(size_gb, source_region, target.region, at_once)


@dataclass(frozen=True)
class Status:
    state: str
    progress: int
    eta: datetime | None  # when a Replicating region completes


class Timeline(Protocol):
    """What `status_at` reads of a target region: a TargetRegion, or a row of its columns."""

    @property
    def state(self) -> str: ...
    @property
    def progress(self) -> int: ...
    @property
    def started_at(self) -> datetime | None: ...
    @property
    def duration_seconds(self) -> float | None: ...


def status_at(target: Timeline, now: datetime) -> Status:
    """The region's state at `now`, from its stored start and planned duration."""
    if target.state != ReplicationState.REPLICATING or target.started_at is None:
        return Status(target.state, target.progress, None)
    duration = target.duration_seconds or 0.0
    done_at = target.started_at + timedelta(seconds=duration)
    if now >= done_at:
        return Status(ReplicationState.COMPLETED, 100, None)
    elapsed = max(0.0, (now - target.started_at).total_seconds())
    progress = min(99, int(100 * elapsed / duration)) if duration else 99
    return Status(ReplicationState.REPLICATING, max(target.progress, progress), done_at)


def aggregated_state(states: Iterable[str]) -> AggregatedState:
    """The version's aggregatedState from its regions' states, as Azure reports it."""
    seen = set(states)
    if not seen:
        return AggregatedState.UNKNOWN
    if ReplicationState.FAILED in seen:
        return AggregatedState.FAILED
    if ReplicationState.REPLICATING in seen:
        return AggregatedState.IN_PROGRESS
    if seen == {ReplicationState.COMPLETED}:
        return AggregatedState.COMPLETED
    return AggregatedState.UNKNOWN


def version_size_gb(db: Session, version: ImageVersion) -> int:
    data = db.exec(
        select(func.coalesce(func.sum(DataDisk.size_gb), 0)).where(
            DataDisk.version_pk == version.pk
        )
    ).one()
    return version.os_disk_size_gb + int(data)


def replicating_count(db: Session, version: ImageVersion) -> int:
    return db.exec(
        select(func.count()).where(
            TargetRegion.version_pk == version.pk,
            TargetRegion.state == ReplicationState.REPLICATING,
        )
    ).one()


# --- writes ----------------------------------------------------------------------------


def refresh(catalog: Catalog) -> int:
    """Bring the catalog's replication states up to its clock (nothing when read-only).

    It does not move the change marker: every session runs this clock itself, and
    announcing each tick would make every open app reload its whole tree every few
    seconds while anything replicates (thousands of regions at Azure's limits)."""
    if catalog.readonly:
        return 0
    with catalog.write(announce=False) as db:
        db.info[ACTING_AS] = None  # progress is Azure's doing, whoever the session acts as
        return advance(db, catalog.clock.now())


def advance(db: Session, now: datetime) -> int:
    """Write the states reached at `now` into the in-flight rows; fail those whose
    subscription lost its allowlisting for the region. Returns how many rows changed.

    It runs every few seconds while the app is open, over every region in flight
    (thousands at Azure's limits): plain rows in, one executemany UPDATE out."""
    rows: Sequence[Any] = db.execute(  # plain rows, with the columns status_at reads
        sa.select(
            col(TargetRegion.pk),
            col(TargetRegion.region),
            col(TargetRegion.state),
            col(TargetRegion.progress),
            col(TargetRegion.started_at),
            col(TargetRegion.duration_seconds),
            col(ImageVersion.subscription_pk),
        )
        .join(ImageVersion, col(ImageVersion.pk) == TargetRegion.version_pk)
        .where(col(TargetRegion.state) == ReplicationState.REPLICATING)
    ).all()
    allowlisted = _allowlisted(db, {row.subscription_pk for row in rows})
    updates: list[dict[str, object]] = []
    for row in rows:
        region = get_region(row.region)
        if region.needs_allowlist and region.name not in allowlisted[row.subscription_pk]:
            reason = _allowlist_reason(db, row.subscription_pk, region)
            updates.append(_failed_values(row.pk, reason, now))
            continue
        status = status_at(row, now)
        if (status.state, status.progress) != (row.state, row.progress):
            values: dict[str, object] = {
                "pk": row.pk,
                "state": status.state,
                "progress": status.progress,
                "updated_at": now,
            }
            if status.state == ReplicationState.COMPLETED:
                duration = timedelta(seconds=row.duration_seconds or 0)
                values["completed_at"] = (row.started_at or now) + duration
            updates.append(values)
    for same_columns in _by_columns(updates):
        db.execute(update(TargetRegion), same_columns)
    return len(updates)


def _by_columns(updates: list[dict[str, object]]) -> list[list[dict[str, object]]]:
    """Updates grouped by the columns they set (an executemany sets one set of columns)."""
    groups: dict[tuple[str, ...], list[dict[str, object]]] = {}
    for values in updates:
        groups.setdefault(tuple(sorted(values)), []).append(values)
    return list(groups.values())


def _allowlisted(db: Session, subscription_pks: set[int]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {pk: set() for pk in subscription_pks}
    if subscription_pks:
        for pk, region in db.exec(
            select(RegionAllowlist.subscription_pk, RegionAllowlist.region).where(
                col(RegionAllowlist.subscription_pk).in_(subscription_pks)
            )
        ):
            found[pk].add(region)
    return found


def _allowlist_reason(db: Session, subscription_pk: int, region: Region) -> str:
    subscription = db.get_one(Subscription, subscription_pk)
    return (
        f"Subscription {subscription.name!r} is no longer allowlisted for "
        f"{region.display_name}; ask for the allowlisting again, then retry."
    )


def _set_failed(target: TargetRegion, reason: str, now: datetime) -> None:
    for column, value in _failed_values(target.pk, reason, now).items():
        if column != "pk":
            setattr(target, column, value)


def _failed_values(pk: int | None, reason: str, now: datetime) -> dict[str, object]:
    return {
        "pk": pk,
        "state": ReplicationState.FAILED,
        "details": reason,
        "updated_at": now,
        "completed_at": None,
    }


def _target(db: Session, version: ImageVersion, region: str) -> TargetRegion:
    name = get_region(region, code="SIG-REPLICATION", field="region").name
    target = db.exec(
        select(TargetRegion).where(
            TargetRegion.version_pk == version.pk, TargetRegion.region == name
        )
    ).first()
    if target is None:
        raise CatalogError(
            "SIG-NOT-FOUND",
            f"{get_region(name).display_name} is not a target region of this version",
        )
    return target


def retry(db: Session, version_id: str, region: str, now: datetime) -> TargetRegion:
    """Start a Failed (or Unknown) region over."""
    version = lookup.resolve_as(db, version_id, ImageVersion)
    target = _target(db, version, region)
    if target.state not in (ReplicationState.FAILED, ReplicationState.UNKNOWN):
        raise CatalogError(
            "SIG-REPLICATION",
            f"{get_region(target.region).display_name} is {target.state}; only a Failed or "
            "Unknown region can be retried",
        )
    at_once = replicating_count(db, version) + 1
    start(target, version.location, version_size_gb(db, version), at_once, now)
    db.add(target)
    db.flush()
    return target


def fail(db: Session, version_id: str, region: str, reason: str, now: datetime) -> TargetRegion:
    """Make an in-flight region fail with `reason` (a fault injected for demos and tests)."""
    version = lookup.resolve_as(db, version_id, ImageVersion)
    target = _target(db, version, region)
    if status_at(target, now).state != ReplicationState.REPLICATING:
        raise CatalogError(
            "SIG-REPLICATION",
            f"{get_region(target.region).display_name} is not replicating; only a region in "
            "flight can fail",
        )
    _set_failed(target, reason or "Injected fault.", now)
    db.add(target)
    db.flush()
    return target


def record(
    db: Session,
    version_id: str,
    region: str,
    state: str,
    now: datetime,
    progress: int | None = None,
    details: str = "",
) -> TargetRegion:
    """Store a state as Azure reported it (the demo seed, imports). A Replicating region
    at `progress` % is placed on the model's timeline so that it carries on from there."""
    version = lookup.resolve_as(db, version_id, ImageVersion)
    target = _target(db, version, region)
    try:
        reported = ReplicationState(state)
    except ValueError:
        raise CatalogError(
            "SIG-INPUT",
            f"replication state {state!r} is not one of Unknown, Replicating, Completed, Failed",
        ) from None
    target.state = reported
    target.progress = (
        100 if reported == ReplicationState.COMPLETED else max(0, min(99, progress or 0))
    )
    target.details = details
    target.updated_at = now
    target.completed_at = now if reported == ReplicationState.COMPLETED else None
    if reported == ReplicationState.REPLICATING:
        at_once = max(1, replicating_count(db, version))
        duration = planned_seconds(
            version_size_gb(db, version), version.location, target.region, at_once
        )
        target.duration_seconds = duration
        target.started_at = now - timedelta(seconds=duration * target.progress / 100)
    db.add(target)
    db.flush()
    return target


# --- what is in flight ------------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    """One version x region, for the replication views."""

    version_id: str
    subscription: str
    gallery: str
    definition: str
    version: str
    region: str
    replicas: int
    storage: str
    state: str
    progress: int
    eta: datetime | None
    details: str
    started_at: datetime | None
    completed_at: datetime | None


RECENT = timedelta(hours=24)


_Rows = sa.Select[*tuple[Any, ...]]


def _activity_rows(now: datetime, subscription: str | None, recent: timedelta) -> _Rows:
    """The regions of `activity`, as plain rows (tens of thousands at Azure's limits: as
    ORM objects they took seconds); the callers order them (`_VIEW_ORDER`)."""
    statement: _Rows = (
        sa.select(
            col(TargetRegion.region),
            col(TargetRegion.replica_count),
            col(TargetRegion.storage_account_type),
            col(TargetRegion.state),
            col(TargetRegion.progress),
            col(TargetRegion.details),
            col(TargetRegion.started_at),
            col(TargetRegion.completed_at),
            col(TargetRegion.duration_seconds),
            col(ImageVersion.name).label("version"),
            col(ImageDefinition.name).label("definition"),
            col(Gallery.name).label("gallery"),
            col(ResourceGroup.name).label("group"),
            col(Subscription.name).label("subscription"),
            col(Subscription.subscription_id),
        )
        .join(ImageVersion, col(ImageVersion.pk) == TargetRegion.version_pk)
        .join(ImageDefinition, col(ImageDefinition.pk) == ImageVersion.definition_pk)
        .join(Gallery, col(Gallery.pk) == ImageDefinition.gallery_pk)
        .join(ResourceGroup, col(ResourceGroup.pk) == Gallery.resource_group_pk)
        .join(Subscription, col(Subscription.pk) == ImageVersion.subscription_pk)
        .where(
            col(TargetRegion.region) != ImageVersion.location,
            (col(TargetRegion.state) != ReplicationState.COMPLETED)
            | (col(TargetRegion.completed_at) >= now - recent),
        )
    )
    if subscription:
        statement = statement.where(
            (col(Subscription.name_key) == subscription.casefold())
            | (func.lower(Subscription.subscription_id) == subscription.lower())
        )
    return statement


_VIEW_ORDER = (
    col(Subscription.name_key),
    col(Gallery.name_key),
    col(ImageDefinition.name_key),
    col(ImageVersion.major),
    col(ImageVersion.minor),
    col(ImageVersion.patch),
    col(TargetRegion.region),
)


def _activity(row: Any, now: datetime) -> Activity:
    status = status_at(row, now)  # the row has the columns status_at reads
    return Activity(
        version_id=ids.version_id(
            row.subscription_id, row.group, row.gallery, row.definition, row.version
        ),
        subscription=row.subscription,
        gallery=row.gallery,
        definition=row.definition,
        version=row.version,
        region=row.region,
        replicas=row.replica_count,
        storage=row.storage_account_type,
        state=status.state,
        progress=status.progress,
        eta=status.eta,
        details=row.details,
        started_at=row.started_at,
        completed_at=row.completed_at,
    )


def activity(
    db: Session,
    now: datetime,
    *,
    subscription: str | None = None,
    states: Iterable[str] | None = None,
    recent: timedelta = RECENT,
) -> list[Activity]:
    """Every region in flight, failed or unknown, and those completed within `recent`
    (source regions excluded: they never replicate). One query."""
    statement = _activity_rows(now, subscription, recent).order_by(*_VIEW_ORDER)
    wanted = {s.casefold() for s in states} if states else None
    found = (_activity(row, now) for row in db.execute(statement))
    return [a for a in found if wanted is None or a.state.casefold() in wanted]


@dataclass(frozen=True)
class Board:
    """The replication screen: the first `limit` regions in flight, failed or unknown,
    and the first `limit` completed within the last day, with how many there are of each
    state (all of them)."""

    active: list[Activity]
    completed: list[Activity]
    counts: dict[str, int]  # regions by state, as stored (the clock has just run)

    def total(self, *states: str) -> int:
        return sum(self.counts.get(state, 0) for state in states)


def board(
    db: Session,
    now: datetime,
    *,
    subscription: str | None = None,
    states: Iterable[str] | None = None,
    recent: timedelta = RECENT,
    limit: int,
) -> Board:
    """`activity` for the replication screen, at any size: the first `limit` of each list
    in the same order, and the counts by state, from one query (window functions rank and
    count the rows, so only the rows shown leave the database)."""
    rows = _activity_rows(now, subscription, recent)
    wanted = sorted({s.casefold() for s in states}) if states else None
    if wanted is not None:
        rows = rows.where(
            func.lower(TargetRegion.state).in_(wanted)
            | (col(TargetRegion.state) == ReplicationState.COMPLETED)
        )
    done = col(TargetRegion.state) == ReplicationState.COMPLETED
    in_state = {  # every row carries every count: the rows of a state may all be cut
        state: func.sum(sa.case((col(TargetRegion.state) == state, 1), else_=0)).over()
        for state in ReplicationState
    }
    ranked = rows.add_columns(
        func.row_number().over(partition_by=done, order_by=_VIEW_ORDER).label("place"),
        *(count.label(f"count_{state.value}") for state, count in in_state.items()),
        *(column.label(f"order_{n}") for n, column in enumerate(_VIEW_ORDER)),
    ).subquery("ranked")
    statement = (
        sa.select(ranked)
        .where(ranked.c.place <= limit)
        .order_by(*(ranked.c[f"order_{n}"] for n in range(len(_VIEW_ORDER))))
    )
    active: list[Activity] = []
    completed: list[Activity] = []
    counts: dict[str, int] = {}
    for row in db.execute(statement):
        counts = {state.value: int(row._mapping[f"count_{state.value}"]) for state in in_state}
        shown = _activity(row, now)
        (completed if row.state == ReplicationState.COMPLETED else active).append(shown)
    return Board(active, completed, counts)
