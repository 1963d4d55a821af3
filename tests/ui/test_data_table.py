"""`MeasuredDataTable`: rows drawn before their columns were measured are drawn again;
columns fit the table's width, a cell too wide shows whole words then `…`.

Re-sorting the all-versions table refills it with the same rows: its size stays the same,
and with Textual's own DataTable a frame painted in between left every row cut to the
column titles' widths (a snapshot test failed that way on a busy machine)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.content import Content
from textual.widgets import DataTable

from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens.all_versions import AllVersionsScreen
from sigtui.ui.screens.cleanup import CleanupScreen
from sigtui.ui.screens.costs import CHART_ROWS, BarChart, CostScreen
from sigtui.ui.screens.filter import FilterScreen
from sigtui.ui.widgets.data_table import MeasuredDataTable, fit_widths, fit_words
from sigtui.ui.widgets.match_table import MatchTable
from tests.ui.helpers import open_screen, settle, until
from tests.ui.test_main_flows import pilot_test

LONG_NAME = "ubuntu-22.04-base"
LONG_VALUE = "20348.3207.250213"


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield MeasuredDataTable[str]()


def _refill(table: DataTable[str]) -> None:
    table.clear(columns=True)
    table.add_columns("Name", "Value")
    table.add_row(LONG_NAME, LONG_VALUE)


def _first_row(table: DataTable[str]) -> str:
    return table.render_line(1).text  # line 0 holds the column titles


@pilot_test
async def test_refilled_rows_are_drawn_at_their_measured_widths() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 6)) as pilot:
        table = app.query_one(MeasuredDataTable)
        _refill(table)
        await pilot.pause()
        assert LONG_NAME in _first_row(table)

        _refill(table)
        drawn_early = _first_row(table)  # a frame painted before the table was idle
        await pilot.pause()

        assert LONG_NAME not in drawn_early, "the early frame no longer shows the problem"
        assert LONG_NAME in _first_row(table)
        assert LONG_VALUE in _first_row(table)


# --- fitting columns to the table's width (issue #21) --------------------------------------

ARM_ID = (
    "/subscriptions/d1bd77e0-eff4-41ef-a963-6a4dd5ab1e2c/resourceGroups/rg-finance-images"
    "/providers/Microsoft.Compute/galleries/sigFinance/images/myImage1/versions/1.0.1"
)
DESCRIPTION = "a base image for the finance team's ledger servers, patched every month"


def test_a_cell_too_wide_shows_whole_words_then_an_ellipsis() -> None:
    assert fit_words(Text("one two three"), 13).plain == "one two three"
    assert fit_words(Text("one two three"), 9).plain == "one two…"
    # a short last word (a version, `definition`) tells rows apart: it stays
    assert fit_words(Text("sigFinance/myImage1 1.0.1"), 22).plain == "sigFinance/myIm… 1.0.1"
    assert fit_words(Text("sigFinance/myImage1 1.0.1"), 12).plain == "sigFi… 1.0.1"
    assert fit_words(Text("a / b-long-name / gallery"), 20).plain == "a / b-lon… / gallery"
    # one long name is cut (with the ellipsis), never dropped whole
    assert fit_words(Text("contoso-finance-prod"), 12).plain == "contoso-fin…"
    assert fit_words(Text("US Gov Virginia"), 13).plain == "US Gov…"
    styled = fit_words(Text("one two three", style="bold", justify="right"), 9)
    assert (styled.style, styled.justify) == ("bold", "right")


def test_the_widest_columns_give_up_room_first() -> None:
    assert fit_widths([10, 40, 20], [4, 2, 5], 60) == [10, 30, 20]
    assert fit_widths([10, 40, 20], [4, 2, 5], 50) == [10, 20, 20]
    assert fit_widths([10, 40, 20], [4, 2, 5], 42) == [10, 16, 16]  # MIN_COLUMN
    assert fit_widths([10, 40, 20], [4, 2, 5], 32) == [10, 11, 11]  # narrow: NARROW_COLUMN
    wide = [20] * 6  # 6 columns of dates in a wide pane: it scrolls, the dates whole
    assert fit_widths(wide, [4] * 6, 90) == wide
    assert fit_widths([10, 40, 20], [4, 30, 5], 56) == [10, 30, 16]  # never under its title
    # too wide for its pane anyway: it scrolls, and only columns wider than 24 shrink
    assert fit_widths([10, 40, 20], [4, 2, 5], 29) == [10, 24, 20]


class WideTableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield MeasuredDataTable[str]()


def _fits(table: DataTable[Any]) -> bool:
    return table.virtual_size.width <= table.scrollable_content_region.width


@pilot_test
async def test_a_table_fits_its_width_and_fits_again_when_resized() -> None:
    app = WideTableApp()
    async with app.run_test(size=(70, 8)) as pilot:
        table = app.query_one(MeasuredDataTable)
        table.add_columns("Name", "Description", "Id")
        table.add_row("myImage1", DESCRIPTION, ARM_ID)
        await until(pilot, lambda: "a base image for the… month" in _first_row(table))
        assert _fits(table)
        row = _first_row(table)
        assert "myImage1" in row
        assert "a base image for the… month" in row  # whole words, the ellipsis, the last
        assert "/subscriptions/d1bd77…/1.0.1" in row  # an ARM id: shortened in the middle
        assert _line_fits(row, table)

        await pilot.resize_terminal(300, 8)
        # the terminal's resize reaches the table, then the table's own refit (a busy CI
        # takes more than one pause for both)
        await until(pilot, lambda: DESCRIPTION in _first_row(table))
        assert _fits(table)
        assert ARM_ID in _first_row(table)

        await pilot.resize_terminal(50, 8)
        await until(pilot, lambda: table.size.width == 50 and _fits(table))
        assert "Description" in table.render_line(0).text  # titles are never cut


def _line_fits(line: str, table: DataTable[Any]) -> bool:
    return len(line.rstrip()) <= table.scrollable_content_region.width


def _cost_chart_lines(chart: BarChart) -> list[Content]:
    lines = chart.render().split("\n")
    assert len(lines) == min(len(chart.items), CHART_ROWS)
    return lines


def _assert_chart_fits(chart: BarChart) -> None:
    """Every line within the chart's width: label, bar, figure; the figures right-aligned
    one over the other, never inside the bar."""
    lines = _cost_chart_lines(chart)
    assert len({line.cell_length for line in lines}) == 1
    for line in lines:
        assert line.cell_length <= chart.size.width
        figure_at = line.plain.rstrip().rfind(" ", 0, len(line.plain) - len(" USD")) + 1
        assert line.plain.endswith(" USD") and line.plain[figure_at - 1] == " "
        bars = [span for span in line.spans if "on $" in str(span.style)]
        assert bars and all(span.end < figure_at for span in bars)


@pilot_test
async def test_tables_and_cost_charts_fit_at_80_120_and_160_columns(app: SigtuiApp) -> None:
    """One session: the tenant's subscriptions in the details pane, cleanup, costs (its
    charts too), all versions and the filter's matches, at 80x24, 160x48 and 120x40."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        subscriptions = app.screen.query_one(".details-table", DataTable)
        # a table refits once its scrollbar comes or goes: a busy machine takes more than
        # the pauses of `settle` for the frames in between
        fitted = "contoso-fina…  d1bd77e0-ef…  AzureCloud"
        await until(pilot, lambda: fitted in _first_row(subscriptions))
        assert _fits(subscriptions)

        cleanup = await open_screen(pilot, "x", CleanupScreen)
        cleanup_table = cleanup.query_one(DataTable)
        fitted = "sigFinanceL… definition  North Europe"
        await until(pilot, lambda: fitted in _first_row(cleanup_table))
        assert _fits(cleanup_table)
        await pilot.press("escape")

        costs = await open_screen(pilot, "dollar_sign", CostScreen)
        charts = list(costs.query(BarChart))
        assert len(charts) == 2
        for chart in charts:
            _assert_chart_fits(chart)
        table = costs.query_one(DataTable)
        await until(pilot, lambda: "… 1.1.0" in _first_row(table))  # its version kept
        assert _fits(table)

        await pilot.resize_terminal(160, 48)
        await settle(pilot)
        await until(pilot, lambda: "sigFinance/myImage1 1.1.0" in _first_row(table))
        for chart in charts:
            _assert_chart_fits(chart)
        assert _fits(table)
        await pilot.press("escape")

        versions = await open_screen(pilot, "v", AllVersionsScreen)
        # too wide to fit even at 160: it scrolls sideways, with its names and dates whole
        assert not _fits(versions.table)
        assert "windows-server-2019-stig" in versions.table.render_line(3).text
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        versions.table.scroll_to(x=versions.table.max_scroll_x, animate=False)
        await pilot.pause()
        assert "2025-01-06 14:30" in _first_row(versions.table)  # the last column, whole
        await pilot.press("escape")

        await pilot.resize_terminal(80, 24)
        found = await open_screen(pilot, "f", FilterScreen)
        await pilot.press(*"win")
        await settle(pilot)
        matches = found.query_one(MatchTable)
        assert sum(matches.widths) < sum(matches.natural_widths)
        assert matches.virtual_size.width <= matches.scrollable_content_region.width
        assert "name     Contoso Federal…" in matches.render_line(2).text  # whole words
