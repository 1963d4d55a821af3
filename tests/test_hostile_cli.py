"""Output is text, never control, and secrets never show, on the command line (DESIGN.md §3).

A description full of terminal escapes and markup goes through every text output of the
CLI as visible escapes, through JSON exact (and JSON-escaped), and into `export az-script`
quoted so that the shell gets it back byte for byte. An unexpected error is one coded line
with the database password masked; its traceback, masked too, is in the log file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sigtui import crash_report
from tests.cli_runner import G, Sigtui
from tests.hostile import SECRET, break_sig_list, shell_arguments

HOSTILE = "x[/]\x1b]0;pwned\x07\x1b[2J[bold]b\x9b2J\r\u202e\x7fend\\"
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]")  # LF only, as layout


def _gallery_id(estate: Sigtui) -> str:
    return str(estate.ok("sig", "show", *G)["id"])


@pytest.fixture
def hostile(estate: Sigtui) -> Sigtui:
    estate.ok("sig", "update", *G, "--description", HOSTILE)
    return estate


@pytest.mark.parametrize(
    "args",
    [
        ["sig", "list", "-o", "table"],
        ["sig", "show", *G, "-o", "table"],
        ["sig", "update", *G, "--description", HOSTILE, "-o", "table"],
    ],
    ids=["list", "show", "update"],
)
def test_a_table_shows_control_characters_as_escapes(hostile: Sigtui, args: list[str]) -> None:
    result = hostile(*args)
    assert result.exit_code == 0, result.output
    assert not RAW_CONTROL.search(result.stdout), repr(result.stdout)
    assert "x[/]\\x1b]0;pwned\\x07" in result.stdout


def test_json_keeps_the_value_exact_with_every_control_character_escaped(
    hostile: Sigtui,
) -> None:
    result = hostile("sig", "show", *G)
    assert not RAW_CONTROL.search(result.stdout), repr(result.stdout)
    assert "\\u009b" in result.stdout
    assert json.loads(result.stdout)["description"] == HOSTILE


def test_an_arm_template_is_exact_and_safe_to_print(hostile: Sigtui) -> None:
    result = hostile("export", "arm", "--scope", _gallery_id(hostile))
    assert result.exit_code == 0, result.output
    assert not RAW_CONTROL.search(result.stdout), repr(result.stdout)
    descriptions = re.findall(r'"description": ("(?:[^"\\]|\\.)*")', result.stdout)
    assert HOSTILE in [json.loads(d) for d in descriptions]


def test_an_az_script_gives_the_shell_the_exact_value(hostile: Sigtui, tmp_path: Path) -> None:
    result = hostile("export", "az-script", "--scope", _gallery_id(hostile))
    assert result.exit_code == 0, result.output
    script = result.stdout
    assert not RAW_CONTROL.search(script), repr(script)
    assert HOSTILE in shell_arguments(script)  # what the shell made of the script


def test_an_unexpected_error_is_one_coded_line_with_the_password_masked(
    sigtui: Sigtui, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    break_sig_list(monkeypatch, tmp_path / "state", "\nsecond line")
    result = sigtui("sig", "list")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: SIG-INTERNAL: RuntimeError: lost postgresql://bob:***@")
    assert SECRET not in result.output
    log = crash_report.log_file().read_text()
    assert "Traceback" in log and "second line" in log and SECRET not in log


def test_an_unreachable_database_is_a_sig_db_error_without_its_password(sigtui: Sigtui) -> None:
    url = "postgresql://bob:Hunter2-s3cr@127.0.0.1:1/none"
    result = sigtui("--db", url, "sig", "list", db=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: SIG-DB: cannot open the catalog at "), result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert "Hunter2" not in result.output


def test_a_malformed_database_url_is_a_sig_input_error(sigtui: Sigtui) -> None:
    result = sigtui("--db", "postgresql://bob:Hunter2@host:port/x", "sig", "list", db=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: SIG-INPUT: "), result.stderr
    assert "is not a database URL" in result.stderr
    assert "Hunter2" not in result.output
