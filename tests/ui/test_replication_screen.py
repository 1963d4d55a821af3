"""The replication screen (`r`): live progress on a fixed clock (SIG-REPLICATION)."""

from __future__ import annotations

import gc
import re
import weakref
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import DataTable, Select, Static

from sigtui.catalog.replication import schedule
from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import open_catalog
from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens import replication as replication_screen
from sigtui.ui.screens.replication import ReplicationScreen
from tests.ui.conftest import TERMINAL
from tests.ui.helpers import open_screen, settle
from tests.ui.test_main_flows import pilot_test
from tests.ui.test_main_snapshots import stable_title

SnapCompare = Callable[..., bool]
HALF_A_MINUTE = 30  # the demo's versions replicate 10 times faster than Azure would


def progress_of(screen: ReplicationScreen, region: str) -> dict[str, int]:
    """The percent shown on screen for each in-flight row of `region`, by version."""
    table = screen.query_one("#in-flight", DataTable)
    shown = {}
    for row_key in table.rows:
        if str(table.get_cell(row_key, "region")) == region:
            match = re.search(r"(\d+)%", str(table.get_cell(row_key, "progress")))
            assert match is not None
            shown[str(table.get_cell(row_key, "version"))] = int(match.group(1))
    return shown


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (160, 48)], ids=["80", "120", "160"])
def test_replication_screen_with_regions_in_every_state(
    snap_compare: SnapCompare, app: SigtuiApp, ui_clock: FixedClock, size: tuple[int, int]
) -> None:
    """Half a minute after the demo was loaded: Replicating, Failed and Unknown regions in
    flight, with their time left and planned end, and North Europe completed; the
    selected region's pane shows it in full, with its version's other regions."""

    async def run_before(pilot: Pilot[Any]) -> None:
        ui_clock.advance(HALF_A_MINUTE)
        stable_title(pilot.app)  # type: ignore[arg-type]
        screen = await open_screen(pilot, "r", ReplicationScreen)
        screen.load()
        await pilot.press("down")  # East US 2 of ubuntu 1.3.0: its other regions below
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def assert_fits(table: DataTable[Any]) -> None:
    """Every column whole on screen, its title and cells uncut, and no blank strip."""
    columns = table.ordered_columns
    used = sum(column.get_render_width(table) for column in columns)
    room = table.size.width - table.styles.scrollbar_size_vertical
    assert used == room, (used, room)
    for column in columns:
        assert column.width >= len(str(column.label)), column.label
        cells = [table.get_cell(row, column.key) for row in table.rows]
        assert all(Text(str(c)).cell_len <= column.width for c in cells), column.label


@pilot_test
async def test_the_columns_fit_80_120_and_160_columns_with_time_left_and_planned_end(
    app: SigtuiApp,
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, "r", ReplicationScreen)
        shown = {}
        for width, height in ((80, 24), (120, 40), (160, 48)):
            await pilot.resize_terminal(width, height)
            screen.load()
            await settle(pilot)
            for table in screen.query(DataTable):
                assert_fits(table)
            table = screen.query_one("#in-flight", DataTable)
            shown[width] = [str(c.label) for c in table.ordered_columns]
            east = next(k for k in table.rows if str(table.get_cell(k, "region")) == "East US 2")
            assert re.fullmatch(r"\d+m \d\ds", str(table.get_cell(east, "left")))
            assert re.fullmatch(r"09:0\d(:\d\d)?", str(table.get_cell(east, "ends")))
        assert shown[80] == ["Version", "Region", "Progress", "Left", "Ends"]
        assert shown[120] == ["Version", "Region", "Progress", "Time left", "Ends (UTC)"]
        assert "Details" in shown[160] and "State" in shown[160]
        table.move_cursor(row=table.get_row_index(east))
        await settle(pilot)
        item = screen.selected()
        assert item is not None and screen.shown is not None
        console = Console(width=160, record=True)
        console.print(replication_screen.selected_text(item, screen.shown.now))
        pane = console.export_text()
        assert "planned end 2026-11-25 09:0" in pane and "s left)" in pane
        assert "/versions/1.3.0\n" in pane  # the version's ARM id, its name at the end


@pilot_test
async def test_advancing_the_clock_moves_the_progress_on_screen(
    app: SigtuiApp, ui_clock: FixedClock
) -> None:
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_screen(pilot, "r", ReplicationScreen)
        before = progress_of(screen, "East US 2")
        assert before and all(0 < p < 100 for p in before.values())
        ui_clock.advance(HALF_A_MINUTE)
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

        def states() -> list[str]:
            return [screen.items[str(key.value)].state for key in table.rows]

        failed = [index for index, state in enumerate(states()) if state == "Failed"]
        assert failed
        table.move_cursor(row=failed[0])
        await pilot.press("t")
        await settle(pilot)
        assert states().count("Failed") == len(failed) - 1
        assert str(table.get_cell_at((failed[0], 2))).endswith("0%")  # replicating again


@pilot_test
async def test_long_lists_show_their_first_rows_and_say_how_many_there_are(
    app: SigtuiApp, ui_clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replication_screen, "ROWS_SHOWN", 2)
    ui_clock.advance(HALF_A_MINUTE)
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
        screen.load = lambda **kw: started.append(monkeypatched(**kw))  # type: ignore[method-assign]
        screen.refreshing = True  # a slow refresh still running
        screen.tick()
        assert started == []
        screen.refreshing = False
        screen.tick()
        await settle(pilot)
        assert len(started) == 1


def recorded(widget: Any, method: str, calls: list[Any], what: Callable[..., Any]) -> None:
    """The widget's `method` does its work as before, once `what` of its arguments is
    appended to `calls`."""
    original = getattr(widget, method)

    def record(*args: Any, **kwargs: Any) -> Any:
        calls.append(what(*args, **kwargs))
        return original(*args, **kwargs)

    setattr(widget, method, record)


def shown_cells(table: DataTable[Any]) -> list[list[tuple[str, str]]]:
    """Every cell of the table: its text and style, row by row."""
    return [
        [(cell.plain, str(cell.style)) for cell in table.get_row(key)]  # type: ignore[attr-defined]
        for key in table.rows
    ]


@pilot_test
async def test_a_refresh_of_the_same_rows_updates_only_the_cells_that_changed(
    app: SigtuiApp, ui_clock: FixedClock
) -> None:
    """A second later the lists hold the same rows: the refresh changes their moving
    cells in place (the tables are not filled anew), and shows what filling them anew
    would; other rows (a filter) fill a list anew."""
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_screen(pilot, "r", ReplicationScreen)
        screen.ticker.pause()
        table = screen.query_one("#in-flight", DataTable)
        table.move_cursor(row=2)
        updated: list[str] = []
        cleared: list[bool] = []
        recorded(table, "update_cell", updated, lambda row, column, value, **_: str(column))
        recorded(table, "clear", cleared, lambda columns=False: columns)
        before = shown_cells(table)
        summary = screen.query_one("#replication-summary", Static)
        pane = screen.query_one("#replication-selected", Static)
        said, described = str(summary.render()), str(pane.render())
        recorded(summary, "update", updated, lambda *_, **__: "summary")
        ui_clock.advance(1)  # the next refresh's
        screen.load()
        await settle(pilot)
        assert cleared == [] and table.cursor_row == 2
        assert set(updated) == {"progress", "left"}, updated  # the bars and the time left
        assert str(summary.render()) == said  # the same counts: not updated (a layout each)
        assert str(pane.render()) != described  # the selected region moved on
        in_place = shown_cells(table)
        assert in_place != before
        assert screen.shown is not None
        screen.drawn.clear()  # what is shown forgotten: the lists are filled anew
        screen._draw(screen.shown)
        await settle(pilot)
        assert cleared == [True] and shown_cells(table) == in_place
        await pilot.press("f")
        screen.query_one("#state-filter", Select).value = "Failed"
        await settle(pilot)
        assert len(cleared) == 2 and len(shown_cells(table)) < len(in_place)


@pilot_test
async def test_a_tick_moves_the_board_on_unread_until_a_region_ends_or_the_catalog_changes(
    app: SigtuiApp, ui_clock: FixedClock
) -> None:
    """Each second's refresh reads the board only when more than the progress of its
    regions in flight may have changed: a region reached the end of its schedule, or
    another session changed the catalog; in between it moves the board read on."""
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_screen(pilot, "r", ReplicationScreen)
        screen.ticker.pause()
        reads: list[object] = []
        recorded(screen.catalog, "query", reads, lambda query, *_, **__: query)

        async def tick(seconds: float) -> None:
            ui_clock.advance(seconds)
            screen.tick()
            await settle(pilot)

        assert screen.shown is not None and screen.shown.board.lasts_until is not None
        until = screen.shown.board.lasts_until
        before = progress_of(screen, "East US 2")
        await tick((until - ui_clock.now()).total_seconds() / 2)
        assert reads == [] and progress_of(screen, "East US 2") != before  # moved on, unread
        await tick((until - ui_clock.now()).total_seconds() + 0.5)
        assert reads == [schedule.board]  # a region's schedule ended: read
        await tick(1)
        assert reads == [schedule.board]
        other = open_catalog(str(screen.catalog.engine.url), clock=ui_clock)
        item = next(a for a in screen.items.values() if a.state == "Failed")
        other.apply(schedule.retry, item.version_id, item.region, ui_clock.now())
        other.close()
        await tick(1)
        assert reads == [schedule.board, schedule.board]  # another session wrote: read
        assert screen.items[replication_screen.row_key(item)].state == "Replicating"


@pilot_test
async def test_a_board_replaced_by_a_refresh_is_freed_without_the_cycle_collector(
    app: SigtuiApp, ui_clock: FixedClock
) -> None:
    """A refresh's worker is freed by the cycle collector only (Textual's Worker is in
    reference cycles): the board it moved on must not be its argument, or every board
    and its cells wait for a full collection, 40 to 70 ms on the big catalog."""
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_screen(pilot, "r", ReplicationScreen)
        screen.ticker.pause()
        gc.collect()
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            boards = []
            for _ in range(3):
                assert screen.shown is not None
                boards.append(weakref.ref(screen.shown.board))
                ui_clock.advance(1)
                screen.tick()  # moved on from the board shown
                await settle(pilot)
            assert [board() for board in boards] == [None, None, None]
            assert screen.shown is not None  # the one shown now, kept
        finally:
            if was_enabled:
                gc.enable()


def test_a_region_with_no_planned_end_keeps_its_cells_all_day() -> None:
    """Completed, failed and unknown regions' cells are made once a day and kept: the same
    as made anew at any time of that day; the next day, their times show their date."""
    completed = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
    item = schedule.Activity(
        "/subscriptions/x/versions/1.0.0", "prod", "gallery", "ubuntu", "1.0.0", "westus",
        1, "Standard_LRS", "Completed", 100, None, "", completed - timedelta(minutes=5),
        completed,
    )  # fmt: skip
    layout = replication_screen.MEDIUM

    def texts(cells: dict[str, Text]) -> dict[str, str]:
        return {key: text.plain for key, text in cells.items()}

    for now in (completed, completed + timedelta(hours=14)):
        kept = replication_screen._cells(item, now, layout)
        assert texts(kept) == texts(replication_screen._cells_at(item, now, layout))
        assert kept["completed"].plain == "09:30:00"
    assert replication_screen._cells(item, completed, layout) is kept  # made once that day
    next_day = replication_screen._cells(item, completed + timedelta(days=1), layout)
    assert next_day["completed"].plain == "01-15 09:30"
