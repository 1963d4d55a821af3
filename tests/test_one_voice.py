"""One voice (DESIGN.md §4): every command, given broken input, says so in one line
`error: SIG-CODE: message` on stderr (a rule code, never SIG-INTERNAL), exits non-zero and
changes nothing in the catalog.

`BROKEN` holds, for every command of the tree (a test checks that it covers them all), a
missing required argument, invalid values (a bad region, version name, JSON, number),
resources that do not exist and hostile text with terminal controls. Each command also
gets an unknown option and a bad `-o`. Every case runs on SQLite; the cases written
`both([...])`, those whose values reach the database, run on PostgreSQL too."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from builders import catalog_state
from cli_runner import DEF, OTHER_SUB_ID, SUB_ID, V1, G, Sigtui, build_estate
from click.testing import Result
from read_commands import command_paths

from sigtui.catalog.model.errors import RULE_CODES
from sigtui.catalog.store import db as catalog_db
from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import Catalog, open_catalog
from sigtui.cli import cli

HOSTILE = "x\x1b]0;pwned\x07\x1b[2J\x9b31m\r\u202e[/]y"
ONE_LINE = re.compile(r"error: (SIG-[A-Z-]+): [^\n]+\n")
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]")
CLOCK = FixedClock(datetime(2026, 1, 15, 12, 0, tzinfo=UTC))
BIG = "99999999999999999999"  # beyond any integer column
GALLERY_ID = (
    f"/subscriptions/{SUB_ID}/resourceGroups/rg1/providers/Microsoft.Compute/galleries/gallery1"
)
VERSION_ID = f"{GALLERY_ID}/images/def1/versions/1.0.0"
NO_GALLERY_ID = GALLERY_ID.replace("gallery1", "nope")
NO_VERSION_ID = VERSION_ID.replace("1.0.0", "9.9.9")
NEW_VERSION = [*DEF, "-e", "2.0.0"]
NEW_SUBSCRIPTION = ["--name", "Dev", "--subscription-id", OTHER_SUB_ID, "--tenant", "Contoso"]
NEW_IMAGE = ["-g", "rg1", "-n", "img2", "--os-type", "Linux", "--os-disk-size-gb", "30"]
NEW_DEFINITION = [*G, "-i", "def2", "-p", "P", "-f", "O", "-s", "S", "--os-type", "Linux"]


class both(list[str]):  # lower case: it reads as a marker in the table
    """A case that runs on PostgreSQL as well as on SQLite."""


# Files given to `import` and `--prices`, written by the `files` fixture.
FILES = {
    "<bad-json>": '{"type": "Microsoft.Compute/galleries", "name": ',
    "<hostile-json>": json.dumps(
        {
            "type": "Microsoft.Compute/galleries",
            "name": HOSTILE,
            "location": HOSTILE,
            "id": f"/subscriptions/{HOSTILE}/resourceGroups/rg1/providers/"
            f"Microsoft.Compute/galleries/{HOSTILE}",
        }
    ),
    "<wrong-types-json>": json.dumps(
        {
            "type": "Microsoft.Compute/galleries/images",
            "name": "gallery1/def9",
            "id": f"{GALLERY_ID}/images/def9",
            "location": "westeurope",
            "properties": {
                "identifier": {"publisher": "P", "offer": "O", "sku": "S"},
                "osType": "Linux",
                "osState": "Generalized",
                "recommended": {"vCPUs": {"min": "many", "max": ["x"]}},
            },
        }
    ),
    "<nul-json>": json.dumps(
        {
            "type": "Microsoft.Compute/galleries",
            "name": "gallery9",
            "id": GALLERY_ID.replace("gallery1", "gallery9"),
            "location": "westeurope",
            "properties": {"description": "before\x00after"},
        }
    ),
    "<bad-prices>": '{"currency": "EUR", "prices": [1, 2',
    "<wrong-prices>": json.dumps({"currency": ["EUR"], "regions": {HOSTILE: "cheap"}}),
}
FOLDER = "<folder>"
MISSING_FILE = "/nonexistent-folder/file.json"

BROKEN: dict[str, list[list[str]]] = {
    "db current": [["--db", MISSING_FILE]],
    "db upgrade": [["--db", f"postgresql://u:pw@h:{HOSTILE}/x"]],
    "db downgrade": [[], ["no-such-revision"], [HOSTILE]],
    "seed": [["--reset", "yes"]],
    "account tenant create": [
        [],
        both(["--name", "Other", "--tenant-id", HOSTILE]),
        ["--name", "Other", "--tenant-id", "not-a-uuid"],
    ],
    "account tenant list": [["extra"]],
    "account create": [
        ["--name", "Dev"],
        both(["--name", "Dev", "--subscription-id", HOSTILE, "--tenant", "Contoso"]),
        both(["--name", "Dev", "--subscription-id", OTHER_SUB_ID, "--tenant", HOSTILE]),
        [*NEW_SUBSCRIPTION, "--cloud", "MarsCloud"],
        [*NEW_SUBSCRIPTION, "--allow-region", HOSTILE],
    ],
    "account list": [both(["--tenant", HOSTILE])],
    "account show": [both(["--subscription", HOSTILE])],
    "account principal create": [
        ["--name", "bob"],
        ["--name", "bob", "--type", HOSTILE, "--tenant", "Contoso"],
        both(["--name", "bob", "--type", "User", "--tenant", HOSTILE]),
        ["--name", "bob", "--type", "User", "--tenant", "Contoso", "--object-id", HOSTILE],
    ],
    "account principal list": [both(["--tenant", HOSTILE])],
    "group create": [
        ["-n", "rg2"],
        both(["-n", "rg2", "-l", HOSTILE, "--subscription", "Prod"]),
        both(["-n", HOSTILE, "-l", "westeurope", "--subscription", "Prod"]),
        both(["-n", "rg2", "-l", "westeurope", "--subscription", HOSTILE]),
        ["-n", "rg2", "-l", "westeurope", "--subscription", "Prod", "--tags", "a" * 600],
    ],
    "group delete": [
        ["--yes"],
        ["-n", "rg1"],  # no --yes and no terminal to ask
        both(["-n", "rg1", "--yes"]),  # it holds a gallery
        both(["-n", "rg1", "--yes", "--if-match", HOSTILE]),
        both(["-n", "rg1", "--yes", "--subscription", HOSTILE]),
    ],
    "group list": [both(["--subscription", HOSTILE])],
    "group show": [[], both(["-n", HOSTILE]), both(["-n", "nope"])],
    "image create": [
        ["-g", "rg1", "-n", "img2"],
        ["-g", "rg1", "-n", "img2", "--os-type", "Linux", "--os-disk-size-gb", "abc"],
        both(["-g", "rg1", "-n", "img2", "--os-type", "Linux", "--os-disk-size-gb", BIG]),
        ["-g", "rg1", "-n", "img2", "--os-type", "Linux", "--os-disk-size-gb", "-30"],
        both(["-g", "rg1", "-n", "img2", "--os-type", HOSTILE, "--os-disk-size-gb", "30"]),
        both([*NEW_IMAGE, "-l", HOSTILE]),
        [*NEW_IMAGE, "--data-disk-sizes-gb", "ten"],
    ],
    "image delete": [
        ["--yes"],
        both(["--ids", HOSTILE, "--yes"]),
        both(["-g", HOSTILE, "-n", "img1", "--yes"]),
    ],
    "image list": [both(["-g", HOSTILE])],
    "image show": [[], both(["-g", "rg1", "-n", HOSTILE]), both(["--ids", HOSTILE])],
    "snapshot create": [
        ["-g", "rg1", "-n", "snap1"],
        ["-g", "rg1", "-n", "snap1", "--size-gb", "abc"],
        both(["-g", "rg1", "-n", "snap1", "--size-gb", BIG]),
        ["-g", "rg1", "-n", "snap1", "--size-gb", "64", "--os-type", HOSTILE],
        both(["-g", "rg1", "-n", HOSTILE, "--size-gb", "64"]),
    ],
    "snapshot delete": [["--yes"], both(["--ids", HOSTILE, "--yes"])],
    "snapshot list": [both(["-g", HOSTILE])],
    "snapshot show": [[], both(["-g", "rg1", "-n", "nope"]), both(["--ids", HOSTILE])],
    "sig create": [
        ["-g", "rg1"],
        both(["-g", "rg1", "-r", HOSTILE]),
        ["-g", "rg1", "-r", "bad-name"],
        both(["-g", "nope", "-r", "gallery2"]),
        both(["-g", "rg1", "-r", "gallery2", "-l", HOSTILE]),
    ],
    "sig list": [both(["-g", HOSTILE]), both(["--subscription", HOSTILE])],
    "sig show": [["-g", "rg1"], both(["-g", "rg1", "-r", "nope"]), both(["--ids", HOSTILE])],
    "sig update": [
        G,  # nothing to update
        both([*G, "--description", "x", "--if-match", HOSTILE]),
        [*G, "--set", HOSTILE],
        [*G, "--set", "tags={not json"],
        [*G, "--set", "location=eastus"],
        both(["-g", "rg1", "-r", HOSTILE, "--description", "x"]),
    ],
    "sig delete": [
        ["--yes"],
        both([*G, "--yes"]),  # it holds a definition
        both(["--ids", HOSTILE, "--yes"]),
    ],
    "sig image-definition create": [
        [*G, "-i", "def2"],
        [*G, "-i", "def2", "-p", "P", "-f", "O", "-s", "S", "--os-type", HOSTILE],
        both([*G, "-i", HOSTILE, "-p", "P", "-f", "O", "-s", "S", "--os-type", "Linux"]),
        [*NEW_DEFINITION, "--minimum-cpu-core", "abc"],
        both([*NEW_DEFINITION, "--minimum-cpu-core", BIG]),
        [*NEW_DEFINITION, "--end-of-life-date", HOSTILE],
        both([*NEW_DEFINITION, "-p", "Contoso", "-f", "Finance", "-s", "Backend"]),  # def1's
    ],
    "sig image-definition list": [both(["-g", "rg1", "-r", HOSTILE])],
    "sig image-definition show": [G, both([*G, "-i", "nope"]), both([*G, "-i", HOSTILE])],
    "sig image-definition update": [
        [*DEF, "--minimum-cpu-core", "abc"],
        both([*DEF, "--maximum-memory", BIG]),
        [*DEF, "--set", "identifier.publisher=Other"],
        [*DEF, "--end-of-life-date", "2001-01-01"],
        [*DEF, "--set", f"tags.{HOSTILE}"],
        both([*G, "-i", "nope", "--description", "x"]),
    ],
    "sig image-definition delete": [G, both([*DEF, "--yes"])],  # it holds a version
    "sig image-version create": [
        [*DEF],
        both([*DEF, "-e", HOSTILE, "--managed-image", "img1"]),
        [*DEF, "-e", "1.2", "--managed-image", "img1"],
        [*DEF, "-e", f"1.2.{BIG}", "--managed-image", "img1"],
        both([*NEW_VERSION, "--managed-image", "nope"]),
        both([*NEW_VERSION, "--managed-image", HOSTILE]),
        both([*NEW_VERSION, "--managed-image", "img1", "--target-regions", HOSTILE]),
        [*NEW_VERSION, "--managed-image", "img1", "--target-regions", "westeurope=many"],
        [*NEW_VERSION, "--managed-image", "img1", "--target-regions", "narnia"],
        both([*NEW_VERSION, "--managed-image", "img1", "--replica-count", BIG]),
        [*NEW_VERSION, "--managed-image", "img1", "--replica-count", "abc"],
        [*NEW_VERSION, "--managed-image", "img1", "--exclude-from-latest", "maybe"],
        [*NEW_VERSION, "--managed-image", "img1", "--storage-account-type", HOSTILE],
        [*NEW_VERSION, "--managed-image", "img1", "--end-of-life-date", "2020-02-30"],
    ],
    "sig image-version list": [both([*G, "-i", HOSTILE])],
    "sig image-version show": [
        DEF,
        both([*DEF, "-e", "9.9.9"]),
        both([*DEF, "-e", HOSTILE]),
        [*V1, "--expand", HOSTILE],
    ],
    "sig image-version update": [
        [*V1, "--replica-count", "abc"],
        both([*V1, "--replica-count", BIG]),
        both([*V1, "--add-target-regions", HOSTILE]),
        [*V1, "--remove-target-regions", "westeurope"],  # the source region
        [*V1, "--set", f"{HOSTILE}=1"],
        [*V1, "--set", "publishingProfile.targetRegions=[{"],
        both([*DEF, "-e", "9.9.9", "--exclude-from-latest"]),
    ],
    "sig image-version delete": [DEF, both(["--ids", VERSION_ID, "--if-match", "x", "--yes"])],
    "replication": [
        ["--state", HOSTILE],
        ["--watch", "--interval", "abc"],
        both(["--subscription", HOSTILE]),
    ],
    "replication fail": [
        ["--ids", VERSION_ID],
        both(["--ids", HOSTILE, "--region", "westeurope"]),
        both(["--ids", VERSION_ID, "--region", HOSTILE]),
        both(["--ids", VERSION_ID, "--region", "japaneast"]),  # not a target region
    ],
    "replication retry": [
        ["--region", "westeurope"],
        both(["--ids", NO_VERSION_ID, "--region", "westeurope"]),
        both(["--ids", VERSION_ID, "--region", "westeurope"]),  # it has not failed
    ],
    "role assignment create": [
        ["--assignee", "bob"],
        both(["--assignee", HOSTILE, "--role", "Reader", "--scope", GALLERY_ID]),
    ],
    "role assignment list": [
        both(["--assignee", HOSTILE]),
        both(["--scope", NO_GALLERY_ID]),
    ],
    "role assignment delete": [[], both(["--ids", HOSTILE])],
    "limits": [both(["--subscription", HOSTILE]), both(["-l", HOSTILE])],
    "rules": [["no-such-argument"], ["-o", HOSTILE]],
    "cost": [
        both(["--scope", HOSTILE]),
        both(["--scope", NO_GALLERY_ID]),
        ["--basis", HOSTILE],
        ["--prices", MISSING_FILE],
        ["--prices", "<bad-prices>"],
        ["--prices", "<wrong-prices>"],
        ["--prices", FOLDER],
    ],
    "replicas advise": [
        ["--concurrent-vms", "abc"],
        ["--concurrent-vms", "-5"],
        ["--version", VERSION_ID],  # without --region
        both(["--concurrent-vms", "500", "--version", HOSTILE, "--region", "westeurope"]),
        both(["--concurrent-vms", "500", "--version", VERSION_ID, "--region", HOSTILE]),
    ],
    "import": [
        [],
        [MISSING_FILE],
        ["<bad-json>"],
        both(["<hostile-json>"]),
        both(["<wrong-types-json>"]),
        both(["<nul-json>"]),
        ["<hostile-json>", "--parameters", HOSTILE],
        both(["-g", HOSTILE, "<hostile-json>"]),
    ],
    "export arm": [
        [],
        both(["--scope", HOSTILE]),
        both(["--scope", NO_GALLERY_ID]),
        ["--scope", GALLERY_ID, "--file", MISSING_FILE],
        ["--scope", GALLERY_ID, "--file", FOLDER],
    ],
    "export az-script": [
        [],
        both(["--scope", HOSTILE]),
        ["--scope", GALLERY_ID, "--file", MISSING_FILE],
    ],
    "serve": [["--port", "-1"], ["--public-url", HOSTILE], ["--host", HOSTILE, "--port", "0"]],
    # no AZURE_* variables: the environment credential fails before any call (offline)
    "sync": [
        ["--credential", "bogus"],
        ["--resource-group"],
        ["--credential", "environment", "--subscription", HOSTILE],
    ],
}

# Before any command: the root's own options, an unknown command.
ROOT = [
    ["--replication-speed", "fast", "sig", "list"],
    ["--prices", MISSING_FILE, "sig", "list"],
    ["--replication-speed", "-5", "replication"],
    ["--replication-speed", "nan", "replication"],
    ["--as", HOSTILE, "sig", "list"],
    [HOSTILE],
    ["sig", HOSTILE],
]


def _cases() -> list[Any]:
    cases = [pytest.param(run, id=f"root-{n}") for n, run in enumerate(ROOT)]
    for path, runs in BROKEN.items():
        every = [*runs, [f"--{HOSTILE}"], ["-o", HOSTILE]]
        cases += [
            pytest.param([*path.split(), *run], id=f"{path}-{n}") for n, run in enumerate(every)
        ]
    return cases


def _postgresql_runs() -> list[list[str]]:
    return [
        [*path.split(), *run] for path, runs in BROKEN.items() for run in runs if type(run) is both
    ]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The placeholders of `BROKEN` and the paths that stand for them."""
    folder = tmp_path_factory.mktemp("inputs")
    paths = {FOLDER: str(folder)}
    for name, text in FILES.items():
        path = folder / f"{name.strip('<>')}.json"
        path.write_text(text, encoding="utf-8")
        paths[name] = str(path)
    return paths


@pytest.fixture(scope="module")
def estate_file(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    """The `estate` catalog on SQLite, built once, everything in the file itself."""
    path = tmp_path_factory.mktemp("estate") / "catalog.db"
    shutil.copyfile(sqlite_template, path)
    build_estate(Sigtui(f"sqlite:///{path}", CLOCK))
    _checkpointed_digest(path)
    return path


def _checkpointed_digest(path: Path) -> str:
    """The file's bytes once its WAL, if any, is in it (a write a failed command left
    shows; a checkpoint costs a sync, so only when there is a WAL to bring in)."""
    wal = path.with_name(f"{path.name}-wal")
    if wal.exists() and wal.stat().st_size:
        connection = sqlite3.connect(path)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _state(catalog: Catalog) -> tuple[str | None, dict[str, Any]]:
    """The schema revision and every row: what a failed command must leave as it was."""
    return catalog_db.current_revision(catalog.engine), catalog_state(catalog)


def _filled(run: list[str], files: dict[str, str]) -> list[str]:
    return [files.get(arg, arg) for arg in run]


def _one_voice_problem(result: Result) -> str | None:
    """What is wrong with how a failed run spoke, or None."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return f"raised {type(result.exception).__name__}: {result.exception}"
    if result.exit_code == 0:
        return f"succeeded: {result.stdout[:300]!r}"
    line = ONE_LINE.fullmatch(result.stderr)
    if line is None:
        return f"stderr is not one `error: SIG-CODE: message` line: {result.stderr[:600]!r}"
    if line[1] not in RULE_CODES:
        return f"{line[1]} is not a rule code: {result.stderr!r}"
    if RAW_CONTROL.search(result.stderr):
        return f"a raw control character reached stderr: {result.stderr!r}"
    if result.stdout:
        return f"printed on stdout as well: {result.stdout[:300]!r}"
    return None


def test_every_command_has_broken_input() -> None:
    assert set(command_paths(cli)) - {""} == set(BROKEN), "give each new command broken input"


@pytest.mark.parametrize("run", _cases())
def test_broken_input_is_one_error_line_and_changes_nothing(
    run: list[str], estate_file: Path, files: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "catalog.db"
    shutil.copyfile(estate_file, path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = Sigtui(f"sqlite:///{path}", CLOCK)(*_filled(run, files))
    problem = _one_voice_problem(result)
    assert problem is None, f"sigtui {' '.join(run)!r}: {problem}"
    assert _checkpointed_digest(path) == before, f"sigtui {' '.join(run)!r} changed the catalog"


@pytest.mark.postgresql
@pytest.mark.parametrize("estate", ["postgresql"], indirect=True)
def test_broken_input_reaching_postgresql_is_one_error_line(
    estate: Sigtui, files: dict[str, str]
) -> None:
    catalog = open_catalog(estate.url, readonly=True)
    before = _state(catalog)
    problems = []
    for run in _postgresql_runs():
        problem = _one_voice_problem(estate(*_filled(run, files)))
        if problem is None and _state(catalog) != before:
            problem = "changed the catalog"
        if problem is not None:
            problems.append(f"sigtui {' '.join(run)!r}: {problem}")
    catalog.close()
    assert problems == []


def test_bad_usage_is_one_line_with_exit_code_2_and_where_to_look(
    estate_file: Path, tmp_path: Path
) -> None:
    """Click's usage errors keep their exit code (2: bad usage, DESIGN.md §4), in one
    line that names the option and the help to read, not click's usage block."""
    shutil.copyfile(estate_file, tmp_path / "catalog.db")
    sigtui = Sigtui(f"sqlite:///{tmp_path / 'catalog.db'}", CLOCK)
    result = sigtui("account", "principal", "create", "--name", "bob", "--tenant", "Contoso")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: SIG-INPUT: missing option '--type'. Choose from: user, group, "
        "serviceprincipal; see `sigtui account principal create --help`\n"
    )
    assert sigtui("sig", "list", "-o", "xml").exit_code == 2


def test_a_question_answered_no_is_one_line(
    estate_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sigtui.cli import options

    shutil.copyfile(estate_file, tmp_path / "catalog.db")
    sigtui = Sigtui(f"sqlite:///{tmp_path / 'catalog.db'}", CLOCK)
    monkeypatch.setattr(options, "stdin_is_terminal", lambda: True)
    result = sigtui("group", "delete", "-n", "rg1", input="n\n")  # as az group delete, it asks
    assert (result.exit_code, result.stderr) == (1, "error: SIG-INPUT: aborted; nothing changed\n")
    assert sigtui.ok("group", "show", "-n", "rg1")["name"] == "rg1"
