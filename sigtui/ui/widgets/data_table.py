"""Textual's DataTable, redrawn once the columns of newly added rows are measured, showing
its cells as text, and fitted to the width it is given.

Textual measures new rows' column widths when the table is next idle. A frame painted
before that draws the rows at the old widths and caches those lines; when the measuring
leaves the table's overall size as it was (refilling a table with the same rows in
another order does), nothing clears that cache, and the rows stay cut short until the
cursor moves. Every table in sigtui is this one.

A one-line text cell is drawn directly, not through Rich's console pipeline: the same
segments, in half the time (`_render_cell`).

Textual parses a str cell or column label as markup; here a str is text, with its control
characters shown as escapes (DESIGN.md §3, output is text, never control): a `[/]` in a
description neither crashes a table nor styles it. Styled cells are Rich `Text` made with
`cell`.

Columns are as wide as their content while the table fits its width; when it does not,
the widest columns give up room first (never narrower than their title or `MIN_COLUMN`,
`NARROW_COLUMN` in a narrow pane; when even that is too wide, the table scrolls sideways
and only its widest columns shrink), and a cell that no longer fits shows its whole words
and then `…` (an ARM id is shortened in the middle instead, `ShortId`). Textual would cut
the table at the pane's edge, and a cell mid-word. The fit is made again on a resize.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, Self, TypeVar, cast

from rich.cells import cell_len, get_character_cell_size
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text, TextType
from textual import events
from textual._types import SegmentLines
from textual.geometry import Size
from textual.widgets import DataTable
from textual.widgets._data_table import CellCacheKey, RowRenderables
from textual.widgets.data_table import CellKey, ColumnKey, RowKey

from sigtui.safe_text import ELLIPSIS, visible
from sigtui.ui.text import ShortId

CellType = TypeVar("CellType")
Justify = Literal["default", "left", "center", "right", "full"]

MIN_COLUMN = 16  # a fitted column keeps this many cells (or its title's, or all it needs)
NARROW_COLUMN = 10  # ... or this many in a narrow pane (the details pane at 80 columns)
NARROW_PANE = 60  # cells for the columns' content: fewer is a narrow pane
SCROLLING_COLUMN = 24  # ... and this many in a table too wide for its pane anyway


def cell(value: object, style: str = "", justify: Justify | None = None) -> Text:
    """A table cell (or any Rich text) showing `value` as text."""
    return Text(visible(value), style=style, justify=justify)


def _text_cell(value: str, height: int | None) -> Text:
    """A str cell as Textual would lay it out (no wrap in a one-line row), but as text."""
    return Text(visible(value), no_wrap=height == 1, end="")


def _fitting_end(plain: str, room: int) -> int:
    """How many of `plain`'s characters fit in `room` cells."""
    used = 0
    for index, character in enumerate(plain):
        used += get_character_cell_size(character)
        if used > room:
            return index
    return len(plain)


def _head_end(plain: str, room: int) -> int:
    """How many of `plain`'s first characters to show in `room` cells: up to the last
    space that keeps at least half of what fits, else all that fits (a long name is cut,
    not lost); no space or `/` at the end."""
    end = _fitting_end(plain, room)
    if end < len(plain) and plain[end] != " ":
        space = plain.rfind(" ", 0, end)
        end = space if space >= (end + 1) // 2 else end
    return len(plain[:end].rstrip(" /"))


def fit_cut(plain: str, width: int) -> tuple[int, int]:
    """How to show `plain`, wider than `width` (2 or more) cells: its first `head`
    characters, `…`, then those from `tail` on. A short last word (a version number,
    `definition`) or last step of a path (`… / sigFinance`) stays after the `…` (it tells
    rows apart); `tail` is the end otherwise."""
    last = plain.rfind(" / ")
    last = plain.rfind(" ") if last < 0 else last
    tail_width = cell_len(plain[last:]) if last > 0 else width
    if tail_width <= width // 2:
        return _head_end(plain[:last], width - tail_width - 1), last
    return _head_end(plain, width - 1), len(plain)


def fit_words(text: Text, width: int) -> Text:
    """`text` in at most `width` cells: whole, or cut by `fit_cut`."""
    if text.cell_len <= width:
        return text
    if width <= 1:
        return Text(ELLIPSIS[: max(0, width)], style=text.style)
    head, tail = fit_cut(text.plain, width)
    shown = text[:head]
    shown.append(ELLIPSIS)
    shown.append_text(text[tail:])
    return shown


class FittedText:
    """A one-line cell drawn in the width its column is given (`fit_words`), measured as
    the whole text."""

    def __init__(self, text: Text) -> None:
        self.text = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield fit_words(self.text, options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(min(self.text.cell_len, MIN_COLUMN), self.text.cell_len)


def fitted(renderable: RenderableType) -> RenderableType:
    """A one-line Text cell made to fit its column; any other renderable as it is."""
    if not isinstance(renderable, Text) or "\n" in renderable.plain:
        return renderable
    if ShortId.holds_id(renderable.plain):
        return ShortId(renderable.plain, style=str(renderable.style))
    return FittedText(renderable)


def _shrink(natural: list[int], least: list[int], room: int) -> list[int]:
    """The widest column gives up a cell at a time (the rightmost of equals first) until
    the widths add up to `room`, none below its `least`."""
    widths = list(natural)
    excess = sum(widths) - room
    while excess > 0:
        shrinkable = [i for i, width in enumerate(widths) if width > least[i]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: (widths[i], i))
        widths[widest] -= 1
        excess -= 1
    return widths


def fit_widths(natural: list[int], titles: list[int], room: int) -> list[int]:
    """Column widths (content only) adding up to `room` if they can, no column narrower
    than its title or `MIN_COLUMN` (`NARROW_COLUMN` in a narrow pane; or what it needs).
    A table that cannot fit scrolls sideways: then only columns wider than
    `SCROLLING_COLUMN` give up room (a wide table keeps its names and dates whole)."""
    narrow = (NARROW_COLUMN,) if room < NARROW_PANE else ()
    for floor in (MIN_COLUMN, *narrow, SCROLLING_COLUMN):
        least = [min(need, max(floor, title)) for need, title in zip(natural, titles, strict=True)]
        widths = _shrink(natural, least, room)
        if sum(widths) <= room:
            break
    return widths


class MeasuredDataTable(DataTable[CellType]):
    """A DataTable that forgets the lines it drew before its columns were measured, and
    fits its columns to its width."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._natural_widths: dict[ColumnKey, int] = {}  # what each column's content needs

    # --- measuring ---------------------------------------------------------------------------

    def _update_column_widths(self, updated_cells: set[CellKey]) -> None:
        self._restore_natural_widths()
        super()._update_column_widths(updated_cells)
        self._remember_natural_widths()

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        self._restore_natural_widths()
        super()._update_dimensions(new_rows)
        self._remember_natural_widths()
        self._fit_columns()
        self._update_count += 1  # part of every render cache key: lines are drawn anew

    def _restore_natural_widths(self) -> None:
        """Textual widens a column from its current width: give it back what it needs."""
        for key, column in self.columns.items():
            column.content_width = self._natural_widths.get(key, column.content_width)

    def _remember_natural_widths(self) -> None:
        self._natural_widths = {key: c.content_width for key, c in self.columns.items()}

    # --- fitting -----------------------------------------------------------------------------

    def _fit_columns(self) -> bool:
        """Fit the auto-width columns to the table's width; whether any width changed."""
        room = self.scrollable_content_region.width
        if room <= 0:
            return False  # not laid out yet: the first resize fits it
        columns = self.ordered_columns
        fitting = [column for column in columns if column.auto_width]
        fixed = [column for column in columns if not column.auto_width]
        room -= self._row_label_column_width + sum(c.get_render_width(self) for c in fixed)
        room -= 2 * self.cell_padding * len(fitting)
        natural = [self._natural_widths.get(c.key, c.content_width) for c in fitting]
        widths = fit_widths(natural, [c.label.cell_len for c in fitting], room)
        changed = [c for c, width in zip(fitting, widths, strict=True) if c.content_width != width]
        for column, width in zip(fitting, widths, strict=True):
            column.content_width = width
        total = sum(c.get_render_width(self) for c in columns) + self._row_label_column_width
        self.virtual_size = Size(total, self.virtual_size.height)
        return bool(changed)

    def _refit(self) -> None:
        if self._fit_columns():
            self._update_count += 1
            self.refresh()

    def on_resize(self, _: events.Resize) -> None:
        self._refit()

    def watch_show_vertical_scrollbar(self) -> None:
        self.call_after_refresh(self._refit)  # the scrollbar takes a column's room, or gives it

    def _compute_row_renderables(self, row_index: int) -> RowRenderables:
        label, cells = super()._compute_row_renderables(row_index)
        return RowRenderables(label, [fitted(c) for c in cells])

    # --- drawing ---------------------------------------------------------------------------

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> SegmentLines:
        """A cell's lines, as Textual draws them, but a one-line text cell drawn directly.

        Textual draws every cell through Rich's whole console pipeline (`Styled(Padding(
        cell))` rendered by `console.render_lines`: options copied, renderables nested,
        lines split and cropped twice), about 50 µs a cell and a third of the CPU of
        opening the all-versions screen. A `FittedText` in a one-line row (or the header)
        is one line of text: here it is drawn with the same Rich steps on that line (wrap,
        render, crop or pad to the content's width, pad, the cell's styles), the same
        segments in 23 µs; opening the all-versions screen on the demo catalog takes 16 %
        less CPU (median 108 ms, now 91). tests/ui/test_table_cells.py compares the two
        ways. Any other cell is Textual's."""
        row_key = (
            self._header_row_key if row_index == -1 else self._row_locations.get_key(row_index)
        )
        column_key = self._column_locations.get_key(column_index)  # None for the row labels
        if row_key is None or column_key is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        cache_key: CellCacheKey = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        if cache_key not in self._cell_render_cache:
            line = self._text_line(
                row_key, row_index, column_index, base_style, width, cursor, hover
            )
            if line is None:
                return super()._render_cell(
                    row_index, column_index, base_style, width, cursor, hover
                )
            self._cell_render_cache[cache_key] = [line]
        return self._cell_render_cache[cache_key]

    def _text_line(
        self,
        row_key: RowKey,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool,
        hover: bool,
    ) -> list[Segment] | None:
        """The one line of a `FittedText` cell in a one-line row, as Textual's
        `_render_cell` would draw it; None for any other cell."""
        header = row_index == -1
        padding = self.cell_padding
        room = width - 2 * padding
        if room < 1:
            return None
        height = self.header_height if header else self.rows[row_key].height
        renderable = self._get_row_renderables(row_index).cells[column_index]
        if height != 1 or type(renderable) is not FittedText:
            return None
        text = fit_words(renderable.text, room)
        console = self.app.console
        # Text.__rich_console__ in Textual's options (no justify or overflow, no_wrap set)
        lines = text.wrap(
            console,
            room,
            justify=text.justify or "default",
            overflow=text.overflow or "fold",
            tab_size=(console.tab_size if text.tab_size is None else text.tab_size) or 8,
            no_wrap=True if text.no_wrap is None else text.no_wrap,
        )
        if len(lines) != 1:
            return None  # a line break, or wrapped: Textual's
        line = lines[0]
        # ... which renders its lines joined (the text's `end` only ends the line): joining
        # makes the text's style a span, and Text.render ignores it in a text without spans
        if line.spans or not line.style:
            content = list(line.render(console))
        else:
            style = console.get_style(line.style, default=Style.null())
            content = [Segment(line.plain, style)] if line.plain else []
        # Padding: the line cropped or padded to `room` cells, between the padding's spaces
        pad_style = console.get_style("none")
        if pad_style:
            content = list(Segment.apply_style(content, pad_style))
        content = Segment.adjust_line_length(content, room, pad_style)
        if padding:
            space = Segment(" " * padding, pad_style)
            content = [space, *content, space]
        # Styled: the cell's styles under and over the text's (the line is `width` cells)
        fixed = not header and (row_index < self.fixed_rows or column_index < self.fixed_columns)
        component_style, post_style = self._get_styles_to_render_cell(
            header,
            False,
            fixed,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        meta = Style.from_meta({"row": row_index, "column": column_index})
        return list(Segment.apply_style(content, base_style + meta + component_style, post_style))

    # --- cleaning up -------------------------------------------------------------------------

    def clear(self, columns: bool = False) -> Self:
        if columns:
            self._natural_widths.clear()
        return super().clear(columns)

    def remove_column(self, column_key: ColumnKey | str) -> None:
        self._natural_widths.pop(
            ColumnKey(column_key) if isinstance(column_key, str) else column_key, None
        )
        super().remove_column(column_key)

    # --- text cells ----------------------------------------------------------------------------

    def add_column(
        self,
        label: TextType,
        *,
        width: int | None = None,
        key: str | None = None,
        default: CellType | None = None,
    ) -> ColumnKey:
        shown = cell(label) if isinstance(label, str) else label
        return super().add_column(shown, width=width, key=key, default=default)

    def add_row(
        self,
        *cells: CellType,
        height: int | None = 1,
        key: str | None = None,
        label: TextType | None = None,
    ) -> RowKey:
        shown = [cast(CellType, _text_cell(c, height)) if isinstance(c, str) else c for c in cells]
        row_label = cell(label) if isinstance(label, str) else label
        return super().add_row(*shown, height=height, key=key, label=row_label)
