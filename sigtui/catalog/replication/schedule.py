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
  images, as the source document says). A version's own speed (`replication_speed`: the
  demo catalog's versions have one) divides it too, so the demo replicates visibly on its
  own while every other version keeps realistic durations.

A region's schedule (Replicating, its start time, its planned duration and its progress
at the start) is written once, when it starts: a version created, a region added, a retry,
a state recorded. Its state, progress and completion time at any moment are computed from
the schedule, never written by a reader: `status_at` and `completed_at` for the regions in
hand, `StatusColumns` (the same arithmetic, in SQL) where regions are counted, filtered or
sorted. So every process, and the app reopened later, sees the same state, and a read
writes nothing. What is not a matter of time is written when it happens, by a service: a
region fails (`fail`, or `fail_unallowlisted` when its subscription loses the
allowlisting the region needs), is retried (`retry`), or is removed (its row goes).

Observed state (`sigtui sync`, sigtui/catalog/azure/sync/write.py) is Azure's, not the
model's: a synced version's Replicating region has no start time, so it stays at the
state and progress Azure reported until the next sync.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from sigtui.catalog.model import ids
from sigtui.catalog.model.enums import AggregatedState, ReplicationState
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    DataDisk,
    Gallery,
    ImageDefinition,
    ImageVersion,
    ResourceGroup,
    Subscription,
    TargetRegion,
)
from sigtui.catalog.queries import lookup, seen
from sigtui.catalog.replication.speed import speed
from sigtui.catalog.rules.regions import Region, all_regions, get_region
from sigtui.catalog.store.sql_functions import EpochMicroseconds, Truncated

if TYPE_CHECKING:
    from sigtui.catalog.rules.access import Visibility


@dataclass(frozen=True)
class ReplicationModel:
    setup_minutes: float = 5.0
    minutes_per_gb: dict[str, float] = field(
        default_factory=lambda: {"geography": 0.25, "continent": 0.5, "intercontinental": 1.0}
    )
    parallel_penalty: float = 0.2  # each other region replicating at once adds 20 %


MODEL = ReplicationModel()


def distance(source: Region, target: Region) -> str:
    if source.geography == target.geography:
        return "geography"
    if source.continent == target.continent:
        return "continent"
    return "intercontinental"


def planned_seconds(
    size_gb: int, source: str, target: str, at_once: int, version_speed: float = 1.0
) -> float:
    """How long replicating `size_gb` from `source` to `target` takes (see the model), for
    a version of speed `version_speed`."""
    per_gb = MODEL.minutes_per_gb[distance(get_region(source), get_region(target))]
    minutes = (MODEL.setup_minutes + size_gb * per_gb) * (
        1 + MODEL.parallel_penalty * (max(1, at_once) - 1)
    )
    return minutes * 60 / (speed() * version_speed)


def start(
    target: TargetRegion,
    source_region: str,
    size_gb: int,
    at_once: int,
    now: datetime,
    version_speed: float = 1.0,
) -> None:
    """Begin replication to `target` (a new version, a region added, or a retry) of a
    version of speed `version_speed`."""
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
    target.duration_seconds = planned_seconds(
        size_gb, source_region, target.region, at_once, version_speed
    )


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


class Finished(Timeline, Protocol):
    """What `completed_at` reads: a Timeline and the completion time stored."""

    @property
    def completed_at(self) -> datetime | None: ...


def _seconds_since_start(started_at: datetime, at: datetime) -> float:
    return (at - started_at).total_seconds()  # whole microseconds / 10**6, as in SQL


def _has_ended(target: Timeline, now: datetime) -> bool:
    """Whether the region is Replicating on a schedule that has run its course by `now`."""
    if target.state != ReplicationState.REPLICATING or target.started_at is None:
        return False
    return _seconds_since_start(target.started_at, now) >= (target.duration_seconds or 0.0)


def status_at(target: Timeline, now: datetime) -> Status:
    """The region's state at `now`, from its stored start and planned duration."""
    if target.state != ReplicationState.REPLICATING or target.started_at is None:
        return Status(target.state, target.progress, None)
    if _has_ended(target, now):
        return Status(ReplicationState.COMPLETED, 100, None)
    duration = target.duration_seconds or 0.0
    elapsed = max(0.0, _seconds_since_start(target.started_at, now))
    progress = min(99, int(100 * elapsed / duration)) if duration else 99
    done_at = target.started_at + timedelta(seconds=duration)
    return Status(ReplicationState.REPLICATING, max(target.progress, progress), done_at)


def completed_at(target: Finished, now: datetime) -> datetime | None:
    """When the region completed, as of `now` (None: it has not)."""
    if _has_ended(target, now) and target.started_at is not None:
        return target.started_at + timedelta(seconds=target.duration_seconds or 0.0)
    return target.completed_at


# --- the same, in SQL -------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _sql_seconds_since_start(target: Any, at: datetime) -> Any:
    """`_seconds_since_start` in SQL: the same integer of microseconds, over 10**6."""
    micros = (at - _EPOCH) // timedelta(microseconds=1)
    since = sa.literal(micros, sa.BigInteger) - EpochMicroseconds(target.started_at)
    return sa.cast(since, sa.Float) / sa.literal(1e6, sa.Float)


class StatusColumns:
    """`status_at` and `completed_at` in SQL, for the queries that count, filter or sort
    regions by their state at `now`: expressions over the target region table, or an alias
    of it (`target`). They compute what the Python functions compute, with the same
    arithmetic on the same numbers, so both agree to the microsecond."""

    def __init__(self, target: Any, now: datetime) -> None:
        self.target = target
        self.now = now
        self.duration = sa.func.coalesce(target.duration_seconds, 0.0)
        elapsed = _sql_seconds_since_start(target, now)
        scheduled = (target.state == ReplicationState.REPLICATING) & target.started_at.is_not(None)
        # whether the region is Replicating on a schedule that has run its course
        self.ended = scheduled & (elapsed >= self.duration)
        self.state = sa.case((self.ended, ReplicationState.COMPLETED.value), else_=target.state)
        # whether `state` is Replicating (the stored state first: the partial index of the
        # regions in flight serves it)
        self.in_flight = (target.state == ReplicationState.REPLICATING) & ~self.ended
        clamped = sa.case((elapsed > 0, elapsed), else_=0.0)
        projected = sa.case(
            (self.duration > 0, Truncated(100.0 * clamped / sa.func.nullif(self.duration, 0))),
            else_=99,
        )
        projected = sa.case((projected > 99, 99), else_=projected)
        self.progress = sa.case(
            (self.ended, 100),
            (scheduled & (projected > target.progress), projected),
            else_=target.progress,
        )

    def completed_since(self, since: datetime) -> Any:
        """Whether the region is Completed at `now`, and was at `since` or later."""
        stored = (self.target.state == ReplicationState.COMPLETED) & (
            self.target.completed_at >= since
        )
        return stored | (
            self.ended & (_sql_seconds_since_start(self.target, since) <= self.duration)
        )


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


def replicating_count(db: Session, version: ImageVersion, now: datetime) -> int:
    """How many regions of the version are replicating at `now`."""
    in_flight = StatusColumns(TargetRegion, now).in_flight
    return db.exec(
        select(func.count()).where(TargetRegion.version_pk == version.pk, in_flight)
    ).one()


def _stored_replicating_count(db: Session, version: ImageVersion) -> int:
    """How many of the version's regions are stored Replicating, whether or not their
    schedules have run out: `record` counts them as the regions in flight with the one it
    places, since an observation (the demo seed, an import) records its regions one at a
    time, long after they started."""
    return db.exec(
        select(func.count()).where(
            TargetRegion.version_pk == version.pk,
            TargetRegion.state == ReplicationState.REPLICATING,
        )
    ).one()


# --- writes ----------------------------------------------------------------------------


def _set_failed(target: TargetRegion, reason: str, now: datetime) -> None:
    """Fail the region at `now`, with the progress it had reached."""
    target.progress = status_at(target, now).progress
    target.state = ReplicationState.FAILED
    target.details = reason
    target.updated_at = now
    target.completed_at = None


def fail_unallowlisted(
    db: Session, subscription: Subscription, allowlisted: Collection[str], now: datetime
) -> int:
    """Fail the subscription's regions in flight at `now` in a region that needs an
    allowlisting it no longer has (`allowlisted`: the regions it has); how many failed.
    The services call it where an allowlist is replaced."""
    lost = [r.name for r in all_regions() if r.needs_allowlist and r.name not in allowlisted]
    in_flight = db.exec(
        select(TargetRegion)
        .join(ImageVersion, col(ImageVersion.pk) == TargetRegion.version_pk)
        .where(
            StatusColumns(TargetRegion, now).in_flight,
            col(TargetRegion.region).in_(lost),
            ImageVersion.subscription_pk == subscription.pk,
        )
    ).all()
    for target in in_flight:
        _set_failed(target, _allowlist_reason(subscription, get_region(target.region)), now)
        db.add(target)
    db.flush()
    return len(in_flight)


def _allowlist_reason(subscription: Subscription, region: Region) -> str:
    return (
        f"Subscription {subscription.name!r} is no longer allowlisted for "
        f"{region.display_name}; ask for the allowlisting again, then retry."
    )


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
    state = status_at(target, now).state
    if state not in (ReplicationState.FAILED, ReplicationState.UNKNOWN):
        raise CatalogError(
            "SIG-REPLICATION",
            f"{get_region(target.region).display_name} is {state}; only a Failed or "
            "Unknown region can be retried",
        )
    at_once = replicating_count(db, version, now) + 1
    size_gb = version_size_gb(db, version)
    start(target, version.location, size_gb, at_once, now, version.replication_speed)
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
        at_once = max(1, _stored_replicating_count(db, version))
        duration = planned_seconds(
            version_size_gb(db, version),
            version.location,
            target.region,
            at_once,
            version.replication_speed,
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

# written as the partial indexes' terms are (models.py), a constant and not a parameter:
# a plan PostgreSQL keeps for a prepared statement uses a partial index only then
_COMPLETED = sa.literal_column(f"'{ReplicationState.COMPLETED.value}'", sa.String())
_REPLICATING = sa.literal_column(f"'{ReplicationState.REPLICATING.value}'", sa.String())


def _may_be_listed(since: datetime, *, completed: bool = True) -> sa.ColumnElement[bool]:
    """Whether a target region is among those `activity` may list as of a time with
    completions counted from `since`: those not Completed (in flight, failed, unknown, or
    at the end of their schedule) and (`completed`) the copies Completed from `since` on,
    read through their partial indexes (`ix_target_region_unfinished`,
    `ix_target_region_completed`), a few thousand of 900,000 at Azure's limits. A
    superset: the state at the time asked for decides."""
    if not completed:
        return col(TargetRegion.state) != _COMPLETED
    found = sa.orm.aliased(TargetRegion, name="found")
    unfinished = sa.select(col(found.pk)).where(col(found.state) != _COMPLETED)
    recent = sa.select(col(found.pk)).where(
        col(found.state) == _COMPLETED,
        col(found.region) != col(found.source_region),
        col(found.completed_at) >= since,
    )
    return col(TargetRegion.pk).in_(sa.union_all(unfinished, recent))


def _activity_rows(
    status: StatusColumns,
    subscription: str | None,
    recent: timedelta,
    viewer: Visibility | None = None,
    *,
    completed: bool = True,
) -> _Rows:
    """The regions of `activity` at `status.now` (without `completed`, only those not
    stored Completed), as plain rows (tens of thousands at Azure's limits: as ORM objects
    they took seconds); the callers order them (`_VIEW_ORDER`)."""
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
    )
    return _listed(statement, status, subscription, recent, viewer, completed=completed)


def _listed(
    statement: _Rows,
    status: StatusColumns,
    subscription: str | None,
    recent: timedelta,
    viewer: Visibility | None,
    *,
    completed: bool = True,
) -> _Rows:
    """`statement` (over the target regions joined with their version, and with their
    definition for a `viewer` and their subscription for a `subscription`) narrowed to
    the regions of `activity`."""
    since = status.now - recent
    statement = statement.where(
        _may_be_listed(since, completed=completed),
        col(TargetRegion.region) != ImageVersion.location,
        (status.state != ReplicationState.COMPLETED) | status.completed_since(since),
    )
    if subscription:
        statement = statement.where(
            (col(Subscription.name_key) == subscription.casefold())
            | (func.lower(Subscription.subscription_id) == subscription.lower())
        )
    if viewer is not None:  # only the versions the principal viewed as sees
        pks = (col(ImageVersion.pk), col(ImageVersion.definition_pk), ImageDefinition.gallery_pk)
        statement = statement.where(seen.versions(viewer, *pks))
    return statement


def _states_now(
    status: StatusColumns,
    subscription: str | None,
    recent: timedelta,
    viewer: Visibility | None,
    *,
    completed: bool = True,
) -> _Rows:
    """The state at `status.now` of each region of `activity` (without `completed`, of
    those not stored Completed), joined only with what its narrowing names (the counts
    need no names)."""
    statement: _Rows = (
        sa.select(status.state.label("state"))
        .select_from(TargetRegion)
        .join(ImageVersion, col(ImageVersion.pk) == TargetRegion.version_pk)
    )
    if viewer is not None:
        statement = statement.join(
            ImageDefinition, col(ImageDefinition.pk) == ImageVersion.definition_pk
        )
    if subscription:
        statement = statement.join(
            Subscription, col(Subscription.pk) == ImageVersion.subscription_pk
        )
    return _listed(statement, status, subscription, recent, viewer, completed=completed)


def _counts(
    db: Session,
    status: StatusColumns,
    subscription: str | None,
    recent: timedelta,
    viewer: Visibility | None,
    shown: sa.ColumnElement[bool],
) -> dict[str, int]:
    """The regions of `activity` that are `shown`, by their state at `status.now` (none
    listed: no counts). Unnarrowed by a subscription or a viewer, the copies stored
    Completed since `recent` began are counted from their partial index alone (Completed
    at any time after, and listed): tens of thousands at Azure's limits, not read."""
    whole = not subscription and viewer is None
    states_now = _states_now(status, subscription, recent, viewer, completed=not whole)
    rows = states_now.where(shown).subquery("states_now")
    counted = sa.select(rows.c.state, func.count()).group_by(rows.c.state)
    by_state = [(state, int(count)) for state, count in db.execute(counted)]
    if whole:
        copies = db.execute(_completed_copies(status.now - recent)).scalar_one()
        by_state += [(ReplicationState.COMPLETED.value, int(copies))] if copies else []
    counts = {state.value: 0 for state in ReplicationState} if by_state else {}
    for state, count in by_state:
        counts[state] += count
    return counts


def _completed_copies(since: datetime) -> sa.Select[int]:
    """How many copies (not the source region) are stored Completed since `since`."""
    return sa.select(func.count()).where(
        col(TargetRegion.state) == _COMPLETED,
        col(TargetRegion.region) != col(TargetRegion.source_region),
        col(TargetRegion.completed_at) >= since,
    )


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
        completed_at=completed_at(row, now),
    )


def _in_states(status: StatusColumns, states: Iterable[str]) -> Any:
    """Whether a region's state at `status.now` is one of `states` (any case)."""
    return func.lower(status.state).in_(sorted({s.casefold() for s in states}))


def activity(
    db: Session,
    now: datetime,
    *,
    subscription: str | None = None,
    states: Iterable[str] | None = None,
    recent: timedelta = RECENT,
    viewer: Visibility | None = None,
) -> list[Activity]:
    """Every region in flight, failed or unknown, and those completed within `recent`
    (source regions excluded: they never replicate). One query."""
    status = StatusColumns(TargetRegion, now)
    statement = _activity_rows(status, subscription, recent, viewer).order_by(*_VIEW_ORDER)
    if states:
        statement = statement.where(_in_states(status, states))
    return [_activity(row, now) for row in db.execute(statement)]


@dataclass(frozen=True)
class Schedule:
    """What `status_at` reads of a region, as stored (a `Timeline`)."""

    state: str
    progress: int
    started_at: datetime | None
    duration_seconds: float | None


@dataclass(frozen=True)
class Board:
    """The replication screen: the first `limit` regions in flight, failed or unknown,
    and the first `limit` completed within the last day, with how many there are of each
    state (all of them), as of `read_at`. Until `lasts_until` (None: for as long as the
    catalog is unchanged) no region's state changes by time alone: the board at any
    moment before is this one with the progress of its regions in flight moved on (`at`)."""

    active: list[Activity]
    completed: list[Activity]
    counts: dict[str, int]  # regions by their state at the time asked for
    read_at: datetime
    lasts_until: datetime | None
    schedules: tuple[Schedule, ...]  # of each region of `active`, as stored

    def total(self, *states: str) -> int:
        return sum(self.counts.get(state, 0) for state in states)

    def at(self, now: datetime) -> Board | None:
        """The board a read at `now` gives, unread; None when it may differ by more than
        its regions' progress (`now` not between `read_at` and `lasts_until`)."""
        if now < self.read_at:
            return None
        if self.lasts_until is not None and now >= self.lasts_until:
            return None
        active = [
            replace(item, progress=status_at(stored, now).progress)
            for item, stored in zip(self.active, self.schedules, strict=True)
        ]
        return replace(self, active=active, read_at=now)


def board(
    db: Session,
    now: datetime,
    *,
    subscription: str | None = None,
    states: Iterable[str] | None = None,
    recent: timedelta = RECENT,
    limit: int,
    viewer: Visibility | None = None,
) -> Board:
    """`activity` for the replication screen, at any size: the first `limit` of each list
    in the same order, and the counts by state (aggregates), so that only the rows shown
    and the counts leave the database."""
    status = StatusColumns(TargetRegion, now)
    done = status.state == ReplicationState.COMPLETED
    shown = (_in_states(status, states) | done) if states else sa.true()
    counts = _counts(db, status, subscription, recent, viewer, shown)
    # a region stored Completed is never in flight: those in flight are read on their own
    active = _activity_rows(status, subscription, recent, viewer, completed=False)
    completed = _activity_rows(status, subscription, recent, viewer)
    active_rows = _first(db, active.where(shown, ~done), limit)
    return Board(
        active=[_activity(row, now) for row in active_rows],
        completed=[_activity(row, now) for row in _first(db, completed.where(done), limit)],
        counts=counts,
        read_at=now,
        lasts_until=_next_change(db, now, recent),
        schedules=tuple(
            Schedule(row.state, row.progress, row.started_at, row.duration_seconds)
            for row in active_rows
        ),
    )


def _first(db: Session, rows: _Rows, limit: int) -> list[Any]:
    return list(db.execute(rows.order_by(*_VIEW_ORDER).limit(limit)))


NEXT_CHANGE_MARGIN = timedelta(milliseconds=1)  # below SQL's and Python's roundings


def _next_change(db: Session, now: datetime, recent: timedelta) -> datetime | None:
    """The first moment after `now` when a region's state may change by time alone: a
    region in flight reaches the end of its schedule, or a completed one leaves the last
    `recent`; None: never. Over every region, whatever a board shows (a superset: never
    later than the board's own next change), through the partial indexes of the regions
    replicating and of the copies completed."""
    micros = EpochMicroseconds(TargetRegion.started_at)
    ends = micros + func.coalesce(TargetRegion.duration_seconds, 0.0) * 1e6
    now_us, since_us = _micros(now), _micros(now - recent)
    in_flight = db.execute(
        sa.select(
            func.min(sa.case((ends > now_us, ends))),
            func.min(sa.case(((ends <= now_us) & (ends > since_us), ends))),
        ).where(col(TargetRegion.state) == _REPLICATING, col(TargetRegion.started_at).is_not(None))
    ).one()
    first_kept = db.execute(
        sa.select(func.min(col(TargetRegion.completed_at))).where(
            col(TargetRegion.state) == _COMPLETED,
            col(TargetRegion.region) != col(TargetRegion.source_region),  # copies: listed
            col(TargetRegion.completed_at) >= now - recent,
        )
    ).scalar()
    next_end, first_ended = (_from_micros(end) if end else None for end in in_flight)
    moments = [first_kept + recent] if first_kept is not None else []
    # the schedules' ends are computed in floating point: a margin below them
    if next_end is not None:
        moments.append(next_end - NEXT_CHANGE_MARGIN)
    if first_ended is not None:
        moments.append(first_ended + recent - NEXT_CHANGE_MARGIN)
    return min(moments) if moments else None


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _from_micros(micros: float) -> datetime:
    return _EPOCH + timedelta(microseconds=int(micros))
