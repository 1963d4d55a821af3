"""A scroll view of rows drawn a line at a time (Textual's line API), with a row cursor:
the keys that move it and their actions. The limits table and the filter's match table
are ones."""

from __future__ import annotations

from typing import Any

from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.scroll_view import ScrollView


def cursor_bindings(prefix: str) -> list[BindingType]:
    """The cursor's keys, with binding ids under `prefix` (keys are remapped by id)."""
    return [
        Binding("down,j", "move(1)", "Next", show=False, id=f"{prefix}.next"),
        Binding("up,k", "move(-1)", "Previous", show=False, id=f"{prefix}.previous"),
        Binding("pagedown", "page(1)", "Page down", show=False, id=f"{prefix}.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id=f"{prefix}.page_up"),
        Binding("home", "first", "First", show=False, id=f"{prefix}.first"),
        Binding("end", "last", "Last", show=False, id=f"{prefix}.last"),
    ]


class RowCursorView(ScrollView, can_focus=True):
    """Rows (`rows`) and the index of the one under the cursor, kept among them."""

    cursor: reactive[int] = reactive(0, always_update=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows: list[Any] = []

    @property
    def rows_per_page(self) -> int:
        """How many rows a page key moves the cursor by."""
        return max(1, self.scrollable_content_region.height)

    def validate_cursor(self, cursor: int) -> int:
        return max(0, min(cursor, len(self.rows) - 1))

    def action_move(self, step: int) -> None:
        self.cursor += step

    def action_page(self, direction: int) -> None:
        self.cursor += direction * self.rows_per_page

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self.rows) - 1
