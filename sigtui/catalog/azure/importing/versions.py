"""Importing an image version: created from its source, or updated where the file
differs (target regions included); the replication status Azure reported is recorded."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from sigtui.catalog import services
from sigtui.catalog.azure.importing.changes import differences, existing, typed
from sigtui.catalog.azure.importing.documents import Item
from sigtui.catalog.azure.importing.shapes import MISSING, Json, as_date, get, given
from sigtui.catalog.azure.importing.sources import (
    catalog_source,
    create_external_version,
    external_source,
    refuse_new_source,
)
from sigtui.catalog.model import ids
from sigtui.catalog.model.models import ImageVersion, TargetRegion
from sigtui.catalog.model.schemas import TargetRegionSpec, VersionCreate, VersionUpdate, build
from sigtui.catalog.queries import lookup
from sigtui.catalog.replication import schedule
from sigtui.catalog.rules.regions import find_region, get_region
from sigtui.catalog.services.versions import targets_of
from sigtui.catalog.store.clock import Clock


def _version_fields(item: Item, location: str) -> Json:
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


def import_version(db: Session, item: Item, location: str, clock: Clock) -> str:
    wanted = _version_fields(item, location)
    row = existing(db, item.id)
    definition_id = ids.definition_id(
        item.rid.subscription,
        item.rid.resource_group or "",
        item.rid.gallery or "",
        item.rid.definition or "",
    )
    if row is None:
        source = catalog_source(db, item.body)
        if source is not None:
            services.create_version(
                db, definition_id, build(VersionCreate, **wanted, **source), clock
            )
        else:
            data = build(VersionCreate, **wanted)
            create_external_version(db, definition_id, data, external_source(item.body), clock)
        _record_replication(db, item, clock)
        return "created"
    assert isinstance(row, ImageVersion)
    refuse_new_source(db, row, item.body)
    changed = _version_changes(db, row, wanted)
    if changed:
        services.update_version(db, item.id, build(VersionUpdate, **changed), clock)
    recorded = _record_replication(db, item, clock)
    return "updated" if changed or recorded else "unchanged"


def _version_changes(db: Session, row: ImageVersion, wanted: Json) -> Json:
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
    targets = wanted.get("target_regions")
    if targets is not None and _targets_differ(db, row, targets):
        changed["target_regions"] = targets
    return changed


def _targets_differ(db: Session, row: ImageVersion, specs: list[TargetRegionSpec]) -> bool:
    current = {
        name: (t.replica_count, t.storage_account_type.casefold())
        for name, t in targets_of(db, row).items()
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


def _record_replication(db: Session, item: Item, clock: Clock) -> bool:
    """Store `replicationStatus.summary` as Azure reported it; True when anything changed."""
    summary = get(item.body, "replicationStatus", "summary")
    if not isinstance(summary, list):
        return False
    version = lookup.resolve_as(db, item.id, ImageVersion)
    targets = targets_of(db, version)
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


def _same_state(
    target: TargetRegion, now: datetime, state: str, progress: int, details: str
) -> bool:
    """Whether the region is at `now` in the state reported (its progress aside, once
    Completed)."""
    current = schedule.status_at(target, now)
    if current.state != state or target.details != details:
        return False
    return state == "Completed" or current.progress == progress
