"""Output is text, never control, through every output of the command line (DESIGN.md §3),
whatever the text: a property test.

Hypothesis writes text full of terminal escapes (C0 with ESC, BEL and CR, DEL, C1 such as
the CSI 0x9b, bidi controls, U+2028) and markup (`[/]`, `[bold]`, `[link=x]`, a trailing
backslash) into every free-text column of a copy of the demo catalog (tests/hostile.py),
then runs every read command of tests/read_commands.py as JSON and as a table, and the
text outputs (`replication --watch`, `export az-script`). Each one exits 0 with no raw
control character on stdout or stderr; JSON parses and holds the exact value; bash reads
the exact value back from the az script. A refusal that names the principal (a display
name, hostile too) is one `error: SIG-...` line with no raw control character either.

Outputs do not depend on the database engine: SQLite only (tests/test_hostile_cli.py runs
a fixed hostile value on PostgreSQL too)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cli_runner import Sigtui
from click.testing import Result
from conftest import shared_demo_file
from hypothesis import HealthCheck, given, settings
from read_commands import READS

from sigtui.catalog.store.clock import FixedClock
from tests.hostile import HOSTILE_TEXT, RAW_CONTROL, make_hostile, shell_arguments

DEMO_NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
# read commands whose output holds no free text at all (ids, numbers, the schema revision)
NO_FREE_TEXT = {"db current", "cost", "replicas advise"}
NOT_JSON = {"export az-script"}  # a shell script whatever -o says


def _without_output(args: list[str]) -> list[str]:
    """`args` without `-o FORMAT`."""
    kept, skip = [], False
    for arg in args:
        if skip or arg in ("-o", "--output"):
            skip = not skip
            continue
        kept.append(arg)
    return kept


def _runs() -> list[tuple[str, list[str]]]:
    """(command path, argv): each read command as JSON and as a table with its first
    arguments, then with the others in its default format."""
    runs = []
    for path, argument_sets in READS.items():
        first = _without_output(argument_sets[0])
        runs += [(path, [*path.split(), *first, "-o", form]) for form in ("json", "table")]
        others = {tuple(_without_output(a)) for a in argument_sets[1:]} - {tuple(first)}
        runs += [(path, [*path.split(), *args]) for args in sorted(others)]
    watch = ["replication", "--watch", "--state", "Failed", "--interval", "0"]
    return [*runs, ("replication", watch)]  # --watch: Failed only, so it draws once


RUNS = _runs()
JAN = ["--as", "jan.kowalski@fabrikam.com"]  # Reader of the gallery sigFinance only
REFUSED = [
    ["sig", "show", "-g", "rg-platform-images", "-r", "sigContosoPlatform", *JAN],
    ["limits", "--subscription", "contoso-platform-prod", "-o", "table", *JAN],
]


def _strings(document: Any) -> Iterator[str]:
    """Every string of a parsed JSON document, keys included."""
    if isinstance(document, str):
        yield document
    elif isinstance(document, dict):
        for key, value in document.items():
            yield key
            yield from _strings(value)
    elif isinstance(document, list):
        for value in document:
            yield from _strings(value)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_demo_file(tmp_path_factory, DEMO_NOW)


@pytest.fixture(scope="module", autouse=True)
def _plain_console() -> Iterator[None]:
    """No colour forced on: every escape sequence in an output then came from the data."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
            patch.delenv(name, raising=False)
        yield


def _assert_text_only(run: list[str], result: Result, exit_code: int = 0) -> None:
    assert result.exit_code == exit_code, f"{run}: exit {result.exit_code}\n{result.output}"
    for stream, shown in (("stdout", result.stdout), ("stderr", result.stderr)):
        raw = sorted({f"U+{ord(c):04X}" for c in RAW_CONTROL.findall(shown)})
        assert not raw, f"{run}: raw control characters on {stream}: {raw}\n{shown!r}"


def _assert_exact_json(path: str, run: list[str], result: Result, text: str) -> None:
    document = json.loads(result.stdout)
    if path not in NO_FREE_TEXT:
        assert any(text in s for s in _strings(document)), f"{run}: {text!r} not exact"


def _assert_bash_reads_back(script: str, text: str) -> None:
    """The script run by bash, with an `az` that writes each argument NUL-terminated:
    some argument holds `text` exactly (up to a NUL, which no argument can hold)."""
    arguments = shell_arguments(script)
    shown = text.split("\0")[0]
    assert any(shown in argument for argument in arguments), arguments


@pytest.mark.slow  # about 2 s an example
@settings(
    deadline=None,
    max_examples=5,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=HOSTILE_TEXT)
def test_every_read_command_shows_any_text_as_text(
    text: str, demo_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("hostile") / "catalog.db"
    shutil.copy(demo_file, path)
    make_hostile(path, text)
    sigtui = Sigtui(str(path), FixedClock(DEMO_NOW))
    for command, run in RUNS:
        result = sigtui(*run)
        _assert_text_only(run, result)
        if command == "export az-script":
            _assert_bash_reads_back(result.stdout, text)
        elif _prints_json(command, run):
            _assert_exact_json(command, run, result, text)
    for run in REFUSED:
        result = sigtui(*run)
        _assert_text_only(run, result, exit_code=1)
        assert result.stderr.startswith("error: SIG-ACCESS: "), result.stderr
        assert result.stderr.count("\n") == 1, result.stderr


def _prints_json(command: str, run: list[str]) -> bool:
    """JSON when asked with -o, and by default (as az) but for `replication`'s table."""
    if command in NOT_JSON:
        return False
    if "-o" in run:
        return run[run.index("-o") + 1] == "json"
    return command != "replication"
