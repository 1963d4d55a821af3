"""The import benchmark (benchmarks/imports.py, issue #18) runs end to end at its
smallest size: `sigtui import` of a generated az file into an empty catalog, then again,
as whole processes, on SQLite and beside it on PostgreSQL. Its timings are not checked
here: they belong to benchmarks/README.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ENGINES

from benchmarks.imports import SIZES, resources
from tests.benchmark_runs import run_benchmark

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
    result = run_benchmark(
        "imports",
        *("--size", "tiny", "--repeats", "1"),
        *("--cache", str(tmp_path), "--json", str(figures_file)),
        env={"SIGTUI_BENCH_PG_URL": empty_db_url},
        timeout=120,
    )
    figures = json.loads(figures_file.read_text("utf-8"))
    assert figures["versions"] == 40
    for engine in engines:
        for name in FIGURES:
            assert figures[engine][name] > 0, (engine, name)
    assert figures["read"]["read_peak_mb"] > 0
    assert "| import, 40 versions |" in result.stdout
    assert "| re-import, 40 versions |" in result.stdout


def test_the_import_floors_run_and_print_the_rate_they_allow(tmp_path: Path) -> None:
    result = run_benchmark(
        "import_floors", "--size", "tiny", "--repeats", "1", "--cache", str(tmp_path), timeout=120
    )
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert names == ["decode_orjson", "decode_json", "write", "imports", "together", "overlap"]
    together, overlap = result.stdout.splitlines()[-2:]
    assert "versions/s" in together
    assert "ran in parallel, the write in a thread of its own" in overlap
