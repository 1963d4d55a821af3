"""One change made to many image versions at once (the marked rows of a version list):
delete, exclude from latest, set the end of life, add a target region.

Each version gets the single-version service (`delete_version`, `update_version`,
`add_target_regions`), so every rule of the one-at-a-time change runs, and runs once.
Each is tried in a SAVEPOINT of its own: a refused version leaves nothing behind, and the
others go on, so that every refusal is found and named; a version that has the change
already (the region, the date) is left as it was.

- `preview_versions_edit`: the dry run. What each version would do; nothing is kept.
- `edit_versions`: the change, in the caller's transaction: all of the given versions or,
  when any is refused, none (`Refusals` names every refused one). One event records it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from sigtui.catalog.model.errors import CatalogError, Refusal, Refusals
from sigtui.catalog.model.models import ImageVersion
from sigtui.catalog.model.schemas import TargetRegionSpec, VersionUpdate
from sigtui.catalog.queries import lookup
from sigtui.catalog.rules.regions import find_region
from sigtui.catalog.services import events
from sigtui.catalog.services.versions import (
    add_target_regions,
    delete_version,
    targets_of,
    update_version,
)
from sigtui.catalog.store.clock import Clock


class EditKind(StrEnum):
    DELETE = "delete"
    EXCLUDE = "exclude"
    END_OF_LIFE = "end-of-life"
    ADD_REGION = "add-region"


@dataclass(frozen=True)
class VersionsEdit:
    """The one change: its kind and what it needs (an end of life, a region)."""

    kind: EditKind
    end_of_life: datetime | None = None  # END_OF_LIFE: the new date-time (None clears it)
    region: TargetRegionSpec | None = None  # ADD_REGION

    def outcome(self) -> str:
        """What an applied version gets, as in "8 can <outcome>"."""
        match self.kind:
            case EditKind.DELETE:
                return "be deleted"
            case EditKind.EXCLUDE:
                return "be excluded from latest"
            case EditKind.END_OF_LIFE:
                when = self.end_of_life
                return (
                    f"end their life on {when:%Y-%m-%d %H:%M} UTC"
                    if when
                    else "lose their end of life"
                )
            case EditKind.ADD_REGION:
                return f"get {self.region_name}"

    def done(self, count: int) -> str:
        """What was done to `count` versions, as "Deleted 3 versions"."""
        versions = f"{count} version{'' if count == 1 else 's'}"
        match self.kind:
            case EditKind.DELETE:
                return f"Deleted {versions}"
            case EditKind.EXCLUDE:
                return f"Excluded {versions} from latest"
            case EditKind.END_OF_LIFE:
                if self.end_of_life is None:
                    return f"Cleared the end of life of {versions}"
                return f"Set the end of life of {versions} to {self.end_of_life:%Y-%m-%d %H:%M} UTC"
            case EditKind.ADD_REGION:
                return f"Added {self.region_name} to {versions}"

    @property
    def region_name(self) -> str:
        if self.region is None:
            return "?"
        region = find_region(self.region.region)
        return region.display_name if region else self.region.region


@dataclass
class VersionsOutcome:
    """Which versions take the change, which have it already, and which are refused
    (each with why)."""

    edit: VersionsEdit
    applied: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.applied) + len(self.unchanged) + len(self.refused)

    def summary(self) -> str:
        """e.g. "10 versions: 8 can get West Europe; 2 refused: SIG-REGION-ALLOWLIST (2)"."""
        noun = "version" if self.total == 1 else "versions"
        text = f"{self.total} {noun}: {len(self.applied)} can {self.edit.outcome()}"
        if self.unchanged:
            text += f"; {len(self.unchanged)} already so"
        if self.refused:
            text += f"; {len(self.refused)} refused: " + ", ".join(
                f"{code} ({count})" for code, count in self.refusal_codes().items()
            )
        return text

    def refusal_codes(self) -> dict[str, int]:
        codes: dict[str, int] = {}
        for _, error in self.refused:
            codes[error.code] = codes.get(error.code, 0) + 1
        return codes


def preview_versions_edit(
    db: Session, arm_ids: Iterable[str], edit: VersionsEdit, clock: Clock
) -> VersionsOutcome:
    """The dry run: which versions would take `edit`, and why the others are refused.
    Nothing is kept; its caller's transaction should write nothing else."""
    _begin(db)
    everything = db.begin_nested()
    try:
        with events.batch(db):
            return _try_each(db, list(arm_ids), edit, clock)
    finally:
        everything.rollback()


def edit_versions(
    db: Session, arm_ids: Iterable[str], edit: VersionsEdit, clock: Clock
) -> VersionsOutcome:
    """Apply `edit` to every version, in the caller's transaction; a refused one refuses
    them all (`Refusals` lists every refused version, and the caller rolls back)."""
    _begin(db)
    with events.batch(db):
        outcome = _try_each(db, list(arm_ids), edit, clock)
    if outcome.refused:
        raise Refusals(outcome.refused)
    if outcome.applied:
        action = "delete" if edit.kind == EditKind.DELETE else "update"
        summary = f"{edit.done(len(outcome.applied))}: {_names(outcome.applied)}"
        events.record_event(db, f"bulk {action}", "image version", None, summary)
    return outcome


def _try_each(db: Session, arm_ids: list[str], edit: VersionsEdit, clock: Clock) -> VersionsOutcome:
    outcome = VersionsOutcome(edit)
    for arm_id in dict.fromkeys(arm_ids):  # each once, in the order given
        attempt = db.begin_nested()
        try:
            before = _state(db, arm_id, edit)
            _apply(db, arm_id, edit, clock)
            db.flush()
            changed = before is None or _state(db, arm_id, edit) != before
        except CatalogError as error:
            attempt.rollback()
            outcome.refused.append((arm_id, error))
            continue
        if changed:
            attempt.commit()
            outcome.applied.append(arm_id)
        else:  # its etag moved for nothing: leave the version as it was
            attempt.rollback()
            outcome.unchanged.append(arm_id)
    return outcome


def _state(db: Session, arm_id: str, edit: VersionsEdit) -> tuple[Any, ...] | None:
    """What an update may change of a version, to tell a change from none (None for a
    delete, always a change)."""
    if edit.kind == EditKind.DELETE:
        return None
    version = lookup.resolve_as(db, arm_id, ImageVersion)
    regions = sorted(
        (t.region, t.replica_count, t.storage_account_type)
        for t in targets_of(db, version).values()
    )
    return version.exclude_from_latest, version.end_of_life_date, regions


def _apply(db: Session, arm_id: str, edit: VersionsEdit, clock: Clock) -> None:
    match edit.kind:
        case EditKind.DELETE:
            delete_version(db, arm_id)
        case EditKind.EXCLUDE:
            update_version(db, arm_id, VersionUpdate(exclude_from_latest=True), clock)
        case EditKind.END_OF_LIFE:
            update_version(db, arm_id, VersionUpdate(end_of_life_date=edit.end_of_life), clock)
        case EditKind.ADD_REGION:
            if edit.region is None:
                raise CatalogError("SIG-INPUT", "name the region to add", field="region")
            add_target_regions(db, arm_id, [edit.region], clock)


NAMED = 10  # versions an event names; the rest counted


def _names(arm_ids: list[str]) -> str:
    """ "ubuntu 1.0.0, ubuntu 1.1.0 and 3 more": each version by its definition and name."""
    names = [arm_id.rpartition("/images/")[2].replace("/versions/", " ") for arm_id in arm_ids]
    more = f" and {len(names) - NAMED} more" if len(names) > NAMED else ""
    return ", ".join(names[:NAMED]) + more


def _begin(db: Session) -> None:
    """Open the transaction before the first SAVEPOINT. SQLite's driver begins one only
    at the first INSERT, UPDATE or DELETE: a SAVEPOINT sent before would begin it itself,
    and its RELEASE would commit everything so far."""
    driver = db.connection().connection.driver_connection
    if isinstance(driver, sqlite3.Connection) and not driver.in_transaction:
        driver.execute("BEGIN")
