"""`?`: every binding of the screen underneath, with its id (for remapping keys)."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from sigtui.ui.settings import settings_path
from sigtui.ui.text import markup, plain


def bindings_table(screen: Screen[object]) -> Table:
    table = Table(expand=True, box=None, padding=(0, 2), show_edge=False)
    table.add_column("Key", style="bold", no_wrap=True)
    table.add_column("Action")
    table.add_column("Binding id", style="dim", no_wrap=True)
    seen: set[tuple[str, str]] = set()
    # sigtui's own bindings (they have ids) first, then the widgets' standard keys
    ordered = sorted(screen.active_bindings.items(), key=lambda item: item[1].binding.id is None)
    for key, active in ordered:
        binding = active.binding
        if not binding.description or (key, binding.description) in seen:
            continue
        seen.add((key, binding.description))
        display = screen.app.get_key_display(binding)
        state = "" if active.enabled else " (not available here)"
        table.add_row(display, binding.description + state, binding.id or "")
    return table


class HelpScreen(ModalScreen[None]):
    """Lists every binding of the screen it was opened from."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, under: Screen[object], title: str) -> None:
        super().__init__()
        self.under = under
        self.help_title = title

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(markup("[b]Keys: $title[/b]", title=self.help_title), id="help-title")
            yield Static(bindings_table(self.under), id="help-bindings")
            note = getattr(self.under, "help_note", "")
            if note:
                yield Static(plain(note, newlines=True), id="help-note", markup=False)
            yield Static(
                markup(
                    "ctrl+p opens the command palette: every action, and jump to any resource "
                    'by name.\nRemap a key: add its binding id to "keymap" in '
                    '$path, e.g. {"keymap": {"main.new": "insert"}}.',
                    path=settings_path(),
                ),
                id="help-footer",
            )

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
