"""`l`: Azure's limits per subscription x region, fullest first (SIG-LIMIT-*).

One aggregate query (`usage.usage_rows`) in a thread worker; each row shows three gauges:
galleries (of 100), image definitions (of 1,000) and image versions (of 10,000), all rows
drawn by one widget (`LimitTable`).
"""

from __future__ import annotations

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.widget import Widget
from textual.widgets import Static

from sigtui.catalog.model import ids
from sigtui.catalog.queries import usage
from sigtui.catalog.queries.usage import CRITICAL, OK, WARNING, level_of
from sigtui.catalog.rules.access import Visibility
from sigtui.catalog.rules.limits import Limit
from sigtui.catalog.store.db import Catalog
from sigtui.safe_text import counted
from sigtui.ui.screens.styled_once import StyledOnce
from sigtui.ui.text import plain
from sigtui.ui.widgets.gauge import LIMIT_TITLES, gauge_content
from sigtui.ui.widgets.header_footer import AppFooter, AppHeader
from sigtui.ui.widgets.row_cursor import RowCursorView, cursor_bindings

TITLES = LIMIT_TITLES
LEVEL_COMPONENTS = {
    OK: "limit-row--ok",
    WARNING: "limit-row--warning",
    CRITICAL: "limit-row--critical",
}
PLACE_WIDTH = 30  # the subscription and region column, at most
PLACE_TITLES = ("Subscription", "Region")  # over the two lines of a row
GAUGE_GAP = 2


def place_width(rows: list[usage.UsageRow]) -> int:
    """The subscription and region column: its longest name, at most PLACE_WIDTH, then a
    gap."""
    names = [*PLACE_TITLES, *(r.subscription for r in rows), *(r.region for r in rows)]
    return min(PLACE_WIDTH, max(len(name) for name in names)) + GAUGE_GAP


def column_widths(width: int, count: int, place: int = PLACE_WIDTH) -> list[int]:
    """The widths of `count` equal columns after the place column, to the cell."""
    total = max(0, width - place)
    return [(i + 1) * total // count - i * total // count for i in range(count)]


def heading_lines(limit: Limit, width: int) -> tuple[str, str]:
    """A column's title and rule code in `width` cells (less the gap), never cut inside
    a word: `Definitions (of 1,000)` over `SIG-LIMIT-DEFINITIONS`, else `Definitions`
    over `of 1,000`."""
    room = width - GAUGE_GAP
    title = TITLES.get(limit.kind, limit.noun)
    full = (f"{title} (of {limit.maximum:,})", limit.code)
    if all(len(line) <= room for line in full):
        return full
    return title, f"of {limit.maximum:,}"


class LimitHeading(Widget):
    """The columns' titles and rule codes, on the same grid as the rows."""

    COMPONENT_CLASSES = {"limit-heading--code"}

    place = reactive(PLACE_WIDTH)  # the place column's width, as the rows have it

    def render(self) -> Content:
        code = self.get_visual_style("limit-heading--code", partial=True)
        limits = usage.current_limits()
        # each title styled apart from the spaces after it: drawn as a piece of its own,
        # it starts at its column's cell in any picture of the screen too
        titles = [_cell(Content(PLACE_TITLES[0]).stylize("bold"), self.place)]
        codes = [_cell(Content(PLACE_TITLES[1]).stylize(code), self.place)]
        widths = column_widths(self.size.width, len(limits), self.place)
        for limit, width in zip(limits, widths, strict=True):
            title, second = heading_lines(limit, width)
            titles.append(_cell(Content(title).stylize("bold"), width))
            codes.append(_cell(Content(second).stylize(code), width))
        return Content("\n").join([Content.assemble(*titles), Content.assemble(*codes)])


def _cell(content: Content, width: int) -> Content:
    return content.truncate(width, pad=True, ellipsis=True)


ROW_HEIGHT = 2  # the place and its gauges, then the region
ROW_PADDING = 1  # cells left and right of a row, as the heading's padding


class LimitTable(RowCursorView):
    """Every subscription x region, two lines each: the place and its three gauges, then
    the region. One widget with its own cursor, drawing only the lines in view: thirty
    row widgets took longer to style than the query took to run (issue #8)."""

    COMPONENT_CLASSES = {
        "limit-row--place",
        "limit-row--region",
        "limit-row--empty",
        "limit-row--cursor",
        "limit-row--cursor-region",
        *LEVEL_COMPONENTS.values(),
    }

    BINDINGS = cursor_bindings("limits")

    place = PLACE_WIDTH  # the place column's width (`place_width` of the rows)
    most: list[int] = [0, 0, 0]  # the most used of each limit: its gauges line up

    def show(self, rows: list[usage.UsageRow]) -> None:
        self.rows = rows
        self.place = place_width(rows)
        self.most = [max((row.gauges[i].used for row in rows), default=0) for i in range(3)]
        self.cursor = 0
        self.virtual_size = Size(0, len(rows) * ROW_HEIGHT)
        self.refresh()

    @property
    def current(self) -> usage.UsageRow | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def watch_cursor(self) -> None:
        self.scroll_to_region(Region(0, self.cursor * ROW_HEIGHT, 1, ROW_HEIGHT), animate=False)
        self.refresh()

    @property
    def rows_per_page(self) -> int:
        return max(1, self.scrollable_content_region.height // ROW_HEIGHT)

    def on_click(self, event: events.Click) -> None:
        self.cursor = (event.y + self.scroll_offset.y) // ROW_HEIGHT

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        index, line = divmod(self.scroll_offset.y + y, ROW_HEIGHT)
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        at_cursor = index == self.cursor
        content = self._row_line(self.rows[index], line, width - 2 * ROW_PADDING, at_cursor)
        if at_cursor:
            content = content.stylize_before(self._style("limit-row--cursor"))
        segments = content.render_segments(self.visual_style)
        return Strip(segments).crop_extend(0, width, self.rich_style)

    def _style(self, component: str) -> VisualStyle:
        return self.get_visual_style(component, partial=True)

    def _bar_style(self, component: str) -> VisualStyle:
        """A bar's cells: an opaque background, which a partial style drops."""
        return self.get_visual_style(component)

    def _row_line(self, row: usage.UsageRow, line: int, width: int, at_cursor: bool) -> Content:
        """A row's first line (the place and its gauges) or second (the region),
        `width` cells wide between the row's padding."""
        pad = " " * ROW_PADDING
        if line == 1:
            style = "limit-row--cursor-region" if at_cursor else "limit-row--region"
            region = plain(row.region).stylize(self._style(style))
            return Content.assemble(pad, region.truncate(width, pad=True), pad)
        empty = self._bar_style("limit-row--empty")
        place = plain(row.subscription).truncate(self.place, pad=True, ellipsis=True)
        parts: list[str | Content] = [pad, place.stylize(self._style("limit-row--place"))]
        widths = column_widths(width, len(row.gauges), self.place)
        for gauge, gauge_width, most in zip(row.gauges, widths, self.most, strict=True):
            bar = self._bar_style(LEVEL_COMPONENTS[level_of(gauge.used, gauge.limit)])
            room = gauge_width - GAUGE_GAP
            parts += [gauge_content(gauge.used, gauge.limit, room, bar, empty, most)]
            parts += [" " * GAUGE_GAP]
        return Content.assemble(*parts).truncate(width + ROW_PADDING, pad=True) + pad


class LimitsScreen(StyledOnce, Screen[str | None]):
    """Gauges of every subscription x region in use; enter goes to the subscription."""

    help_title = "Limits"

    BINDINGS = [
        Binding("escape", "close", "Back", id="limits.back"),
        Binding("enter", "open", "Show subscription", id="limits.open"),
    ]

    class Loaded(Message):
        def __init__(self, rows: list[usage.UsageRow]) -> None:
            super().__init__()
            self.rows = rows

    def __init__(self, catalog: Catalog, viewer: Visibility | None = None) -> None:
        super().__init__()
        self.catalog = catalog
        self.viewer = viewer  # "view as": only what the principal sees counts

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static("Loading…", id="limits-summary", classes="insight-summary")
        yield LimitHeading(id="limits-heading")
        yield LimitTable(id="limits-rows")
        yield AppFooter()

    @property
    def table(self) -> LimitTable:
        return self.query_one(LimitTable)

    def on_mount(self) -> None:
        self.table.focus()
        self.load()

    @work(thread=True, exclusive=True, group="limits")
    def load(self) -> None:
        rows = self.catalog.query(usage.usage_rows, viewer=self.viewer)
        self.post_message(self.Loaded(rows))

    def on_limits_screen_loaded(self, message: Loaded) -> None:
        self.table.show(message.rows)
        self.query_one(LimitHeading).place = self.table.place
        self.query_one("#limits-summary", Static).update(summary(message.rows))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_open(self) -> None:
        row = self.table.current
        if row is not None:
            self.dismiss(ids.subscription_id(row.subscription_id))


def summary(rows: list[usage.UsageRow]) -> str:
    """How many subscription x region pairs, and how many are near or at a limit."""
    if not rows:
        return "No galleries in the catalog yet."
    near = sum(1 for r in rows if r.level == usage.WARNING)
    full = sum(1 for r in rows if r.level == usage.CRITICAL)
    text = f"{counted(len(rows), 'subscription x region pair')}, fullest first"
    if near:
        text += f" · [$text-warning]{near} from 80 %[/]"
    if full:
        text += f" · [$text-error]{full} from 95 %[/]"
    return text
