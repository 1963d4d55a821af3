"""The importer plans, then writes (issue #18): the rows a file names are found with a
few queries whatever its size, new resources go through the bulk loader, unchanged ones
write nothing, and every refused resource is named. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from builders import catalog_state, write
from sql_counter import recorded_statements

from benchmarks.imports import Size, resources, write_file
from sigtui.catalog.azure.importing import planning as importing
from sigtui.catalog.azure.importing.reading import StreamedFile
from sigtui.catalog.azure.importing.result import ImportResult
from sigtui.catalog.azure.importing.write import import_document, import_file
from sigtui.catalog.model import schemas
from sigtui.catalog.model.errors import CatalogError, Refusals
from sigtui.catalog.model.models import ImageVersion
from sigtui.catalog.queries import lookup
from sigtui.catalog.services.versions import targets_of
from sigtui.catalog.store.db import Catalog

WRITES = ("INSERT", "UPDATE", "DELETE")
SUBSCRIPTION = "00000000-0000-0000-0000-000000180000"  # the benchmark file's


def _document(per_place: int, subscription: str | None = None) -> list[dict[str, Any]]:
    """4 galleries, 4 definitions, 4 x `per_place` versions (external sources), az-shaped;
    in another subscription than the benchmark's if given."""
    document = list(resources(Size(1, per_place)))
    if subscription is None:
        return document
    text = json.dumps(document).replace(SUBSCRIPTION, subscription)
    return list(json.loads(text))


def _versions(document: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in document if r["type"].endswith("/versions")]


def _import(catalog: Catalog, document: Any) -> ImportResult:
    return write(catalog, lambda db: import_document(db, document, catalog.clock))


def _writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().split(None, 1)[0].upper() in WRITES]


def test_every_refused_resource_is_named_and_nothing_is_written(catalog: Catalog) -> None:
    document = _document(3)
    versions = _versions(document)
    versions[0]["publishingProfile"]["targetRegions"][1]["regionalReplicaCount"] = 101
    versions[5]["publishingProfile"]["storageAccountType"] = "Floppy_LRS"
    versions[7]["storageProfile"]["osDiskImage"]["sizeInGB"] = 5000  # over 2 TB
    before = catalog_state(catalog)
    with pytest.raises(Refusals) as caught, catalog.write() as db:
        import_document(db, document, catalog.clock)
    named = {(arm_id, error.code) for arm_id, error in caught.value.refusals}
    assert named == {
        (versions[0]["id"], "SIG-REPLICAS"),
        (versions[5]["id"], "SIG-INPUT"),
        (versions[7]["id"], "SIG-DISK-SIZE"),
    }
    assert caught.value.code == "SIG-REPLICAS"  # the first one's
    assert "3 resources refused" in caught.value.message
    assert all(version["id"] in caught.value.message for version in versions[:8:5])
    assert catalog_state(catalog) == before


def test_a_reimport_writes_nothing_not_even_the_change_marker(catalog: Catalog) -> None:
    document = _document(3)
    _import(catalog, document)
    before = catalog_state(catalog)
    with recorded_statements(catalog) as statements:
        result = _import(catalog, document)
    assert (result.created, result.updated, result.unchanged) == (0, 0, len(document))
    assert _writes(statements) == []
    assert catalog_state(catalog) == before


def test_the_statements_do_not_grow_with_the_file(catalog: Catalog) -> None:
    """8 versions and 40 (in the same galleries and definitions, each set in its own
    subscription) take the same statements to import, and again to re-import: the rows
    are found a kind at a time and written a table at a time, not an item at a time."""
    _import(catalog, _document(1, "11111111-1111-1111-1111-111111111111"))  # the tenant
    small = _document(2, "22222222-2222-2222-2222-222222222222")
    large = _document(10, "33333333-3333-3333-3333-333333333333")
    counted = []
    for document in (small, large, small, large):
        with recorded_statements(catalog) as statements:
            _import(catalog, document)
        counted.append(len(statements))
    assert counted[0] == counted[1] and counted[2] == counted[3]


def _with_status(document: list[dict[str, Any]], east_us: str) -> list[dict[str, Any]]:
    """Each version as `az sig image-version list --expand ReplicationStatus` gives it:
    every region Completed but East US, `east_us` (at 40 % unless Completed)."""
    document = copy.deepcopy(document)
    for version in _versions(document):
        summary = [
            {"region": name, "state": "Completed", "details": "", "progress": 100}
            for name in (t["name"] for t in version["publishingProfile"]["targetRegions"])
        ]
        for region in summary:
            if region["region"] == "East US" and east_us != "Completed":
                region.update(state=east_us, progress=40)
        version["replicationStatus"] = {"aggregatedState": east_us, "summary": summary}
    return document


def test_new_versions_keep_their_reported_replication(catalog: Catalog) -> None:
    document = _with_status(_document(2), "Replicating")
    _import(catalog, document)
    with catalog.read() as db:
        for version in _versions(document):
            row = lookup.resolve_as(db, version["id"], ImageVersion)
            states = {t.region: (t.state, t.progress) for t in targets_of(db, row).values()}
            assert states["eastus"] == ("Replicating", 40), version["id"]
            assert states["westus2"] == ("Completed", 100), version["id"]


def test_a_reported_replication_as_stored_takes_no_statements_per_new_version(
    catalog: Catalog,
) -> None:
    """New versions whose file reports the replication they have (every region
    Completed): their target regions are read back a chunk at a time to compare, not a
    version at a time."""
    _import(catalog, _document(1, "11111111-1111-1111-1111-111111111111"))  # the tenant
    counted = []
    for subscription, per_place in (("22222222", 2), ("33333333", 10)):
        uuid = f"{subscription}-{subscription[:4]}-{subscription[:4]}-{subscription[:4]}-"
        document = _with_status(_document(per_place, uuid + subscription + "0000"), "Completed")
        with recorded_statements(catalog) as statements:
            result = _import(catalog, document)
        assert result.created == len(document)
        counted.append(len(statements))
    assert counted[0] == counted[1]


def test_children_before_their_parents_wait_for_them(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "CHUNK", 3)  # the parents come chunks later
    document = _document(2)[::-1]
    result = _import(catalog, document)
    assert result.created == len(document)
    with catalog.read() as db:
        version = lookup.resolve_as(db, _versions(document)[0]["id"], ImageVersion)
    assert version.external_source_id is not None


def test_a_resource_twice_in_a_file_is_made_then_compared(catalog: Catalog) -> None:
    document = _document(1)
    again = copy.deepcopy(_versions(document)[0])
    again["tags"] = {"build": "again"}
    result = _import(catalog, [*document, again])
    assert (result.created, result.updated) == (len(document), 1)
    with catalog.read() as db:
        assert lookup.resolve_as(db, again["id"], ImageVersion).tags == {"build": "again"}


def test_progress_counts_every_resource(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "CHUNK", 5)
    document = _document(4)
    told: list[int] = []
    write(catalog, lambda db: import_document(db, document, catalog.clock, progress=told.append))
    assert told == sorted(told) and len(told) > 3
    assert told[-1] == len(document)


def test_a_list_streams_an_item_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "versions.json"
    write_file(path, Size(1, 250))  # about 1.7 MB
    stream = StreamedFile(path)
    values = stream.values()
    first = next(values)
    assert first["type"] == "Microsoft.Compute/galleries"
    assert 0 < stream.bytes_read < stream.size / 4  # not read whole to give the first
    assert sum(1 for _ in values) + 1 == len(json.loads(path.read_text("utf-8")))
    assert stream.bytes_read == stream.size


def _nul_in(*path: str | int) -> Any:
    """A change to a version that puts a NUL character at the end of the text at `path`
    (a key of its own when the path ends with `KEY`)."""

    def change(version: dict[str, Any]) -> None:
        *parents, last = path
        held: Any = version
        for part in parents:
            held = held[part]
        if last == "KEY":
            held["name\x00"] = "value"
        else:
            held[last] = f"{held[last]}\x00"

    return change


# the texts of a version an import refuses a NUL character in (by the schema's check, or
# as a value outside a rule's set: a region, a storage type)
NUL_PLACES = {
    "id": _nul_in("id"),
    "location": _nul_in("location"),
    "tag value": _nul_in("tags", "build"),
    "tag name": _nul_in("tags", "KEY"),
    "storage type": _nul_in("publishingProfile", "storageAccountType"),
    "target region": _nul_in("publishingProfile", "targetRegions", 1, "name"),
    "target storage": _nul_in("publishingProfile", "targetRegions", 2, "storageAccountType"),
    "host caching": _nul_in("storageProfile", "osDiskImage", "hostCaching"),
    "provisioning state": _nul_in("provisioningState"),
    "source id": _nul_in("storageProfile", "source", "id"),  # an external source's, kept
    "published date": _nul_in("publishingProfile", "publishedDate"),  # read up to the NUL
}


def _file_refusals(catalog: Catalog, path: Path) -> str:
    """What importing the file refuses (every refused resource), without the file's name."""
    with pytest.raises(CatalogError) as caught:
        import_file(catalog, StreamedFile(path))
    return caught.value.message.split(": nothing imported: ", 1)[1]


def test_a_nul_anywhere_in_a_version_is_refused_whichever_way_the_file_is_read(
    catalog: Catalog, tmp_path: Path
) -> None:
    """Items of az's pretty-printed list are checked for a NUL character once, as text
    (`\\u0000` is how JSON writes one), not value by value: each such version is refused
    as a one-line file (every value walked) refuses it, and the rest of the file alike."""
    document = _document(4)
    versions = _versions(document)
    for version, change in zip(versions, NUL_PLACES.values(), strict=False):
        change(version)
    versions[-1]["tags"]["note"] = "a \\u0000 written out is text"  # a backslash, not a NUL
    pretty, one_line = tmp_path / "pretty.json", tmp_path / "one-line.json"
    pretty.write_text("[\n" + ",\n".join(json.dumps(r, indent=2) for r in document) + "\n]\n")
    one_line.write_text(json.dumps(document))
    before = catalog_state(catalog)
    refused = _file_refusals(catalog, pretty)
    assert refused == _file_refusals(catalog, one_line)
    assert refused.startswith(f"{len(NUL_PLACES)} resources refused: ")
    assert catalog_state(catalog) == before


def test_only_a_text_that_may_hold_a_nul_has_its_values_walked(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    walked: list[object] = []
    walk = schemas._nul_at

    def walking(*at: Any) -> str | None:
        walked.append(at)
        return walk(*at)

    monkeypatch.setattr(schemas, "_nul_at", walking)
    path = tmp_path / "versions.json"
    write_file(path, Size(1, 2))
    assert import_file(catalog, StreamedFile(path)).created == 16
    assert walked == []  # 4 galleries, 4 definitions, 8 versions: each checked as text
    path.write_text(path.read_text().replace("Contoso", "Cont\\u0000oso", 1))  # a definition's
    with pytest.raises(CatalogError, match="NUL character"):
        import_file(catalog, StreamedFile(path))
    assert walked
