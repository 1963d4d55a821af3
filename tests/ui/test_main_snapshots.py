"""Snapshots of the dashboard on the demo catalog (fixed clock, 120 x 40).

Update with `pytest tests/ui/test_main_snapshots.py --snapshot-update`, then look at
each SVG (e.g. as a PNG through cairosvg) before accepting it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from sigtui.catalog.store.db import Catalog
from sigtui.ui.app import SigtuiApp
from tests.ui.conftest import TERMINAL
from tests.ui.helpers import settle
from tests.ui.test_main_flows import FINANCE, SCRATCH, type_text, walk_to

SnapCompare = Callable[..., bool]


def stable_title(app: SigtuiApp) -> None:
    """The header names the catalog's file, a new temporary path on every run: show its
    name only, so the snapshot stays the same."""
    app.sub_title = app.sub_title.replace(app.catalog.display_name, "catalog.db")


def keys(*names: str, path: tuple[str, ...] = (), text: str = "") -> Callable[..., Awaitable[None]]:
    """What to do before the snapshot: walk the tree to `path`, press `names`, type `text`."""

    async def run_before(pilot: Pilot[Any]) -> None:
        assert isinstance(pilot.app, SigtuiApp)
        stable_title(pilot.app)
        await walk_to(pilot, *path)
        for name in names:
            await pilot.press(name)
            await settle(pilot)
        if text:
            await type_text(pilot, text)
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False  # a steady cursor: blinking depends on timing
        await settle(pilot)

    return run_before


def test_main_screen_on_start(snap_compare: SnapCompare, app: SigtuiApp) -> None:
    assert snap_compare(app, terminal_size=TERMINAL, run_before=keys())


def test_gallery_selected(snap_compare: SnapCompare, app: SigtuiApp) -> None:
    assert snap_compare(app, terminal_size=TERMINAL, run_before=keys(path=FINANCE))


def test_definition_selected(snap_compare: SnapCompare, app: SigtuiApp) -> None:
    """myImage1 of the gallery holding the source document's three definitions."""
    path = (*FINANCE, "myImage1")
    assert snap_compare(app, terminal_size=TERMINAL, run_before=keys(path=path))


def test_version_selected(snap_compare: SnapCompare, app: SigtuiApp) -> None:
    path = (*FINANCE, "myImage1", "1.1.0")
    assert snap_compare(app, terminal_size=TERMINAL, run_before=keys(path=path))


def test_delete_confirmation(snap_compare: SnapCompare, app: SigtuiApp) -> None:
    assert snap_compare(app, terminal_size=TERMINAL, run_before=keys("d", path=SCRATCH))


def test_refused_delete(snap_compare: SnapCompare, app: SigtuiApp) -> None:
    """A gallery with definitions: SIG-DELETE names what blocks it."""
    assert snap_compare(app, terminal_size=TERMINAL, run_before=keys("d", "y", path=FINANCE))


def test_filter_with_results(snap_compare: SnapCompare, app: SigtuiApp) -> None:
    assert snap_compare(app, terminal_size=TERMINAL, run_before=keys("f", text="myImage"))


def test_help(snap_compare: SnapCompare, app: SigtuiApp) -> None:
    assert snap_compare(app, terminal_size=TERMINAL, run_before=keys("question_mark"))


def test_read_only(snap_compare: SnapCompare, readonly_catalog: Catalog) -> None:
    """The header says read-only; New, Edit and Delete are greyed out in the footer."""
    app = SigtuiApp(readonly_catalog, remember_theme=False)
    assert snap_compare(app, terminal_size=TERMINAL, run_before=keys(path=FINANCE))


def test_all_versions(snap_compare: SnapCompare, app: SigtuiApp) -> None:
    assert snap_compare(app, terminal_size=TERMINAL, run_before=keys("v"))


def test_all_versions_sorted_by_replication(snap_compare: SnapCompare, app: SigtuiApp) -> None:
    """`s` cycles the sort column (six times: to Replication), `S` reverses it."""
    presses = ("v", *["s"] * 6, "S", "ctrl+home")
    assert snap_compare(app, terminal_size=TERMINAL, run_before=keys(*presses))


def test_palette_finds_resources(snap_compare: SnapCompare, app: SigtuiApp) -> None:
    assert snap_compare(app, terminal_size=TERMINAL, run_before=keys("ctrl+p", text="myImage"))
