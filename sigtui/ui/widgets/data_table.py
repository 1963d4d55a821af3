"""Textual's DataTable, redrawn once the columns of newly added rows are measured.

Textual measures new rows' column widths when the table is next idle. A frame painted
before that draws the rows at the old widths and caches those lines; when the measuring
leaves the table's overall size as it was (refilling a table with the same rows in
another order does), nothing clears that cache, and the rows stay cut short until the
cursor moves. Every table in sigtui is this one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

CellType = TypeVar("CellType")


class MeasuredDataTable(DataTable[CellType]):
    """A DataTable that forgets the lines it drew before its columns were measured."""

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        super()._update_dimensions(new_rows)
        self._update_count += 1  # part of every render cache key: lines are drawn anew
