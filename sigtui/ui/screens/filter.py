"""`/`: find resources across every subscription by name, publisher, offer, SKU or region
(the source document's FAQ: list all gallery resources across subscriptions).

Results follow the typing (the query runs in a thread worker; a newer keystroke
supersedes it); enter dismisses the screen with the chosen resource's ARM id, which the
main screen reveals in the tree.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static
from textual.worker import get_current_worker

from sigtui.catalog import browse, search, view_as
from sigtui.catalog.access import Visibility
from sigtui.catalog.db import Catalog
from sigtui.ui.screens.main import KIND_NAMES
from sigtui.ui.widgets.header_footer import AppFooter, AppHeader

LIMIT = 200
VIEWED_AS_LIMIT = 5000  # matches looked at before keeping those the viewer sees

COLUMNS = ("Name", "Kind", "Matched", "In")

HINT = (
    "Type part of a name, publisher, offer or SKU, or a region "
    "(West Europe, westeurope, Europe Ouest)."
)


def sees(db: Any, arm_id: str, viewer: Visibility | None) -> bool:
    """Whether the resource is in the tree `viewer` sees (always, with no viewer)."""
    return viewer is None or view_as.can_see(db, browse.path_to(db, arm_id)[-1], viewer)


def visible_matches(
    db: Any, text: str, limit: int, viewer: Visibility | None
) -> list[search.Match]:
    """The search, keeping only what `viewer` sees ("view as"): at most `limit`."""
    if viewer is None:
        return search.search(db, text, limit=limit)
    found = search.search(db, text, limit=VIEWED_AS_LIMIT)
    return [m for m in found if sees(db, m.arm_id, viewer)][:limit]


def count_text(text: str, matches: int, where: str = "across all subscriptions") -> str:
    """What the status line says about the matches of `text`."""
    if not text:
        return HINT
    if matches == 0:
        return f"No resource matches {text!r}."
    if matches > LIMIT:
        return f"More than {LIMIT} resources match {text!r}: the first {LIMIT} are shown."
    noun = "resource matches" if matches == 1 else "resources match"
    return f"{matches} {noun} {text!r} {where}."


def highlighted_name(name: str, text: str) -> Text:
    label = Text(name, style="bold")
    label.highlight_words([text], style="underline", case_sensitive=False)
    return label


def full_path(match: search.Match) -> Text:
    path = Text(" / ".join(match.parents) + " / ", style="dim")
    path.append(match.name, style="bold")
    return path


class FilterScreen(Screen[str | None]):
    """Search box, matches with their path, and how many matched."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="filter.close"),
        Binding("enter", "jump", "Go to", priority=True, id="filter.jump"),
        Binding("down", "move(1)", "Next", key_display="↓", show=False, id="filter.next"),
        Binding("up", "move(-1)", "Previous", key_display="↑", show=False, id="filter.previous"),
    ]

    class Found(Message):
        def __init__(self, text: str, matches: list[search.Match]) -> None:
            super().__init__()
            self.text = text
            self.matches = matches

    def __init__(self, catalog: Catalog, text: str = "", viewer: Visibility | None = None) -> None:
        super().__init__()
        self.catalog = catalog
        self.viewer = viewer  # "view as": only what this principal sees is found
        self.where = f"that {viewer.principal} sees" if viewer else "across all subscriptions"
        self.initial_text = text
        self.matches: list[search.Match] = []
        self.shown_text = ""  # the text the shown matches are for
        self.jump_when_found = False  # enter was pressed before the matches arrived

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(
            f"[b]Find[/b] {escape(self.where)}: name, publisher, offer, SKU or region",
            id="filter-title",
        )
        yield Input(
            self.initial_text, placeholder="e.g. myImage, Contoso, 22_04, West Europe", id="query"
        )
        yield Static(HINT, id="filter-count")
        yield DataTable(id="filter-results", cursor_type="row", zebra_stripes=True)
        yield Static("", id="filter-current")
        yield AppFooter()

    def on_mount(self) -> None:
        self.results.add_columns(*COLUMNS)
        self.query_one(Input).focus()
        if self.initial_text:
            self.find(self.initial_text.strip())

    @property
    def results(self) -> DataTable[str | Text]:
        return self.query_one("#filter-results", DataTable)

    @on(Input.Changed, "#query")
    def query_changed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        if text:
            self.find(text)
        else:
            self.show(text, [])

    @work(thread=True, exclusive=True, group="filter", exit_on_error=False)
    def find(self, text: str) -> None:
        with self.catalog.read() as db:
            matches = visible_matches(db, text, LIMIT + 1, self.viewer)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Found(text, matches))

    @property
    def text(self) -> str:
        return self.query_one(Input).value.strip()

    def on_filter_screen_found(self, message: Found) -> None:
        if message.text == self.text:
            self.show(message.text, message.matches)
            if self.jump_when_found:
                self.action_jump()

    def show(self, text: str, matches: list[search.Match]) -> None:
        self.query_one("#filter-count", Static).update(count_text(text, len(matches), self.where))
        self.shown_text = text
        self.matches = matches[:LIMIT]
        table = self.results
        table.clear(columns=True)  # columns fit the new matches, not the widest ever seen
        table.add_columns(*COLUMNS)
        self.query_one("#filter-current", Static).update("")
        for match in self.matches:
            # Text cells, not str: the table would parse each str as markup to measure it
            table.add_row(
                highlighted_name(match.name, text),
                Text(KIND_NAMES.get(match.kind, match.kind)),
                Text(match.matched),
                Text(match.parent_path, style="dim"),
                key=match.arm_id,
            )

    @on(DataTable.RowHighlighted, "#filter-results")
    def show_current(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted match's whole path (the table may be too narrow for it)."""
        row = event.cursor_row
        match = self.matches[row] if 0 <= row < len(self.matches) else None
        self.query_one("#filter-current", Static).update(full_path(match) if match else "")

    def action_move(self, step: int) -> None:
        table = self.results
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def action_jump(self) -> None:
        self.jump_when_found = self.shown_text != self.text  # the matches are not in yet
        if self.jump_when_found:
            return
        table = self.results
        if self.matches and 0 <= table.cursor_row < len(self.matches):
            self.dismiss(self.matches[table.cursor_row].arm_id)

    @on(DataTable.RowSelected, "#filter-results")
    def row_selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(str(event.row_key.value))

    def action_close(self) -> None:
        self.dismiss(None)
