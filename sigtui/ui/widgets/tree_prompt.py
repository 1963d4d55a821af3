"""The line over the catalog tree where `/` narrows the tree as you type and `:` jumps to
a resource by name or ARM id (k9s's and vim's prompts). The main screen reads what is
typed (Input.Changed, Input.Submitted) and says what came of it (`say`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Literal

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.suggester import Suggester
from textual.widgets import Input, Static

from sigtui.catalog.queries import tree_filter
from sigtui.catalog.rules.access import Visibility
from sigtui.catalog.store.db import Catalog
from sigtui.ui.widgets.shown_input import ControlPictures

Mode = Literal["filter", "jump"]

SIGNS = {"filter": "/", "jump": ":"}
PLACEHOLDERS = {
    "filter": "filter the tree: name, publisher, offer, SKU or region",
    "jump": "go to a name or an ARM id (→ completes)",
}


class NameSuggester(Suggester):
    """Completes a typed name with the best-named resource the catalog has (read in a
    thread: the event loop never waits on the database)."""

    def __init__(self, catalog: Catalog, viewer: Callable[[], Visibility | None]) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self.catalog = catalog
        self.viewer = viewer  # the principal viewed as, when asked

    async def get_suggestion(self, value: str) -> str | None:
        if not value.strip() or value.startswith("/"):
            return None  # an ARM id: typed or pasted whole
        matches = await asyncio.to_thread(
            self.catalog.query, tree_filter.suggestions, value, self.viewer()
        )
        return next((m.name for m in matches if m.name.casefold().startswith(value)), None)


class TreePrompt(Horizontal):
    DEFAULT_CSS = """
    TreePrompt { height: 1; display: none; background: $boost; }
    TreePrompt.-open { display: block; }
    TreePrompt #prompt-sign { width: 2; padding-left: 1; color: $accent; text-style: bold; }
    TreePrompt #prompt-input { width: 1fr; }
    TreePrompt #prompt-status { width: auto; max-width: 60%; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("down", "to_tree", "To the tree", show=False, id="prompt.to_tree"),
    ]

    def __init__(self, suggester: Suggester, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.mode: Mode | None = None  # None: closed
        self.suggester = suggester  # the jump's completion

    def compose(self) -> ComposeResult:
        yield Static("", id="prompt-sign", markup=False)
        yield Input(compact=True, highlighter=ControlPictures(), id="prompt-input")
        yield Static("", id="prompt-status", markup=False)

    @property
    def input(self) -> Input:
        return self.query_one("#prompt-input", Input)

    @property
    def text(self) -> str:
        return self.input.value.strip()

    def open(self, mode: Mode, value: str = "") -> None:
        """Show the prompt in `mode`, holding `value`, with the cursor in it."""
        self.mode = mode
        self.add_class("-open")
        self.query_one("#prompt-sign", Static).update(SIGNS[mode])
        prompt = self.input
        prompt.placeholder = PLACEHOLDERS[mode]
        prompt.suggester = self.suggester if mode == "jump" else None
        with prompt.prevent(Input.Changed):
            prompt.value = value
        prompt.cursor_position = len(value)
        self.say("")
        prompt.focus()

    def close(self) -> None:
        self.mode = None
        self.remove_class("-open")
        with self.input.prevent(Input.Changed):
            self.input.value = ""
        self.say("")

    def say(self, status: str | Content) -> None:
        self.query_one("#prompt-status", Static).update(status)

    def action_to_tree(self) -> None:
        self.screen.query_one("#tree").focus()
