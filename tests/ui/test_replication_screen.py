"""The replication screen (`r`): live progress on a fixed clock (SIG-REPLICATION)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from sigtui.catalog.store.clock import FixedClock
from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens import replication as replication_screen
from sigtui.ui.screens.replication import ReplicationScreen
from tests.ui.conftest import TERMINAL
from tests.ui.helpers import open_screen, settle
from tests.ui.test_main_flows import pilot_test
from tests.ui.test_main_snapshots import stable_title

SnapCompare = Callable[..., bool]
TEN_MINUTES = 600


def progress_of(screen: ReplicationScreen, region: str) -> dict[str, int]:
    """The percent shown on screen for each in-flight row of `region`, by version."""
    table = screen.query_one("#in-flight", DataTable)
    shown = {}
    for row_key in table.rows:
        version, row_region, _state, progress, *_ = table.get_row(row_key)
        if str(row_region) == region:
            match = re.search(r"(\d+)%", str(progress))
            assert match is not None
            shown[str(version)] = int(match.group(1))
    return shown


def test_replication_screen_with_regions_in_every_state(
    snap_compare: SnapCompare, app: SigtuiApp, ui_clock: FixedClock
) -> None:
    """Ten minutes after the demo was loaded: Replicating, Failed and Unknown regions in
    flight, and North Europe completed (recently completed)."""

    async def run_before(pilot: Pilot[Any]) -> None:
        ui_clock.advance(TEN_MINUTES)
        stable_title(pilot.app)  # type: ignore[arg-type]
        screen = await open_screen(pilot, "r", ReplicationScreen)
        screen.load()
        await settle(pilot)

    assert snap_compare(app, terminal_size=TERMINAL, run_before=run_before)


@pilot_test
async def test_advancing_the_clock_moves_the_progress_on_screen(
    app: SigtuiApp, ui_clock: FixedClock
) -> None:
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_screen(pilot, "r", ReplicationScreen)
        before = progress_of(screen, "East US 2")
        assert before and all(0 < p < 100 for p in before.values())
        ui_clock.advance(TEN_MINUTES)
        screen.load()
        await settle(pilot)
        after = progress_of(screen, "East US 2")
        assert after.keys() == before.keys()
        assert all(after[v] > before[v] for v in before)


@pilot_test
async def test_a_failed_region_can_be_retried_from_the_screen(app: SigtuiApp) -> None:
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_screen(pilot, "r", ReplicationScreen)
        table = screen.query_one("#in-flight", DataTable)
        failed = [
            index for index, key in enumerate(table.rows) if str(table.get_row(key)[2]) == "Failed"
        ]
        assert failed
        table.move_cursor(row=failed[0])
        await pilot.press("t")
        await settle(pilot)
        states = [str(table.get_row(key)[2]) for key in table.rows]
        assert states.count("Failed") == len(failed) - 1


@pilot_test
async def test_long_lists_show_their_first_rows_and_say_how_many_there_are(
    app: SigtuiApp, ui_clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replication_screen, "ROWS_SHOWN", 2)
    ui_clock.advance(TEN_MINUTES)
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_screen(pilot, "r", ReplicationScreen)
        assert screen.query_one("#in-flight", DataTable).row_count == 2
        summary = str(screen.query_one("#replication-summary").render())
        in_flight = sum(int(n) for n in re.findall(r"(\d+) \w+", summary))
        assert in_flight > 2
        heading = str(screen.query_one("#in-flight-heading").render())
        assert heading.endswith(f"the first 2 of {in_flight}")


@pilot_test
async def test_a_refresh_waits_for_the_one_before_it(app: SigtuiApp) -> None:
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_screen(pilot, "r", ReplicationScreen)
        screen.ticker.pause()  # only the ticks below count (a slow run may reach 1 s)
        started: list[object] = []
        monkeypatched = screen.load
        screen.load = lambda: started.append(monkeypatched())  # type: ignore[method-assign]
        screen.refreshing = True  # a slow refresh still running
        screen.tick()
        assert started == []
        screen.refreshing = False
        screen.tick()
        await settle(pilot)
        assert len(started) == 1
