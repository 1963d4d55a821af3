"""Planning and writing an import's items a chunk at a time (see `write.py`): each item
sorted into new (a `services.bulk` batch), changed (the update services) or unchanged,
then the chunk written; every refused item named at the end (`Refusals`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import islice
from typing import Any, NamedTuple

from sqlmodel import Session

from sigtui.catalog import services
from sigtui.catalog.azure.importing import documents
from sigtui.catalog.azure.importing.definitions import definition_changes, definition_fields
from sigtui.catalog.azure.importing.digests import keep_digests
from sigtui.catalog.azure.importing.documents import Item, items_of
from sigtui.catalog.azure.importing.galleries import gallery_changes, gallery_fields
from sigtui.catalog.azure.importing.held import Held, full_targets, held_rows
from sigtui.catalog.azure.importing.reading import Digested, Known
from sigtui.catalog.azure.importing.result import ImportResult
from sigtui.catalog.azure.importing.scope import Scope
from sigtui.catalog.azure.importing.shapes import KIND_ORDER, Json, kind_of, provisioning_state
from sigtui.catalog.azure.importing.sources import (
    HeldSources,
    StorageProfile,
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
from sigtui.catalog.azure.importing.write import (
    MALFORMED,
    PROGRESS_EVERY,
    Progress,
    malformed,
    malformed_refused,
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
    build_checked,
    refuse_nul,
)
from sigtui.catalog.queries import lookup
from sigtui.catalog.rules.regions import get_region
from sigtui.catalog.services import bulk, events
from sigtui.catalog.services.versions import targets_of
from sigtui.catalog.store.clock import Clock

CHUNK = 5_000  # items planned and written together (the database's IN lists stay short)


def import_values(
    db: Session,
    values: Iterable[Any],
    clock: Clock,
    result: ImportResult,
    *,
    done: int,
    progress: Progress | None,
    deployment: Deployment | None,
) -> ImportResult:
    """Import the values in the caller's transaction (`done`: items counted already)."""
    importer = _Importer(db, clock, result, progress, done)
    with malformed_refused():
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
    # versions written from a text of their own, and their key (None: a new one's), whose
    # digest is kept once the chunk is written
    digested: list[tuple[Item, int | None]] = field(default_factory=list)


class _Placed(NamedTuple):  # one per item: a tuple is made quicker than a frozen dataclass
    item: Item
    location: str
    group_pk: int


class _Importer:
    def __init__(
        self, db: Session, clock: Clock, result: ImportResult, progress: Progress | None, done: int
    ) -> None:
        self.db = db
        self.clock = clock
        self.result = result
        self.progress = progress
        self.scope = Scope(db, clock)
        self.refused: list[Refusal] = []
        self.waiting: list[Item] = []  # items whose parent has not come yet
        self.read = self.done = done

    def items(self, values: Iterable[Any], deployment: Deployment | None) -> Iterator[Item]:
        """The gallery items of each value, as they come; a value that is not one refused.
        A value whose text a version holds as it is (`Known`) is unchanged, not read."""
        for value in values:
            if type(value) is Known:
                self._count_known()
                continue
            try:
                found = self._items_of(value, deployment)
            except (CatalogError, *MALFORMED) as exc:
                self.refused.append(("", malformed(exc)))
                continue
            for item in found:
                self.read += 1
                if self.progress is not None and self.read % PROGRESS_EVERY == 0:
                    self.progress(self.done)
                yield item

    def _items_of(self, value: Any, deployment: Deployment | None) -> list[Item]:
        if type(value) is not Digested:
            return items_of(value, self.result, deployment)
        found = items_of(value.value, self.result, deployment)
        if len(found) == 1 and (
            found[0].body is value.value or kind_of(value.value) == found[0].kind
        ):
            # the text is this resource alone (a template's depends on its parameters)
            kind, rid, body = found[0].kind, found[0].rid, found[0].body
            return [Item(kind, rid, body, value.digest, value.nul_free)]
        return found

    def _count_known(self) -> None:
        self.read += 1
        self.done += 1
        self.result.unchanged += 1
        if self.progress is not None and self.read % PROGRESS_EVERY == 0:
            self.progress(self.done)

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
        self.refused.append((item.id, malformed(exc)))

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
            except (CatalogError, *MALFORMED) as exc:
                self._refuse(where.item, exc)
        self._write(plan)

    def _placed(self, items: list[Item]) -> list[_Placed]:
        """The items with their location and resource group (made when missing)."""
        placed = []
        for item in items:
            try:
                if not item.nul_free:  # every text of the item, the ones not kept too
                    refuse_nul(item.body)
                location = _location(item.body)
                group = self.scope.ensure(item.rid, location)
            except (CatalogError, *MALFORMED) as exc:
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
                except MALFORMED:
                    continue  # refused when the item is sorted

    def _write(self, plan: _Plan) -> None:
        loaded = bulk.load(self.db, plan.batch, self.clock, self.refused)
        for item, update in plan.updates:
            try:
                update()
            except (CatalogError, *MALFORMED) as exc:
                self._refuse(item, exc)
        recorded = set()  # unchanged items whose replication status changed
        # the versions whose target regions are read in one query: the unchanged and the new
        keys = [
            loaded.version_keys.get(item.key) if pk is None else pk
            for item, _, pk in plan.replications
        ]
        held = full_targets(self.db, [pk for pk in keys if pk is not None])
        for (item, summary, _), pk in zip(plan.replications, keys, strict=True):
            targets = None if pk is None else held.get(pk, {})
            try:
                if self._record(item, summary, targets):
                    recorded.add(item.id)
            except (CatalogError, *MALFORMED) as exc:
                self._refuse(item, exc)
        self._keep_digests(plan, loaded)
        newly_updated = sum(1 for item in plan.unchanged if item.id in recorded)
        self.result.created += len(plan.new)
        self.result.updated += len(plan.updates) + newly_updated
        self.result.unchanged += len(plan.unchanged) - newly_updated
        self.done += len(plan.new) + len(plan.updates) + len(plan.unchanged)

    def _keep_digests(self, plan: _Plan, loaded: bulk.Loaded) -> None:
        """The digest of each written resource's text, last (any other write clears it)."""
        if self.refused:
            return  # nothing is written
        new_keys = {
            "gallery": loaded.gallery_keys,
            "definition": loaded.definition_keys,
            "version": loaded.version_keys,
        }
        kept: dict[str, list[tuple[int, str]]] = {kind: [] for kind in new_keys}
        for item, pk in plan.digested:
            key = new_keys[item.kind].get(item.key) if pk is None else pk
            if key is not None and item.digest is not None:
                kept[item.kind].append((key, item.digest))
        for kind, digests in kept.items():
            keep_digests(self.db, kind, digests)

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
        if item.key in self.new_ids:
            return False
        return parent_id is None or parent_held or parent_id.casefold() in self.new_ids

    def _add_new(
        self, item: Item, summary: list[Json] | None = None, *, kept: bool = False
    ) -> None:
        """Plan a new item (its text's digest kept once written, unless `kept` with its
        row already; `summary`: a version's replication as Azure reported it)."""
        self.new_ids.add(item.key)
        self.plan.new.append(item)
        if not kept:
            self._digested(item, summary, None)

    def _plan_update(
        self,
        item: Item,
        row: Any,
        update: Callable[[], object] | None,
        summary: list[Json] | None = None,
    ) -> bool:
        """Plan the update of a held item (its fields' `update`, and its provisioning
        state as Azure reported it), or none; True when planned (its text's digest kept
        once written; `summary`: a version's replication as Azure reported it)."""
        state = provisioning_state(item.body)
        if state != row.provisioning_state:
            keep = partial(set_provisioning_state, self.db, item.id, state, self.clock)
            update = _in_turn(update, keep)
        if update is None:
            self.plan.unchanged.append(item)
            return False
        self.plan.updates.append((item, update))
        self._digested(item, summary, row.pk)
        return True

    def _gallery(self, where: _Placed) -> bool:
        item, rid = where.item, where.item.rid
        wanted = gallery_fields(item, where.location)
        row = self.held.gallery(where.group_pk, item)
        if row is None:
            if not self._is_new(item, None, True):
                return False
            data = build_checked(GalleryCreate, wanted, nul_free=item.nul_free)
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
            data = build_checked(DefinitionCreate, wanted, nul_free=item.nul_free)
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
            definition_id = documents.definition_id(
                rid.subscription, rid.resource_group or "", rid.gallery or "", rid.definition or ""
            )
            parent = self.held.definition(where.group_pk, item)
            if not self._is_new(item, definition_id, parent is not None):
                return False
            if parent is not None:
                self.plan.batch.held[ImageDefinition, definition_id] = parent
            if summary is None:  # nothing writes it after its INSERT: its digest goes with it
                self.plan.batch.versions.append(
                    self._new_version(item, definition_id, wanted, item.digest)
                )
                self._add_new(item, kept=True)
                return True
            self.plan.batch.versions.append(self._new_version(item, definition_id, wanted))
            self._add_new(item, summary)
            self.plan.replications.append((item, summary, None))
            return True
        refuse_new_source(self.db, row, item.body)
        changed = version_changes(row, wanted, self.held.targets.get(row.pk or 0, {}))
        update = None
        if changed:
            update = self._as_reported(item, changed, VersionUpdate, services.update_version)
        updated = self._plan_update(item, row, update, summary)
        if summary is not None:
            self.plan.replications.append((item, summary, None if updated else row.pk))
        return True

    def _digested(self, item: Item, summary: list[Json] | None, pk: int | None) -> None:
        """Keep the digest of a resource written from its own text, unless Azure reported
        a version still replicating (its state then moves with time: compared again)."""
        if item.digest is None:
            return
        if summary is None or all(entry.get("state") == "Completed" for entry in summary):
            self.plan.digested.append((item, pk))

    def _new_version(
        self, item: Item, definition_id: str, wanted: Json, digest: str | None = None
    ) -> bulk.NewVersion:
        profile = StorageProfile.of(item.body)
        os_caching, data_caching = host_caching(profile)
        published = published_at(item, self.clock)
        state = provisioning_state(item.body)
        held_source = catalog_source(profile, self.sources)
        if held_source is not None:
            wanted = {**wanted, **held_source}
        data = build_checked(VersionCreate, wanted, nul_free=item.nul_free)
        return bulk.NewVersion(
            definition_id,
            data,
            published_at=published,
            reported=True,
            source=None if held_source is not None else external_source(profile),
            provisioning_state=state,
            os_host_caching=os_caching,
            data_host_caching=data_caching,
            import_digest=digest,
        )

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
