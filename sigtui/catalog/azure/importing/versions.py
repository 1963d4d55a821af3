"""Importing an image version: its fields as the file gives them, what differs from the
catalog's row (target regions included), and the replication status Azure reported."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from sigtui.catalog.azure.importing.changes import differences, typed
from sigtui.catalog.azure.importing.documents import Item
from sigtui.catalog.azure.importing.shapes import MISSING, Json, as_date, get, given
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import Gallery, ImageDefinition, ImageVersion
from sigtui.catalog.model.schemas import TargetRegionSpec, VersionUpdate
from sigtui.catalog.queries import lookup
from sigtui.catalog.replication import schedule
from sigtui.catalog.rules.regions import find_region, get_region
from sigtui.catalog.services._common import save_update
from sigtui.catalog.store.clock import Clock

# a version's target regions by region name: ORM objects, or plain rows with the columns
Targets = dict[str, Any]


def version_fields(item: Item, location: str) -> Json:
    body = item.body
    profile = body.get("publishingProfile") or {}
    targets = profile.get("targetRegions")
    fields: Json = {
        "name": item.rid.version,
        "location": location,
        "target_regions": _target_specs(targets) if targets else MISSING,
        "replica_count": get(profile, "replicaCount"),
        "storage_account_type": get(profile, "storageAccountType"),
        "exclude_from_latest": get(profile, "excludeFromLatest"),
        "end_of_life_date": as_date(get(profile, "endOfLifeDate")),
        "tags": get(body, "tags"),
    }
    stated = given(fields)
    for optional in ("replica_count", "storage_account_type", "exclude_from_latest", "tags"):
        if stated.get(optional) is None:
            stated.pop(optional, None)
    return stated


def _target_specs(targets: list[Json]) -> list[TargetRegionSpec]:
    return [
        TargetRegionSpec(
            region=str(target.get("name") or ""),
            replica_count=target.get("regionalReplicaCount"),
            storage_account_type=target.get("storageAccountType"),
        )
        for target in targets
    ]


def version_changes(row: Any, wanted: Json, targets: Targets) -> Json:
    """The fields that differ from the row (an image_version row) and its target regions."""
    current = {
        "name": row.name,
        "location": row.location,
        "replica_count": row.replica_count,
        "storage_account_type": row.storage_account_type,
        "exclude_from_latest": row.exclude_from_latest,
        "end_of_life_date": row.end_of_life_date,
        "tags": row.tags,
    }
    plain = {k: v for k, v in wanted.items() if k != "target_regions"}
    changed = differences(current, typed(VersionUpdate, plain))
    if "storage_account_type" in changed and (
        str(changed["storage_account_type"]).casefold() == row.storage_account_type.casefold()
    ):
        changed.pop("storage_account_type")
    specs = wanted.get("target_regions")
    if specs is not None and _targets_differ(row, targets, specs):
        changed["target_regions"] = specs
    return changed


def _targets_differ(row: Any, targets: Targets, specs: list[TargetRegionSpec]) -> bool:
    current = {
        name: (t.replica_count, t.storage_account_type.casefold()) for name, t in targets.items()
    }
    wanted = {}
    for spec in specs:
        region = find_region(spec.region)
        if region is None:
            return True  # the update names the unknown region
        storage = (spec.storage_account_type or row.storage_account_type).casefold()
        replicas = spec.replica_count if spec.replica_count is not None else row.replica_count
        wanted[region.name] = (replicas, storage)
    return current != wanted


def published_at(item: Item, clock: Clock) -> datetime | None:
    """`publishingProfile.publishedDate` as Azure reported it (None: not given, now);
    one after now is taken as now (the clock of the machine that wrote the file ran
    ahead)."""
    text = get(item.body, "publishingProfile", "publishedDate")
    if text is MISSING or text is None:
        return None
    try:
        when = datetime.fromisoformat(str(text))
    except ValueError:
        raise CatalogError(
            "SIG-INPUT", f"publishedDate {text!r} is not a date-time", field="published_at"
        ) from None
    when = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return min(when, clock.now())


def set_past_end_of_life(
    db: Session, version_or_definition_id: str, when: datetime, clock: Clock
) -> None:
    """Keep an end of life already past, as Azure holds it (the update services refuse
    one: SIG-EOL is for what a user sets)."""
    row = lookup.resolve(db, version_or_definition_id)
    assert isinstance(row, ImageDefinition | ImageVersion)
    if row.end_of_life_date != when:
        row.end_of_life_date = when
        save_update(db, row, {}, clock.now())


def set_provisioning_state(db: Session, arm_id: str, state: str, clock: Clock) -> None:
    """Keep the provisioning state Azure reported of a gallery, definition or version."""
    row = lookup.resolve(db, arm_id)
    assert isinstance(row, Gallery | ImageDefinition | ImageVersion)
    if row.provisioning_state != state:
        row.provisioning_state = state
        save_update(db, row, {}, clock.now())


def reported_replication(item: Item) -> list[Json] | None:
    """`replicationStatus.summary` as the file gives it, or None."""
    summary = get(item.body, "replicationStatus", "summary")
    return summary if isinstance(summary, list) else None


def record_replication(
    db: Session, item: Item, summary: list[Json], targets: Targets, clock: Clock
) -> bool:
    """Store the replication status Azure reported; True when anything changed."""
    changed = False
    now = clock.now()
    for entry in summary:
        region = get_region(str(entry.get("region") or ""), field="replicationStatus")
        state = str(entry.get("state") or "Unknown")
        progress = int(entry.get("progress") or 0)
        details = str(entry.get("details") or "")
        target = targets.get(region.name)
        if target is not None and _same_state(target, now, state, progress, details):
            continue
        schedule.record(db, item.id, region.name, state, now, progress, details)
        changed = True
    return changed


def _same_state(target: Any, now: datetime, state: str, progress: int, details: str) -> bool:
    """Whether the region is at `now` in the state reported (its progress aside, once
    Completed)."""
    current = schedule.status_at(target, now)
    if current.state != state or target.details != details:
        return False
    return state == "Completed" or current.progress == progress
