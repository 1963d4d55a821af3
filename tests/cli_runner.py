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
