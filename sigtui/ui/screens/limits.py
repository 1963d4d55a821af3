"""`l`: Azure's limits per subscription x region, fullest first (SIG-LIMIT-*).

One aggregate query (`usage.usage_rows`) in a thread worker; each row shows three gauges:
galleries (of 100), image definitions (of 1,000) and image versions (of 10,000).
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from sigtui.catalog import ids, usage
from sigtui.catalog.db import Catalog
from sigtui.ui.widgets.gauge import LIMIT_TITLES, Gauge

TITLES = LIMIT_TITLES


class LimitRow(Horizontal, can_focus=True):
    """A subscription in a region, with its three gauges."""

    def __init__(self, row: usage.UsageRow) -> None:
        super().__init__(classes="limit-row")
        self.row = row

    def compose(self) -> ComposeResult:
        yield Static(
            f"[b]{self.row.subscription}[/b]\n[dim]{self.row.region}[/dim]",
            classes="limit-place",
        )
        for gauge in self.row.gauges:
            yield Gauge(gauge.used, gauge.limit)


class LimitsScreen(Screen[str | None]):
    """Gauges of every subscription x region in use; enter goes to the subscription."""

    CSS_PATH = "../insights.tcss"
    help_title = "Limits"

    BINDINGS = [
        Binding("escape", "close", "Back", id="limits.back"),
        Binding("enter", "open", "Show subscription", id="limits.open"),
        Binding("down,j", "focus_next", "Next", show=False, id="limits.next"),
        Binding("up,k", "focus_previous", "Previous", show=False, id="limits.previous"),
    ]

    class Loaded(Message):
        def __init__(self, rows: list[usage.UsageRow]) -> None:
            super().__init__()
            self.rows = rows

    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self.catalog = catalog

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="limits-summary", classes="insight-summary")
        with Horizontal(id="limits-heading"):
            yield Static("Subscription · region", classes="limit-place")
            for limit in usage.current_limits():
                yield Static(
                    f"{TITLES.get(limit.kind, limit.noun)} (of {limit.maximum:,})\n"
                    f"[dim]{limit.code}[/dim]",
                    classes="limit-title",
                )
        yield VerticalScroll(id="limits-rows")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="limits", exit_on_error=False)
    def load(self) -> None:
        with self.catalog.read() as db:
            rows = usage.usage_rows(db)
        self.post_message(self.Loaded(rows))

    async def on_limits_screen_loaded(self, message: Loaded) -> None:
        box = self.query_one("#limits-rows", VerticalScroll)
        await box.remove_children()
        await box.mount_all(LimitRow(row) for row in message.rows)
        self.query_one("#limits-summary", Static).update(summary(message.rows))
        if message.rows:
            box.children[0].focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_open(self) -> None:
        focused = self.focused
        if isinstance(focused, LimitRow):
            self.dismiss(ids.subscription_id(focused.row.subscription_id))


def summary(rows: list[usage.UsageRow]) -> str:
    """How many subscription x region pairs, and how many are near or at a limit."""
    if not rows:
        return "No galleries in the catalog yet."
    near = sum(1 for r in rows if r.level == usage.WARNING)
    full = sum(1 for r in rows if r.level == usage.CRITICAL)
    text = f"{len(rows)} subscription x region pairs, fullest first"
    if near:
        text += f" · [$warning]{near} from 80 %[/]"
    if full:
        text += f" · [$error]{full} from 95 %[/]"
    return text
