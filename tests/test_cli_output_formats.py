"""az's global arguments on every command (DESIGN.md §4): `-o json|jsonc|table|tsv|yaml|
yamlc|none`, `--query JMESPATH`, `--only-show-errors`, `--debug`.

tsv follows knack's `_TsvOutput` (what az prints): one line per item, tab-separated values
in key order (a query's object in the query's order), a nested object as an empty field,
a list as its length. No format lets a control character reach the terminal raw."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from sigtui.cli import output as cli_output
from tests.cli_runner import DEF, V1, G, Sigtui
from tests.hostile import SECRET, break_sig_list

HOSTILE = "x[/]\x1b]0;pwned\x07\x1b[2J[bold]b\x9b2J\r\t\n\u202e\u2028\x7fend"
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e\u2028]")  # LF only, as layout
LIST = ["sig", "list"]
SHOW = ["sig", "show", *G]


def _out(estate: Sigtui, *args: str) -> str:
    result = estate(*args)
    assert result.exit_code == 0, f"{args}: {result.output}"
    return result.stdout


def _gallery_tsv_line(gallery: dict[str, Any]) -> str:
    """A gallery as az's tsv writes it: values by sorted key; `identifier` and `tags`
    (objects) as empty fields."""
    fields = [
        "" if isinstance(gallery[key], dict) else str(gallery[key]) for key in sorted(gallery)
    ]
    assert fields[sorted(gallery).index("tags")] == ""
    return "\t".join(fields) + "\n"


# --- each format on a list and a show command ----------------------------------------------


@pytest.mark.parametrize("command", [LIST, SHOW], ids=["list", "show"])
def test_json_jsonc_and_yaml_give_the_same_document(estate: Sigtui, command: list[str]) -> None:
    document = json.loads(_out(estate, *command))
    assert json.loads(_out(estate, *command, "-o", "jsonc")) == document
    for output in ("yaml", "yamlc"):
        text = _out(estate, *command, "-o", output)
        assert yaml.safe_load(text) == document
        assert not text.lstrip().startswith(("[", "{"))  # block style, as az's


SGR = re.compile("\x1b\\[[0-9;]*m")  # a colour code


@pytest.mark.parametrize("output", ["jsonc", "yamlc"])
def test_jsonc_and_yamlc_are_coloured_on_a_terminal_and_plain_when_piped(
    estate: Sigtui, output: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    estate.ok("sig", "update", *G, "--description", HOSTILE)
    piped = _out(estate, *SHOW, "-o", output)
    assert not SGR.search(piped)
    monkeypatch.setattr(cli_output, "stdout_is_terminal", lambda: True)  # not click's buffer
    on_terminal = _out(estate, *SHOW, "-o", output)
    assert SGR.search(on_terminal)
    assert SGR.sub("", on_terminal) == piped  # colours around the same text
    assert not RAW_CONTROL.search(SGR.sub("", on_terminal).replace("\n", ""))


def test_tsv_of_a_show_is_one_line_of_values_in_key_order(estate: Sigtui) -> None:
    gallery = estate.ok(*SHOW)
    assert _out(estate, *SHOW, "-o", "tsv") == _gallery_tsv_line(gallery)


def test_tsv_of_a_list_is_one_line_per_item(estate: Sigtui) -> None:
    estate.ok("sig", "create", "-g", "rg1", "-r", "gallery2", "--description", "second")
    galleries = estate.ok(*LIST)
    assert len(galleries) == 2
    expected = "".join(_gallery_tsv_line(gallery) for gallery in galleries)
    assert _out(estate, *LIST, "-o", "tsv") == expected


def test_tsv_writes_a_list_as_its_length_and_a_bool_as_az_does(estate: Sigtui) -> None:
    version = ["sig", "image-version", "show", *V1, "-o", "tsv"]
    profile = "publishingProfile"
    query = f"{{regions: {profile}.targetRegions, latest: {profile}.excludeFromLatest}}"
    assert _out(estate, *version, "--query", query) == "2\tFalse\n"  # inside an object
    bare = _out(estate, *version, "--query", "publishingProfile.excludeFromLatest")
    assert bare == "false\n"  # a bare bool, lower case


def test_table_keeps_the_command_columns(estate: Sigtui) -> None:
    for command in (LIST, SHOW):
        lines = _out(estate, *command, "-o", "table").splitlines()
        assert lines[0].split() == ["Name", "ResourceGroup", "Location", "Description",
                                    "ProvisioningState"]  # fmt: skip
        assert lines[2].split()[:3] == ["gallery1", "rg1", "westeurope"]


@pytest.mark.parametrize("command", [LIST, SHOW], ids=["list", "show"])
def test_none_prints_nothing(estate: Sigtui, command: list[str]) -> None:
    assert _out(estate, *command, "-o", "none") == ""


def test_none_on_an_update_changes_and_prints_nothing(estate: Sigtui) -> None:
    assert _out(estate, "sig", "update", *G, "--description", "quiet", "-o", "none") == ""
    assert estate.ok(*SHOW)["description"] == "quiet"


def test_a_message_command_takes_every_format(estate: Sigtui) -> None:
    assert json.loads(_out(estate, "db", "current", "-o", "json"))["revision"]
    assert yaml.safe_load(_out(estate, "db", "current", "-o", "yaml"))["revision"]
    assert "(head)" in _out(estate, "db", "current")


# --- --query -------------------------------------------------------------------------------


def test_query_projection_on_a_list(estate: Sigtui) -> None:
    assert estate.ok(*LIST, "--query", "[].name") == ["gallery1"]
    assert _out(estate, *LIST, "--query", "[].name", "-o", "tsv") == "gallery1\n"
    assert yaml.safe_load(_out(estate, *LIST, "--query", "[].name", "-o", "yaml")) == ["gallery1"]


def test_query_filter_keeps_the_query_key_order_in_tsv_and_table(estate: Sigtui) -> None:
    query = "[?location=='westeurope'].{rg: resourceGroup, name: name}"
    assert estate.ok(*LIST, "--query", query) == [{"name": "gallery1", "rg": "rg1"}]
    assert _out(estate, *LIST, "--query", query, "-o", "tsv") == "rg1\tgallery1\n"
    table = _out(estate, *LIST, "--query", query, "-o", "table").splitlines()
    assert table[0].split() == ["Rg", "Name"] and table[2].split() == ["rg1", "gallery1"]
    assert estate.ok(*LIST, "--query", "[?location=='eastus']") == []


def test_query_scalar_on_a_show(estate: Sigtui) -> None:
    assert estate.ok(*SHOW, "--query", "tags.env") == "dev"
    assert _out(estate, *SHOW, "--query", "tags.env", "-o", "tsv") == "dev\n"
    assert _out(estate, *SHOW, "--query", "tags.env", "-o", "table").split() == [
        "Result", "------", "dev",
    ]  # fmt: skip
    assert _out(estate, *SHOW, "--query", "length(tags)", "-o", "yaml") == "2\n...\n"


def test_query_that_finds_nothing_prints_nothing(estate: Sigtui) -> None:
    assert _out(estate, *SHOW, "--query", "nosuchfield") == ""


def test_query_on_a_definition_list_and_a_version_show(estate: Sigtui) -> None:
    definitions = ["sig", "image-definition", "list", *G]
    assert estate.ok(*definitions, "--query", "[].identifier.sku") == [
        estate.ok("sig", "image-definition", "show", *DEF)["identifier"]["sku"]
    ]
    regions = estate.ok(*["sig", "image-version", "show", *V1],
                        "--query", "publishingProfile.targetRegions[].name")  # fmt: skip
    assert len(regions) == 2


def test_a_bad_query_is_bad_usage_in_one_line(estate: Sigtui) -> None:
    result = estate(*LIST, "--query", "[?name==")
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: SIG-INPUT: --query: "), lines


def test_a_query_that_fails_on_the_data_is_a_sig_input_error(estate: Sigtui) -> None:
    result = estate.fails("SIG-INPUT", *SHOW, "--query", "abs(name)")
    assert result.stderr.startswith("error: SIG-INPUT: --query: ")
    assert len(result.stderr.splitlines()) == 1


# --- hostile text: never raw, in any format ------------------------------------------------


@pytest.fixture
def hostile(estate: Sigtui) -> Sigtui:
    estate.ok("sig", "update", *G, "--description", HOSTILE)
    return estate


FORMATS = ["json", "jsonc", "table", "tsv", "yaml", "yamlc", "none"]


@pytest.mark.parametrize("output", FORMATS)
def test_control_characters_never_reach_the_terminal_raw(hostile: Sigtui, output: str) -> None:
    for command in (LIST, SHOW):
        for query in ([], ["--query", "description"], ["--query", "[].{d: description}"]):
            if command == SHOW and query and query[1].startswith("["):
                continue
            text = _out(hostile, *command, "-o", output, *query)
            if output == "tsv":  # TAB separates the fields: layout, as LF
                text = text.replace("\t", " ")
            assert not RAW_CONTROL.search(text), (command, query, repr(text))


def test_hostile_text_is_exact_in_yaml_and_escaped_in_tsv(hostile: Sigtui) -> None:
    assert yaml.safe_load(_out(hostile, *SHOW, "-o", "yaml"))["description"] == HOSTILE
    tsv = _out(hostile, *SHOW, "--query", "description", "-o", "tsv")
    assert tsv == "x[/]\\x1b]0;pwned\\x07\\x1b[2J[bold]b\\x9b2J\\r\\t\\n\\u202e\\u2028\\x7fend\n"
    assert json.loads(_out(hostile, *SHOW, "--query", "description")) == HOSTILE


# --- --only-show-errors and --debug --------------------------------------------------------


def test_only_show_errors_hides_warnings(sigtui: Sigtui) -> None:
    advise = ["replicas", "advise", "--concurrent-vms", "5000", "--scale-sets", "1"]  # 101 > 100
    assert sigtui(*advise).stderr.startswith("warning: ")
    quiet = sigtui(*advise, "--only-show-errors")
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert json.loads(quiet.stdout)["minimumReplicas"] > 0


def test_debug_shows_the_traceback_with_the_password_masked(
    sigtui: Sigtui, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    break_sig_list(monkeypatch, tmp_path / "state", "\x1b[2J")
    quiet = sigtui(*LIST)
    assert "Traceback" not in quiet.stderr
    result = sigtui(*LIST, "--debug")
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("error: SIG-INTERNAL: RuntimeError: lost")
    assert SECRET not in result.output and "bob:***@" in result.stderr
    assert "\x1b" not in result.stderr
