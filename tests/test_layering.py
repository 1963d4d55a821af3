"""The layering contracts of pyproject.toml ([tool.importlinter]), checked by import-linter."""

from __future__ import annotations

import ast
import itertools
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "sigtui"
_LINT = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def _lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    """Run lint-imports on `project`'s pyproject.toml, importing `project`'s sigtui."""
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run(
        [sys.executable, "-c", _LINT, "--no-cache", "--no-logo", "pyproject.toml"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _contract_count() -> int:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return len(config["tool"]["importlinter"]["contracts"])


def test_the_layering_contracts_are_kept() -> None:
    result = _lint_imports(ROOT)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert f"Contracts: {_contract_count()} kept, 0 broken." in output, output


def test_every_package_folder_is_visible_to_import_linter() -> None:
    """import-linter skips folders without __init__.py: their imports would go unchecked."""
    folders = {path.parent for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts}
    missing = sorted(str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").exists())
    assert not missing, f"package folders without __init__.py: {missing}"


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [("catalog", "textual"), ("ui", "sqlalchemy")],
)
def test_a_forbidden_import_breaks_the_build(tmp_path: Path, layer: str, forbidden: str) -> None:
    """The contracts bite: a copy of sigtui with one forbidden import fails lint-imports."""
    shutil.copytree(PACKAGE, tmp_path / "sigtui", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "sigtui" / layer).mkdir(exist_ok=True)
    (tmp_path / "sigtui" / layer / "_layering_probe.py").write_text(f"import {forbidden}\n")
    result = _lint_imports(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"sigtui.{layer}._layering_probe -> {forbidden}" in output, output


def test_the_ui_modules_import_each_other_without_a_cycle() -> None:
    """No module of sigtui.ui imports, directly or through others, one that imports it:
    imports inside functions (a screen loaded as it opens) and under TYPE_CHECKING count."""
    graph = grimp.build_graph("sigtui", cache_dir=None)
    modules = sorted(m for m in graph.modules if m.startswith("sigtui.ui"))
    cycles = [
        (importer, imported)
        for importer, imported in itertools.combinations(modules, 2)
        if graph.chain_exists(importer=importer, imported=imported)
        and graph.chain_exists(importer=imported, imported=importer)
    ]
    assert not cycles, f"import cycles in sigtui.ui: {cycles}"


def _catalog_sessions_opened(source: str) -> list[int]:
    """Lines calling `.read()` or `.write()` on something named like a catalog."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr in ("read", "write") and "catalog" in ast.unparse(node.func.value):
            lines.append(node.lineno)
    return lines


def test_the_ui_never_opens_a_catalog_session() -> None:
    """The UI asks with `catalog.query` and writes with `catalog.apply`: it never holds a
    session (the table models are kept out of it by an import-linter contract)."""
    opened = {
        str(path.relative_to(ROOT)): lines
        for path in sorted((PACKAGE / "ui").rglob("*.py"))
        if (lines := _catalog_sessions_opened(path.read_text("utf-8")))
    }
    assert not opened, f"catalog sessions opened in the UI: {opened}"


def test_a_session_opened_in_the_ui_is_found() -> None:
    probe = "def load(self):\n    with self.catalog.read() as db:\n        return db\n"
    assert _catalog_sessions_opened(probe) == [2]
    assert _catalog_sessions_opened("self.catalog.query(fetch.tenants)\n") == []
