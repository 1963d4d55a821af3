"""`MeasuredDataTable`: rows drawn before their columns were measured are drawn again.

Re-sorting the all-versions table refills it with the same rows: its size stays the same,
and with Textual's own DataTable a frame painted in between left every row cut to the
column titles' widths (a snapshot test failed that way on a busy machine)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable

from sigtui.ui.widgets.data_table import MeasuredDataTable
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
