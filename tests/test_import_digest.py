"""A re-import of az's output knows each unchanged gallery, definition and version by the
digest of its text (issue #18): the text is not decoded, nothing is compared or written.
Anything else that changes one clears its digest in the database (migration 0014's
triggers), and the next re-import compares it as before. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from builders import catalog_state
from sql_counter import recorded_statements

from benchmarks.imports import Size, resources
from sigtui.catalog.azure.importing import write
from sigtui.catalog.azure.importing.documents import stable_subscription_id
from sigtui.catalog.azure.importing.reading import StreamedFile, text_digest
from sigtui.catalog.azure.importing.result import ImportResult
from sigtui.catalog.azure.importing.template import Deployment
from sigtui.catalog.azure.importing.write import import_file
from sigtui.catalog.model.models import (
    Gallery,
    ImageDefinition,
    ImageVersion,
    TargetRegion,
    table_of,
)
from sigtui.catalog.model.schemas import TargetRegionSpec
from sigtui.catalog.services.versions import add_target_regions
from sigtui.catalog.store.db import Catalog

ROOT = Path(__file__).resolve().parent.parent
VERSIONS = table_of(ImageVersion)
TARGETS = table_of(TargetRegion)


def _document() -> list[dict[str, Any]]:
    """4 galleries, 4 definitions, 8 versions, as az prints them."""
    return list(resources(Size(1, 2)))


def _versions(document: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in document if r["type"].endswith("/versions")]


def _import(catalog: Catalog, path: Path, document: list[dict[str, Any]]) -> ImportResult:
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")  # as az prints it
    stream = StreamedFile(path)
    stream.check()
    return import_file(catalog, stream)


def _digests(catalog: Catalog) -> dict[str, str | None]:
    with catalog.engine.connect() as conn:
        rows = conn.execute(
            sa.select(VERSIONS.c.name, VERSIONS.c.location, VERSIONS.c.import_digest)
        )
        return {f"{name}@{location}": digest for name, location, digest in rows}


def _version_pk(catalog: Catalog, name: str, location: str) -> int:
    with catalog.engine.connect() as conn:
        pk = conn.execute(
            sa.select(VERSIONS.c.pk).where(VERSIONS.c.name == name, VERSIONS.c.location == location)
        ).scalar_one()
        return int(pk)


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts orjson decoded."""
    texts: list[str] = []
    loads = orjson.loads

    def counted(text: str) -> Any:
        texts.append(text)
        return loads(text)

    monkeypatch.setattr(orjson, "loads", counted)
    return texts


def test_a_reimport_knows_each_version_by_its_texts_digest(
    catalog: Catalog, tmp_path: Path, decoded: list[str]
) -> None:
    document = _document()
    created = _import(catalog, tmp_path / "az.json", document)
    assert created.created == len(document)
    digests = _digests(catalog)
    assert all(digests.values()) and len(set(digests.values())) == 8
    one = _versions(document)[0]
    assert text_digest(json.dumps([one], indent=2)[4:-2]) in digests.values()  # its text
    decoded.clear()
    before = catalog_state(catalog)
    with recorded_statements(catalog) as statements:
        again = _import(catalog, tmp_path / "az.json", document)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(document))
    assert decoded == []  # not one of its texts
    assert not [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert catalog_state(catalog) == before


def _digest_look_ups(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().startswith("SELECT gallery.import_digest")]


def test_an_import_into_a_catalog_without_digests_looks_none_up(
    catalog: Catalog, tmp_path: Path
) -> None:
    """No text can be known then but one the import itself wrote, an item listed twice,
    and the planner finds that one unchanged: the same result, and no look-up."""
    document = _document()
    twice = [*document, _versions(document)[0]]
    with recorded_statements(catalog) as statements:
        result = _import(catalog, tmp_path / "az.json", twice)
    assert _digest_look_ups(statements) == []
    assert (result.created, result.updated, result.unchanged) == (len(document), 0, 1)
    assert all(_digests(catalog).values())  # kept for the next import
    with recorded_statements(catalog) as statements:
        again = _import(catalog, tmp_path / "az.json", twice)
    assert len(_digest_look_ups(statements)) == 1
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(twice))


@pytest.mark.parametrize("short_by", [0, 1])
def test_an_import_that_creates_many_resources_has_their_tables_analyzed(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, short_by: int
) -> None:
    """PostgreSQL plans with the statistics of an empty table until they are made anew:
    an import of `ANALYZED_AFTER` resources or more (into a catalog it grows by more than a
    tenth: an empty one here) makes them before it commits."""
    document = _document()
    monkeypatch.setattr(write, "ANALYZED_AFTER", len(document) + short_by)
    analyzed: list[int] = []
    worth = write.worth_analyzing

    def spied(created: int, estimate: float) -> bool:
        analyzed.append(created)
        return worth(created, estimate)

    monkeypatch.setattr(write, "worth_analyzing", spied)
    _import(catalog, tmp_path / "az.json", document)
    if short_by or catalog.engine.dialect.name != "postgresql":
        assert analyzed == []  # not asked: SQLite keeps no statistics
        return
    assert analyzed == [len(document)]
    with catalog.engine.connect() as conn:
        tuples = conn.exec_driver_sql(
            "SELECT reltuples FROM pg_class WHERE relname = 'image_version'"
        ).scalar_one()
    assert tuples == len(_versions(document))


def test_statistics_are_made_anew_when_an_import_moves_the_tables_as_autovacuum_would() -> None:
    assert write.worth_analyzing(1_000, estimate=-1)  # never analyzed: an empty catalog
    assert write.worth_analyzing(1_000, estimate=9_999)
    assert not write.worth_analyzing(1_000, estimate=10_000)  # autovacuum's share: 10 %
    assert not write.worth_analyzing(999, estimate=0)  # too few to be worth it


def test_a_changed_text_is_read_and_written_and_keeps_its_new_digest(
    catalog: Catalog, tmp_path: Path, decoded: list[str]
) -> None:
    document = _document()
    _import(catalog, tmp_path / "az.json", document)
    first = _digests(catalog)
    changed = copy.deepcopy(document)
    _versions(changed)[3]["tags"] = {"build": "rebuilt"}
    decoded.clear()
    result = _import(catalog, tmp_path / "az.json", changed)
    assert (result.updated, result.unchanged) == (1, len(document) - 1)
    assert len(decoded) == 1  # the changed version alone
    after = _digests(catalog)
    moved = [key for key in after if after[key] != first[key]]
    assert len(moved) == 1 and after[moved[0]] is not None
    again = _import(catalog, tmp_path / "az.json", changed)
    assert again.unchanged == len(document)


def _change_a_tag(conn: sa.Connection, pk: int) -> None:
    conn.execute(sa.update(VERSIONS).where(VERSIONS.c.pk == pk).values(tags={"by": "hand"}))


def _change_a_replica_count(conn: sa.Connection, pk: int) -> None:
    conn.execute(
        sa.update(TARGETS)
        .where(TARGETS.c.version_pk == pk, TARGETS.c.region == "eastus")
        .values(replica_count=7)
    )


def _drop_a_region(conn: sa.Connection, pk: int) -> None:
    conn.execute(sa.delete(TARGETS).where(TARGETS.c.version_pk == pk, TARGETS.c.region == "eastus"))


def _describe_its_definition(conn: sa.Connection, pk: int) -> None:
    definitions = table_of(ImageDefinition)
    version = sa.select(VERSIONS.c.definition_pk).where(VERSIONS.c.pk == pk).scalar_subquery()
    conn.execute(
        sa.update(definitions).where(definitions.c.pk == version).values(tags={"by": "hand"})
    )


@pytest.mark.parametrize("change", [_change_a_tag, _change_a_replica_count, _drop_a_region])
def test_any_other_write_clears_the_digest_and_the_reimport_compares_again(
    catalog: Catalog, tmp_path: Path, change: Any
) -> None:
    """Written straight to the database (as any writer might): the triggers clear the
    version's digest, and the next re-import puts back what the file says."""
    document = _document()
    _import(catalog, tmp_path / "az.json", document)
    pk = _version_pk(catalog, "1.0.1", "westeurope")
    with catalog.engine.begin() as conn:
        change(conn, pk)
    digests = _digests(catalog)
    assert digests["1.0.1@westeurope"] is None
    assert sum(1 for d in digests.values() if d is None) == 1  # its own only
    result = _import(catalog, tmp_path / "az.json", document)
    assert (result.updated, result.unchanged) == (1, len(document) - 1)
    assert _digests(catalog)["1.0.1@westeurope"] is not None
    with catalog.engine.connect() as conn:
        regions = conn.execute(
            sa.select(TARGETS.c.region, TARGETS.c.replica_count).where(TARGETS.c.version_pk == pk)
        )
        tags = conn.execute(sa.select(VERSIONS.c.tags).where(VERSIONS.c.pk == pk)).scalar_one()
    wanted = next(
        v
        for v in _versions(document)
        if v["id"].endswith("/1.0.1") and "westeurope" in v["location"]
    )
    east_us = next(
        t for t in wanted["publishingProfile"]["targetRegions"] if t["name"] == "East US"
    )
    assert dict(regions.all())["eastus"] == east_us["regionalReplicaCount"]
    assert tags == wanted["tags"]


def test_adding_a_region_through_the_services_clears_the_digest(
    catalog: Catalog, tmp_path: Path
) -> None:
    document = _document()
    _import(catalog, tmp_path / "az.json", document)
    version_id = _versions(document)[1]["id"]
    with catalog.write() as db:
        add_target_regions(
            db, version_id, [TargetRegionSpec(region="southcentralus")], catalog.clock
        )
    assert sum(1 for d in _digests(catalog).values() if d is None) == 1
    result = _import(catalog, tmp_path / "az.json", document)
    assert result.updated == 1


def test_a_version_azure_reports_still_replicating_is_compared_each_time(
    catalog: Catalog, tmp_path: Path
) -> None:
    """Its state moves with time: no digest is kept for it (nor for the others' while
    they replicate); once the file says Completed everywhere, it is kept."""
    document = _document()
    versions = _versions(document)
    versions[0]["replicationStatus"] = {
        "summary": [{"region": "East US", "state": "Replicating", "progress": 40, "details": ""}]
    }
    _import(catalog, tmp_path / "az.json", document)
    digests = _digests(catalog)
    assert digests["1.0.0@westeurope"] is None
    assert sum(1 for d in digests.values() if d is None) == 1


def test_a_definition_changed_by_hand_is_compared_again(catalog: Catalog, tmp_path: Path) -> None:
    document = _document()
    _import(catalog, tmp_path / "az.json", document)
    with catalog.engine.begin() as conn:
        _describe_its_definition(conn, _version_pk(catalog, "1.0.1", "westeurope"))
    result = _import(catalog, tmp_path / "az.json", document)
    assert (result.updated, result.unchanged) == (1, len(document) - 1)
    definitions = table_of(ImageDefinition)
    with catalog.engine.connect() as conn:
        tags = conn.execute(sa.select(definitions.c.tags)).scalars().all()
        digests = conn.execute(sa.select(definitions.c.import_digest)).scalars().all()
    assert tags == [{}] * 4 and all(digests)


def test_a_reimport_of_known_texts_starts_without_the_planner(tmp_path: Path) -> None:
    """As a whole process (the benchmark's figure): the second `sigtui import` of the same
    file imports neither the planner nor the catalog's table models."""
    path = tmp_path / "az.json"
    path.write_text(json.dumps(_document(), indent=2), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env |= {f"XDG_{kind}_HOME": str(tmp_path / "home") for kind in ("DATA", "STATE", "CONFIG")}
    command = [sys.executable, "-X", "importtime", "-m", "sigtui", "--db", str(tmp_path / "c.db")]
    said = []
    for _ in range(2):
        done = subprocess.run(
            [*command, "import", str(path)], env=env, capture_output=True, text=True, check=True
        )
        imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
        said.append((done.stdout, imported))
    (first, first_modules), (again, again_modules) = said
    assert "16 created" in first and "16 unchanged" in again
    lean = {"sigtui.catalog.azure.importing.planning", "sigtui.catalog.model.models"}
    assert lean <= first_modules and not lean & again_modules


def test_a_template_in_a_list_is_read_each_time_its_parameters_may_differ(
    catalog: Catalog, tmp_path: Path
) -> None:
    """A list holding an ARM template of one gallery: the same text names another gallery
    with other parameters, so its digest is never kept."""
    data = Path(__file__).parent / "data" / "import"
    sample = json.loads((data / "sample-gallery.az-sig-list.json").read_text("utf-8"))
    _import(catalog, tmp_path / "sample.json", sample)  # the subscription and its group
    subscription = stable_subscription_id("{subscription-id}")  # the sample's placeholder
    group = f"/subscriptions/{subscription}/resourceGroups/myResourceGroup"
    template = json.loads((data / "arm-quickstart-sig-create.azuredeploy.json").read_text("utf-8"))
    path = tmp_path / "templates.json"
    path.write_text(json.dumps([template], indent=2), encoding="utf-8")
    for name in ("firstGallery", "secondGallery"):
        stream = StreamedFile(path)
        stream.check()
        deployment = Deployment(group_id=group, parameters={"galleryName": name})
        assert import_file(catalog, stream, deployment=deployment).created == 1
    with catalog.engine.connect() as conn:
        galleries = table_of(Gallery)
        rows = conn.execute(sa.select(galleries.c.name, galleries.c.import_digest)).all()
    made = {name: digest for name, digest in rows if name in ("firstGallery", "secondGallery")}
    assert made == {"firstGallery": None, "secondGallery": None}


def test_a_reimport_of_known_texts_reports_its_progress_to_the_end(
    catalog: Catalog, tmp_path: Path
) -> None:
    path = tmp_path / "az.json"
    path.write_text(json.dumps(_document(), indent=2), encoding="utf-8")
    for _ in range(2):
        told: list[int] = []
        stream = StreamedFile(path)
        stream.check()
        import_file(catalog, stream, progress=told.append)
        assert told and told[-1] == 16
