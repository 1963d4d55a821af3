"""The floors under a screen's first paint on this machine (issue #18, item 4): what a
dialog of N widgets costs to open in sigtui, whatever its widgets show.

    python -m benchmarks.screen_floors [--repeats 7] [--cache DIR]

In the app (its stylesheet, theme, header and footer) on the demo catalog, headless at
160x50, a dialog (sigtui's `Modal`, the base of every form) is opened with 0, 10 and 20
widgets of one kind in a scrolling box (too few to scroll), and its first frame and first
paint are measured as `benchmarks.run` measures a screen's (j): from the push to the
first frame drawn, and to the screen mounted and a frame after it. The kinds:

  static   a Static: a leaf widget that draws a line of text
  input    a form's text control (FormInput), alone
  field    that control in a container of its own, as each field of a form is built

Each figure is the median of --repeats openings, the dialogs in turns (a first round
aside); per widget is the slope from 0 to 20. Then the definition form (`e`)
and the new version form (`n`) of the demo catalog, opened by their keys, and how many
widgets each holds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from benchmarks import ui
from benchmarks.run import demo_catalog
from sigtui.catalog.store.db import open_catalog
from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens.forms.controls import FormInput
from sigtui.ui.screens.forms.fields import VALID
from sigtui.ui.screens.modal import Modal
from sigtui.ui.widgets.catalog_tree import CatalogTree

COUNTS = (0, 10, 20)  # 20 fields fill 40 of the box's 44 rows: nothing scrolls


def _static(index: int) -> Widget:
    return Static(f"line {index}")


def _input(index: int) -> Widget:
    return FormInput(f"value {index}", compact=True, classes=VALID)


def _field(index: int) -> Widget:
    return Vertical(_input(index), classes="floor-field")


KINDS: dict[str, Callable[[int], Widget]] = {"static": _static, "input": _input, "field": _field}


class FloorDialog(Modal[None]):
    """A dialog of `count` widgets made by `make`, in a box like a form's."""

    DEFAULT_CSS = """
    FloorDialog { align: center middle; }
    FloorDialog > #floor-box {
        width: 120; height: auto; max-height: 44;
        border: round $primary; background: $surface;
    }
    FloorDialog .floor-field { height: 2; padding-left: 24; }
    """

    def __init__(self, make: Callable[[int], Widget], count: int) -> None:
        super().__init__()
        self.make = make
        self.count = count

    def compose(self) -> ComposeResult:
        # as a form's: the box never takes the focus (the first input does), since a
        # container taking it restyles every widget in it
        with Vertical(id="floor-box"), VerticalScroll(can_focus=False):
            yield from (self.make(index) for index in range(self.count))


async def _pushed(pilot: Pilot[Any], screen: Screen[Any]) -> tuple[float, float]:
    """Push `screen`: (its first frame, its first paint), in seconds; then close it."""
    app = pilot.app
    main = app.screen
    frames: list[float] = []
    started = time.perf_counter()
    with ui._frames_drawn(app, main, frames):
        app.push_screen(screen)
        await ui._until(pilot, lambda: app.screen is screen and screen.is_mounted)
    painted = time.perf_counter() - started
    await ui._close(pilot, main)
    return frames[0] - started, painted


def _medians(tries: list[tuple[float, float]]) -> tuple[float, float]:
    return (
        statistics.median(frame for frame, _ in tries),
        statistics.median(paint for _, paint in tries),
    )


async def measure(path: str, repeats: int) -> dict[str, Any]:
    """The dialogs opened in turns, a round at a time (the first round not counted), so
    that the machine's drift falls on every one alike; then the two forms."""
    catalog = open_catalog(f"sqlite:///{path}")
    _gallery, definition_id = ui._biggest(catalog)
    app = SigtuiApp(catalog, remember_theme=False)
    tries: dict[str, list[tuple[float, float]]] = {}
    async with app.run_test(size=ui.terminal_size(ui.TERMINAL)) as pilot:
        tree = app.screen.query_one(CatalogTree)
        await ui._until(pilot, lambda: bool(tree.root.children))
        await ui._reveal(pilot, tree, definition_id)
        await ui._workers_done(pilot)
        for round_ in range(repeats + 1):
            for kind, make in KINDS.items():
                for count in COUNTS:
                    opened = await _pushed(pilot, FloorDialog(make, count))
                    if round_:
                        tries.setdefault(f"{kind} {count}", []).append(opened)
        figures: dict[str, Any] = {name: _medians(times) for name, times in tries.items()}
        for name, key in (("definition form", "e"), ("new version form", "n")):
            opened_by_key = [await _by_key(pilot, key) for _ in range(repeats + 1)]
            figures[name] = _medians(opened_by_key[1:])
            figures[f"{name} widgets"] = await _widgets(pilot, key)
    catalog.close()
    return figures


async def _by_key(pilot: Pilot[Any], key: str) -> tuple[float, float]:
    ui.FIRST_FRAMES.clear()
    main = pilot.app.screen
    painted, _ = await ui._open(pilot, key, ui._painted)
    await ui._close(pilot, main)
    return ui.FIRST_FRAMES[0], painted


async def _widgets(pilot: Pilot[Any], key: str) -> Counter[str]:
    main = pilot.app.screen
    await ui._open(pilot, key, ui._painted)
    held = Counter(type(widget).__name__ for widget in pilot.app.screen.walk_children())
    await ui._close(pilot, main)
    return held


def report(figures: dict[str, Any]) -> None:
    print("dialog of N widgets: first frame / first paint (ms)")
    for kind in KINDS:
        cells = [figures[f"{kind} {count}"] for count in COUNTS]
        shown = "   ".join(
            f"{count}: {_ms(frame)} / {_ms(paint)}"
            for count, (frame, paint) in zip(COUNTS, cells, strict=True)
        )
        (frame_0, paint_0), (frame_n, paint_n) = cells[0], cells[-1]
        slope = COUNTS[-1] - COUNTS[0]
        print(
            f"  {kind:7} {shown}   per widget: {_ms((frame_n - frame_0) / slope, 2)}"
            f" / {_ms((paint_n - paint_0) / slope, 2)}"
        )
    for name in ("definition form", "new version form"):
        frame, paint = figures[name]
        held: Counter[str] = figures[f"{name} widgets"]
        kinds = ", ".join(f"{count} {kind}" for kind, count in held.most_common())
        print(f"{name}: {_ms(frame)} / {_ms(paint)}; {sum(held.values())} widgets: {kinds}")


def _ms(seconds: float, digits: int = 0) -> str:
    return f"{seconds * 1000:.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--cache", type=Path, help="make the demo catalog here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.cache or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        report(asyncio.run(measure(demo_catalog(folder).path, args.repeats)))


if __name__ == "__main__":
    main()
