"""`sigtui rules`: every rule code with its meaning, shipped with the package (no catalog,
no DESIGN.md needed), and the README points there rather than at files an installed copy
lacks."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from sigtui.catalog.model.errors import RULE_CODES
from sigtui.cli import cli
from sigtui.cli.context import CliState

README = Path(__file__).parent.parent / "README.md"


def _rules(*args: str) -> str:
    result = CliRunner().invoke(cli, ["rules", *args], obj=CliState())
    assert result.exit_code == 0, result.output
    return result.stdout


def test_every_rule_code_has_a_meaning_in_json() -> None:
    rules = json.loads(_rules("-o", "json"))
    assert [rule["code"] for rule in rules] == list(RULE_CODES)
    assert all(len(rule["meaning"]) > 20 for rule in rules), rules


def test_the_table_has_one_line_per_code_and_a_query_picks_one() -> None:
    lines = _rules().splitlines()
    assert len(lines) == 2 + len(RULE_CODES)  # a header, a rule, one line per code
    assert lines[2].split()[0] == RULE_CODES[0]
    delete = next(line for line in lines if line.startswith("SIG-DELETE "))
    assert "cannot be deleted" in delete
    assert _rules("--query", "[?code=='SIG-ZRS'].code", "-o", "tsv") == "SIG-ZRS\n"


def test_the_readme_points_at_what_the_package_ships() -> None:
    text = README.read_text("utf-8")
    assert "sigtui rules" in text
    assert "reference/pricing.md" not in text
    assert "are in `DESIGN.md`" not in text
