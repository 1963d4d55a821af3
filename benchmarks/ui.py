"""The app's timings on one catalog, driven headless (Textual's `run_test`), in a process of
its own so that its peak memory is the app's: `python -m benchmarks.ui --db FILE`.

Each figure is the time from the user's action to the screen showing its result: the
domain call in its worker, then the widget work, then the next refresh. Prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlmodel import func, select
from textual.pilot import Pilot
from textual.widgets import Input

from sigtui.catalog.model.models import Gallery, ImageDefinition, ImageVersion
from sigtui.catalog.queries import lookup, usage
from sigtui.catalog.queries.costs import rollups
from sigtui.catalog.queries.costs.sheet import PriceSheet
from sigtui.catalog.queries.costs.sheet_json import builtin_sheet
from sigtui.catalog.store.db import Catalog, open_catalog
from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens.costs import CostScreen
from sigtui.ui.screens.filter import FilterScreen
from sigtui.ui.screens.limits import LimitsScreen
from sigtui.ui.screens.main import MainScreen
from sigtui.ui.widgets.catalog_tree import CatalogTree, TreeEntry

TERMINAL = (160, 50)
TIMEOUT = 300.0  # seconds: a step that takes longer stops the benchmark
COST_SCREEN_TIMEOUT = 60.0  # seconds: a longer cost screen is reported as "over 60 s"
FILTER_TEXTS = ("ubuntu-00", "1.0.99", "West Europe", "no-such-image")
REPEATS = 3  # each figure is the median of this many tries


async def _until(pilot: Pilot[Any], done: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    """Wait until `done()`, then until the next frame is drawn (the result on screen).
    Not `pilot.pause()`: it waits for the whole process to be idle, 20 ms at least."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not get there in time")
        await asyncio.sleep(0.001)
    drawn = asyncio.Event()
    pilot.app.call_after_refresh(drawn.set)
    pilot.app.screen.refresh()
    await drawn.wait()


def _biggest(catalog: Catalog) -> tuple[str, str]:
    """ARM ids of the gallery with the most definitions and the definition with the most
    versions (what the benchmark expands)."""
    with catalog.read() as db:
        gallery_pk = db.exec(
            select(ImageDefinition.gallery_pk)
            .group_by(ImageDefinition.gallery_pk)
            .order_by(func.count().desc())
        ).first()
        definition_pk = db.exec(
            select(ImageVersion.definition_pk)
            .group_by(ImageVersion.definition_pk)
            .order_by(func.count().desc())
        ).first()
        return (
            lookup.arm_id(db, db.get_one(Gallery, gallery_pk)),
            lookup.arm_id(db, db.get_one(ImageDefinition, definition_pk)),
        )


async def _reveal(pilot: Pilot[Any], tree: CatalogTree, arm_id: str) -> Any:
    """Walk the tree to a node (not timed) and wait until its details are shown."""
    tree.reveal(arm_id)
    await _until(pilot, lambda: _cursor_id(tree) == arm_id)
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    await _until(pilot, lambda: screen.details.details is not None)
    await _until(pilot, lambda: screen.details.details.arm_id == arm_id)  # type: ignore[union-attr]
    return tree.cursor_node


def _cursor_id(tree: CatalogTree) -> str | None:
    node = tree.cursor_node
    return node.data.node.arm_id if node is not None and node.data is not None else None


async def _expand(pilot: Pilot[Any], node: Any) -> float:
    """Expand a node: its children loaded and drawn."""
    entry: TreeEntry = node.data
    started = time.perf_counter()
    node.expand()
    await _until(pilot, lambda: entry.loaded)
    elapsed = time.perf_counter() - started
    node.collapse()
    entry.loaded = False  # the next expansion loads again, as a reload does
    await pilot.pause()
    return elapsed


async def _screen(
    pilot: Pilot[Any], screen: Any, ready: Callable[[], bool], timeout: float = TIMEOUT
) -> float | None:
    """Open a screen: its data loaded and shown (None: not within `timeout` seconds)."""
    started = time.perf_counter()
    await pilot.app.push_screen(screen)
    try:
        await _until(pilot, ready, timeout)
    except TimeoutError:
        await pilot.app.pop_screen()
        return None
    elapsed = time.perf_counter() - started
    await pilot.app.pop_screen()
    await pilot.pause()
    return elapsed


def _text_of(screen: Any, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def _filter(pilot: Pilot[Any], catalog: Catalog, text: str) -> float:
    screen = FilterScreen(catalog)
    await pilot.app.push_screen(screen)
    await pilot.pause()
    started = time.perf_counter()
    screen.query_one(Input).value = text
    await _until(pilot, lambda: screen.shown_text == text)
    elapsed = time.perf_counter() - started
    await pilot.app.pop_screen()
    await pilot.pause()
    return elapsed


def _best(times: list[float]) -> float:
    return statistics.median(times)


async def measure(catalog: Catalog, repeats: int = REPEATS) -> dict[str, Any]:
    gallery_id, definition_id = _biggest(catalog)
    figures: dict[str, Any] = {"gallery": gallery_id, "definition": definition_id}
    app = SigtuiApp(catalog, remember_theme=False)
    async with app.run_test(size=TERMINAL) as pilot:
        tree = app.screen.query_one(CatalogTree)
        await _until(pilot, lambda: bool(tree.root.children))
        for kind, arm_id in (("gallery", gallery_id), ("definition", definition_id)):
            node = await _reveal(pilot, tree, arm_id)
            figures[f"expand_{kind}_children"] = len(await _children_count(pilot, node))
            figures[f"expand_{kind}"] = _best([await _expand(pilot, node) for _ in range(repeats)])
        sheet = builtin_sheet()
        figures["limits"] = _best(
            [
                await _screen(pilot, s, lambda s=s: "Loading" not in _text_of(s, "#limits-summary"))
                for s in [LimitsScreen(catalog) for _ in range(repeats)]
            ]
        )
        figures["limits_domain"] = _best([_timed(lambda: _usage(catalog)) for _ in range(5)])
        figures["cost_rollup"] = _best(
            [_timed(lambda: _total(catalog, sheet)) for _ in range(repeats)]
        )
        figures["filter"] = {
            text: _best([await _filter(pilot, catalog, text) for _ in range(repeats)])
            for text in FILTER_TEXTS
        }
    return figures


async def measure_cost_screen(catalog: Catalog) -> dict[str, Any]:
    """The cost screen (`$`), on its own: its rollups of a big catalog take long and much
    memory, which must not count in the figures of the rest of the app."""
    app = SigtuiApp(catalog, remember_theme=False)
    async with app.run_test(size=TERMINAL) as pilot:
        tree = app.screen.query_one(CatalogTree)
        await _until(pilot, lambda: bool(tree.root.children))
        screen = CostScreen(catalog)
        seconds = await _screen(
            pilot,
            screen,
            lambda: "Loading" not in _text_of(screen, "#costs-total"),
            COST_SCREEN_TIMEOUT,
        )
    return {"cost_screen": seconds}


async def _children_count(pilot: Pilot[Any], node: Any) -> list[Any]:
    node.expand()
    await _until(pilot, lambda: node.data.loaded)
    children = list(node.children)
    node.collapse()
    node.data.loaded = False
    await pilot.pause()
    return children


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _usage(catalog: Catalog) -> None:
    with catalog.read() as db:
        usage.usage_rows(db)


def _total(catalog: Catalog, sheet: PriceSheet) -> None:
    with catalog.read() as db:
        rollups.total(db, sheet)


def peak_memory_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM, not `ru_maxrss`: Linux carries
    the peak of the process that started this one over into it (across exec), so the
    generator's peak showed as the app's when a run generated its catalog first."""
    try:
        for line in Path("/proc/self/status").read_text("utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--cost-screen", action="store_true", help="measure the cost screen")
    args = parser.parse_args()
    catalog = open_catalog(f"sqlite:///{args.db}")
    try:
        if args.cost_screen:
            figures = asyncio.run(measure_cost_screen(catalog))
        else:
            figures = asyncio.run(measure(catalog, args.repeats))
    finally:
        catalog.close()
    figures["peak_memory_mb"] = peak_memory_mb()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
