"""Snapshots of the main screen's power keys on the demo catalog: the tree narrowed in
place (`/`, at 80 x 24), the jump prompt completing a name (`:`), and the JSON view (`j`).

Update with `pytest tests/ui/test_power_snapshots.py --snapshot-update`, then look at
each SVG (e.g. as a PNG through cairosvg) before accepting it.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from sigtui.ui.app import SigtuiApp
from tests.ui.conftest import TERMINAL
from tests.ui.helpers import settle
from tests.ui.test_main_flows import FINANCE, main_screen
from tests.ui.test_main_snapshots import SnapCompare, keys, stable_title

SMALL = (80, 24)


async def typed_into_prompt(pilot: Pilot[Any], key: str, text: str) -> None:
    stable_title(pilot.app)  # type: ignore[arg-type]
    await settle(pilot)
    await pilot.press(key)
    main_screen(pilot).prompt.input.insert_text_at_cursor(text)
    await settle(pilot)
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await settle(pilot)


def test_tree_filtered_in_place(snap_compare: SnapCompare, app: SigtuiApp) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await typed_into_prompt(pilot, "slash", "1.1")
        await pilot.press("enter")  # to the tree: the filter stays
        await settle(pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def test_jump_completes_a_name(snap_compare: SnapCompare, app: SigtuiApp) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await typed_into_prompt(pilot, "colon", "sigfin")

    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def test_json_view(snap_compare: SnapCompare, app: SigtuiApp) -> None:
    path = (*FINANCE, "myImage1", "1.1.0")
    assert snap_compare(app, terminal_size=TERMINAL, run_before=keys("j", path=path))
