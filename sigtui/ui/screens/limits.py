"""`l`: Azure's limits per subscription x region, fullest first (SIG-LIMIT-*).

One aggregate query (`usage.usage_rows`) in a thread worker; each row shows three gauges:
galleries (of 100), image definitions (of 1,000) and image versions (of 10,000).
"""

from __future__ import annotations

from functools import partial

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, Static

from sigtui.catalog import ids, usage
from sigtui.catalog.db import Catalog
from sigtui.catalog.usage import CRITICAL, OK, WARNING, level_of
from sigtui.ui.widgets.gauge import LIMIT_TITLES, gauge_content

TITLES = LIMIT_TITLES
LEVEL_COMPONENTS = {
    OK: "limit-row--ok",
    WARNING: "limit-row--warning",
    CRITICAL: "limit-row--critical",
}
PLACE_WIDTH = 30  # the subscription and region column
GAUGE_GAP = 2


def column_widths(width: int, count: int) -> list[int]:
    """The widths of `count` equal columns after the place column, to the cell."""
    total = max(0, width - PLACE_WIDTH)
    return [(i + 1) * total // count - i * total // count for i in range(count)]


class LimitHeading(Widget):
    """The columns' titles and rule codes, on the same grid as the rows."""

    COMPONENT_CLASSES = {"limit-heading--code"}

    def render(self) -> Content:
        code = self.get_visual_style("limit-heading--code", partial=True)
        limits = usage.current_limits()
        titles = [Content("Subscription · region").truncate(PLACE_WIDTH, pad=True)]
        codes = [Content(" " * PLACE_WIDTH)]
        for limit, width in zip(limits, column_widths(self.size.width, len(limits)), strict=True):
            title = f"{TITLES.get(limit.kind, limit.noun)} (of {limit.maximum:,})"
            titles.append(Content(title).truncate(width, pad=True))
            codes.append(Content(limit.code).truncate(width, pad=True).stylize(code))
        return Content("\n").join([Content.assemble(*titles), Content.assemble(*codes)])


class LimitRow(Widget, can_focus=True):
    """A subscription in a region, with its three gauges: one widget drawn in one go,
    so that a screen of many rows mounts quickly (issue #8)."""

    COMPONENT_CLASSES = {
        "limit-row--place",
        "limit-row--region",
        "limit-row--empty",
        *LEVEL_COMPONENTS.values(),
    }

    def __init__(self, row: usage.UsageRow) -> None:
        super().__init__(classes="limit-row")
        self.row = row

    def render(self) -> Content:
        style = partial(self.get_visual_style, partial=True)
        empty = style("limit-row--empty")
        gauges = self.row.gauges
        place = Content(self.row.subscription).truncate(PLACE_WIDTH, pad=True)
        first = [place.stylize(style("limit-row--place"))]
        for gauge, width in zip(gauges, column_widths(self.size.width, len(gauges)), strict=True):
            bar = style(LEVEL_COMPONENTS[level_of(gauge.used, gauge.limit)])
            drawn = gauge_content(gauge.used, gauge.limit, width - GAUGE_GAP, bar, empty)
            first += [drawn, " " * GAUGE_GAP]
        region = Content(self.row.region).stylize(style("limit-row--region"))
        return Content("\n").join([Content.assemble(*first), region])


class LimitsScreen(Screen[str | None]):
    """Gauges of every subscription x region in use; enter goes to the subscription."""

    CSS_PATH = "../insights.tcss"
    help_title = "Limits"

    BINDINGS = [
        Binding("escape", "close", "Back", id="limits.back"),
        Binding("enter", "open", "Show subscription", id="limits.open"),
        Binding("down,j", "app.focus_next", "Next", show=False, id="limits.next"),
        Binding("up,k", "app.focus_previous", "Previous", show=False, id="limits.previous"),
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
        yield LimitHeading(id="limits-heading")
        yield Vertical(id="limits-rows")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="limits", exit_on_error=False)
    def load(self) -> None:
        with self.catalog.read() as db:
            rows = usage.usage_rows(db)
        self.post_message(self.Loaded(rows))

    async def on_limits_screen_loaded(self, message: Loaded) -> None:
        box = self.query_one("#limits-rows", Vertical)
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
