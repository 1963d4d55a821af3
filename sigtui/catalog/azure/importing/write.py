"""Importing a document's gallery resources: planned, then written, in one transaction.

The items are taken a chunk at a time, as the file streams in (it is never held whole).
For each chunk: the resource groups the ids name are found (made when missing) once
each, the rows the ids name are found with one query per kind, and each item is sorted
into new (a `services.bulk` batch: the create rules checked in memory, one insert per
table), changed (the update services) or unchanged (nothing is written). An item whose
parent is neither in the catalog nor before it in the file waits for the end.

A gallery, definition or version written from a text of its own (an item of az's
pretty-printed list) keeps that text's digest; a re-import finds the digests of its items'
texts a few hundred at a time (a catalog that holds no digest is not asked), and an item
whose digest the catalog holds is unchanged without being decoded (the database clears a
digest when anything else changes the resource: migration 0014). A file whose items are
all known never loads the planner. An import that creates many resources makes the
tables' statistics anew before it commits (PostgreSQL), so that the next one, and the
screens, are not planned as if the tables were still empty.

Every refused item is kept with its ARM id, and the import goes on checking the rest:
it ends refusing them all at once (`Refusals`), and the caller's transaction writes
nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from itertools import chain
from typing import Any

from sqlmodel import Session

from sigtui.catalog.azure.importing.digests import digest_finder
from sigtui.catalog.azure.importing.documents import items_of
from sigtui.catalog.azure.importing.reading import Known, StreamedFile
from sigtui.catalog.azure.importing.result import ImportResult
from sigtui.catalog.azure.importing.template import Deployment
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.store.clock import Clock
from sigtui.catalog.store.db import Catalog

__all__ = ["count_items", "import_document", "import_file"]

Progress = Callable[[int], object]  # told how many items are done so far; its result is unused

PROGRESS_EVERY = 1_000  # items read between two reports of progress

# an import that creates this many resources, and more than this share of the versions the
# catalog held (autovacuum's own default share), has the tables it writes analyzed before
# it commits (PostgreSQL: `refresh_statistics`), not left to autovacuum
ANALYZED_AFTER = 1_000
ANALYZED_SHARE = 0.1
ANALYZE_WRITTEN = "ANALYZE gallery, image_definition, image_version, target_region, data_disk"
VERSIONS_ESTIMATE = "SELECT reltuples FROM pg_class WHERE oid = 'image_version'::regclass"

MALFORMED = (AttributeError, TypeError, ValueError, KeyError, IndexError)


def malformed(exc: Exception) -> CatalogError:
    """A document whose structure is not what Azure writes (a list where an object
    belongs, a text where a number does): SIG-INPUT, not a crash."""
    if isinstance(exc, CatalogError):
        return exc
    return CatalogError(
        "SIG-INPUT",
        f"the file is not shaped as Azure writes gallery resources ({type(exc).__name__}: {exc})",
    )


@contextmanager
def malformed_refused() -> Iterator[None]:
    try:
        yield
    except MALFORMED as exc:
        raise malformed(exc) from None


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
            result = _import(
                db,
                stream.entries(digest_finder(db)),
                catalog.clock,
                file=str(stream.path),
                progress=progress,
                deployment=deployment,
            )
            refresh_statistics(db, result.created)
            return result
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
    rest = iter(values)
    known = 0
    if deployment is None or deployment.group_id is None:  # else its group is checked first
        for value in rest:
            if type(value) is not Known:
                rest = chain([value], rest)
                break
            known += 1
            result.unchanged += 1
            if progress is not None and known % PROGRESS_EVERY == 0:
                progress(known)
        else:  # every item known: nothing to plan
            if progress is not None:
                progress(known)
            return result
    # the planner and the services it writes through: only for a file with something
    # to plan (a re-import of texts the catalog holds starts without them)
    from sigtui.catalog.azure.importing import planning

    return planning.import_values(
        db, rest, clock, result, done=known, progress=progress, deployment=deployment
    )


def refresh_statistics(db: Session, created: int) -> None:
    """PostgreSQL: ANALYZE the tables an import writes, in its transaction, as the
    documentation advises after populating tables, when it created enough resources to
    move them (`worth_analyzing`): a table that grew from nothing keeps an empty table's
    statistics until autovacuum comes by, and the planner scans it whole where an index
    would do (the re-import of 20,000 versions just imported: 1.7 s, 0.8 s after ANALYZE).
    SQLite: nothing (it keeps no statistics unless asked)."""
    connection = db.connection()
    if connection.dialect.name != "postgresql" or created < ANALYZED_AFTER:
        return
    estimate = float(connection.exec_driver_sql(VERSIONS_ESTIMATE).scalar_one())
    if worth_analyzing(created, estimate):
        connection.exec_driver_sql(ANALYZE_WRITTEN)


def worth_analyzing(created: int, estimate: float) -> bool:
    """Whether an import that created these resources moves the tables enough to make
    their statistics anew, given the versions PostgreSQL estimated they held before it
    (-1: never analyzed). A thousand versions more in a catalog of a hundred thousand are
    not worth an ANALYZE of its tables (a quarter of a second at 20,000 versions, more as
    they grow); autovacuum sees to them."""
    return created >= ANALYZED_AFTER and created > ANALYZED_SHARE * max(estimate, 0.0)


def count_items(document: Any, deployment: Deployment | None = None) -> int:
    located = replace(deployment, group_location="") if deployment else None
    with malformed_refused():
        return len(items_of(document, ImportResult(), located))
