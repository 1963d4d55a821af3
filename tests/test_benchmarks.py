"""The scale benchmark (benchmarks/run.py) runs end to end at its smallest size and reports
every figure, on the generated catalog and on the demo catalog. Its timings are not
checked here: they belong to benchmarks/README.md, measured at the full size."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.run import big_catalog, load_rate_text, screen_rows
from benchmarks.ui import ON_DEFINITION, ON_VERSION
from tests.benchmark_runs import run_benchmark

FIGURES = (
    "load_rate",  # (a)
    "startup",  # (b)
    "start_details",  # (b)
    "start_done",  # (b)
    "expand_gallery",  # (c)
    "expand_definition",  # (c)
    "limits",  # (d)
    "cost_rollup",  # (e)
    "filter_slowest",  # (f)
    "peak_memory_mb",  # (g)
    "limits_over_floor",  # (h)
    "limits_domain_over_floor",  # (h)
    "limits_process",  # (i)
    "bare_process",  # (i)
    "limits_process_over_bare",  # (i)
    "screen_paint_slowest",  # (j)
    "key_slowest",  # (k)
    "key_tree_subscriptions",  # (k)
    "key_tree_versions",  # (k)
    "key_all_versions",  # (k)
    "key_replication",  # (k)
    "key_replication_median",  # (k)
    "replication_ui_cpu",  # (k), information
)
LABELS = ("(a)", "(b)", "(c)", "(d)", "(e)", "(f)", "(g)", "(h)", "(i)", "(j)", "(k)")
SCREENS = {*ON_DEFINITION, *ON_VERSION, "all versions", "costs"}  # (j): every screen opened


@pytest.mark.slow
def test_the_benchmark_runs_and_reports_every_figure(tmp_path: Path) -> None:
    figures_file = tmp_path / "figures.json"
    result = run_benchmark(
        "run",
        *("--size", "tiny", "--repeats", "1", "--read-size", "tiny"),
        *("--terminal", "80x24"),  # a quarter of the cells to draw: the test is long
        *("--cache", str(tmp_path), "--json", str(figures_file)),
    )
    figures = json.loads(figures_file.read_text("utf-8"))
    assert figures["big"]["versions"] == 120  # tiny: 1 subscription x 2 regions x 60
    assert figures["demo"]["versions"] > 0
    for catalog in ("big", "demo"):
        for name in FIGURES:
            value = figures[catalog][name]
            assert isinstance(value, float) and value > 0, (catalog, name, value)
        assert figures[catalog]["expand_gallery_children"] > 0
        assert figures[catalog]["expand_definition_children"] > 0
        screens = figures[catalog]["screens"]
        assert set(screens) == SCREENS
        for name, shown in screens.items():
            assert 0 < shown["paint"] <= shown["ready"], (catalog, name, shown)
            assert name == "costs" or 0 < shown["frame"] <= shown["paint"], (catalog, shown)
            if name in {*ON_DEFINITION, *ON_VERSION}:  # counted: their calls to the paint
                assert shown["calls"] > 10, (catalog, name, shown)
    table = result.stdout
    for label in LABELS:
        assert f"| {label} " in table, label


@pytest.mark.slow
def test_the_screen_floors_run_and_print_each_kind_and_both_forms() -> None:
    lines = run_benchmark("screen_floors", "--repeats", "1").stdout.splitlines()
    kinds = [line.split()[0] for line in lines if "per widget:" in line]
    assert kinds == ["static", "input", "field"]
    for form in ("definition form", "new version form"):
        shown = [line for line in lines if line.startswith(f"{form}: ")]
        assert len(shown) == 1 and " widgets: " in shown[0] and "FormInput" in shown[0]


def test_a_catalog_reused_from_the_cache_says_its_load_rate_is_its_generations(
    tmp_path: Path,
) -> None:
    (tmp_path / "catalog-tiny.db").write_bytes(b"")
    facts = {"path": "x", "versions": 100, "target_regions": 300, "load_seconds": 0.5}
    (tmp_path / "catalog-tiny.json").write_text(json.dumps(facts), "utf-8")
    loaded = big_catalog(tmp_path, "tiny")
    assert loaded.reused and loaded.rate == 200
    shown = load_rate_text({"load_rate": loaded.rate, "load_reused": loaded.reused})
    assert shown == "200 versions/s (bulk; a catalog reused: its generation)"
    assert load_rate_text({"load_rate": 21_778.4, "load_reused": False}) == (
        "21,778 versions/s (bulk)"
    )


def test_each_screen_row_shows_its_calls_and_its_first_opening() -> None:
    """(j) reports the best of the tries; the process's first opening, which also pays
    for what the process meets for the first time, shows beside it."""
    screen = {"frame": 0.064, "paint": 0.095, "ready": 0.095, "first_paint": 0.181}
    counted = {**screen, "calls": 528.4}
    figures = {
        "screen_paint_slowest": 0.095,
        "screen_paint_slowest_name": "new version form",
        "screens": {"new version form": counted, "costs": {"paint": 0.04, "ready": 0.6}},
    }
    rows = screen_rows(figures, figures)
    form = next(row for row in rows if row[0].startswith("    new version form:"))
    assert form[1] == "64 ms / 95 ms / 95 ms (528k calls; first opening 181 ms)"
    costs = next(row for row in rows if row[0].startswith("    costs:"))
    assert costs[1] == "- / 40 ms / 600 ms"
