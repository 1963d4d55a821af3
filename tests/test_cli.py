"""The command line (DESIGN.md section 4): az's commands, options, JSON shapes and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from azure_shapes import ADDED_BY_AZ, AZURE_DEFINITION_KEYS, AZURE_VERSION_KEYS
from cli_runner import (
    DEF,
    OTHER_SUB_ID,
    SUB_ID,
    TENANT_ID,
    V1,
    G,
    Sigtui,
)

from sigtui.catalog.store.clock import FixedClock
from sigtui.cli.options import expand_multi_values


def definitions(sigtui: Sigtui) -> Any:
    return sigtui.ok("sig", "image-definition", "list", *G, "-o", "json")


def version(sigtui: Sigtui, name: str = "1.0.0", *options: str) -> Any:
    return sigtui.ok("sig", "image-version", "show", *DEF, "-e", name, *options)


# --- creating and showing -------------------------------------------------------------------


def test_the_version_has_azures_shape(estate: Sigtui) -> None:
    shown = version(estate, "1.0.0", "-o", "json", "--expand", "ReplicationStatus")
    assert set(shown) >= AZURE_VERSION_KEYS | ADDED_BY_AZ
    assert shown["id"] == (
        f"/subscriptions/{SUB_ID}/resourceGroups/rg1/providers/Microsoft.Compute"
        "/galleries/gallery1/images/def1/versions/1.0.0"
    )
    assert (shown["location"], shown["resourceGroup"]) == ("westeurope", "rg1")
    targets = shown["publishingProfile"]["targetRegions"]
    assert [(t["name"], t["regionalReplicaCount"]) for t in targets] == [
        ("West Europe", 2),
        ("East US", 1),
    ]
    assert shown["storageProfile"]["source"]["id"].endswith("/images/img1")
    assert [d["lun"] for d in shown["storageProfile"]["dataDiskImages"]] == [0, 1]


def test_the_definition_has_azures_shape(estate: Sigtui) -> None:
    shown = estate.ok("sig", "image-definition", "show", *DEF)
    assert set(shown) >= AZURE_DEFINITION_KEYS | ADDED_BY_AZ
    assert shown["identifier"] == {"publisher": "Contoso", "offer": "Finance", "sku": "Backend"}
    assert shown["recommended"]["vCPUs"] == {"min": 2, "max": 4}
    assert shown["etag"] == "1"


def test_show_expands_the_replication_status_only_when_asked(estate: Sigtui) -> None:
    assert "replicationStatus" not in version(estate)
    status = version(estate, "1.0.0", "--expand", "replicationstatus")["replicationStatus"]
    assert status["aggregatedState"] == "InProgress"
    assert [(s["region"], s["state"]) for s in status["summary"]] == [
        ("West Europe", "Completed"),
        ("East US", "Replicating"),
    ]


def test_latest_skips_versions_excluded_from_latest(estate: Sigtui) -> None:
    create = ["sig", "image-version", "create", *DEF, "--managed-image", "img1"]
    estate.ok(*create, "-e", "1.10.0", "--exclude-from-latest")
    estate.ok(*create, "-e", "1.2.0", "--exclude-from-latest", "false")
    assert version(estate, "latest")["name"] == "1.2.0"  # 1.10.0 is excluded
    listed = estate.ok("sig", "image-version", "list", *DEF)
    assert [v["name"] for v in listed] == ["1.10.0", "1.2.0", "1.0.0"]


def test_resources_are_found_by_ids(estate: Sigtui) -> None:
    shown = version(estate)
    assert estate.ok("sig", "image-version", "show", "--ids", shown["id"]) == shown
    gallery_id = shown["id"].split("/images/")[0]
    assert estate.ok("sig", "show", "--ids", gallery_id)["name"] == "gallery1"
    result = estate("sig", "show", "--ids", gallery_id, "-g", "rg1")
    assert result.exit_code == 2


def test_a_version_from_snapshots(estate: Sigtui) -> None:
    estate.ok(
        "snapshot", "create", "-g", "rg1", "-n", "os", "--size-gb", "40", "--os-type", "Linux"
    )
    estate.ok("snapshot", "create", "-g", "rg1", "-n", "d1", "--size-gb", "8")
    estate.ok("snapshot", "create", "-g", "rg1", "-n", "d2", "--size-gb", "9")
    shown = estate.ok(
        "sig", "image-version", "create", *DEF, "-e", "2.0.0", "--os-snapshot", "os",
        "--data-snapshots", "d1", "d2", "--data-snapshot-luns", "4", "7",
    )  # fmt: skip
    storage = shown["storageProfile"]
    assert storage["osDiskImage"]["source"]["id"].endswith("/snapshots/os")
    assert [(d["lun"], d["sizeInGB"]) for d in storage["dataDiskImages"]] == [(4, 8), (7, 9)]
    assert [s["name"] for s in estate.ok("snapshot", "list", "-g", "rg1")] == ["d1", "d2", "os"]


def test_the_db_option_goes_before_or_after_the_subcommand(estate: Sigtui) -> None:
    after = estate("sig", "list", "--db", estate.url, db=False)
    assert after.exit_code == 0, after.output
    assert [g["name"] for g in json.loads(after.stdout)] == ["gallery1"]


def test_lists_and_accounts(estate: Sigtui) -> None:
    [account] = estate.ok("account", "list")
    assert (account["id"], account["tenantId"], account["state"]) == (SUB_ID, TENANT_ID, "Enabled")
    assert [g["name"] for g in estate.ok("group", "list", "--subscription", SUB_ID)] == ["rg1"]
    assert [i["name"] for i in estate.ok("image", "list")] == ["img1"]
    assert estate.ok("account", "tenant", "list")[0]["tenantId"] == TENANT_ID


# --- table output --------------------------------------------------------------------------------


def test_table_output_is_readable(estate: Sigtui) -> None:
    result = estate("sig", "image-version", "list", *DEF, "-o", "table")
    assert result.exit_code == 0, result.output
    header, rule, row = result.stdout.splitlines()
    assert header.split() == [
        "Name",
        "ResourceGroup",
        "Location",
        "TargetRegions",
        "ExcludeFromLatest",
    ]
    assert set(rule.replace(" ", "")) == {"-"}
    assert row.startswith("1.0.0") and "West Europe=2, East US=1" in row
    shown = estate("sig", "show", *G, "-o", "table")
    assert "first" in shown.stdout.splitlines()[2]


# --- updates -------------------------------------------------------------------------------------


def test_set_changes_updatable_paths(estate: Sigtui) -> None:
    update = ["sig", "image-definition", "update", *DEF, "--set"]
    shown = estate.ok(
        *update, "description=x", "recommended.vCPUs.max=8", "endOfLifeDate=2030-01-01",
        "tags.env=prod",
    )  # fmt: skip
    assert shown["description"] == "x"
    assert shown["recommended"]["vCPUs"] == {"min": 2, "max": 8}
    assert shown["endOfLifeDate"] == "2030-01-01T12:59:59+00:00"  # a date alone, as az
    assert shown["tags"] == {"env": "prod"}
    assert estate.ok("sig", "update", *G, "--set", "tags.owner=me")["tags"] == {
        "env": "dev",
        "team": "x",
        "owner": "me",
    }
    excluded = estate.ok(
        "sig", "image-version", "update", *V1, "--set", "publishingProfile.excludeFromLatest=true"
    )
    assert excluded["publishingProfile"]["excludeFromLatest"] is True


REFUSED_ASSIGNMENTS = (
    "identifier.publisher=X",  # fixed after creation
    "osType=Windows",  # fixed after creation
    "provisioningState=Failed",  # read-only
    "notAProperty=1",  # unknown
)


def test_set_refuses_other_paths_and_changes_nothing(estate: Sigtui) -> None:
    before = definitions(estate)
    for assignment in REFUSED_ASSIGNMENTS:
        update = ["sig", "image-definition", "update", *DEF, "--set", "description=y"]
        estate.fails("SIG-UPDATE", *update, assignment)
    assert definitions(estate) == before


def test_update_options_of_a_version(estate: Sigtui) -> None:
    update = ["sig", "image-version", "update", *V1]
    shown = estate.ok(
        *update, "--add-target-regions", "northeurope=3", "--remove-target-regions", "eastus"
    )
    regions = shown["publishingProfile"]["targetRegions"]
    assert [(r["name"], r["regionalReplicaCount"]) for r in regions] == [
        ("West Europe", 2),
        ("North Europe", 3),
    ]
    shown = estate.ok(*update, "--set", "publishingProfile.targetRegions[0].regionalReplicaCount=5")
    assert shown["publishingProfile"]["targetRegions"][0]["regionalReplicaCount"] == 5
    shown = estate.ok(
        *update, "--target-regions", "westeurope", "eastus=4", "--end-of-life-date", "2031-05-06"
    )
    assert [r["name"] for r in shown["publishingProfile"]["targetRegions"]] == [
        "West Europe",
        "East US",
    ]
    assert shown["publishingProfile"]["endOfLifeDate"].startswith("2031-05-06")


def test_if_match_refuses_a_stale_etag(estate: Sigtui) -> None:
    etag = estate.ok("sig", "show", *G)["etag"]
    estate.ok("sig", "update", *G, "--description", "second", "--if-match", etag)
    result = estate.fails(
        "SIG-CONFLICT", "sig", "update", *G, "--description", "third", "--if-match", etag
    )
    assert "etag" in result.stderr
    assert estate.ok("sig", "show", *G)["description"] == "second"


# --- errors ---------------------------------------------------------------------------------------


def test_a_refused_command_changes_nothing(estate: Sigtui) -> None:
    before = definitions(estate)
    estate.fails(
        "SIG-IDENT", "sig", "image-definition", "create", *G, "-i", "def2", "--publisher",
        "Contoso", "--offer", "Finance", "--sku", "Backend", "--os-type", "Linux",
    )  # fmt: skip
    assert definitions(estate) == before
    shown = version(estate)
    estate.fails(
        "SIG-SOURCE-REGION", "sig", "image-version", "update", *V1,
        "--add-target-regions", "northeurope", "--remove-target-regions", "westeurope",
    )  # fmt: skip
    assert version(estate) == shown  # the region added first was rolled back too


RULE_ERRORS = [
    ("SIG-NOT-FOUND", ["sig", "list", "-g", "nope"]),
    ("SIG-INPUT", ["sig", "image-definition", "update", *DEF, "--end-of-life-date", "soon"]),
    ("SIG-INPUT", ["sig", "image-definition", "update", *DEF, "--minimum-cpu-core", "two"]),
    ("SIG-EOL", ["sig", "image-definition", "update", *DEF, "--end-of-life-date", "2020-01-01"]),
    ("SIG-SOURCE-REGION", ["sig", "image-version", "create", *DEF, "-e", "2.0.0",
                           "--managed-image", "img1", "--target-regions", "eastus"]),
    ("SIG-REPLICAS", ["sig", "image-version", "create", *DEF, "-e", "2.0.0",
                      "--managed-image", "img1", "--target-regions", "westeurope=101"]),
    ("SIG-NAME", ["sig", "create", "-g", "rg1", "-r", "bad-name"]),
]  # fmt: skip


def test_rule_errors_exit_1_with_their_code(estate: Sigtui) -> None:
    for code, args in RULE_ERRORS:
        estate.fails(code, *args)
    estate.ok("sig", "image-version", "update", *V1, "--exclude-from-latest")
    estate.fails("SIG-LATEST", "sig", "image-version", "show", *DEF, "-e", "latest")


BAD_USAGE = [
    ["sig", "create", "-g", "rg1"],  # -r missing
    ["sig", "list", "--bogus"],
    ["sig", "list", "-o", "xml"],
    ["sig", "list", "--query", "[?name=="],
    ["sig", "show", "-g", "rg1"],  # neither -r nor --ids
    ["sig", "update", *G],  # nothing to update
    ["sig", "update", *G, "--set", "novalue"],
    ["sig", "image-version", "show", *V1, "--expand", "Everything"],
]


def test_bad_usage_exits_2(estate: Sigtui) -> None:
    for args in BAD_USAGE:
        result = estate(*args)
        assert result.exit_code == 2, f"{args}: {result.output}"
        assert "Traceback" not in result.output


def test_an_ambiguous_group_needs_the_subscription(estate: Sigtui) -> None:
    estate.ok(
        "account",
        "create",
        "--name",
        "Dev",
        "--subscription-id",
        OTHER_SUB_ID,
        "--tenant",
        TENANT_ID,
    )
    estate.fails("SIG-INPUT", "group", "create", "-n", "rg1", "-l", "westeurope")
    estate.ok("group", "create", "-n", "rg1", "-l", "westeurope", "--subscription", "Dev")
    result = estate.fails("SIG-INPUT", "sig", "list", "-g", "rg1")
    assert "--subscription" in result.stderr
    assert estate.ok("sig", "list", "-g", "rg1", "--subscription", "Dev") == []
    assert len(estate.ok("sig", "list", "-g", "rg1", "--subscription", SUB_ID)) == 1


def test_a_readonly_catalog_refuses_writes(estate: Sigtui) -> None:
    estate.fails("SIG-ACCESS", "--readonly", "sig", "update", *G, "--description", "x")
    assert estate.ok("--readonly", "sig", "show", *G)["description"] == "first"


def test_an_unexpected_error_is_one_line_not_a_traceback(
    estate: Sigtui, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from sigtui.catalog.azure import azure_json

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("kaboom")

    monkeypatch.delenv("SIGTUI_DEBUG", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    monkeypatch.setattr(azure_json, "galleries", broken)
    result = estate("sig", "list")
    assert result.exit_code == 1
    log = tmp_path / "sigtui" / "sigtui.log"
    assert result.stderr == f"error: SIG-INTERNAL: RuntimeError: kaboom (traceback in {log})\n"
    assert "Traceback" in log.read_text()


def test_the_database_password_is_never_printed(clock: FixedClock) -> None:
    sigtui = Sigtui("postgresql://bob:s3cr%40t@127.0.0.1:1/catalog", clock)
    result = sigtui.fails("SIG-DB", "sig", "list")
    assert "s3cr" not in result.output
    assert "***" in result.stderr


# --- delete --------------------------------------------------------------------------------------


def test_delete_asks_no_question_even_on_a_terminal(
    estate: Sigtui, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sigtui.cli.options.stdin_is_terminal", lambda: True)
    result = estate("sig", "image-version", "delete", *V1)  # no input to read
    assert (result.exit_code, result.output) == (0, "")
    assert estate.ok("sig", "image-version", "list", *DEF) == []


def test_delete_accepts_and_ignores_yes(estate: Sigtui) -> None:
    assert estate.ok("sig", "image-version", "delete", *V1, "--yes") is None
    assert estate.ok("sig", "image-definition", "delete", *DEF, "-y") is None
    assert estate.ok("sig", "image-definition", "list", *G) == []


def test_deleting_a_missing_resource_succeeds_and_prints_nothing(estate: Sigtui) -> None:
    before = estate.ok("sig", "image-version", "list", *DEF)
    for args in (
        ["sig", "image-version", "delete", *DEF, "-e", "9.9.9"],
        ["sig", "image-definition", "delete", *G, "-i", "nope"],
        ["sig", "image-version", "delete", *G, "-i", "nope", "-e", "1.0.0"],
        ["sig", "delete", "-g", "rg1", "-r", "nope"],
        ["image", "delete", "-g", "rg1", "-n", "nope"],
    ):
        result = estate(*args)
        assert (result.exit_code, result.output) == (0, ""), args
    assert estate.ok("sig", "image-version", "list", *DEF) == before


def test_show_and_update_of_a_missing_resource_exit_3(estate: Sigtui) -> None:
    estate.missing("sig", "show", "-g", "rg1", "-r", "nope")
    estate.missing("sig", "update", "-g", "rg1", "-r", "nope", "--description", "x")
    estate.missing("sig", "image-definition", "show", *G, "-i", "nope")
    estate.missing("sig", "image-definition", "update", *G, "-i", "nope", "--eula", "x")
    estate.missing("sig", "image-version", "show", *DEF, "-e", "9.9.9")
    estate.missing("sig", "image-version", "update", *DEF, "-e", "9.9.9", "--replica-count", "2")
    estate.missing("sig", "show", "-g", "nope", "-r", "gallery1")  # its resource group
    estate.missing("group", "show", "-n", "nope")


def test_delete_names_what_blocks_it(estate: Sigtui) -> None:
    result = estate.fails("SIG-DELETE", "sig", "delete", *G, "--yes")
    assert "def1" in result.stderr
    estate.ok("sig", "image-version", "delete", *V1, "--yes")
    estate.ok("sig", "image-definition", "delete", *DEF, "-y")
    estate.ok("sig", "delete", *G, "--yes")
    assert estate.ok("sig", "list") == []


# --- the catalog, the app, the console script ----------------------------------------------------


def test_multi_value_options_are_expanded() -> None:
    argv = ["--tags", "a=b", "c=d", "-o", "json", "--target-regions=x=1", "y", "--ids", "i"]
    assert expand_multi_values(argv) == [
        "--tags", "a=b", "--tags", "c=d", "-o", "json",
        "--target-regions", "x=1", "--target-regions", "y", "--ids", "i",
    ]  # fmt: skip
    assert expand_multi_values(["--data-disk-sizes-gb", "1", "-5"]) == [
        "--data-disk-sizes-gb", "1", "--data-disk-sizes-gb", "-5",
    ]  # fmt: skip


def test_db_commands(tmp_path: Path, clock: FixedClock) -> None:
    sigtui = Sigtui(str(tmp_path / "new.db"), clock)
    assert sigtui("db", "current").exit_code == 1  # no catalog there yet
    upgraded = sigtui("db", "upgrade")
    assert upgraded.exit_code == 0 and "(head)" in upgraded.stdout
    assert sigtui.ok("db", "current", "-o", "json")["revision"] is not None
    assert sigtui("db", "downgrade", "base", "--yes").exit_code == 0
    assert sigtui.ok("db", "current", "-o", "json")["revision"] is None


def test_only_the_default_catalog_gets_the_demo_on_first_use(
    tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sigtui.catalog.services.seed as seed

    seeded: list[str] = []

    class Loaded:
        def summary(self) -> str:
            return "Loaded the demo catalog: nothing, really."

    def load_demo(catalog: Any, *, reset: bool = False) -> Loaded:
        seeded.append(catalog.display_name)
        return Loaded()

    monkeypatch.setattr(seed, "load_demo", load_demo)
    monkeypatch.delenv("SIGTUI_DB", raising=False)
    default = tmp_path / "data" / "catalog.db"
    monkeypatch.setattr("sigtui.catalog.store.db.default_catalog_path", lambda: default)
    sigtui = Sigtui(str(tmp_path / "named.db"), clock)
    missing = sigtui("sig", "list")  # named by --db: a reader does not create it
    assert missing.exit_code == 1
    assert "there is no catalog at" in missing.stderr and "db upgrade" in missing.stderr
    sigtui.ok("db", "upgrade", "-o", "json")
    assert sigtui.ok("sig", "list") == []  # made empty, no seed
    assert sigtui.ok("--no-seed", "sig", "list", db=False) == []  # default, but --no-seed
    assert seeded == []
    default.unlink()
    first = sigtui("sig", "list", db=False)
    assert first.exit_code == 0, first.output
    assert seeded == [str(default)]
    assert "First use of" in first.stderr
    sigtui.ok("sig", "list", db=False)
    assert seeded == [str(default)], "seeded on its first use only"
    assert sigtui.ok("seed", "--reset", "-o", "json")["message"].startswith("Loaded")
    assert len(seeded) == 2


def test_no_subcommand_opens_the_app(sigtui: Sigtui, monkeypatch: pytest.MonkeyPatch) -> None:
    import sigtui.ui.app as app

    opened: list[str] = []
    monkeypatch.setattr(
        app, "run_app", lambda catalog, view_as=None: opened.append(catalog.display_name)
    )
    result = sigtui()
    assert result.exit_code == 0, result.output
    assert len(opened) == 1


def test_the_console_script(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "sigtui"
    if not script.exists():
        pytest.skip("the sigtui console script is not installed in this environment")
    env = {**os.environ, "SIGTUI_DB": str(tmp_path / "c.db")}
    made = subprocess.run(
        [str(script), "db", "upgrade"], capture_output=True, text=True, env=env, timeout=60
    )
    assert made.returncode == 0, made.stderr
    listed = subprocess.run(
        [str(script), "sig", "list"], capture_output=True, text=True, env=env, timeout=60
    )
    assert (listed.returncode, listed.stdout.strip()) == (0, "[]"), listed.stderr
    missing = subprocess.run(
        [str(script), "sig", "show", "-g", "rg", "-r", "g"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert missing.returncode == 3  # as az, for a resource that does not exist
    assert missing.stderr.startswith("error: SIG-NOT-FOUND: ")
