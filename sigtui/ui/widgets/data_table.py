"""Textual's DataTable, redrawn once the columns of newly added rows are measured, and
showing its cells as text.

Textual measures new rows' column widths when the table is next idle. A frame painted
before that draws the rows at the old widths and caches those lines; when the measuring
leaves the table's overall size as it was (refilling a table with the same rows in
another order does), nothing clears that cache, and the rows stay cut short until the
cursor moves. Every table in sigtui is this one.

Textual parses a str cell or column label as markup; here a str is text, with its control
characters shown as escapes (DESIGN.md §3, output is text, never control): a `[/]` in a
description neither crashes a table nor styles it. Styled cells are Rich `Text` made with
`cell`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, TypeVar, cast

from rich.text import Text, TextType
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from sigtui.safe_text import visible

CellType = TypeVar("CellType")
Justify = Literal["default", "left", "center", "right", "full"]


def cell(value: object, style: str = "", justify: Justify | None = None) -> Text:
    """A table cell (or any Rich text) showing `value` as text."""
    return Text(visible(value), style=style, justify=justify)


def _text_cell(value: str, height: int | None) -> Text:
    """A str cell as Textual would lay it out (no wrap in a one-line row), but as text."""
    return Text(visible(value), no_wrap=height == 1, end="")


class MeasuredDataTable(DataTable[CellType]):
    """A DataTable that forgets the lines it drew before its columns were measured."""

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        super()._update_dimensions(new_rows)
        self._update_count += 1  # part of every render cache key: lines are drawn anew

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
