"""`?`: every binding of the screen underneath, with its id (for remapping keys): sigtui's
own keys first, then Textual's standard ones. Two more pages ship what an installed copy
has no other document for: the rule codes (`r`) and where the price sheet's figures come
from (`p`)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Static

from sigtui.catalog.model.rule_codes import rule_lines
from sigtui.catalog.queries.costs.sheet import CERTAINTIES, PriceSheet
from sigtui.catalog.queries.costs.sheet_json import builtin_sheet
from sigtui.safe_text import visible
from sigtui.ui.screens.modal import Modal
from sigtui.ui.settings import settings_path
from sigtui.ui.text import markup, plain
from sigtui.ui.widgets.drawn_once import DrawnOnce

PAGES = {"keys": "Keys", "rules": "Rule codes", "prices": "Price sheet"}
PAGE_KEYS = {"keys": "k", "rules": "r", "prices": "p"}


Row = tuple[str, str, str]  # key, action, binding id
Rows = tuple[tuple[Row, ...], tuple[Row, ...]]


def binding_rows(screen: Screen[object]) -> Rows:
    """sigtui's bindings (those with an id), then Textual's standard keys."""
    own: list[Row] = []
    standard: list[Row] = []
    seen: set[tuple[str, str]] = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or (key, binding.description) in seen:
            continue
        seen.add((key, binding.description))
        state = "" if active.enabled else " (not available here)"
        row = (screen.app.get_key_display(binding), binding.description + state, binding.id or "")
        (own if binding.id else standard).append(row)
    return tuple(own), tuple(standard)


def bindings_table(rows: Rows) -> Table:
    own, standard = rows
    table = Table(expand=True, box=None, padding=(0, 2), show_edge=False)
    table.add_column("Key", style="bold", no_wrap=True)
    table.add_column("Action", ratio=1)
    table.add_column("Binding id", style="dim", no_wrap=True)
    for row in own:
        table.add_row(*row)
    if standard:
        table.add_row("", "", "")
        table.add_row("", Text("Standard keys (Textual)", style="bold italic"), "")
        for row in standard:
            table.add_row(*row)
    return table


def rules_table() -> Table:
    table = Table(expand=True, box=None, padding=(0, 2), show_edge=False)
    table.add_column("Code", style="bold", no_wrap=True)
    table.add_column("Meaning", ratio=1)
    for code, meaning in rule_lines():
        table.add_row(code, meaning)
    return table


def provenance_text(sheet: PriceSheet) -> Text:
    """Where the sheet and each group of its figures come from, and how sure they are."""
    text = Text()
    text.append("Sheet: ", style="bold")
    text.append(visible(f"{sheet.origin} · {sheet.currency} · {sheet.date}"))
    text.append(f" · default basis {visible(sheet.default_basis)}\n", style="")
    text.append(visible(sheet.source, newlines=True) + "\n", style="italic")
    groups = Counter((f.certainty, f.date, f.source) for f in sheet.figures())
    order = {certainty: i for i, certainty in enumerate(CERTAINTIES)}
    text.append("\nFigures\n", style="bold")
    for (certainty, date, source), count in sorted(
        groups.items(), key=lambda item: (order.get(item[0][0], len(order)), item[0])
    ):
        text.append(f"{count} {visible(certainty)}", style="bold")
        text.append(visible(f" ({date}): {source}") + "\n")
    if sheet.notes:
        text.append("\nNotes\n", style="bold")
        for note in sheet.notes:
            text.append(f"• {visible(note, newlines=True)}\n")
    return text


class HelpScreen(Modal[None]):
    """The keys of the screen it was opened from; the rule codes; the price sheet."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
        Binding("k", "page('keys')", "Keys", id="help.keys"),
        Binding("r", "page('rules')", "Rule codes", id="help.rules"),
        Binding("p", "page('prices')", "Price sheet", id="help.prices"),
    ]

    page: reactive[str] = reactive("keys", init=False)

    def __init__(self, under: Screen[object], title: str) -> None:
        super().__init__()
        self.under = under
        self.help_title = title

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box", classes="dialog"):
            yield Static(self._pages_line(), id="help-pages")
            yield Static(
                markup("[b]Keys: $title[/b]", title=self.help_title),
                id="help-title",
                classes="help-keys",
            )
            rows = binding_rows(self.under)
            yield Static(
                DrawnOnce(lambda: bindings_table(rows), key=("keys", rows)),
                id="help-bindings",
                classes="help-keys",
            )
            note = getattr(self.under, "help_note", "")
            if note:
                yield Static(plain(note, newlines=True), id="help-note", classes="help-keys")
            yield Static(
                markup(
                    "ctrl+p opens the command palette: every action, and jump to any resource "
                    'by name.\nRemap a key: add its binding id to "keymap" in '
                    '$path, e.g. {"keymap": {"main.new": "insert"}}.',
                    path=settings_path(),
                ),
                id="help-footer",
                classes="help-keys",
            )
            yield Static(DrawnOnce(rules_table, key="rules"), id="help-rules", classes="help-rules")
            yield Static("", id="help-prices", classes="help-prices")

    def on_mount(self) -> None:
        self._show_page()

    def watch_page(self) -> None:
        self._show_page()

    def action_page(self, page: str) -> None:
        self.page = page

    def _show_page(self) -> None:
        if self.page == "prices":
            self.query_one("#help-prices", Static).update(provenance_text(self._sheet()))
        for name in PAGES:
            for widget in self.query(f".help-{name}"):
                widget.display = name == self.page
        self.query_one("#help-pages", Static).update(self._pages_line())
        self.query_one("#help-box").scroll_home(animate=False)

    def _pages_line(self) -> Content:
        parts = []
        for name, title in PAGES.items():
            style = "reverse bold" if name == self.page else "dim"
            parts.append(Content.from_markup(f"[{style}] {PAGE_KEYS[name]} {title} [/]"))
        return Content(" ").join(parts)

    def _sheet(self) -> PriceSheet:
        from sigtui.ui.screens.costs import price_sheet  # the app's sheet (--prices FILE)

        catalog: Any = getattr(self.under, "catalog", None) or getattr(self.app, "catalog", None)
        return price_sheet(catalog) if catalog is not None else builtin_sheet()

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
