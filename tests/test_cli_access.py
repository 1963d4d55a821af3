"""The CLI's sharing commands (SIG-ACCESS): principals, role assignments, and `--as`,
on the demo catalog (whose assignments follow the source document's sharing matrix)."""

from __future__ import annotations

from typing import Any

import pytest
from cli_runner import Sigtui, seed_demo
from conftest import ENGINES, CopyOfBuilt

from sigtui.catalog.store.clock import FixedClock

FINANCE = ["-g", "rg-finance-images", "-r", "sigFinance"]
PLATFORM = ["-g", "rg-platform-images", "-r", "sigContosoPlatform"]
LEGACY_VERSION = [
    "-g", "rg-finance-legacy", "-r", "sigFinanceLegacy", "-i", "ledger-ws2012r2", "-e", "1.0.0"
]  # fmt: skip
NEW_DEFINITION = [
    "--publisher", "Contoso", "--offer", "Platform", "--sku", "new-sku", "--os-type", "Linux"
]  # fmt: skip


def _demo_catalog(url: str, clock: FixedClock) -> None:
    seed_demo(Sigtui(url, clock))


@pytest.fixture(params=ENGINES)
def demo(request: pytest.FixtureRequest, copy_of_built: CopyOfBuilt, clock: FixedClock) -> Sigtui:
    """The demo catalog (seeded once per session, copied per test)."""
    return Sigtui(copy_of_built(request.param, _demo_catalog, clock).url, clock)


def _names(items: list[dict[str, Any]]) -> list[str]:
    return sorted(item["name"] for item in items)


def _id(demo: Sigtui, *args: str) -> str:
    return demo.ok(*args, "-o", "json")["id"]


def test_principals_create_and_list(demo: Sigtui) -> None:
    created = demo.ok(
        "account", "principal", "create", "--name", "ops@fabrikam.com",
        "--type", "user", "--tenant", "Fabrikam",
    )  # fmt: skip
    assert created["principalType"] == "User"
    assert created["tenantName"] == "Fabrikam"
    listed = demo.ok("account", "principal", "list", "--tenant", "Fabrikam")
    assert "ops@fabrikam.com" in [p["displayName"] for p in listed]
    demo.fails(
        "SIG-NAME", "account", "principal", "create", "--name", "ops@fabrikam.com",
        "--type", "User", "--tenant", "Fabrikam",
    )  # fmt: skip
    demo.fails(
        "SIG-NOT-FOUND", "account", "principal", "create", "--name", "x",
        "--type", "User", "--tenant", "Nowhere",
    )  # fmt: skip


def test_role_assignments_create_list_delete(demo: Sigtui) -> None:
    gallery = _id(demo, "sig", "show", *PLATFORM)
    created = demo.ok(
        "role", "assignment", "create", "--assignee", "Finance Developers",
        "--role", "compute gallery image reader", "--scope", gallery,
    )  # fmt: skip
    assert created["roleDefinitionName"] == "Compute Gallery Image Reader"
    assert created["scope"] == gallery
    assert created["allows"] == ["read"]
    assert created["id"].startswith(f"{gallery}/providers/Microsoft.Authorization/roleAssignments/")
    at_gallery = demo.ok("role", "assignment", "list", "--scope", gallery)
    assert created in at_gallery
    mine = demo.ok("role", "assignment", "list", "--assignee", "Finance Developers")
    assert {a["scopeKind"] for a in mine} == {"gallery", "definition"}
    demo.fails(
        "SIG-ACCESS",
        "role",
        "assignment",
        "create",
        "--assignee",
        "Finance Developers",
        "--role",
        "Compute Gallery Image Reader",
        "--scope",
        gallery,
    )  # fmt: skip  (the same assignment twice)
    demo.fails(
        "SIG-ACCESS", "role", "assignment", "create", "--assignee", "Finance Developers",
        "--role", "Superuser", "--scope", gallery,
    )  # fmt: skip
    deleted = demo.ok("role", "assignment", "delete", "--ids", created["id"])
    assert [d["id"] for d in deleted] == [created["id"]]
    assert created not in demo.ok("role", "assignment", "list", "--scope", gallery)
    demo.fails("SIG-NOT-FOUND", "role", "assignment", "delete", "--ids", created["id"])


def test_inherited_assignments_reach_a_definition(demo: Sigtui) -> None:
    definition = _id(demo, "sig", "image-definition", "show", *FINANCE, "-i", "myImage2")
    direct = demo.ok("role", "assignment", "list", "--scope", definition)
    reaching = demo.ok(
        "role", "assignment", "list", "--scope", definition, "--include-inherited"
    )  # fmt: skip
    assert {a["principalName"] for a in direct} == {"Finance Developers", "sp-fabrikam-deployer"}
    extra = [a for a in reaching if a not in direct]
    assert [(a["principalName"], a["scopeKind"]) for a in extra] == [
        ("jan.kowalski@fabrikam.com", "gallery")
    ]


def test_cross_tenant_and_single_version_warnings(demo: Sigtui) -> None:
    version = _id(demo, "sig", "image-version", "show", *LEGACY_VERSION)
    result = demo(
        "role", "assignment", "create", "--assignee", "sp-fabrikam-deployer",
        "--role", "Reader", "--scope", version,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "warning: SIG-ACCESS: sharing a single image version is discouraged" in result.stderr
    assert "another tenant" in result.stderr
    assert '"crossTenant": true' in result.stdout


def test_as_shows_only_what_the_principal_sees(demo: Sigtui) -> None:
    as_finance = ["--as", "Finance Developers"]
    assert demo.ok("sig", "list", *as_finance) == []
    definitions = demo.ok("sig", "image-definition", "list", *FINANCE, *as_finance)
    assert _names(definitions) == ["myImage1", "myImage2"]
    versions = demo.ok("sig", "image-version", "list", *FINANCE, "-i", "myImage1", *as_finance)
    assert len(versions) == 3
    demo.fails("SIG-ACCESS", "sig", "show", *FINANCE, *as_finance)
    assert demo.ok("image", "list", *as_finance) == []
    groups = demo.ok("group", "list", *as_finance)
    assert _names(groups) == ["rg-finance-images"]
    # a reader of the gallery sees the gallery, and --as also works before the command
    reader = demo.ok("--as", "jan.kowalski@fabrikam.com", "sig", "list", db=True)
    assert _names(reader) == ["sigFinance"]
    demo.fails("SIG-NOT-FOUND", "sig", "list", "--as", "nobody")


def test_as_refuses_writes_the_role_does_not_allow(demo: Sigtui) -> None:
    before = demo.ok("sig", "image-definition", "show", *FINANCE, "-i", "myImage1")
    demo.fails(
        "SIG-ACCESS", "sig", "image-definition", "update", *FINANCE, "-i", "myImage1",
        "--description", "changed", "--as", "Finance Developers",
    )  # fmt: skip
    assert demo.ok("sig", "image-definition", "show", *FINANCE, "-i", "myImage1") == before
    demo.fails(
        "SIG-ACCESS", "sig", "image-definition", "create", *FINANCE, "-i", "new",
        *NEW_DEFINITION, "--as", "jan.kowalski@fabrikam.com",
    )  # fmt: skip
    # a publisher at the gallery may publish there
    created = demo.ok(
        "sig", "image-definition", "create", *PLATFORM, "-i", "new", *NEW_DEFINITION,
        "--as", "sp-image-pipeline",
    )  # fmt: skip
    assert created["name"] == "new"
    demo.fails(
        "SIG-ACCESS", "sig", "create", "-g", "rg-platform-images", "-r", "another",
        "--as", "sp-image-pipeline",
    )  # fmt: skip
