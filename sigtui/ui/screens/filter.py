"""`f` (the palette's "Find across subscriptions"): find resources across every
subscription by name, publisher, offer, SKU or region (the source document's FAQ: list
all gallery resources across subscriptions).

Results follow the typing (the query runs in a thread worker; a newer keystroke
supersedes it); enter dismisses the screen with the chosen resource's ARM id, which the
main screen reveals in the tree.
"""

from __future__ import annotations

import re

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from sigtui.catalog.queries import search, view_as
from sigtui.catalog.rules.access import Visibility
from sigtui.catalog.store.db import Catalog
from sigtui.safe_text import visible
from sigtui.ui.screens.styled_once import StyledOnce
from sigtui.ui.text import markup, plain
from sigtui.ui.widgets.catalog_tree import KIND_NAMES
from sigtui.ui.widgets.header_footer import AppFooter, AppHeader
from sigtui.ui.widgets.match_table import MatchTable
from sigtui.ui.widgets.shown_input import ControlPictures

LIMIT = 200

COLUMNS = ("Name", "Kind", "Matched", "In")

HINT = (
    "Type part of a name, publisher, offer or SKU, or a region "
    "(West Europe, westeurope, Europe Ouest)."
)


def count_text(text: str, matches: int, where: str = "across all subscriptions") -> Content:
    """What the status line says about the matches of `text` (as typed: shown as text)."""
    if not text:
        return Content(HINT)
    if matches == 0:
        return plain(f"No resource matches {text!r}.")
    if matches > LIMIT:
        return plain(f"More than {LIMIT} resources match {text!r}: the first {LIMIT} are shown.")
    noun = "resource matches" if matches == 1 else "resources match"
    return plain(f"{matches} {noun} {text!r} {where}.")


def highlighted_name(name: str, text: str) -> Content:
    """The name in bold, `text` underlined wherever it occurs in it (ignoring case)."""
    label = plain(name).stylize("bold")
    return label.highlight_regex(re.compile(re.escape(text), re.IGNORECASE), style="underline")


def match_cells(match: search.Match, text: str) -> tuple[Content, ...]:
    """A match as the table's cells (COLUMNS)."""
    return (
        highlighted_name(match.name, text),
        plain(KIND_NAMES.get(match.kind, match.kind)),
        plain(match.matched),
        plain(match.parent_path).stylize("dim"),
    )


def full_path(match: search.Match) -> Text:
    path = Text(visible(" / ".join(match.parents) + " / "), style="dim")
    path.append(visible(match.name), style="bold")
    return path


class FilterScreen(StyledOnce, Screen[str | None]):
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
            markup("[b]Find[/b] $where: name, publisher, offer, SKU or region", where=self.where),
            id="filter-title",
        )
        yield Input(
            self.initial_text,
            placeholder="e.g. myImage, Contoso, 22_04, West Europe",
            highlighter=ControlPictures(),
            id="query",
        )
        yield Static(HINT, id="filter-count")
        yield MatchTable(COLUMNS, id="filter-results")
        yield Static("", id="filter-current")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        if self.initial_text:
            self.find(self.initial_text.strip())

    @property
    def results(self) -> MatchTable:
        return self.query_one("#filter-results", MatchTable)

    @on(Input.Changed, "#query")
    def query_changed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        if text:
            self.find(text)
        else:
            self.show(text, [])

    @work(thread=True, exclusive=True, group="filter")
    def find(self, text: str) -> None:
        matches = self.catalog.query(view_as.visible_matches, text, LIMIT + 1, self.viewer)
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
        self.query_one("#filter-current", Static).update("")
        self.results.show([match_cells(match, text) for match in self.matches])

    @on(MatchTable.Highlighted, "#filter-results")
    def show_current(self, event: MatchTable.Highlighted) -> None:
        """The highlighted match's whole path (the table may be too narrow for it)."""
        row = event.index
        match = self.matches[row] if 0 <= row < len(self.matches) else None
        self.query_one("#filter-current", Static).update(full_path(match) if match else "")

    def action_move(self, step: int) -> None:
        self.results.action_move(step)

    def action_jump(self) -> None:
        self.jump_when_found = self.shown_text != self.text  # the matches are not in yet
        if self.jump_when_found:
            return
        cursor = self.results.cursor
        if self.matches and 0 <= cursor < len(self.matches):
            self.dismiss(self.matches[cursor].arm_id)

    @on(MatchTable.Selected, "#filter-results")
    def row_selected(self, event: MatchTable.Selected) -> None:
        if 0 <= event.index < len(self.matches):
            self.dismiss(self.matches[event.index].arm_id)

    def action_close(self) -> None:
        self.dismiss(None)
