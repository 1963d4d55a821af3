"""The import benchmark (benchmarks/imports.py, issue #18) runs end to end at its
smallest size: `sigtui import` of a generated az file into an empty catalog, then again,
as whole processes, on SQLite and beside it on PostgreSQL. Its timings are not checked
here: they belong to benchmarks/README.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ENGINES

from benchmarks.imports import SIZES, resources

ROOT = Path(__file__).resolve().parent.parent
FIGURES = (
    "import_rate",
    "reimport_rate",
    "import_cpu_rate",
    "reimport_cpu_rate",
    "import_peak_mb",
    "reimport_peak_mb",
)


def test_the_generated_file_is_az_shaped_with_four_target_regions_each() -> None:
    found = list(resources(SIZES["tiny"]))
    versions = [r for r in found if r["type"].endswith("/versions")]
    assert len(versions) == SIZES["tiny"].versions == 40
    assert {r["location"] for r in versions} == {"westeurope", "northeurope", "eastus", "westus2"}
    for version in versions:
        targets = version["publishingProfile"]["targetRegions"]
        assert len({t["name"] for t in targets}) == 4
    kinds = [r["type"].rsplit("/", 1)[1] for r in found]
    assert kinds.index("images") > kinds.index("galleries")  # parents first, as az lists them


@pytest.mark.slow
@pytest.mark.parametrize("empty_db_url", ENGINES[1:], indirect=True)  # SQLite runs beside it
def test_the_import_benchmark_runs_and_reports_every_figure(
    empty_db_url: str, tmp_path: Path
) -> None:
    figures_file = tmp_path / "figures.json"
    engines = ["sqlite", "postgresql"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SIGTUI_BENCH_PG_URL": empty_db_url}
    command = [sys.executable, "-m", "benchmarks.imports", "--size", "tiny", "--repeats", "1"]
    result = subprocess.run(
        [*command, "--cache", str(tmp_path), "--json", str(figures_file)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(figures_file.read_text("utf-8"))
    assert figures["versions"] == 40
    for engine in engines:
        for name in FIGURES:
            assert figures[engine][name] > 0, (engine, name)
    assert figures["read"]["read_peak_mb"] > 0
    assert "| import, 40 versions |" in result.stdout
    assert "| re-import, 40 versions |" in result.stdout


def test_the_import_floors_run_and_print_the_rate_they_allow(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "benchmarks.import_floors", "--size", "tiny"]
    result = subprocess.run(
        [*command, "--repeats", "1", "--cache", str(tmp_path)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert names == ["decode_orjson", "decode_json", "write", "imports", "together"]
    assert "versions/s" in result.stdout.splitlines()[-1]
