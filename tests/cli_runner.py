"""Running the CLI in tests: `Sigtui` runs `sigtui --db URL ...` in-process with a fixed
clock; the constants name the resources of the `estate` fixture (tests/conftest.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from click.testing import CliRunner, Result

from sigtui.catalog.store.clock import FixedClock
from sigtui.cli import cli
from sigtui.cli.context import CliState

TENANT_ID = "aaaaaaaa-0000-0000-0000-000000000001"
SUB_ID = "11111111-1111-1111-1111-111111111111"
OTHER_SUB_ID = "22222222-2222-2222-2222-222222222222"
G = ["-g", "rg1", "-r", "gallery1"]
DEF = [*G, "-i", "def1"]
V1 = [*DEF, "-e", "1.0.0"]


@dataclass
class Sigtui:
    """Runs `sigtui --db URL ...` in-process, with a fixed clock."""

    url: str
    clock: FixedClock

    def __call__(self, *args: str, input: str | None = None, db: bool = True) -> Result:
        argv = ["--db", self.url, *args] if db else list(args)
        return CliRunner().invoke(cli, argv, obj=CliState(clock=self.clock), input=input)

    def ok(self, *args: str, db: bool = True) -> Any:
        """Run a command that must succeed; its JSON output, parsed (None when empty)."""
        result = self(*args, db=db)
        assert result.exit_code == 0, f"{args}: {result.output}"
        return json.loads(result.stdout) if result.stdout.strip() else None

    def fails(self, code: str, *args: str) -> Result:
        """Run a command that must fail with rule `code`: exit 1, `error: CODE: ...`."""
        result = self(*args)
        assert result.exit_code == 1, f"{args}: exit {result.exit_code}: {result.output}"
        assert result.stderr.startswith(f"error: {code}: "), result.stderr
        assert "Traceback" not in result.output
        return result

    def missing(self, *args: str) -> Result:
        """Run a show or update of a resource that does not exist: exit 3 (as az),
        `error: SIG-NOT-FOUND: ...`."""
        result = self(*args)
        assert result.exit_code == 3, f"{args}: exit {result.exit_code}: {result.output}"
        assert result.stderr.startswith("error: SIG-NOT-FOUND: "), result.stderr
        return result


def build_estate(sigtui: Sigtui) -> Sigtui:
    """A tenant, a subscription, a group in West Europe, a managed image, a gallery, a
    definition and version 1.0.0 replicated to West Europe (x2) and East US, made through
    the CLI (the `estate` fixture)."""
    sigtui.ok("account", "tenant", "create", "--name", "Contoso", "--tenant-id", TENANT_ID)
    sigtui.ok(
        "account", "create", "--name", "Prod", "--subscription-id", SUB_ID, "--tenant", "Contoso"
    )
    sigtui.ok("group", "create", "-n", "rg1", "-l", "westeurope", "--subscription", "Prod")
    sigtui.ok(
        "image", "create", "-g", "rg1", "-n", "img1", "-l", "westeurope",
        "--os-type", "Linux", "--os-disk-size-gb", "30", "--data-disk-sizes-gb", "100", "200",
    )  # fmt: skip
    sigtui.ok("sig", "create", *G, "--description", "first", "--tags", "env=dev", "team=x")
    sigtui.ok(
        "sig", "image-definition", "create", *DEF, "--publisher", "Contoso",
        "--offer", "Finance", "--sku", "Backend", "--os-type", "Linux",
        "--hyper-v-generation", "V1", "--minimum-cpu-core", "2", "--maximum-cpu-core", "4",
    )  # fmt: skip
    sigtui.ok(
        "sig", "image-version", "create", *V1, "--managed-image", "img1",
        "--target-regions", "westeurope=2", "eastus",
    )  # fmt: skip
    return sigtui


def seed_demo(sigtui: Sigtui) -> Sigtui:
    """The demo catalog, loaded through `sigtui seed`."""
    result = sigtui("seed")
    assert result.exit_code == 0, result.output
    return sigtui
