"""Importing an image version: its fields as the file gives them, what differs from the
catalog's row (target regions included), and the replication status Azure reported."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlmodel import Session

from sigtui.catalog.azure.importing.changes import differences, typed
from sigtui.catalog.azure.importing.documents import Item
from sigtui.catalog.azure.importing.shapes import MISSING, Json, as_date, get
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


# the publishing profile's fields left out when null, by their name in the file
_OPTIONAL = (
    ("replica_count", "replicaCount"),
    ("storage_account_type", "storageAccountType"),
    ("exclude_from_latest", "excludeFromLatest"),
)


def version_fields(item: Item, location: str) -> Json:
    """The fields the file states (null counts as not stated, but for the end of life)."""
    body = item.body
    profile = body.get("publishingProfile") or {}
    targets = profile.get("targetRegions")  # a profile that is not an object is refused here
    stated: Json = {"name": item.rid.version, "location": location}
    if targets:
        stated["target_regions"] = _target_specs(targets)
    for name, key in _OPTIONAL:
        value = profile.get(key)
        if value is not None:
            stated[name] = value
    if "endOfLifeDate" in profile:
        stated["end_of_life_date"] = as_date(profile["endOfLifeDate"])
    tags = body.get("tags")
    if tags is not None:
        stated["tags"] = tags
    return stated


def _target_specs(targets: list[Json]) -> list[TargetRegionSpec]:
    specs = []
    for target in targets:
        replicas, storage = target.get("regionalReplicaCount"), target.get("storageAccountType")
        # the types too: True and 1.0 are equal to 1 as keys, not as input
        name = str(target.get("name") or "")
        try:
            replicas_kind, storage_kind = type(replicas).__name__, type(storage).__name__
            specs.append(_target_spec(name, replicas, replicas_kind, storage, storage_kind))
        except TypeError:  # a value that cannot be hashed: refused by the schema
            specs.append(
                TargetRegionSpec(region=name, replica_count=replicas, storage_account_type=storage)
            )
    return specs


@lru_cache(maxsize=4_096)  # a file's versions name a few regions, counts and storage types
def _target_spec(
    region: str, replicas: Any, _replicas_kind: str, storage: Any, _storage_kind: str
) -> TargetRegionSpec:
    """A target region as asked (never changed once made: shared between versions)."""
    return TargetRegionSpec(region=region, replica_count=replicas, storage_account_type=storage)


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
    changed = {} if _as_held(current, plain) else differences(current, typed(VersionUpdate, plain))
    if "storage_account_type" in changed and (
        str(changed["storage_account_type"]).casefold() == row.storage_account_type.casefold()
    ):
        changed.pop("storage_account_type")
    specs = wanted.get("target_regions")
    if specs is not None and _targets_differ(row, targets, specs):
        changed["target_regions"] = specs
    return changed


_PLAIN = (str, int, bool, type(None))


def _as_held(current: Json, plain: Json) -> bool:
    """Whether each field the file gives is the held value already, of its type: then
    typing the fields (an update schema per version) would find no difference."""
    for name, value in plain.items():
        old = current.get(name)
        if type(value) is not type(old) or value != old:
            return False
        if type(value) is dict:
            if any(type(k) is not str or type(v) is not str for k, v in value.items()):
                return False
        elif type(value) not in _PLAIN:
            return False
    return True


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
    return min(_date_time(str(text)), clock.now())


@lru_cache(maxsize=4_096)  # a file's versions were published at a few times
def _date_time(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise CatalogError(
            "SIG-INPUT", f"publishedDate {text!r} is not a date-time", field="published_at"
        ) from None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


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
