"""`sigtui replication` and `show --expand ReplicationStatus` (SIG-REPLICATION)."""

from __future__ import annotations

import pytest
from cli_runner import V1, Sigtui

from sigtui.catalog.replication import speed


@pytest.fixture(autouse=True)
def _real_speed() -> None:
    speed.set_speed(None)


def _version_id(estate: Sigtui) -> str:
    return estate.ok("sig", "image-version", "show", *V1)["id"]


def test_show_expand_reports_the_replication_status_as_azure_does(estate: Sigtui) -> None:
    shown = estate.ok("sig", "image-version", "show", *V1, "--expand", "ReplicationStatus")
    status = shown["replicationStatus"]
    assert set(status) == {"aggregatedState", "summary"}
    assert status["aggregatedState"] == "InProgress"
    by_region = {s["region"]: s for s in status["summary"]}
    assert set(by_region) == {"West Europe", "East US"}
    assert set(by_region["East US"]) == {"region", "state", "details", "progress"}
    assert (by_region["West Europe"]["state"], by_region["West Europe"]["progress"]) == (
        "Completed",
        100,
    )
    estate.clock.advance(24 * 3600)
    later = estate.ok("sig", "image-version", "show", *V1, "--expand", "ReplicationStatus")
    assert later["replicationStatus"]["aggregatedState"] == "Completed"


def test_replication_lists_what_is_in_flight_as_json(estate: Sigtui) -> None:
    estate.clock.advance(600)
    items = estate.ok("replication", "-o", "json")
    assert [(i["region"], i["state"]) for i in items] == [("East US", "Replicating")]
    item = items[0]
    assert 0 < item["progress"] < 100
    assert item["eta"] and item["id"] == _version_id(estate)


def test_replication_filters_by_state_and_subscription(estate: Sigtui) -> None:
    assert estate.ok("replication", "--state", "Failed", "-o", "json") == []
    assert estate.ok("replication", "--subscription", "Prod", "-o", "json")
    estate.fails("SIG-NOT-FOUND", "replication", "--subscription", "nope")  # as `limits`


def test_fail_then_retry_a_region(estate: Sigtui) -> None:
    version = _version_id(estate)
    assert (
        estate(
            "replication", "fail", "--ids", version, "--region", "eastus", "--reason", "boom"
        ).exit_code
        == 0
    )
    failed = estate.ok("replication", "--state", "Failed", "-o", "json")
    assert [(i["region"], i["details"]) for i in failed] == [("East US", "boom")]
    estate.fails(
        "SIG-REPLICATION", "replication", "retry", "--ids", version, "--region", "westeurope"
    )
    assert estate("replication", "retry", "--ids", version, "--region", "East US").exit_code == 0
    assert estate.ok("replication", "--state", "Failed", "-o", "json") == []


def test_watch_stops_when_nothing_is_in_flight(estate: Sigtui) -> None:
    estate.clock.advance(24 * 3600)
    result = estate("replication", "--watch", "--interval", "0")
    assert result.exit_code == 0, result.output
    assert "East US" in result.output and "Completed" in result.output


def test_the_table_shows_progress_and_eta(estate: Sigtui) -> None:
    estate.clock.advance(60)
    result = estate("replication")
    assert result.exit_code == 0, result.output
    assert "East US" in result.output and "Replicating" in result.output


def test_replication_speed_makes_new_regions_faster(estate: Sigtui) -> None:
    slow = estate.ok("replication", "-o", "json")[0]
    estate.ok(
        "--replication-speed", "100", "sig", "image-version", "update", *V1,
        "--add-target-regions", "northeurope",
    )  # fmt: skip
    fast = next(i for i in estate.ok("replication", "-o", "json") if i["region"] == "North Europe")
    assert fast["eta"] < slow["eta"]
