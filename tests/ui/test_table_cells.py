"""`MeasuredDataTable` draws a one-line text cell itself, not through Rich's console
pipeline: its lines must be Textual's, segment for segment (text, style, meta).

Every cell of a table holding the kinds of cell sigtui shows is drawn both ways, at its
own width and narrower ones, with and without the cursor and the hover, and compared."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from itertools import product
from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widgets import DataTable

from sigtui.ui.widgets.data_table import MeasuredDataTable, cell
from tests.ui.test_main_flows import pilot_test

ARM_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-images/providers"
    "/Microsoft.Compute/galleries/gallery/images/ubuntu/versions/1.0.0"
)
LONG = "a description far too long for its column, cut after whole words"

ROWS: list[tuple[Any, ...]] = [
    ("plain", "1.0.0", ARM_ID, ""),
    (
        cell("right", style="bold red", justify="right"),
        cell("centre", style="italic on blue", justify="center"),
        cell("left ", style="dim", justify="left"),
        cell("full justified text", justify="full"),
    ),
    (LONG, cell(LONG, style="underline"), f"managed image {ARM_ID}", "  spaced  "),
    ("日本語のテキストです", "🙂 emoji 🙂 emoji", cell("混合 mixed 文字", style="green"), "é"),
    ("[/]", "\x1b[31m", "[bold]not markup[/bold]", "tab\there"),
    (cell(""), Text(""), cell(" "), Text("a\tb", style="bold")),
    (
        cell("", style="bold"),
        "👩‍💻 dev ❤️ love",
        Text.assemble(("red", "red"), " plain ", ("bold", "bold")),
        cell("  trailing  ", justify="right"),
    ),
    (
        Text("link", style=Style(link="https://example.com")),
        Text("click", style=Style.from_meta({"@click": "app.bell"})),
        cell("centred  ", justify="center"),
        cell("a\nb"),  # a control character, shown as an escape
    ),
]


class CellsApp(App[None]):
    def compose(self) -> ComposeResult:
        yield MeasuredDataTable[Any](cursor_type="row", zebra_stripes=True)


def _fill(table: MeasuredDataTable[Any]) -> None:
    table.add_column("Name")
    table.add_column(Text("Version ↓", style="bold"))
    table.add_column("Id 标识", width=30)
    table.add_column(cell("Notes", justify="right"))
    table.add_column(cell("", style="bold"), width=2)  # no title: an empty cell has none
    for row in ROWS:
        table.add_row(*row)
    table.add_row("two lines", Text("line one\nline two"), "", "", height=2)  # Textual's
    table.add_row("auto height", "short", "", "", height=None)  # one line once measured
    table.add_row("labelled", "", "", "", label="label")  # the labels are Textual's
    table.fixed_columns = 1


def _cell_lines(table: MeasuredDataTable[Any], textual: bool, *args: Any) -> Any:
    """A cell's lines drawn afresh, by Textual or by the table, and the cache key they
    are kept under."""
    table._cell_render_cache.clear()
    draw = DataTable._render_cell if textual else MeasuredDataTable._render_cell
    lines = draw(table, *args)
    assert len(table._cell_render_cache) == 1
    return lines, list(table._cell_render_cache.keys())


def _compare_cells(table: MeasuredDataTable[Any]) -> int:
    """Compare every cell drawn both ways; how many the table drew itself."""
    drawn = 0
    fixed_style = table.get_component_styles("datatable--fixed").rich_style
    for row, column in product(range(-1, table.row_count), range(-1, len(table.columns))):
        row_style = table._get_row_style(row, table.rich_style)
        full = (
            table._row_label_column_width
            if column < 0
            else table.ordered_columns[column].get_render_width(table)
        )
        for width, base, cursor, hover in product(
            range(full + 3), (row_style, fixed_style), (False, True), (False, True)
        ):
            args = (row, column, base, width, cursor, hover)
            expected = _cell_lines(table, True, *args)
            assert _cell_lines(table, False, *args) == expected, args
        drawn += _drawn_by_table(table, row, column, full)
    return drawn


def _drawn_by_table(table: MeasuredDataTable[Any], row: int, column: int, width: int) -> bool:
    """Whether the table draws this cell itself (at its width), not Textual."""
    key = table._header_row_key if row == -1 else table._row_locations.get_key(row)
    if key is None or column < 0:
        return False
    line = table._text_line(key, row, column, table.rich_style, width, False, False)
    return line is not None


@contextlib.asynccontextmanager
async def _filled_table() -> AsyncIterator[tuple[Pilot[Any], MeasuredDataTable[Any]]]:
    """A running app's table holding `ROWS`, hover shown."""
    app = CellsApp()
    async with app.run_test(size=(100, 20)) as pilot:
        table = app.query_one(MeasuredDataTable)
        _fill(table)
        await pilot.pause()
        table._show_hover_cursor = True
        yield pilot, table


@pilot_test
async def test_text_cells_are_drawn_as_textual_draws_them() -> None:
    async with _filled_table() as (pilot, table):
        for padding in (1, 0, 2):
            table.cell_padding = padding
            await pilot.pause()
            drawn = _compare_cells(table)
            # the 5 columns of the header and the 10 one-line rows, but the 2 ids (`ShortId`)
            assert drawn == 5 + 10 * 5 - 2, padding


@pilot_test
async def test_a_table_is_painted_as_textual_paints_it() -> None:
    async with _filled_table() as (pilot, table):
        table.move_cursor(row=2)
        table.hover_coordinate = Coordinate(3, 1)
        await pilot.pause()

        def painted() -> list[list[Segment]]:
            table._clear_caches()
            return [list(table.render_line(y)) for y in range(table.size.height)]

        ours = painted()
        table._render_cell = DataTable._render_cell.__get__(table)  # type: ignore[method-assign]
        assert ours == painted()
        assert any(s.style and s.style.meta == {"row": 3, "column": 1} for s in ours[4])
