"""`sigtui limits`, `sigtui cost` and `sigtui replicas advise`: their JSON shapes, tables,
price sheets and errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_runner import SUB_ID, V1, Sigtui

from sigtui.catalog.queries.costs import sheet_json
from sigtui.catalog.queries.costs.sheet_json import builtin_sheet

SHEET = builtin_sheet()
SIZE = 330  # the estate's version: img1, a 30 GB OS disk and data disks of 100 and 200
S20 = SHEET.disk_tiers["Standard_LRS"][4].price.value  # 512 GB
FROM_EUROPE_ABROAD = SHEET.egress_between["Europe"].value
COST_KEYS = {"monthlyStorage", "oneTimeEgress", "replicas", "egressGb"}


def _version_id(estate: Sigtui) -> str:
    return estate.ok("sig", "image-version", "show", *V1)["id"]


# --- limits ----------------------------------------------------------------------------------


def test_limits_json_shape(estate: Sigtui) -> None:
    assert estate.ok("limits", "-o", "json") == [
        {
            "subscription": "Prod",
            "location": "westeurope",
            "galleries": {"used": 1, "limit": 100},
            "imageDefinitions": {"used": 1, "limit": 1_000},
            "imageVersions": {"used": 1, "limit": 10_000},
        }
    ]


def test_limits_filters_by_subscription_and_location(estate: Sigtui) -> None:
    assert len(estate.ok("limits", "--subscription", SUB_ID, "--location", "West Europe")) == 1
    assert estate.ok("limits", "--subscription", "Prod", "-l", "eastus") == []
    estate.fails("SIG-NOT-FOUND", "limits", "--subscription", "nope")
    estate.fails("SIG-INPUT", "limits", "--location", "atlantis")


def test_limits_table(estate: Sigtui) -> None:
    result = estate("limits", "-o", "table")
    assert result.exit_code == 0, result.output
    header, _rule, row = result.stdout.splitlines()
    assert header.split() == [
        "Subscription",
        "Location",
        "Galleries",
        "ImageDefinitions",
        "ImageVersions",
        "Level",
    ]
    assert row.split()[:3] == ["Prod", "West", "Europe"]
    assert "1/100 (1%)" in row and "1/10,000 (0%)" in row and row.endswith("ok")


# --- cost ----------------------------------------------------------------------------------


def test_cost_json_shape_and_figures(estate: Sigtui) -> None:
    shown = estate.ok("cost", "-o", "json")
    assert set(shown) >= {"currency", "monthlyStorage", "oneTimeEgress", "byRegion"}
    assert set(shown) >= {"byVersion", "byDefinition", "byGallery", "bySubscription", "basis"}
    assert (shown["currency"], shown["basis"], shown["scope"]) == ("USD", "managedDisk", None)
    # West Europe x2 and East US x1: three replicas of 330 GB, each an S20
    assert shown["replicas"] == 3
    assert shown["monthlyStorage"] == float(3 * S20)
    # egress once, to East US (another continent), never per replica
    assert shown["oneTimeEgress"] == float(SIZE * FROM_EUROPE_ABROAD)
    assert shown["egressGb"] == SIZE
    assert set(shown["byRegion"]) == {"westeurope", "eastus"}
    assert set(shown["byRegion"]["eastus"]) == COST_KEYS
    assert shown["byRegion"]["westeurope"]["oneTimeEgress"] == 0
    assert list(shown["byVersion"]) == [_version_id(estate)]
    assert list(shown["bySubscription"]) == [f"/subscriptions/{SUB_ID}"]
    assert shown["priceSheet"]["origin"] == "built-in"


def test_cost_of_a_scope(estate: Sigtui) -> None:
    estate.ok(
        "sig", "image-version", "create", *V1[:-1], "1.0.1", "--managed-image", "img1",
        "--target-regions", "westeurope",
    )  # fmt: skip
    everything = estate.ok("cost")
    version = _version_id(estate)
    scoped = estate.ok("cost", "--scope", version)
    assert scoped["scope"] == version
    assert list(scoped["byVersion"]) == [version]
    assert everything["replicas"] == scoped["replicas"] + 1
    estate.fails("SIG-NOT-FOUND", "cost", "--scope", version.replace("1.0.0", "9.9.9"))
    estate.fails("SIG-INPUT", "cost", "--scope", "not-an-id")


def test_cost_on_the_snapshot_basis(estate: Sigtui) -> None:
    shown = estate.ok("cost", "--basis", "snapshot")
    per_gb = SHEET.snapshot_per_gb["Standard_LRS"].value
    assert shown["basis"] == "snapshot"
    assert shown["monthlyStorage"] == float(3 * SIZE * per_gb)
    assert shown["oneTimeEgress"] == float(SIZE * FROM_EUROPE_ABROAD)  # the same egress


def _sheet(tmp_path: Path, change: Any) -> Path:
    path = Path(sheet_json.__file__).parents[2] / "data" / "prices.json"
    data = json.loads(path.read_text("utf-8"))
    change(data)
    written = tmp_path / "my-prices.json"
    written.write_text(json.dumps(data), "utf-8")
    return written


def test_prices_file_replaces_the_built_in_sheet(estate: Sigtui, tmp_path: Path) -> None:
    def dearer(data: dict[str, Any]) -> None:
        data["managedDisk"]["Standard_LRS"][4]["value"] = 100  # S20
        data["egressPerGb"]["betweenContinents"]["Europe"]["value"] = 1
        data["source"] = "my own prices"

    path = _sheet(tmp_path, dearer)
    shown = estate.ok("cost", "--prices", str(path))
    assert (shown["monthlyStorage"], shown["oneTimeEgress"]) == (300.0, float(SIZE))
    assert shown["priceSheet"] == {
        "origin": str(path),
        "currency": "USD",
        "date": SHEET.date,
        "source": "my own prices",
    }


def test_a_bad_prices_file_is_refused(estate: Sigtui, tmp_path: Path) -> None:
    path = _sheet(tmp_path, lambda d: d["managedDisk"]["Standard_LRS"][0].update(value="x"))
    result = estate.fails("SIG-INPUT", "cost", "--prices", str(path))
    assert "managedDisk.Standard_LRS[0].value" in result.stderr
    not_json = tmp_path / "prices.csv"
    not_json.write_text("tier,price\nS4,1.54\n", "utf-8")
    assert "is not JSON" in estate.fails("SIG-INPUT", "cost", "--prices", str(not_json)).stderr
    estate.fails("SIG-INPUT", "cost", "--prices", str(tmp_path / "missing.json"))


def test_cost_table(estate: Sigtui) -> None:
    result = estate("cost", "-o", "table")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["Region", "Replicas"]
    total = next(line for line in lines if line.startswith("Total"))
    assert total.split()[1:] == ["3", f"{3 * S20:.2f}", f"{SIZE * FROM_EUROPE_ABROAD:.2f}"]
    assert any(line.startswith("Basis managedDisk; price sheet built-in") for line in lines)


# --- replicas advise -----------------------------------------------------------------------------


def test_replicas_advise_json_shape(sigtui: Sigtui) -> None:
    shown = sigtui.ok("replicas", "advise", "--concurrent-vms", "300", "--scale-sets", "0")
    assert set(shown) >= {"minimumReplicas", "recommendedReplicas", "margin", "warnings"}
    assert (shown["minimumReplicas"], shown["recommendedReplicas"]) == (6, 8)
    assert shown["margin"]["replicas"] == 2 and "+20 %" in shown["margin"]["text"]
    assert shown["scaleSetInstanceCap"] == {"galleryImage": 1_000, "managedImage": 600}
    assert "current" not in shown


def test_replicas_advise_for_scale_sets(sigtui: Sigtui) -> None:
    shown = sigtui.ok("replicas", "advise", "--concurrent-vms", "0", "--scale-sets", "5")
    assert (shown["minimumReplicas"], shown["instancesPerScaleSet"]) == (5, 1_000)
    assert shown["warnings"] == []
    sigtui.fails(
        "SIG-SCALE", "replicas", "advise", "--scale-sets", "1", "--instances-per-scale-set", "1001"
    )
    sigtui.fails("SIG-INPUT", "replicas", "advise", "--concurrent-vms", "-3")


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--concurrent-vms", "99999999999999999999"),
        ("--concurrent-vms", "5001"),
        ("--scale-sets", "101"),
        ("--instances-per-scale-set", "-1"),
    ],
)
def test_replicas_advise_refuses_absurd_counts(sigtui: Sigtui, option: str, value: str) -> None:
    result = sigtui.fails("SIG-INPUT", "replicas", "advise", option, value)
    assert result.stdout == ""


def test_replicas_advise_compares_with_a_version(estate: Sigtui) -> None:
    version = _version_id(estate)
    args = ("replicas", "advise", "--concurrent-vms", "300", "--version", version)
    result = estate(*args, "--region", "West Europe")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["current"]["regionalReplicaCount"] == 2
    assert (shown["current"]["status"], shown["current"]["region"]) == ("tooFew", "westeurope")
    assert "warning: too few replicas in West Europe: 2" in result.stderr
    enough = estate.ok("replicas", "advise", "--version", version, "--region", "eastus")
    assert enough["current"]["status"] == "noMargin"  # 1 replica: the minimum, no margin
    estate.fails("SIG-NOT-FOUND", *args, "--region", "japaneast")
    assert estate(*args).exit_code == 2  # --version without --region


def test_replicas_advise_table(sigtui: Sigtui) -> None:
    result = sigtui("replicas", "advise", "--scale-sets", "5", "-o", "table")
    assert result.exit_code == 0, result.output
    assert "Minimum replicas      5" in result.stdout
    assert "Recommended replicas  6" in result.stdout
