"""The catalog's event log: who changed what and when, written in the transaction of the
change itself (so a refused or rolled-back change leaves no event).

Every write session records its resources' creations, updates and deletions as they are
flushed (`_record_flushed_changes`), whichever service made them: there is no call to
forget in a service. A batch (a bulk edit, an import, the demo seed) turns that off with
`batch(db)` and records one summary event with `record_event` instead.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import UOWTransaction
from sqlmodel import Session

from sigtui.catalog.model.models import (
    CatalogEvent,
    Gallery,
    ImageDefinition,
    ImageVersion,
    ManagedImage,
    Principal,
    RegionAllowlist,
    ResourceGroup,
    RoleAssignment,
    Snapshot,
    Subscription,
    TargetRegion,
    Tenant,
    table_of,
)
from sigtui.catalog.queries import lookup
from sigtui.catalog.rules.regions import find_region
from sigtui.catalog.store.clock import SYSTEM_CLOCK
from sigtui.catalog.store.db import ACTING_AS, CLOCK, WriteSession

KINDS: dict[type[Any], str] = {
    Tenant: "tenant",
    Subscription: "subscription",
    ResourceGroup: "resource group",
    Gallery: "gallery",
    ImageDefinition: "image definition",
    ImageVersion: "image version",
    ManagedImage: "managed image",
    Snapshot: "snapshot",
    Principal: "principal",
    RoleAssignment: "role assignment",
}
_BATCH = "sigtui.events.batch"  # Session.info: per-row events are off (a batch)
_SEEN = "sigtui.events.seen"  # Session.info: rows already given an event
_PARTS = "sigtui.events.parts"  # Session.info: (kind, owner pk) -> region changes
# bookkeeping columns: a change to them alone is no change worth an event
_QUIET_COLUMNS = {"etag", "created_at", "updated_at"}
ACTION_MAX = 16


def local_actor() -> str:
    """Who the local user is, when no principal is viewed as."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no USER variable
        return "local user"


def actor_of(db: Session) -> str:
    principal_pk = db.info.get(ACTING_AS)
    if principal_pk is None:
        return local_actor()
    principal = db.get(Principal, principal_pk)
    return principal.name if principal else f"principal {principal_pk}"


def record_event(
    db: Session, action: str, kind: str, arm_id: str | None = None, summary: str = ""
) -> None:
    """Add one event to `db`'s transaction: it is stored when (and only if) the change is.
    A plain INSERT, not a new ORM row: the write guard of "view as" (SIG-ACCESS) checks
    the rows a flush writes, and an event is no resource anyone needs a role for."""
    clock = db.info.get(CLOCK, SYSTEM_CLOCK)
    db.execute(
        sa.insert(table_of(CatalogEvent)).values(
            at=clock.now(),
            actor=actor_of(db)[:128],
            action=action[:ACTION_MAX],
            kind=kind[:32],
            arm_id=arm_id,
            summary=summary,
        )
    )


def record_created(db: Session, row: Any) -> None:
    """The create event of a row written without a flush (a create through the bulk
    path), as a flush records it; a later change in the session is no update of it."""
    db.info.setdefault(_SEEN, set()).add(sa.inspect(row))
    _record_row(db, "create", row, _name_of(db, row))


def in_batch(db: Session) -> bool:
    return bool(db.info.get(_BATCH))


@contextmanager
def batch(db: Session) -> Iterator[None]:
    """No per-row event inside the block: its caller records one event for the batch."""
    db.flush()  # what came before the batch gets its own events
    was = db.info.get(_BATCH, False)
    db.info[_BATCH] = True
    try:
        yield
        db.flush()
    finally:
        db.info[_BATCH] = was


@sa.event.listens_for(WriteSession, "before_flush")
def _record_flushed_changes(session: Session, _flush: UOWTransaction, _rows: Any) -> None:
    if session.info.get(_BATCH):
        return
    _note_parts(session)
    # rows by their ORM state: table models are not hashable
    seen: set[Any] = session.info.setdefault(_SEEN, set())
    for row in list(session.new):
        if type(row) in KINDS:
            seen.add(sa.inspect(row))
            _record_row(session, "create", row, _name_of(session, row))
    for row in list(session.deleted):
        if type(row) in KINDS:
            _record_row(session, "delete", row, _name_of(session, row))
    for row in list(session.dirty):
        if type(row) in KINDS and sa.inspect(row) not in seen and session.is_modified(row):
            summary = _update_summary(session, row)
            if summary:
                seen.add(sa.inspect(row))
                _record_row(session, "update", row, summary)


def _record_row(session: Session, action: str, row: Any, summary: str) -> None:
    record_event(session, action, KINDS[type(row)], _arm_id(session, row), summary)


def _arm_id(session: Session, row: Any) -> str | None:
    if isinstance(row, RoleAssignment):
        scope = _scope_of(session, row)
        return lookup.arm_id(session, scope) if scope is not None else None
    return lookup.arm_id(session, row)


def _scope_of(session: Session, row: RoleAssignment) -> Any:
    for model, pk in (
        (Gallery, row.gallery_pk),
        (ImageDefinition, row.definition_pk),
        (ImageVersion, row.version_pk),
    ):
        if pk is not None:
            return session.get(model, pk)
    return None


def _name_of(session: Session, row: Any) -> str:
    if isinstance(row, RoleAssignment):
        principal = session.get(Principal, row.principal_pk)
        return f"{row.role} for {principal.name if principal else '?'}"
    return str(getattr(row, "name", ""))


def _update_summary(session: Session, row: Any) -> str:
    """What changed: the fields, and the regions added to or removed from the row."""
    state = sa.inspect(row)
    fields = [
        attr.key.replace("_", " ")
        for attr in state.attrs
        if attr.key not in _QUIET_COLUMNS and attr.history.has_changes()
    ]
    parts: dict[tuple[str, int | None], list[str]] = session.info.get(_PARTS, {})
    regions = parts.pop((KINDS[type(row)], row.pk), [])
    return "; ".join(filter(None, [", ".join(fields), " ".join(regions)])) or "updated"


def _note_parts(session: Session) -> None:
    """Regions added to (+), removed from (-) or changed in (~: replicas, storage) a
    version's target regions or a subscription's allowlist, for the summary of their
    owner's update."""
    parts: dict[tuple[str, int | None], list[str]] = session.info.setdefault(_PARTS, {})
    changed = [row for row in session.dirty if session.is_modified(row)]
    for rows, sign in ((session.new, "+"), (session.deleted, "-"), (changed, "~")):
        for row in rows:
            if isinstance(row, TargetRegion):
                owner = ("image version", row.version_pk)
            elif isinstance(row, RegionAllowlist):
                owner = ("subscription", row.subscription_pk)
            else:
                continue
            region = find_region(row.region)
            name = region.display_name if region else row.region
            parts.setdefault(owner, []).append(f"{sign}{name}")
