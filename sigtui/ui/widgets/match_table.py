"""A table of read-only rows with a row cursor (the `/` filter's matches): a line of column
titles, then a line per row, drawn a line at a time and only the lines in view.

Textual's DataTable measured each cell and rendered it through Rich (padding, wrapping):
showing 200 matches took 40 to 60 ms of the filter's 100 at Azure's limits (issue #8).
Here the columns are as wide as their widest cell, measured once per row set, and a line
is its cells joined; when they do not fit the table's width, they are fitted as
`MeasuredDataTable`'s are (`fit_widths`, `fit_cut`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.strip import Strip

from sigtui.safe_text import ELLIPSIS
from sigtui.ui.widgets.data_table import fit_cut, fit_widths
from sigtui.ui.widgets.row_cursor import RowCursorView, cursor_bindings

CELL_PADDING = 1  # cells on each side of a column, as DataTable's
HEADER_HEIGHT = 1


def column_widths(titles: Sequence[str], rows: Sequence[Sequence[Content]]) -> list[int]:
    """Each column as wide as its title or widest cell."""
    widths = [len(title) for title in titles]
    for row in rows:
        widths = [max(width, cell.cell_length) for width, cell in zip(widths, row, strict=True)]
    return widths


def fit_content(content: Content, width: int) -> Content:
    """`content` in at most `width` cells: whole, or its words cut as `fit_cut` says."""
    if content.cell_length <= width:
        return content
    if width <= 1:
        return Content(ELLIPSIS[: max(0, width)])
    head, tail = fit_cut(content.plain, width)
    return content[:head] + ELLIPSIS + content[tail:]


class MatchTable(RowCursorView):
    """Rows of cells under their column titles, with a row cursor. Posts `Highlighted` when
    the cursor lands on a row (a new set of rows included) and `Selected` on enter or a
    click."""

    COMPONENT_CLASSES = {
        "match-table--header",
        "match-table--even-row",
        "match-table--cursor",
    }

    BINDINGS = [
        *cursor_bindings("matches"),
        Binding("enter", "select", "Go to", show=False, id="matches.select"),
    ]

    class Highlighted(Message):
        def __init__(self, table: MatchTable, index: int) -> None:
            super().__init__()
            self.table = table
            self.index = index

        @property
        def control(self) -> MatchTable:
            return self.table

    class Selected(Highlighted):
        pass

    def __init__(self, titles: Sequence[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.titles = tuple(titles)
        self.natural_widths = column_widths(self.titles, [])  # what the cells need
        self.widths = self.natural_widths  # what they get: fitted to the table's width

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def show(self, rows: list[Sequence[Content]]) -> None:
        """Replace the rows; the cursor goes back to the first."""
        self.rows = rows
        self.natural_widths = column_widths(self.titles, rows)
        self.fit()
        self.scroll_to(0, 0, animate=False)
        self.cursor = 0
        self.refresh()

    def fit(self) -> None:
        """Fit the columns to the table's width (as they are until it is laid out)."""
        room = self.scrollable_content_region.width - 2 * CELL_PADDING * len(self.titles)
        titles = [len(title) for title in self.titles]
        fits = self.scrollable_content_region.width > 0
        self.widths = fit_widths(self.natural_widths, titles, room) if fits else self.natural_widths
        padded = sum(self.widths) + 2 * CELL_PADDING * len(self.widths)
        self.virtual_size = Size(padded, len(self.rows) + HEADER_HEIGHT)
        self.refresh()

    def on_resize(self) -> None:
        self.fit()

    def watch_show_vertical_scrollbar(self) -> None:
        self.call_after_refresh(self.fit)  # the scrollbar takes a column's room, or gives it

    def watch_cursor(self, cursor: int) -> None:
        if not self.rows:
            return
        row = Region(0, cursor + HEADER_HEIGHT, 1, 1)
        self.scroll_to_region(row, spacing=Spacing(top=HEADER_HEIGHT), animate=False)
        self.refresh()
        self.post_message(self.Highlighted(self, cursor))

    @property
    def rows_per_page(self) -> int:
        return max(1, self.scrollable_content_region.height - HEADER_HEIGHT)

    def action_select(self) -> None:
        if self.rows:
            self.post_message(self.Selected(self, self.cursor))

    def on_click(self, event: events.Click) -> None:
        index = event.y - HEADER_HEIGHT + self.scroll_offset.y
        if event.y >= HEADER_HEIGHT and 0 <= index < len(self.rows):
            self.cursor = index
            self.post_message(self.Selected(self, index))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y < HEADER_HEIGHT:
            titles = [Content(title) for title in self.titles]
            return self._strip(self._line(titles), "match-table--header", width)
        index = self.scroll_offset.y + y - HEADER_HEIGHT
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        line = self._line(self.rows[index])
        if index == self.cursor:
            return self._strip(line, "match-table--cursor", width)
        return self._strip(line, "match-table--even-row" if index % 2 == 0 else None, width)

    def _line(self, cells: Sequence[Content]) -> Content:
        pad = " " * CELL_PADDING
        parts: list[Content | str] = []
        for cell, width in zip(cells, self.widths, strict=True):
            parts += [pad, fit_content(cell, width).truncate(width, pad=True), pad]
        return Content.assemble(*parts)

    def _strip(self, line: Content, component: str | None, width: int) -> Strip:
        """The line in the component's style, padded to the widget's width (the style
        covers it all) and scrolled sideways."""
        left = self.scroll_offset.x
        line = line.truncate(max(self.virtual_size.width, left + width), pad=True)
        if component is not None:
            line = line.stylize_before(self.get_visual_style(component))
        return Strip(line.render_segments(self.visual_style)).crop(left, left + width)
