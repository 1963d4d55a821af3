"""Security: the private default catalog, import's refusals, no shell and no hand-built SQL,
and a database password that never shows.

Covered elsewhere (not repeated here): the modes of a private SQLite file and its WAL
files (tests/test_db.py::test_the_private_file_is_readable_by_its_owner_only), display_url
and connection errors with a password in the URL (tests/test_db.py), import of a file
that is not JSON or over the size limit at the library level (tests/test_import.py).
"""

from __future__ import annotations

import ast
import logging
import os
import stat
from pathlib import Path
from typing import Any

import platformdirs
import pytest
from click.testing import CliRunner, Result

from sigtui.catalog.azure.importing import reading
from sigtui.catalog.store.db import ENV_DB, display_url
from sigtui.cli import cli
from sigtui.cli.context import CliState

PACKAGE = Path(__file__).resolve().parent.parent / "sigtui"
SECRET = "Hunter2-s3cr"  # a password, and a part of it that must never show either
ENCODED = "Hunter2-s3cr%40t%20x"  # "Hunter2-s3cr@t x"


def _run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), obj=CliState(), env=env)


# --- the default catalog is private ----------------------------------------------------------


def test_the_default_catalog_made_by_the_cli_is_private(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(ENV_DB, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    path = platformdirs.user_data_path("sigtui") / "catalog.db"
    assert tmp_path in path.parents
    old_umask = os.umask(0o022)
    try:
        result = _run("--no-seed", "account", "list", "-o", "json")
    finally:
        os.umask(old_umask)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# --- import refuses what it cannot take ----------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n\x00\x00binary", b"<xml>not json</xml>", b"", b"{'single': 'quotes'}"],
    ids=["binary", "xml", "empty", "python-literal"],
)
def test_import_refuses_a_file_that_is_not_json_with_a_clear_message(
    sqlite_url: str, tmp_path: Path, content: bytes
) -> None:
    file = tmp_path / "estate.json"
    file.write_bytes(content)
    result = _run("--db", sqlite_url, "import", str(file))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: SIG-INPUT: ")
    assert "not JSON" in result.stderr
    assert "Traceback" not in result.output


def test_import_refuses_a_file_over_the_limit_before_reading_it(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 1024)
    file = tmp_path / "huge.json"
    file.write_text("[" + ",".join(["{}"] * 1000) + "]", encoding="utf-8")

    read_text = Path.read_text

    def guarded(self: Path, *args: Any, **kwargs: Any) -> str:
        assert self != file, "a file over the limit was read"
        return read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", guarded)
    result = _run("--db", sqlite_url, "import", str(file))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: SIG-INPUT: ")
    assert "at most 1,024 bytes" in result.stderr


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'catalog.db'}"


# --- no shell, no hand-built SQL -----------------------------------------------------------------

SHELL_MODULES = {"subprocess", "pty", "commands"}
SHELL_CALLS = {"system", "popen", "spawnl", "spawnlp", "spawnv", "spawnvp", "execv", "execvp"}
SQL_CALLS = {"text", "exec_driver_sql", "execute", "executescript"}


def _sources() -> list[tuple[Path, ast.Module]]:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 20, f"no sources found under {PACKAGE}"
    return [(path, ast.parse(path.read_text("utf-8"), str(path))) for path in files]


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _built_string(node: ast.expr) -> bool:
    """An f-string with values, a `%` or `+` on strings, or a `.format(...)` call."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.FormattedValue) for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("format", "join")
    )


def test_no_module_of_sigtui_runs_a_shell() -> None:
    found = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                names = {(node.module or "").split(".")[0]}
            elif isinstance(node, ast.Call):
                func = node.func
                is_os = isinstance(func, ast.Attribute) and (
                    isinstance(func.value, ast.Name) and func.value.id == "os"
                )
                names = {"os." + func.attr} if is_os and func.attr in SHELL_CALLS else set()
                if any(k.arg == "shell" for k in node.keywords):
                    names.add("shell=")
            else:
                continue
            bad = (names & SHELL_MODULES) | {n for n in names if n.startswith(("os.", "shell"))}
            found += [f"{path.relative_to(PACKAGE)}:{node.lineno}: {n}" for n in sorted(bad)]
    assert not found, "sigtui must not run a shell:\n" + "\n".join(found)


def test_no_sql_is_built_from_strings() -> None:
    """`text()`, `exec_driver_sql()` and `execute()` get literal SQL only; values are bound."""
    found = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _called_name(node) not in SQL_CALLS:
                continue
            if node.args and _built_string(node.args[0]):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not found, "SQL built from strings:\n" + "\n".join(found)


def test_the_scan_would_see_a_shell_and_built_sql() -> None:
    """The two scans above are not blind: they flag the patterns they look for."""
    shell = ast.parse("import subprocess\nos.system('ls')\n")
    sql = ast.parse("sa.text(f'SELECT * FROM t WHERE name = {name}')")
    assert any(isinstance(n, ast.Import) for n in ast.walk(shell))
    call = next(n for n in ast.walk(sql) if isinstance(n, ast.Call) and n.args)
    assert _called_name(call) == "text" and _built_string(call.args[0])


# --- a password never shows ------------------------------------------------------------------


UNREACHABLE = [
    f"postgresql://bob:{ENCODED}@/catalog?host=/nonexistent-sigtui-socket&port=1",
    f"postgresql+psycopg://bob@/catalog?host=/nonexistent-sigtui-socket&port=1&password={ENCODED}",
]
COMMANDS = [
    ["sig", "list", "-o", "json"],
    ["db", "current"],
    ["db", "upgrade"],
    ["seed"],
    ["account", "tenant", "create", "--name", "x"],
]


@pytest.mark.parametrize("url", UNREACHABLE, ids=["in-userinfo", "in-query"])
@pytest.mark.parametrize("how", ["option", "environment"])
def test_a_password_never_shows_in_errors_or_logs(
    url: str, how: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for command in COMMANDS:
        if how == "option":
            result = _run("--db", url, *command)
        else:
            result = _run(*command, env={ENV_DB: url})
        assert result.exit_code == 1, f"{command}: {result.output}"
        assert result.stderr.startswith("error: "), result.stderr
        assert "Traceback" not in result.output
        assert SECRET not in result.output, f"{command}: {result.output}"
    assert SECRET not in caplog.text


@pytest.mark.parametrize("url", UNREACHABLE, ids=["in-userinfo", "in-query"])
def test_the_app_header_never_shows_the_password(url: str) -> None:
    from sigtui.catalog.store.db import resolve_url

    shown = display_url(resolve_url(url)[0])
    assert SECRET not in shown
    assert "/catalog" in shown
