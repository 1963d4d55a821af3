"""Replication state of a version's target regions (SIG-REPLICATION).

Each target region replicates on its own. The source region holds the image from the
start, so it is Completed at once; every other region starts Replicating at 0 %.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session

from sigtui.catalog import lookup
from sigtui.catalog.errors import CatalogError
from sigtui.catalog.models import AggregatedState, ImageVersion, ReplicationState, TargetRegion
from sigtui.catalog.regions import get_region


def start(target: TargetRegion, source_region: str, now: datetime) -> None:
    """Begin replication to `target` (a new version, or a region added to one)."""
    target.started_at = now
    target.updated_at = now
    if target.region == source_region:
        target.state = ReplicationState.COMPLETED
        target.progress = 100
        target.completed_at = now
    else:
        target.state = ReplicationState.REPLICATING
        target.progress = 0
        target.completed_at = None
    target.details = ""


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


def record(
    db: Session,
    version_id: str,
    region: str,
    state: str,
    now: datetime,
    progress: int | None = None,
    details: str = "",
) -> TargetRegion:
    """Store what replication to one region reports (the one write path for its state)."""
    version = lookup.resolve_as(db, version_id, ImageVersion)
    name = get_region(region, code="SIG-REPLICATION", field="region").name
    target_pk = _target_pk(db, version, name)
    target = db.get(TargetRegion, target_pk) if target_pk is not None else None
    if target is None:
        raise CatalogError("SIG-NOT-FOUND", f"{name} is not a target region of this version")
    try:
        target.state = ReplicationState(state)
    except ValueError:
        raise CatalogError(
            "SIG-INPUT",
            f"replication state {state!r} is not one of Unknown, Replicating, Completed, Failed",
        ) from None
    target.progress = (
        100 if target.state == ReplicationState.COMPLETED else max(0, min(100, progress or 0))
    )
    target.details = details
    target.updated_at = now
    target.completed_at = now if target.state == ReplicationState.COMPLETED else None
    db.add(target)
    db.flush()
    return target


def _target_pk(db: Session, version: ImageVersion, region: str) -> int | None:
    from sqlmodel import select

    return db.exec(
        select(TargetRegion.pk).where(
            TargetRegion.version_pk == version.pk, TargetRegion.region == region
        )
    ).first()
