"""`sigtui import FILE...`, `sigtui export arm` and `sigtui export az-script`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import DEF, SUB_ID, V1, Sigtui
from conftest import NewDatabase

from sigtui.catalog.store.clock import FixedClock
from sigtui.cli import transfer

DATA = Path(__file__).parent / "data"
SAMPLES = [
    DATA / "import" / "sample-gallery.az-sig-list.json",
    DATA / "azure" / "rest-example-2024-03-03-GalleryImage_Get.json",
    DATA / "azure" / "rest-example-2024-03-03-GalleryImageVersion_Get_WithReplicationStatus.json",
]
ESTATE = DATA / "import" / "estate.az.json"
SUBSCRIPTION = f"/subscriptions/{SUB_ID}"


def test_import_reports_what_each_file_did(sigtui: Sigtui) -> None:
    shown = sigtui.ok("import", *map(str, SAMPLES), str(ESTATE), "-o", "json")
    counts = [(f["created"], f["updated"], f["unchanged"], f["skipped"]) for f in shown["files"]]
    assert counts == [(1, 0, 0, 0), (1, 0, 0, 0), (1, 0, 0, 0), (3, 0, 0, 2)]
    assert shown["files"][3]["skippedTypes"] == {
        "Microsoft.Compute/snapshots": 1,
        "Microsoft.Network/virtualNetworks": 1,
    }
    again = sigtui.ok("import", *map(str, SAMPLES), str(ESTATE), "-o", "json")
    assert sum(f["unchanged"] for f in again["files"]) == 6
    assert sum(f["created"] + f["updated"] for f in again["files"]) == 0


def test_imported_versions_show_as_az_would(sigtui: Sigtui) -> None:
    sigtui.ok("import", *map(str, SAMPLES), "-o", "json")
    shown = sigtui.ok(
        "sig", "image-version", "list", "-g", "myResourceGroup", "-r", "myGalleryName",
        "-i", "myGalleryImageName", "-o", "json",
    )  # fmt: skip
    assert [v["name"] for v in shown] == ["1.0.0"]
    assert shown[0]["storageProfile"]["source"]["id"].endswith("/images/{imageName}")


def test_import_text_output_is_a_summary(sigtui: Sigtui) -> None:
    result = sigtui("import", str(ESTATE))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"{ESTATE}: 3 created, 0 updated, 0 unchanged, 2 skipped"


def test_a_bad_file_imports_nothing(sigtui: Sigtui, tmp_path: Path) -> None:
    bad = DATA / "import" / "estate-bad-replicas.az.json"
    result = sigtui.fails("SIG-REPLICAS", "import", str(bad))
    assert "nothing imported" in result.stderr
    assert "/galleries/estateGallery/images/ubuntu/versions/1.2.3" in result.stderr
    assert sigtui.ok("account", "list", "-o", "json") == []


def test_a_file_that_is_not_json_is_refused(sigtui: Sigtui, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    result = sigtui.fails("SIG-INPUT", "import", str(path))
    assert "is not JSON" in result.stderr
    sigtui.fails("SIG-INPUT", "import", str(tmp_path / "missing.json"))


def test_export_arm_writes_a_template(estate: Sigtui, tmp_path: Path) -> None:
    shown = estate.ok("export", "arm", "--scope", SUBSCRIPTION)
    assert shown["contentVersion"] == "1.0.0.0"
    assert [r["name"] for r in shown["resources"]] == [
        "gallery1",
        "gallery1/def1",
        "gallery1/def1/1.0.0",
    ]
    path = tmp_path / "template.json"
    assert estate("export", "arm", "--scope", SUBSCRIPTION, "--file", str(path)).stdout == ""
    assert json.loads(path.read_text()) == shown


def test_export_az_script(estate: Sigtui) -> None:
    result = estate("export", "az-script", "--scope", SUBSCRIPTION)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "#!/usr/bin/env bash"
    assert sum(line.startswith("az sig ") for line in lines) == 3


def test_export_of_an_unknown_scope_fails(estate: Sigtui) -> None:
    estate.fails("SIG-NOT-FOUND", "export", "arm", "--scope", SUBSCRIPTION + "/resourceGroups/x")


def test_round_trip_through_the_command_line(
    estate: Sigtui,
    tmp_path: Path,
    new_database: NewDatabase,
    clock: FixedClock,
) -> None:
    path = tmp_path / "template.json"
    estate.ok("export", "arm", "--scope", SUBSCRIPTION, "--file", str(path))
    engine = "postgresql" if estate.url.startswith("postgresql") else "sqlite"
    other = Sigtui(new_database(engine), clock)
    other.ok("import", str(path), "-o", "json")
    for runner in (estate, other):
        shown = runner.ok("sig", "image-version", "show", *V1, "--expand", "ReplicationStatus")
        shown.pop("etag")
        if runner is estate:
            expected = shown
    assert shown == expected
    definitions = [runner.ok("sig", "image-definition", "show", *DEF) for runner in (estate, other)]
    for shown_definition in definitions:
        shown_definition.pop("etag")
    assert definitions[0] == definitions[1]


def test_import_deploys_a_quickstart_template(sigtui: Sigtui) -> None:
    sigtui.ok("import", str(SAMPLES[0]), "-o", "json")
    group = sigtui.ok("sig", "list", "-o", "json")[0]["id"].split("/providers/")[0]
    template = DATA / "import" / "arm-quickstart-sig-create.azuredeploy.json"
    shown = sigtui.ok(
        "import", str(template), "-g", group, "--parameters", "galleryName=quick", "-o", "json"
    )
    assert shown["files"][0]["created"] == 1
    assert sorted(g["name"] for g in sigtui.ok("sig", "list", "-o", "json")) == [
        "myGalleryName",
        "quick",
    ]
    result = sigtui("import", str(template), "--parameters", "galleryName")
    assert result.exit_code == 2


def test_a_long_import_on_a_terminal_shows_progress(
    sigtui: Sigtui,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(transfer, "_on_terminal", lambda: True)
    monkeypatch.setattr(transfer, "PROGRESS_AFTER", 0.0)  # as if it took long
    result = sigtui("import", str(ESTATE))
    assert result.exit_code == 0, result.output
    assert str(ESTATE) in result.stderr
    assert "100% read" in result.stderr
    assert "created" in result.output


def test_an_import_shows_no_progress_off_a_terminal(
    sigtui: Sigtui, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer, "PROGRESS_AFTER", 0.0)
    result = sigtui("import", str(ESTATE))
    assert result.exit_code == 0, result.output
    assert "% read" not in result.stderr
