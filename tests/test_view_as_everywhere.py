"""`--as` everywhere (SIG-ACCESS): every read command that shows resources shows only what
the principal's roles reach, and refuses a resource named that they do not reach; on the
demo catalog (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from cli_runner import Sigtui, seed_demo
from conftest import ENGINES, CopyOfBuilt
from read_commands import READS, VERSION_ID

from sigtui.catalog.store.clock import FixedClock

FINANCE_SUB = "d1bd77e0-eff4-41ef-a963-6abecd85dea2"
PLATFORM_SUB = "c536e679-23ca-4957-b880-bc37275899d4"
FINANCE = f"/subscriptions/{FINANCE_SUB}"
PLATFORM = f"/subscriptions/{PLATFORM_SUB}"
FINANCE_GALLERY = (
    f"{FINANCE}/resourceGroups/rg-finance-images/providers/Microsoft.Compute/galleries/sigFinance"
)
PLATFORM_GALLERY = (
    f"{PLATFORM}/resourceGroups/rg-platform-images/providers/Microsoft.Compute"
    "/galleries/sigContosoPlatform"
)
JAN = ["--as", "jan.kowalski@fabrikam.com"]  # Reader of the gallery sigFinance only
ENGINEERING = ["--as", "Contoso Engineering"]  # reads sigContosoPlatform and sigPlatformAPAC
NOBODY = ["--as", "norole@fabrikam.com"]  # no role at all


def _demo_and_a_principal_without_roles(url: str, clock: FixedClock) -> None:
    sigtui = seed_demo(Sigtui(url, clock))
    sigtui.ok(
        "account", "principal", "create", "--name", "norole@fabrikam.com",
        "--type", "User", "--tenant", "Fabrikam",
    )  # fmt: skip


@pytest.fixture(params=ENGINES)
def demo(request: pytest.FixtureRequest, copy_of_built: CopyOfBuilt, clock: FixedClock) -> Sigtui:
    """The demo catalog and a principal without roles (built once per session, copied)."""
    return Sigtui(
        copy_of_built(request.param, _demo_and_a_principal_without_roles, clock).url, clock
    )


def _subscriptions_of(ids: list[str]) -> set[str]:
    return {i.split("/")[2] for i in ids}


def test_export_arm_holds_only_what_the_principal_sees(demo: Sigtui) -> None:
    gallery = demo.ok("export", "arm", "--scope", FINANCE_GALLERY)
    seen = demo.ok("export", "arm", "--scope", FINANCE, *JAN)  # not sigFinanceLegacy
    assert [r["name"] for r in seen["resources"]] == [r["name"] for r in gallery["resources"]]
    as_finance_developers = demo.ok(
        "export", "arm", "--scope", FINANCE, "--as", "Finance Developers"
    )
    names = [r["name"] for r in as_finance_developers["resources"]]
    assert "sigFinance" not in names  # shared at its definitions only, not the gallery
    assert {n.split("/")[1] for n in names} == {"myImage1", "myImage2"}
    for resource in as_finance_developers["resources"]:  # no dependsOn a gallery not there
        assert "galleries', 'sigFinance')" not in str(resource.get("dependsOn"))
    demo.fails("SIG-ACCESS", "export", "arm", "--scope", PLATFORM, *JAN)
    demo.fails("SIG-ACCESS", "export", "arm", "--scope", PLATFORM_GALLERY, *JAN)
    demo.fails("SIG-ACCESS", "export", "arm", "--scope", FINANCE, *NOBODY)


def test_export_az_script_holds_only_what_the_principal_sees(demo: Sigtui) -> None:
    script = demo("export", "az-script", "--scope", FINANCE, "--as", "Finance Developers")
    assert script.exit_code == 0, script.output
    assert "az sig create" not in script.stdout
    assert "myImage3" not in script.stdout
    assert "-i myImage1" in script.stdout
    demo.fails("SIG-ACCESS", "export", "az-script", "--scope", PLATFORM, *JAN)
    demo.fails("SIG-ACCESS", "export", "az-script", "--scope", FINANCE, *NOBODY)


def test_replication_lists_only_what_the_principal_sees(demo: Sigtui) -> None:
    everything = demo.ok("replication", "-o", "json")
    assert len(_subscriptions_of([i["id"] for i in everything])) > 1
    seen = demo.ok("replication", "-o", "json", *ENGINEERING)
    assert seen and _subscriptions_of([i["id"] for i in seen]) == {PLATFORM_SUB}
    assert {i["gallery"] for i in seen} <= {"sigContosoPlatform", "sigPlatformAPAC"}
    assert demo.ok("replication", "-o", "json", *NOBODY) is None or not demo.ok(
        "replication", "-o", "json", *NOBODY
    )
    table = demo("replication", "-o", "table", *NOBODY)
    assert table.exit_code == 0 and "contoso" not in table.stdout
    demo.fails(
        "SIG-ACCESS", "replication", "--subscription", "contoso-sandbox", "-o", "json", *ENGINEERING
    )


def test_cost_counts_only_what_the_principal_sees(demo: Sigtui) -> None:
    everything = demo.ok("cost", "-o", "json")
    assert len(everything["bySubscription"]) > 1
    seen = demo.ok("cost", "-o", "json", *JAN)
    assert list(seen["bySubscription"]) == [FINANCE]
    assert list(seen["byGallery"]) == [FINANCE_GALLERY]
    finance = demo.ok("cost", "--scope", FINANCE_GALLERY, "-o", "json")
    assert seen["monthlyStorage"] == finance["monthlyStorage"]
    nothing = demo.ok("cost", "-o", "json", *NOBODY)
    assert nothing["bySubscription"] == {} and nothing["monthlyStorage"] == 0
    demo.fails("SIG-ACCESS", "cost", "--scope", PLATFORM_GALLERY, *JAN)
    demo.fails("SIG-ACCESS", "cost", "--scope", FINANCE, *NOBODY)


def test_limits_count_only_what_the_principal_sees(demo: Sigtui) -> None:
    everything = demo.ok("limits", "-o", "json")
    assert len({r["subscription"] for r in everything}) > 1
    seen = demo.ok("limits", "-o", "json", "--as", "Finance Developers")
    assert {r["subscription"] for r in seen} == {"contoso-finance-prod"}
    # two definitions shared, not the gallery: neither the gallery nor myImage3 counts
    assert sum(r["galleries"]["used"] for r in seen) == 0
    assert sum(r["imageDefinitions"]["used"] for r in seen) == 2
    assert demo.ok("limits", "-o", "json", *NOBODY) == []
    demo.fails("SIG-ACCESS", "limits", "--subscription", "contoso-platform-prod", *JAN)


def test_replicas_advise_refuses_a_version_the_principal_does_not_see(demo: Sigtui) -> None:
    args = ["replicas", "advise", "--concurrent-vms", "50", "--version", VERSION_ID]
    assert demo.ok(*args, "--region", "westeurope", "-o", "json", *JAN)["current"]
    demo.fails("SIG-ACCESS", *args, "--region", "westeurope", *ENGINEERING)
    demo.fails("SIG-ACCESS", *args, "--region", "westeurope", *NOBODY)


def _shown(result: Any) -> str:
    return str(result.stdout)


# every read command of tests/read_commands.py: those showing resources, as one with no
# role, show none of the demo's (or refuse the resource named); the others show no resource
NOT_RESOURCES = {"db current", "account principal list"}  # a schema revision, principals


def test_every_read_command_hides_everything_from_a_principal_without_roles(
    demo: Sigtui,
) -> None:
    """One test over all of them: before --as reached every command, several leaked."""
    for path, runs in sorted(READS.items()):
        for args in runs:
            result = demo(*path.split(), *args, *NOBODY)
            if path in NOT_RESOURCES:
                assert result.exit_code == 0, result.output
                continue
            if result.exit_code == 1:
                refused = ("error: SIG-ACCESS: ", "error: SIG-NOT-FOUND: ")
                assert result.stderr.startswith(refused), (path, result.stderr)
                continue
            assert result.exit_code == 0, (path, result.output)
            for secret in ("sigFinance", "rg-finance", "contoso-", "d1bd77e0", "c536e679"):
                assert secret not in _shown(result), (path, args, result.stdout)
