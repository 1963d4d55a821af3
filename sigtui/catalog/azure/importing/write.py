"""Importing a document's gallery resources: planned, then written, in one transaction.

The items are taken a chunk at a time, as the file streams in (it is never held whole).
For each chunk: the resource groups the ids name are found (made when missing) once
each, the rows the ids name are found with one query per kind, and each item is sorted
into new (a `services.bulk` batch: the create rules checked in memory, one insert per
table), changed (the update services) or unchanged (nothing is written). An item whose
parent is neither in the catalog nor before it in the file waits for the end.

Every refused item is kept with its ARM id, and the import goes on checking the rest:
it ends refusing them all at once (`Refusals`), and the caller's transaction writes
nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import islice
from typing import Any

from sqlmodel import Session

from sigtui.catalog import services
from sigtui.catalog.azure.importing.definitions import definition_changes, definition_fields
from sigtui.catalog.azure.importing.documents import Item, items_of
from sigtui.catalog.azure.importing.galleries import gallery_changes, gallery_fields
from sigtui.catalog.azure.importing.held import Held, full_targets, held_rows
from sigtui.catalog.azure.importing.reading import StreamedFile
from sigtui.catalog.azure.importing.result import ImportResult
from sigtui.catalog.azure.importing.scope import IMPORT_TENANT, Scope
from sigtui.catalog.azure.importing.shapes import KIND_ORDER, Json, provisioning_state
from sigtui.catalog.azure.importing.sources import (
    HeldSources,
    catalog_source,
    external_source,
    host_caching,
    refuse_new_source,
    source_ids,
)
from sigtui.catalog.azure.importing.template import Deployment
from sigtui.catalog.azure.importing.versions import (
    published_at,
    record_replication,
    reported_replication,
    set_past_end_of_life,
    set_provisioning_state,
    version_changes,
    version_fields,
)
from sigtui.catalog.model import ids
from sigtui.catalog.model.eol import eol_datetime
from sigtui.catalog.model.errors import CatalogError, Refusal, Refusals
from sigtui.catalog.model.models import Gallery, ImageDefinition, ImageVersion, ResourceGroup
from sigtui.catalog.model.schemas import (
    DefinitionCreate,
    DefinitionUpdate,
    GalleryCreate,
    GalleryUpdate,
    VersionCreate,
    VersionUpdate,
    build,
)
from sigtui.catalog.queries import lookup
from sigtui.catalog.rules.regions import get_region
from sigtui.catalog.services import bulk, events
from sigtui.catalog.services.versions import targets_of
from sigtui.catalog.store.clock import Clock
from sigtui.catalog.store.db import Catalog

__all__ = ["IMPORT_TENANT", "count_items", "import_document", "import_file"]

Progress = Callable[[int], object]  # told how many items are done so far; its result is unused

CHUNK = 5_000  # items planned and written together (the database's IN lists stay short)
PROGRESS_EVERY = 1_000  # items read between two reports of progress

_MALFORMED = (AttributeError, TypeError, ValueError, KeyError, IndexError)


def _malformed(exc: Exception) -> CatalogError:
    """A document whose structure is not what Azure writes (a list where an object
    belongs, a text where a number does): SIG-INPUT, not a crash."""
    if isinstance(exc, CatalogError):
        return exc
    return CatalogError(
        "SIG-INPUT",
        f"the file is not shaped as Azure writes gallery resources ({type(exc).__name__}: {exc})",
    )


@contextmanager
def _malformed_refused() -> Iterator[None]:
    try:
        yield
    except _MALFORMED as exc:
        raise _malformed(exc) from None


def import_document(
    db: Session,
    document: Any,
    clock: Clock,
    *,
    file: str = "",
    progress: Progress | None = None,
    deployment: Deployment | None = None,
) -> ImportResult:
    """Import every gallery resource of a document in the caller's transaction."""
    values = document if isinstance(document, list) else [document]
    return _import(db, values, clock, file=file, progress=progress, deployment=deployment)


def import_file(
    catalog: Catalog,
    stream: StreamedFile,
    *,
    deployment: Deployment | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import one file as it streams in, in one transaction: all of it, or nothing."""
    try:
        with catalog.write() as db:
            return _import(
                db,
                stream.values(),
                catalog.clock,
                file=str(stream.path),
                progress=progress,
                deployment=deployment,
            )
    except CatalogError as exc:
        if exc is stream.error:  # the reading names the file itself
            raise
        message = f"{stream.path}: nothing imported: {exc.message}"
        raise CatalogError(exc.code, message, field=exc.field) from None


def _import(
    db: Session,
    values: Iterable[Any],
    clock: Clock,
    *,
    file: str,
    progress: Progress | None,
    deployment: Deployment | None,
) -> ImportResult:
    result = ImportResult(file=file)
    importer = _Importer(db, clock, result, progress)
    with _malformed_refused():
        located = _located(db, deployment)
    with bulk.collector_paused(), events.batch(db):  # the planned items make no cycles either
        importer.run(importer.items(values, located))
    if result.created or result.updated:  # one event for the file
        events.record_event(db, "import", "file", None, result.summary().splitlines()[0])
    return result


def _located(db: Session, deployment: Deployment | None) -> Deployment | None:
    """The deployment with its resource group's location (the group must exist)."""
    if deployment is None or deployment.group_id is None:
        return deployment
    group = lookup.resolve_as(db, deployment.group_id, ResourceGroup)
    return replace(deployment, group_id=lookup.arm_id(db, group), group_location=group.location)


def count_items(document: Any, deployment: Deployment | None = None) -> int:
    located = replace(deployment, group_location="") if deployment else None
    with _malformed_refused():
        return len(items_of(document, ImportResult(), located))


# --- the plan of a chunk ------------------------------------------------------------------------


@dataclass
class _Plan:
    batch: bulk.Batch = field(default_factory=bulk.Batch)
    new: list[Item] = field(default_factory=list)
    updates: list[tuple[Item, Callable[[], object]]] = field(default_factory=list)
    unchanged: list[Item] = field(default_factory=list)
    # versions with the replication status Azure reported, and the key of a held version
    # whose target regions the chunk leaves as they are (None: a new version, whose key
    # the bulk loader gives, or an updated one, read again once written)
    replications: list[tuple[Item, list[Json], int | None]] = field(default_factory=list)


@dataclass(frozen=True)
class _Placed:
    item: Item
    location: str
    group_pk: int


class _Importer:
    def __init__(
        self, db: Session, clock: Clock, result: ImportResult, progress: Progress | None
    ) -> None:
        self.db = db
        self.clock = clock
        self.result = result
        self.progress = progress
        self.scope = Scope(db, clock)
        self.refused: list[Refusal] = []
        self.waiting: list[Item] = []  # items whose parent has not come yet
        self.read = 0
        self.done = 0

    def items(self, values: Iterable[Any], deployment: Deployment | None) -> Iterator[Item]:
        """The gallery items of each value, as they come; a value that is not one refused."""
        for value in values:
            try:
                found = items_of(value, self.result, deployment)
            except (CatalogError, *_MALFORMED) as exc:
                self.refused.append(("", _malformed(exc)))
                continue
            for item in found:
                self.read += 1
                if self.progress is not None and self.read % PROGRESS_EVERY == 0:
                    self.progress(self.done)
                yield item

    def run(self, items: Iterable[Item]) -> None:
        self._round(items, final=False)
        while self.waiting:
            waiting, self.waiting = self.waiting, []
            self._round(waiting, final=False)
            if len(self.waiting) == len(waiting):  # none of their parents came
                waiting, self.waiting = self.waiting, []
                self._round(waiting, final=True)
        if self.refused:
            raise Refusals(self.refused)

    def _round(self, items: Iterable[Item], *, final: bool) -> None:
        iterator = iter(items)
        while chunk := list(islice(iterator, CHUNK)):
            self._chunk(chunk, final=final)
            if self.progress is not None:
                self.progress(self.done)

    def _refuse(self, item: Item, exc: Exception) -> None:
        self.refused.append((item.id, _malformed(exc)))

    def _chunk(self, chunk: list[Item], *, final: bool) -> None:
        placed = self._placed(sorted(chunk, key=lambda item: KIND_ORDER[item.kind]))
        held = held_rows(self.db, [(p.item, p.group_pk) for p in placed])
        sources = HeldSources(self.db, self.scope, self._new_sources(placed, held))
        plan = _Plan()
        planner = _Planner(self.db, self.clock, held, sources, plan, final)
        for where in placed:
            try:
                if not planner.sort(where):
                    self.waiting.append(where.item)
            except (CatalogError, *_MALFORMED) as exc:
                self._refuse(where.item, exc)
        self._write(plan)

    def _placed(self, items: list[Item]) -> list[_Placed]:
        """The items with their location and resource group (made when missing)."""
        placed = []
        for item in items:
            try:
                location = _location(item.body)
                group = self.scope.ensure(item.rid, location)
            except (CatalogError, *_MALFORMED) as exc:
                self._refuse(item, exc)
                continue
            assert group.pk is not None
            placed.append(_Placed(item, location, group.pk))
        return placed

    def _new_sources(self, placed: list[_Placed], held: Held) -> Iterator[str]:
        for where in placed:
            if where.item.kind == "version" and held.version(where.group_pk, where.item) is None:
                try:
                    yield from source_ids(where.item.body)
                except _MALFORMED:
                    continue  # refused when the item is sorted

    def _write(self, plan: _Plan) -> None:
        loaded = bulk.load(self.db, plan.batch, self.clock, self.refused)
        for item, update in plan.updates:
            try:
                update()
            except (CatalogError, *_MALFORMED) as exc:
                self._refuse(item, exc)
        recorded = set()  # unchanged items whose replication status changed
        # the versions whose target regions are read in one query: the unchanged and the new
        keys = [
            loaded.version_keys.get(item.id.casefold()) if pk is None else pk
            for item, _, pk in plan.replications
        ]
        held = full_targets(self.db, [pk for pk in keys if pk is not None])
        for (item, summary, _), pk in zip(plan.replications, keys, strict=True):
            targets = None if pk is None else held.get(pk, {})
            try:
                if self._record(item, summary, targets):
                    recorded.add(item.id)
            except (CatalogError, *_MALFORMED) as exc:
                self._refuse(item, exc)
        newly_updated = sum(1 for item in plan.unchanged if item.id in recorded)
        self.result.created += len(plan.new)
        self.result.updated += len(plan.updates) + newly_updated
        self.result.unchanged += len(plan.unchanged) - newly_updated
        self.done += len(plan.new) + len(plan.updates) + len(plan.unchanged)

    def _record(self, item: Item, summary: list[Json], targets: dict[str, Any] | None) -> bool:
        if targets is None:
            if any(item.id == refused_id for refused_id, _ in self.refused):
                return False  # never written
            version = lookup.resolve_as(self.db, item.id, ImageVersion)
            targets = targets_of(self.db, version)
        return record_replication(self.db, item, summary, targets, self.clock)


def _in_turn(*writes: Callable[[], object] | None) -> Callable[[], None]:
    def write() -> None:
        for each in writes:
            if each is not None:
                each()

    return write


def _location(body: Json) -> str:
    text = str(body.get("location") or "")
    return get_region(text, field="location").name


class _Planner:
    """Sorts a chunk's items into the plan: new, changed or unchanged."""

    def __init__(
        self,
        db: Session,
        clock: Clock,
        held: Held,
        sources: HeldSources,
        plan: _Plan,
        final: bool,
    ) -> None:
        self.db, self.clock, self.held, self.sources = db, clock, held, sources
        self.plan, self.final = plan, final
        self.new_ids: set[str] = set()  # of the chunk's new items, without case

    def sort(self, where: _Placed) -> bool:
        """Plan one item; False when it must wait (its parent has not come yet, or an
        item of the same id is new in this chunk: it is compared once that one exists)."""
        kind = where.item.kind
        if kind == "gallery":
            return self._gallery(where)
        if kind == "definition":
            return self._definition(where)
        return self._version(where)

    def _is_new(self, item: Item, parent_id: str | None, parent_held: bool) -> bool:
        """Whether a new item can be planned now (else it waits)."""
        if self.final:
            return True
        if item.id.casefold() in self.new_ids:
            return False
        return parent_id is None or parent_held or parent_id.casefold() in self.new_ids

    def _add_new(self, item: Item) -> None:
        self.new_ids.add(item.id.casefold())
        self.plan.new.append(item)

    def _plan_update(self, item: Item, row: Any, update: Callable[[], object] | None) -> bool:
        """Plan the update of a held item (its fields' `update`, and its provisioning
        state as Azure reported it), or none; True when planned."""
        state = provisioning_state(item.body)
        if state != row.provisioning_state:
            keep = partial(set_provisioning_state, self.db, item.id, state, self.clock)
            update = _in_turn(update, keep)
        if update is None:
            self.plan.unchanged.append(item)
            return False
        self.plan.updates.append((item, update))
        return True

    def _gallery(self, where: _Placed) -> bool:
        item, rid = where.item, where.item.rid
        wanted = gallery_fields(item, where.location)
        row = self.held.gallery(where.group_pk, item)
        if row is None:
            if not self._is_new(item, None, True):
                return False
            data = build(GalleryCreate, **wanted)
            group_id = ids.group_id(rid.subscription, rid.resource_group or "")
            state = provisioning_state(item.body)
            self.plan.batch.galleries.append(bulk.NewGallery(group_id, data, state))
            self._add_new(item)
            return True
        changed = gallery_changes(row, wanted)
        update = None
        if changed:
            asked = build(GalleryUpdate, **changed)
            update = partial(services.update_gallery, self.db, item.id, asked, self.clock)
        self._plan_update(item, row, update)
        return True

    def _definition(self, where: _Placed) -> bool:
        item, rid = where.item, where.item.rid
        wanted = definition_fields(item, where.location)
        row = self.held.definition(where.group_pk, item)
        if row is None:
            gallery_id = ids.gallery_id(
                rid.subscription, rid.resource_group or "", rid.gallery or ""
            )
            parent = self.held.gallery(where.group_pk, item)
            if not self._is_new(item, gallery_id, parent is not None):
                return False
            if parent is not None:
                self.plan.batch.held[Gallery, gallery_id] = parent
            data = build(DefinitionCreate, **wanted)
            self.plan.batch.definitions.append(
                bulk.NewDefinition(
                    gallery_id,
                    data,
                    reported=True,
                    provisioning_state=provisioning_state(item.body),
                )
            )
            self._add_new(item)
            return True
        changed = definition_changes(row, wanted)
        update = None
        if changed:
            update = self._as_reported(item, changed, DefinitionUpdate, services.update_definition)
        self._plan_update(item, row, update)
        return True

    def _version(self, where: _Placed) -> bool:
        item, rid = where.item, where.item.rid
        wanted = version_fields(item, where.location)
        row = self.held.version(where.group_pk, item)
        summary = reported_replication(item)
        if row is None:
            definition_id = ids.definition_id(
                rid.subscription, rid.resource_group or "", rid.gallery or "", rid.definition or ""
            )
            parent = self.held.definition(where.group_pk, item)
            if not self._is_new(item, definition_id, parent is not None):
                return False
            if parent is not None:
                self.plan.batch.held[ImageDefinition, definition_id] = parent
            self.plan.batch.versions.append(self._new_version(item, definition_id, wanted))
            self._add_new(item)
            if summary is not None:
                self.plan.replications.append((item, summary, None))
            return True
        refuse_new_source(self.db, row, item.body)
        changed = version_changes(row, wanted, self.held.targets.get(row.pk or 0, {}))
        update = None
        if changed:
            update = self._as_reported(item, changed, VersionUpdate, services.update_version)
        updated = self._plan_update(item, row, update)
        if summary is not None:
            self.plan.replications.append((item, summary, None if updated else row.pk))
        return True

    def _new_version(self, item: Item, definition_id: str, wanted: Json) -> bulk.NewVersion:
        os_caching, data_caching = host_caching(item.body)
        as_reported = partial(
            bulk.NewVersion,
            definition_id,
            published_at=published_at(item, self.clock),
            reported=True,
            provisioning_state=provisioning_state(item.body),
            os_host_caching=os_caching,
            data_host_caching=data_caching,
        )
        source = catalog_source(item.body, self.sources)
        if source is not None:
            return as_reported(build(VersionCreate, **wanted, **source))
        return as_reported(build(VersionCreate, **wanted), source=external_source(item.body))

    def _as_reported(
        self, item: Item, changed: Json, schema: type[Any], service: Callable[..., object]
    ) -> Callable[[], object]:
        """The update of an item, as Azure holds it: an end of life already past is
        kept (SIG-EOL is for what a user sets), written apart from the update service."""
        eol = changed.get("end_of_life_date")
        if eol is None or eol_datetime(eol) > self.clock.now():
            return partial(service, self.db, item.id, build(schema, **changed), self.clock)
        rest = {k: v for k, v in changed.items() if k != "end_of_life_date"}
        update = build(schema, **rest) if rest else None

        def write() -> None:
            if update is not None:
                service(self.db, item.id, update, self.clock)
            set_past_end_of_life(self.db, item.id, eol_datetime(eol), self.clock)

        return write
