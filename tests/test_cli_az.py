"""The command line as az has it (issue #20, DESIGN.md section 4): short options and
flags, `--no-wait`, generic `--add`/`--remove`, `create` as a PUT, updatable fields."""

from __future__ import annotations

from typing import Any

from cli_runner import DEF, V1, G, Sigtui

from sigtui.cli.options import GROUP_SEPARATOR, expand_multi_values

SHOW_VERSION = ["sig", "image-version", "show", *V1]
NEW_DEF = ["sig", "image-definition", "create", *G, "-i", "def2", "--os-type", "Linux"]
DEF1_CREATE = [
    "sig", "image-definition", "create", *DEF, "--publisher", "Contoso",
    "--offer", "Finance", "--sku", "Backend", "--os-type", "Linux",
    "--minimum-cpu-core", "2", "--maximum-cpu-core", "4",
]  # fmt: skip
V1_CREATE = [
    "sig", "image-version", "create", *V1, "--managed-image", "img1",
    "--target-regions", "westeurope=2", "eastus",
]  # fmt: skip


def targets(shown: Any) -> list[tuple[str, int]]:
    return [
        (t["name"], t["regionalReplicaCount"]) for t in shown["publishingProfile"]["targetRegions"]
    ]


# --- short options and flags -------------------------------------------------------------------


def test_definition_create_takes_p_f_s_for_publisher_offer_sku(estate: Sigtui) -> None:
    shown = estate.ok(*NEW_DEF, "-p", "Contoso", "-f", "Finance", "-s", "Frontend")
    assert shown["identifier"] == {"publisher": "Contoso", "offer": "Finance", "sku": "Frontend"}


def test_a_bare_exclude_from_latest_means_true(estate: Sigtui) -> None:
    excluded = estate.ok(
        "sig", "image-version", "update", *V1, "--exclude-from-latest", "-o", "json"
    )
    assert excluded["publishingProfile"]["excludeFromLatest"] is True
    included = estate.ok("sig", "image-version", "update", *V1, "--exclude-from-latest", "false")
    assert included["publishingProfile"]["excludeFromLatest"] is False


def test_a_tag_key_without_a_value_gets_an_empty_value(estate: Sigtui) -> None:
    shown = estate.ok("sig", "update", *G, "--tags", "owner", "env=prod")
    assert shown["tags"] == {"owner": "", "env": "prod"}


def test_no_wait_is_accepted_and_prints_nothing(estate: Sigtui) -> None:
    runs = [
        ["sig", "create", "-g", "rg1", "-r", "gallery2", "--no-wait"],
        ["sig", "update", "-g", "rg1", "-r", "gallery2", "--description", "x", "--no-wait"],
        [*NEW_DEF, "-p", "P", "-f", "O", "-s", "S", "--no-wait"],
        ["sig", "image-version", "update", *V1, "--replica-count", "3", "--no-wait"],
        ["sig", "image-version", "delete", *V1, "--no-wait"],
    ]
    for args in runs:
        result = estate(*args)
        assert (result.exit_code, result.output) == (0, ""), args
    assert estate.ok("sig", "show", "-g", "rg1", "-r", "gallery2")["description"] == "x"
    assert [d["name"] for d in estate.ok("sig", "image-definition", "list", *G)] == [
        "def1",
        "def2",
    ]
    assert estate.ok("sig", "image-version", "list", *DEF) == []


# --- generic update: --add and --remove ---------------------------------------------------------


def test_add_appends_a_target_region_from_key_value_pairs(estate: Sigtui) -> None:
    shown = estate.ok(
        "sig", "image-version", "update", *V1,
        "--add", "publishingProfile.targetRegions", "name=westus", "regionalReplicaCount=3",
    )  # fmt: skip
    assert targets(shown) == [("West Europe", 2), ("East US", 1), ("West US", 3)]
    assert targets(estate.ok(*SHOW_VERSION)) == targets(shown)


def test_remove_drops_a_target_region_by_its_index(estate: Sigtui) -> None:
    shown = estate.ok(
        "sig", "image-version", "update", *V1, "--remove", "publishingProfile.targetRegions", "1"
    )
    assert targets(shown) == [("West Europe", 2)]


def test_remove_drops_a_tag_and_add_remove_set_combine(estate: Sigtui) -> None:
    shown = estate.ok("sig", "update", *G, "--remove", "tags.team", "--set", "description=second")
    assert (shown["tags"], shown["description"]) == ({"env": "dev"}, "second")
    version = estate.ok(
        "sig", "image-version", "update", *V1,
        "--add", "publishingProfile.targetRegions", "name=northeurope",
        "--add", "publishingProfile.targetRegions", "name=westus",
        "--remove", "publishingProfile.targetRegions", "1",
    )  # fmt: skip
    assert targets(version) == [("West Europe", 2), ("North Europe", 1), ("West US", 1)]


def test_remove_clears_a_recommended_size(estate: Sigtui) -> None:
    shown = estate.ok(
        "sig", "image-definition", "update", *DEF, "--remove", "recommended.vCPUs.min"
    )
    assert shown["recommended"]["vCPUs"] == {"min": None, "max": 4}


def test_add_and_remove_refuse_what_cannot_change_and_change_nothing(estate: Sigtui) -> None:
    before = estate.ok(*SHOW_VERSION)
    update = ["sig", "image-version", "update", *V1]
    estate.fails("SIG-UPDATE", *update, "--add", "storageProfile.dataDiskImages", "lun=5")
    estate.fails("SIG-UPDATE", *update, "--remove", "storageProfile.dataDiskImages", "0")
    estate.fails("SIG-UPDATE", *update, "--remove", "location")
    estate.fails(
        "SIG-UPDATE", *update, "--add", "publishingProfile.targetRegions", "name=westus",
        "encryption=x",
    )  # fmt: skip
    estate.fails(  # the source region stays a target
        "SIG-SOURCE-REGION", *update, "--remove", "publishingProfile.targetRegions", "0"
    )
    estate.fails("SIG-UPDATE", "sig", "image-definition", "update", *DEF, "--remove", "osType")
    assert estate.ok(*SHOW_VERSION) == before


def test_each_add_and_remove_keeps_its_words_together() -> None:
    argv = ["--add", "p", "a=1", "b=2", "--add", "q", "c", "--remove", "r", "-1", "--tags", "x"]
    assert expand_multi_values(argv) == [
        "--add", GROUP_SEPARATOR.join(["p", "a=1", "b=2"]),
        "--add", GROUP_SEPARATOR.join(["q", "c"]),
        "--remove", GROUP_SEPARATOR.join(["r", "-1"]),
        "--tags", "x",
    ]  # fmt: skip


def test_add_and_remove_take_their_words_as_az_does(estate: Sigtui) -> None:
    update = ["sig", "image-version", "update", *V1]
    assert estate(*update, "--add", "publishingProfile.targetRegions").exit_code == 2
    assert estate(*update, "--remove", "tags.a", "1", "2").exit_code == 2
    assert estate(*update, "--remove", "publishingProfile.targetRegions", "one").exit_code == 2


# --- updatable fields ---------------------------------------------------------------------------


def test_version_update_replica_count_changes_the_common_count(estate: Sigtui) -> None:
    shown = estate.ok("sig", "image-version", "update", *V1, "--replica-count", "3")
    assert shown["publishingProfile"]["replicaCount"] == 3
    assert targets(shown) == [("West Europe", 2), ("East US", 1)]  # their own counts kept
    added = estate.ok("sig", "image-version", "update", *V1, "--add-target-regions", "westus")
    assert targets(added)[-1] == ("West US", 3)  # a region added without a count


def test_definition_release_notes_eula_privacy_and_disk_types_are_updatable(
    estate: Sigtui,
) -> None:
    shown = estate.ok(
        "sig", "image-definition", "update", *DEF, "--eula", "New terms",
        "--privacy-statement-uri", "https://contoso.example/privacy",
        "--release-note-uri", "https://contoso.example/notes",
        "--disallowed-disk-types", "Standard_LRS", "StandardSSD_LRS",
    )  # fmt: skip
    assert shown["eula"] == "New terms"
    assert shown["privacyStatementUri"] == "https://contoso.example/privacy"
    assert shown["releaseNoteUri"] == "https://contoso.example/notes"
    assert shown["disallowed"]["diskTypes"] == ["Standard_LRS", "StandardSSD_LRS"]
    again = estate.ok(
        "sig", "image-definition", "update", *DEF, "--set", "eula=Newer terms",
        "--remove", "disallowed.diskTypes", "0",
    )  # fmt: skip
    assert (again["eula"], again["disallowed"]["diskTypes"]) == ("Newer terms", ["StandardSSD_LRS"])


# --- create is a PUT ------------------------------------------------------------------------------


def test_the_same_create_again_returns_the_resource_without_a_write(estate: Sigtui) -> None:
    gallery = estate.ok("sig", "show", *G)
    definition = estate.ok("sig", "image-definition", "show", *DEF)
    version = estate.ok(*SHOW_VERSION)
    again = ["sig", "create", *G, "--description", "first", "--tags", "env=dev", "team=x"]
    assert estate.ok(*again) == gallery
    assert estate.ok(*DEF1_CREATE, "--hyper-v-generation", "V1") == definition
    assert estate.ok(*V1_CREATE)["etag"] == version["etag"]
    assert estate.ok(*SHOW_VERSION) == version


def test_a_create_that_changes_a_fixed_field_is_sig_update(estate: Sigtui) -> None:
    before = estate.ok("sig", "image-definition", "show", *DEF)
    changed_sku = [*DEF1_CREATE, "--hyper-v-generation", "V1", "--description", "x"]
    changed_sku[changed_sku.index("Backend")] = "Other"
    estate.fails("SIG-UPDATE", *changed_sku)
    assert estate.ok("sig", "image-definition", "show", *DEF) == before
    version = estate.ok(*SHOW_VERSION)
    estate.ok(
        "snapshot", "create", "-g", "rg1", "-n", "os", "--size-gb", "30", "--os-type", "Linux"
    )
    estate.fails(
        "SIG-UPDATE", "sig", "image-version", "create", *V1, "--os-snapshot", "os",
        "--target-regions", "westeurope=2", "eastus",
    )  # fmt: skip
    estate.fails("SIG-UPDATE", *V1_CREATE, "--storage-account-type", "Premium_LRS")
    assert estate.ok(*SHOW_VERSION) == version


def test_a_create_that_changes_an_updatable_field_updates_it(estate: Sigtui) -> None:
    gallery = estate.ok("sig", "show", *G)
    updated = estate.ok("sig", "create", *G, "--description", "second")
    assert (updated["description"], updated["tags"]) == ("second", {})  # a PUT's whole body
    assert updated["etag"] != gallery["etag"]
    version = estate.ok(*V1_CREATE[:-1], "northeurope=3", "--exclude-from-latest")
    assert targets(version) == [("West Europe", 2), ("North Europe", 3)]
    assert version["publishingProfile"]["excludeFromLatest"] is True


# --- end-of-life dates are date-times -------------------------------------------------------------


def test_an_end_of_life_date_alone_is_12_59_59_utc_and_a_time_is_kept(estate: Sigtui) -> None:
    update = ["sig", "image-version", "update", *V1, "--end-of-life-date"]
    shown = estate.ok(*update, "2030-01-01")
    assert shown["publishingProfile"]["endOfLifeDate"] == "2030-01-01T12:59:59+00:00"
    shown = estate.ok(*update, "2030-01-01T08:30:00+02:00")
    assert shown["publishingProfile"]["endOfLifeDate"] == "2030-01-01T06:30:00+00:00"
    definition = estate.ok(
        "sig", "image-definition", "update", *DEF, "--set", "endOfLifeDate=2031-02-03T04:05:06Z"
    )
    assert definition["endOfLifeDate"] == "2031-02-03T04:05:06+00:00"


def test_sig_eol_compares_date_times(estate: Sigtui) -> None:
    """The clock says 2026-01-15 12:00 UTC: today's date alone (12:59:59) is still ahead."""
    update = ["sig", "image-version", "update", *V1, "--end-of-life-date"]
    assert estate.ok(*update, "2026-01-15")["publishingProfile"]["endOfLifeDate"] == (
        "2026-01-15T12:59:59+00:00"
    )
    result = estate.fails("SIG-EOL", *update, "2026-01-15T11:59:59Z")
    assert "2026-01-15 12:00 UTC" in result.stderr
