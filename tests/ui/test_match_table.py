"""The filter's match table (`MatchTable`): column titles on the first line whatever the
scroll, a line per row with columns as wide as their widest cell, a cursor that keeps
its row in view, and the messages the filter screen acts on."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.content import Content

from sigtui.ui.widgets.match_table import MatchTable
from tests.ui.test_main_flows import pilot_test

TITLES = ("Name", "Kind", "In")
ROWS = 100
SIZE = (60, 12)  # the table: a line of titles and 11 rows in view


def _rows(count: int, prefix: str = "image") -> list[tuple[Content, ...]]:
    return [
        (Content(f"{prefix}-{n}"), Content("image version"), Content("Contoso / estate"))
        for n in range(count)
    ]


class TableApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[tuple[str, int]] = []

    def compose(self) -> ComposeResult:
        yield MatchTable(TITLES)

    def on_match_table_highlighted(self, event: MatchTable.Highlighted) -> None:
        self.messages.append(("highlighted", event.index))

    def on_match_table_selected(self, event: MatchTable.Selected) -> None:
        self.messages.append(("selected", event.index))


def _line(table: MatchTable, y: int) -> str:
    return table.render_line(y).text.rstrip()


def _rows_in_view(table: MatchTable) -> range:
    top = table.scroll_offset.y
    return range(top, top + table.size.height - 1)


@pilot_test
async def test_columns_fit_the_widest_cell_and_the_titles_stay_on_top() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(MatchTable)
        table.focus()
        table.show(_rows(ROWS))
        await pilot.pause()
        assert table.widths == [len("image-99"), len("image version"), len("Contoso / estate")]
        assert _line(table, 0) == " Name      Kind           In"
        assert _line(table, 1) == " image-0   image version  Contoso / estate"
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor == ROWS - 1 and ROWS - 1 in _rows_in_view(table)
        assert _line(table, 0) == " Name      Kind           In"
        assert _line(table, table.size.height - 1).startswith(" image-99 ")


@pilot_test
async def test_the_cursor_keeps_its_row_in_view_below_the_titles() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(MatchTable)
        table.focus()
        table.show(_rows(ROWS))
        await pilot.press(*["down"] * 30)
        await pilot.pause()
        assert table.cursor == 30 and 30 in _rows_in_view(table)
        await pilot.press("pagedown")
        await pilot.pause()
        assert table.cursor == 30 + table.size.height - 1 and table.cursor in _rows_in_view(table)
        await pilot.press("end", *["up"] * 15)  # up past the top line: not under the titles
        await pilot.pause()
        assert table.cursor == ROWS - 16 and table.cursor in _rows_in_view(table)
        assert _line(table, 1).startswith(f" image-{ROWS - 16} ")
        await pilot.press("home")
        await pilot.pause()
        assert table.cursor == 0 and table.scroll_offset.y == 0
        await pilot.press("up")  # not before the first
        assert table.cursor == 0


@pilot_test
async def test_highlighted_on_each_move_and_on_new_rows_selected_on_enter_or_click() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(MatchTable)
        table.focus()
        table.show(_rows(ROWS))
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.messages == [
            ("highlighted", 0),
            ("highlighted", 1),
            ("highlighted", 2),
            ("selected", 2),
        ]
        app.messages.clear()
        table.show(_rows(3, prefix="other"))  # a new search: back to the first row
        await pilot.pause()
        assert (table.cursor, table.scroll_offset.y) == (0, 0)
        await pilot.click(MatchTable, offset=(5, 3))  # the third row (the titles are line 0)
        await pilot.pause()
        assert app.messages == [("highlighted", 0), ("highlighted", 2), ("selected", 2)]
        await pilot.click(MatchTable, offset=(5, 0))  # the titles: nothing
        await pilot.click(MatchTable, offset=(5, 8))  # below the rows: nothing
        await pilot.pause()
        assert app.messages[-1] == ("selected", 2) and len(app.messages) == 3


@pilot_test
async def test_no_rows_no_messages_and_enter_does_nothing() -> None:
    app: Any = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(MatchTable)
        table.focus()
        table.show([])
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.messages == [] and table.row_count == 0
        assert _line(table, 0) == " Name  Kind  In"
