"""What happened to the catalog, newest first: the events its writes recorded (who changed
what, and when) and its regions' replication (started, completed, failed).

Replication events are not stored: they are read from the target regions' schedule (its
start, its planned duration, a failure's time), as every other view of replication reads
them (`schedule.status_at`, `schedule.completed_at`), so a reader writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from sigtui.catalog.model import ids
from sigtui.catalog.model.enums import ReplicationState
from sigtui.catalog.model.models import (
    CatalogEvent,
    Gallery,
    ImageDefinition,
    ImageVersion,
    ResourceGroup,
    Subscription,
    TargetRegion,
)
from sigtui.catalog.queries import seen
from sigtui.catalog.replication import schedule
from sigtui.catalog.rules.regions import find_region

if TYPE_CHECKING:
    from sigtui.catalog.rules.access import Visibility

REPLICATION_ACTOR = "replication"
REGION_KIND = "replication"  # the kind of the events of a target region
SHOWN = 300  # the newest events listed
WINDOW = timedelta(days=7)  # replication events this recent


@dataclass(frozen=True)
class Event:
    at: datetime
    actor: str  # who: a principal, the local user, or "replication"
    action: str  # create, update, delete, import, seed, bulk update, started, completed...
    kind: str  # what: gallery, image version, target region, ...
    arm_id: str | None
    summary: str

    def matches(self, words: list[str]) -> bool:
        """Whether every word (casefolded) is in one of the event's fields."""
        text = " ".join(
            (self.actor, self.action, self.kind, self.arm_id or "", self.summary)
        ).casefold()
        return all(word in text for word in words)


def recent_events(
    db: Session,
    now: datetime,
    *,
    limit: int = SHOWN,
    window: timedelta = WINDOW,
    viewer: Visibility | None = None,
) -> list[Event]:
    """The newest `limit` events at `now`: the recorded ones and the replication events
    of the last `window`."""
    found = _recorded(db, limit) + _replication(db, now, now - window, limit, viewer)
    found.sort(key=lambda event: event.at, reverse=True)
    return found[:limit]


def _recorded(db: Session, limit: int) -> list[Event]:
    newest = col(CatalogEvent.at).desc(), col(CatalogEvent.id).desc()
    rows = db.exec(select(CatalogEvent).order_by(*newest).limit(limit)).all()
    return [Event(row.at, row.actor, row.action, row.kind, row.arm_id, row.summary) for row in rows]


def _replication(
    db: Session, now: datetime, since: datetime, limit: int, viewer: Visibility | None
) -> list[Event]:
    status = schedule.StatusColumns(TargetRegion, now)
    failed = col(TargetRegion.state) == ReplicationState.FAILED.value
    statement: sa.Select[*tuple[Any, ...]] = (
        sa.select(
            col(TargetRegion.region),
            col(TargetRegion.replica_count),
            col(TargetRegion.state),
            col(TargetRegion.progress),
            col(TargetRegion.details),
            col(TargetRegion.started_at),
            col(TargetRegion.updated_at),
            col(TargetRegion.completed_at),
            col(TargetRegion.duration_seconds),
            col(ImageVersion.name).label("version"),
            col(ImageDefinition.name).label("definition"),
            col(Gallery.name).label("gallery"),
            col(ResourceGroup.name).label("group"),
            col(Subscription.subscription_id),
        )
        .join(ImageVersion, col(ImageVersion.pk) == TargetRegion.version_pk)
        .join(ImageDefinition, col(ImageDefinition.pk) == ImageVersion.definition_pk)
        .join(Gallery, col(Gallery.pk) == ImageDefinition.gallery_pk)
        .join(ResourceGroup, col(ResourceGroup.pk) == Gallery.resource_group_pk)
        .join(Subscription, col(Subscription.pk) == ImageVersion.subscription_pk)
        .where(
            col(TargetRegion.region) != ImageVersion.location,  # the source never replicates
            (col(TargetRegion.started_at) >= since)
            | (failed & (col(TargetRegion.updated_at) >= since))
            | status.completed_since(since),
        )
        .order_by(col(TargetRegion.started_at).desc())
        .limit(limit)
    )
    if viewer is not None:  # only the versions the principal viewed as sees
        pks = (col(ImageVersion.pk), col(ImageVersion.definition_pk), col(Gallery.pk))
        statement = statement.where(seen.versions(viewer, *pks))
    events: list[Event] = []
    for row in db.execute(statement):
        events += _region_events(row, now, since)
    return events


def _region_events(row: Any, now: datetime, since: datetime) -> list[Event]:
    """A region's started, completed and failed events between `since` and `now`."""
    version_id = ids.version_id(
        row.subscription_id, row.group, row.gallery, row.definition, row.version
    )
    where = _region_name(row.region)
    copies = f"{row.replica_count} replica{'s' if row.replica_count != 1 else ''}"
    found: list[tuple[datetime | None, str, str]] = [
        (row.started_at, "started", f"{where} ({copies})"),
        (schedule.completed_at(row, now), "completed", where),
    ]
    if row.state == ReplicationState.FAILED:
        reason = f": {row.details}" if row.details else ""
        found.append((row.updated_at, "failed", f"{where} at {row.progress}%{reason}"))
    return [
        Event(at, REPLICATION_ACTOR, action, REGION_KIND, version_id, summary)
        for at, action, summary in found
        if at is not None and since <= at <= now
    ]


def _region_name(name: str) -> str:
    region = find_region(name)
    return region.display_name if region else name
