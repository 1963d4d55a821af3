"""The layering contracts of pyproject.toml ([tool.importlinter]), checked by import-linter."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

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
