"""`r`: every version x region in flight, failed or unknown, live; recently completed below.

At Azure's limits tens of thousands of regions are in flight or completed within the day:
each list shows its first `ROWS_SHOWN` rows (the heading says how many there
are), and a refresh starts only when the one before it has finished.

Each region in flight shows its progress, the time left and its planned end, computed from
its schedule (DESIGN.md §3: a read never writes). The columns fit the screen's width: the
fixed ones sized to their content, the version (and on a wide screen the details) taking
what is left, shortened in the middle; the selected row's pane shows everything in full."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime

from rich.console import Group, RenderableType
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Label, Select, Static
from textual.worker import get_current_worker

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.queries import fetch
from sigtui.catalog.replication import schedule
from sigtui.catalog.rules.access import Visibility
from sigtui.catalog.rules.regions import get_region
from sigtui.catalog.store.db import Catalog
from sigtui.safe_text import ELLIPSIS, counted, visible
from sigtui.ui.screens.forms.select import FormSelect
from sigtui.ui.screens.styled_once import StyledOnce
from sigtui.ui.text import ShortId
from sigtui.ui.unavailable import explain_unavailable_key, read_only
from sigtui.ui.widgets.data_table import MeasuredDataTable, cell
from sigtui.ui.widgets.header_footer import AppFooter, AppHeader

REFRESH_SECONDS = 1.0
ROWS_SHOWN = 200  # of each list
BAR_WIDTH = 10
NARROW_BAR = 8
STATE_FILTERS = ("Replicating", "Failed", "Unknown")
STATE_STYLES = {"Failed": "bold red", "Completed": "green", "Unknown": "dim", "Replicating": "cyan"}
ACTIVE_HEADING = "[b]In flight, failed or unknown[/b]"
DONE_HEADING = "[b]Recently completed[/b] (last 24 hours)"
NONE = "—"
MIN_FLEXIBLE = 12  # a flexible column never narrower


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    flexible: bool = False  # takes the room left (its text shortened), else fits its content


VERSION = Column("version", "Version", flexible=True)
REGION = Column("region", "Region")
PROGRESS = Column("progress", "Progress")
DETAILS = Column("details", "Details", flexible=True)
COMPLETED = Column("completed", "Completed (UTC)")
TOOK = Column("took", "Took")


@dataclass(frozen=True)
class Layout:
    """What the lists show at a width: the narrower, the fewer columns (the selected
    region's pane always shows everything)."""

    active: tuple[Column, ...]
    done: tuple[Column, ...]
    gallery: bool  # the version's label starts with its gallery
    seconds: bool  # times of day to the second
    state_column: bool  # else the progress column says Failed or Unknown


NARROW = Layout(
    active=(VERSION, REGION, PROGRESS, Column("left", "Left"), Column("ends", "Ends")),
    done=(VERSION, REGION, Column("completed", "Completed"), TOOK),
    gallery=False,
    seconds=False,
    state_column=False,
)
MEDIUM = Layout(
    active=(VERSION, REGION, PROGRESS, Column("left", "Time left"), Column("ends", "Ends (UTC)")),
    done=(VERSION, REGION, COMPLETED, TOOK),
    gallery=True,
    seconds=True,
    state_column=False,
)
WIDE = Layout(
    active=(VERSION, REGION, Column("state", "State"), PROGRESS, Column("left", "Time left"),
            Column("ends", "Planned end (UTC)"), DETAILS),
    done=(VERSION, REGION, Column("replicas", "Replicas"), COMPLETED, TOOK, DETAILS),
    gallery=True,
    seconds=True,
    state_column=True,
)  # fmt: skip
LAYOUTS = ((150, WIDE), (100, MEDIUM), (0, NARROW))  # from this many columns on


def layout_for(width: int) -> Layout:
    return next(layout for least, layout in LAYOUTS if width >= least)


def shown_of(shown: int, total: int) -> str:
    """What a heading adds when its list shows only the first rows."""
    return f": the first {shown:,} of {total:,}" if shown < total else ""


def duration_text(seconds: float) -> str:
    """A duration to the second under an hour (the demo's regions move by the second)."""
    left = max(0, int(seconds))
    if left < 60:
        return f"{left}s"
    minutes, left = divmod(left, 60)
    if minutes < 60:
        return f"{minutes}m {left:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours:02d}h"


def clock_text(moment: datetime, now: datetime, seconds: bool = True) -> str:
    """A time in UTC: the time of day when it is today, else with its date."""
    moment, today = moment.astimezone(UTC), now.astimezone(UTC).date()
    if moment.date() != today:
        return f"{moment:%m-%d %H:%M}"
    return f"{moment:%H:%M:%S}" if seconds else f"{moment:%H:%M}"


def progress_bar(progress: int, state: str, width: int = BAR_WIDTH) -> Text:
    filled = round(width * progress / 100)
    bar = Text("█" * filled, style=STATE_STYLES.get(state, ""))
    bar.append("░" * (width - filled), style="dim")
    bar.append(f" {progress:>3}%")
    return bar


def progress_cell(item: schedule.Activity, layout: Layout) -> Text:
    """The bar of a region in flight; without a state column, the state of the others."""
    if layout.state_column or item.state == "Replicating":
        width = BAR_WIDTH if layout is not NARROW else NARROW_BAR
        return progress_bar(item.progress, item.state, width)
    shown = item.state + (f" at {item.progress}%" if item.state == "Failed" else "")
    return Text(shown, style=STATE_STYLES.get(item.state, ""))


def version_label(item: schedule.Activity, gallery: bool = True) -> str:
    if not gallery:
        return f"{item.definition} {item.version}"
    return f"{item.gallery}/{item.definition} {item.version}"


def fit(text: str, width: int) -> str:
    """`text` in at most `width` characters, shortened in the middle: its last word (a
    version's name) kept whole at the end when it fits."""
    if len(text) <= width:
        return text
    head, _, last = text.rpartition(" ")
    if head and len(last) + 2 <= width:
        return text[: width - len(last) - 2] + ELLIPSIS + " " + last
    return text[: max(0, width - 1)] + ELLIPSIS


def fit_words(text: str, width: int) -> str:
    """`text` in at most `width` characters, cut after its last whole word that fits."""
    if len(text) <= width:
        return text
    cut = text.rfind(" ", 0, width)
    return (text[:cut] if cut > 0 else text[: width - 1]).rstrip(" ,.;:") + ELLIPSIS


def row_key(item: schedule.Activity) -> str:
    return f"{item.version_id}|{item.region}"


def _cells(item: schedule.Activity, now: datetime, layout: Layout) -> dict[str, Text]:
    """Every column's cell for the region, by column key (each table shows its own). A
    region with no planned end (completed, failed, unknown: most rows of a refresh) shows
    the same cells all day: those are kept (`_cells_all_day`)."""
    if item.eta is None:
        return _cells_all_day(item, now.astimezone(UTC).date(), layout)
    return _cells_at(item, now, layout)


@functools.lru_cache(maxsize=4 * ROWS_SHOWN)
def _cells_all_day(item: schedule.Activity, day: date, layout: Layout) -> dict[str, Text]:
    """The cells of a region with no planned end: its times shown as of `day` (their date
    only when another day's). Shared: never changed."""
    return _cells_at(item, datetime.combine(day, datetime.min.time(), UTC), layout)


def _cells_at(item: schedule.Activity, now: datetime, layout: Layout) -> dict[str, Text]:
    eta, started, completed = item.eta, item.started_at, item.completed_at
    took = duration_text((completed - started).total_seconds()) if completed and started else ""
    texts = {
        "version": visible(version_label(item, layout.gallery)),
        "region": get_region(item.region).display_name,
        "left": duration_text((eta - now).total_seconds()) if eta else NONE,
        "ends": clock_text(eta, now, layout.seconds) if eta else NONE,
        "details": visible(item.details),
        "replicas": counted(item.replicas, "replica"),
        "completed": clock_text(completed, now, layout.seconds) if completed else NONE,
        "took": took or NONE,
    }
    cells = {key: Text(value, no_wrap=True) for key, value in texts.items()}
    cells["state"] = cell(item.state, style=STATE_STYLES.get(item.state, ""))
    cells["progress"] = progress_cell(item, layout)
    return cells


def natural_width(column: Column, *lists: list[dict[str, Text]]) -> int:
    """The width of the column's title or widest cell, whichever is wider."""
    return max([len(column.title), *(row[column.key].cell_len for rows in lists for row in rows)])


def column_widths(
    columns: tuple[Column, ...],
    rows: list[dict[str, Text]],
    room: int,
    given: dict[str, int] | None = None,
) -> dict[str, int]:
    """Fixed columns fit their content and title (or take the width `given`: the two lists
    line up); the flexible ones share what is left (`room`: the table's width less the
    cells' padding). The last flexible column, or else the last column, takes any
    surplus, so that no blank strip remains on the right."""
    given = given or {}
    widths = {
        c.key: given.get(c.key) or natural_width(c, rows)
        for c in columns
        if not c.flexible or c.key in given
    }
    flexible = [c for c in columns if c.key not in widths]
    left = room - sum(widths.values())
    for index, column in enumerate(flexible):
        rest = flexible[index + 1 :]
        wanted = sum(natural_width(other, rows) for other in rest)
        # its natural width, but at most 2/3 of the room when the others want the rest
        share = max(left * 2 // 3, left - wanted)
        width = min(natural_width(column, rows), share) if rest else left
        widths[column.key] = max(MIN_FLEXIBLE, min(width, left - len(rest) * MIN_FLEXIBLE))
        left -= widths[column.key]
    if not flexible and left > 0:
        widths[columns[-1].key] += left
    return widths


@dataclass(frozen=True)
class Reading:
    """What a board was read for: the filters, and the catalog's change serial then."""

    subscription: str | None
    states: list[str] | None
    marker: int


@dataclass(frozen=True)
class Room:
    """What the lists' drawing takes from the screen: its width (the layout), each table's
    width for its cells (less a scrollbar), and the padding of a cell."""

    width: int
    active: int
    done: int
    padding: int


@dataclass(frozen=True)
class Drawn:
    """One list as drawn: its columns and their widths, each row's key and its cells,
    fitted to the widths (in the columns' order)."""

    columns: tuple[Column, ...]
    widths: dict[str, int]
    keys: tuple[str, ...]
    cells: tuple[tuple[Text, ...], ...]

    def same_rows(self, other: Drawn) -> bool:
        """The same rows under the same columns: only cells may differ."""
        return (self.columns, self.widths, self.keys) == (other.columns, other.widths, other.keys)


@dataclass(frozen=True)
class Drawing:
    """Both lists in a room, their version and region columns lined up."""

    room: Room
    active: Drawn
    done: Drawn


def drawing(board: schedule.Board, now: datetime, room: Room) -> Drawing:
    """The board's lists as they are drawn in `room`: plain data, made off the UI thread
    by the refresh (a board's 400 rows of cells take tens of milliseconds)."""
    layout = layout_for(room.width)
    active_rows = [_cells(item, now, layout) for item in board.active]
    done_rows = [_cells(item, now, layout) for item in board.completed]
    given = {REGION.key: natural_width(REGION, active_rows, done_rows)}
    padding = 2 * room.padding
    widths = column_widths(
        layout.active, active_rows, room.active - padding * len(layout.active), given
    )
    active = _drawn(layout.active, board.active, active_rows, widths)
    if board.active:
        given[VERSION.key] = widths[VERSION.key]
    widths = column_widths(layout.done, done_rows, room.done - padding * len(layout.done), given)
    return Drawing(room, active, _drawn(layout.done, board.completed, done_rows, widths))


def _drawn(
    columns: tuple[Column, ...],
    items: list[schedule.Activity],
    rows: list[dict[str, Text]],
    widths: dict[str, int],
) -> Drawn:
    cells = tuple(tuple(_fitted(row[c.key], c, widths) for c in columns) for row in rows)
    return Drawn(columns, widths, tuple(row_key(item) for item in items), cells)


def _fitted(text: Text, column: Column, widths: dict[str, int]) -> Text:
    """A flexible column's text in its width: a version shortened in the middle (its name
    kept), the details after their last whole word."""
    if not column.flexible:
        return text
    shorten = fit_words if column is DETAILS else fit
    return Text(shorten(text.plain, widths[column.key]), style=text.style, no_wrap=True)


def drawn_as(content: str | Group) -> object:
    """What a Static showing `content` draws, to compare: its lines' text and styles."""
    if isinstance(content, str):
        return content
    return tuple(
        (line.plain, line.style, line.spans) if isinstance(line, Text) else vars(line)
        for line in content.renderables
    )


def same_text(one: Text, other: Text) -> bool:
    """Drawn alike: the same characters and styles (Rich's `==` leaves the style out)."""
    return (one.plain, one.style, one.spans) == (other.plain, other.style, other.spans)


class ReplicationScreen(StyledOnce, Screen[str | None]):
    """Live replication: refreshes every second in a worker, never blocking input."""

    BINDINGS = [
        Binding("escape", "close", "Back", id="replication.back"),
        Binding("enter", "open_version", "Show version", id="replication.open"),
        Binding("t", "retry", "Retry failed", id="replication.retry"),
        Binding("x", "inject_fault", "Inject fault", id="replication.fail"),
        Binding("f", "focus_filters", "Filters", id="replication.filters"),
    ]

    class Loaded(Message):
        def __init__(
            self, board: schedule.Board, now: datetime, drawn: Drawing, read: Reading
        ) -> None:
            super().__init__()
            self.board = board
            self.now = now
            self.drawing = drawn
            self.read = read

    def __init__(self, catalog: Catalog, viewer: Visibility | None = None) -> None:
        super().__init__()
        self.catalog = catalog
        self.viewer = viewer  # "view as": only what the principal sees
        self.items: dict[str, schedule.Activity] = {}
        self.refreshing = False  # a refresh is running: the next tick waits for it
        self.wrote = False  # a region retried or failed: the main screen shows it on return
        self.shown: ReplicationScreen.Loaded | None = None  # the last board: drawn on resize
        self.drawn: dict[str, Drawn] = {}  # what each table shows, by its id
        self.texts: dict[str, object] = {}  # what each Static shows (`drawn_as`), by selector

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with Horizontal(id="replication-filters"):
            yield Label("Subscription")
            yield FormSelect([], prompt="All subscriptions", id="subscription-filter", compact=True)
            yield Label("State")
            yield FormSelect(
                [(s, s) for s in STATE_FILTERS],
                prompt="All states",
                id="state-filter",
                compact=True,
            )
        yield Static("", id="replication-summary")
        with Vertical(id="replication-tables"):
            yield Static(ACTIVE_HEADING, id="in-flight-heading", classes="replication-heading")
            yield MeasuredDataTable(id="in-flight", cursor_type="row", zebra_stripes=True)
            yield Static(DONE_HEADING, id="completed-heading", classes="replication-heading")
            yield MeasuredDataTable(id="completed", cursor_type="row", zebra_stripes=True)
        yield Static("", id="replication-selected")
        yield AppFooter()

    def on_mount(self) -> None:
        names = self.catalog.query(fetch.subscription_names, self.viewer)
        subs = [(cell(name), name) for name in names]
        self.query_one("#subscription-filter", Select).set_options(subs)
        self.query_one("#in-flight", DataTable).focus()
        self.load()
        self.ticker = self.set_interval(REFRESH_SECONDS, self.tick)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("retry", "inject_fault") and self.catalog.readonly:
            return None
        return True

    def on_key(self, event: events.Key) -> None:
        explain_unavailable_key(self, event.key, self._why_unavailable)

    def _why_unavailable(self, action: str, label: str) -> str | None:
        writes = action in ("retry", "inject_fault")
        return read_only(label) if writes and self.catalog.readonly else None

    def _filters(self) -> tuple[str | None, list[str] | None]:
        subscription = self.query_one("#subscription-filter", Select).value
        state = self.query_one("#state-filter", Select).value
        return (
            subscription if isinstance(subscription, str) else None,
            [state] if isinstance(state, str) else None,
        )

    @on(Select.Changed)
    def filters_changed(self) -> None:
        self.load()

    def tick(self) -> None:
        if not self.refreshing:
            self.load(moved_on=True)

    def load(self, moved_on: bool = False) -> None:
        """Show the board now: (`moved_on`) the board shown moved on, when nothing but the
        progress of its regions in flight can have changed since it was read, else read
        again."""
        subscription, states = self._filters()
        self.refreshing = True
        self._load(subscription, states, self._room(), moved_on)

    @work(thread=True, exclusive=True, group="replication")
    def _load(
        self, subscription: str | None, states: list[str] | None, room: Room, moved_on: bool
    ) -> None:
        # The board shown is read here, not passed: a worker is freed only by the cycle
        # collector (Textual's Worker is in reference cycles), and with it whatever its
        # arguments hold. Passed, every refresh's board and its 400 rows of cells (about
        # 6,700 objects) waited for a full collection: 40 to 55 ms each, in the middle of
        # the user's keys.
        since = self.shown if moved_on else None
        try:
            now = self.catalog.clock.now()
            # the change serial before the read: a write after it shows at the next tick
            read = Reading(subscription, states, self.catalog.change_marker())
            board = since.board.at(now) if since and since.read == read else None
            if board is None:
                board = self.catalog.query(
                    schedule.board,
                    now,
                    subscription=subscription,
                    states=states,
                    limit=ROWS_SHOWN,
                    viewer=self.viewer,
                )
            drawn = drawing(board, now, room)
            if not get_current_worker().is_cancelled:  # filters changed meanwhile
                self.post_message(self.Loaded(board, now, drawn, read))
        finally:
            self.refreshing = False

    def on_replication_screen_loaded(self, message: Loaded) -> None:
        self.shown = message
        board = message.board
        self.items = {row_key(i): i for i in (*board.active, *board.completed)}
        self._draw(message)
        active, done = board.total(*STATE_FILTERS), board.total("Completed")
        self._update("#in-flight-heading", ACTIVE_HEADING + shown_of(len(board.active), active))
        self._update("#completed-heading", DONE_HEADING + shown_of(len(board.completed), done))
        summary = " · ".join(f"{board.total(s):,} {s.lower()}" for s in STATE_FILTERS)
        self._update("#replication-summary", summary)
        self._describe(self.selected())

    def _update(self, selector: str, content: str | Group) -> None:
        """A Static's content, unless it shows that already: an update lays the whole
        screen out again, and most refreshes change none of the headings."""
        shown = drawn_as(content)
        if self.texts.get(selector) != shown:
            self.texts[selector] = shown
            self.query_one(selector, Static).update(content)

    def on_resize(self) -> None:
        if self.shown is not None:
            self.call_after_refresh(self._draw, self.shown)

    def _room(self) -> Room:
        in_flight = self.query_one("#in-flight", DataTable)
        completed = self.query_one("#completed", DataTable)
        return Room(
            width=self.size.width,
            active=in_flight.size.width - in_flight.styles.scrollbar_size_vertical,
            done=completed.size.width - completed.styles.scrollbar_size_vertical,
            padding=in_flight.cell_padding,
        )

    def _draw(self, shown: Loaded) -> None:
        """Both lists: as the refresh drew them, or drawn again in the room they have now
        (the screen was resized meanwhile, or had no size yet)."""
        room = self._room()
        drawn = shown.drawing
        if drawn.room != room:
            drawn = drawing(shown.board, shown.now, room)
        self._show(self.query_one("#in-flight", DataTable), drawn.active)
        self._show(self.query_one("#completed", DataTable), drawn.done)

    def _show(self, table: DataTable[str | Text], drawn: Drawn) -> None:
        """A list as `drawn`. The same rows as shown (a refresh a second later, mostly):
        only the cells that changed are updated; else the table is filled anew."""
        before = self.drawn.get(str(table.id))
        self.drawn[str(table.id)] = drawn
        if before is not None and before.same_rows(drawn) and table.row_count == len(drawn.keys):
            for row, cells, shown in zip(drawn.keys, drawn.cells, before.cells, strict=True):
                for column, new, old in zip(drawn.columns, cells, shown, strict=True):
                    if not same_text(new, old):
                        table.update_cell(row, column.key, new)
            return
        cursor = table.cursor_row
        table.clear(columns=True)
        for column in drawn.columns:
            table.add_column(column.title, key=column.key, width=drawn.widths[column.key])
        for row, cells in zip(drawn.keys, drawn.cells, strict=True):
            table.add_row(*cells, key=row)
        if drawn.keys:
            table.move_cursor(row=min(cursor, len(drawn.keys) - 1))

    @on(DataTable.RowHighlighted)
    def show_selected(self) -> None:
        self._describe(self.selected())

    def _describe(self, item: schedule.Activity | None) -> None:
        shown: str | Group = ""
        if item is not None and self.shown is not None:
            listed = list(self.items.values())
            shown = selected_text(item, self.shown.now, listed)
        self._update("#replication-selected", shown)

    def selected(self) -> schedule.Activity | None:
        table = self.focused if isinstance(self.focused, DataTable) else None
        if table is None or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.items.get(str(key))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_open_version(self) -> None:
        item = self.selected()
        if item is not None:
            self.dismiss(item.version_id)

    def action_focus_filters(self) -> None:
        self.query_one("#subscription-filter", Select).focus()

    def _write(self, verb: str, item: schedule.Activity) -> None:
        now = self.catalog.clock.now()
        try:
            if verb == "retry":
                self.catalog.apply(schedule.retry, item.version_id, item.region, now)
            else:
                reason = "Injected fault (demo)."
                self.catalog.apply(schedule.fail, item.version_id, item.region, reason, now)
        except CatalogError as error:
            self.notify(visible(error), severity="error", timeout=6, markup=False)
            return
        self.wrote = True
        region = get_region(item.region).display_name
        self.notify(f"{region}: {'replicating again' if verb == 'retry' else 'failed'}.")
        self.load()

    def action_retry(self) -> None:
        item = self.selected()
        if item is not None:
            self._write("retry", item)

    def action_inject_fault(self) -> None:
        item = self.selected()
        if item is not None:
            self._write("fail", item)


def _timing(item: schedule.Activity, now: datetime) -> str:
    """When the region started, and when it ends (or ended), in full."""

    def at(moment: datetime) -> str:
        return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"

    parts = [f"started {at(item.started_at)}"] if item.started_at else []
    if item.eta is not None:
        left = duration_text((item.eta - now).total_seconds())
        parts.append(f"planned end {at(item.eta)} ({left} left)")
    if item.completed_at is not None:
        parts.append(f"completed {at(item.completed_at)}")
    return " · ".join(parts)


def sibling_lines(
    item: schedule.Activity, listed: list[schedule.Activity], now: datetime
) -> list[Text]:
    """The version's other regions the lists show, one line each: how its replication
    goes as a whole."""
    lines = []
    for other in listed:
        if other.version_id != item.version_id or other.region == item.region:
            continue
        line = Text(f"  {get_region(other.region).display_name:<22}")
        line.append(f"{other.state:<12}", style=STATE_STYLES.get(other.state, ""))
        if other.eta is not None:
            line.append_text(progress_bar(other.progress, other.state))
            line.append(f"  {duration_text((other.eta - now).total_seconds())} left")
        elif other.completed_at is not None:
            line.append(f"at {clock_text(other.completed_at, now)} UTC")
        lines.append(line)
    if lines:
        lines.insert(0, Text("Its other regions listed here", style="bold"))
    return lines


def selected_text(
    item: schedule.Activity, now: datetime, listed: list[schedule.Activity] | None = None
) -> Group:
    """The selected region in full: its version (label and ARM id), state, timing,
    replicas and storage, its details, and the version's other regions `listed`."""
    title = Text(visible(version_label(item)), style="bold")
    title.append(f" → {get_region(item.region).display_name}: ")
    title.append(item.state, style=STATE_STYLES.get(item.state, ""))
    facts = [visible(item.subscription), counted(item.replicas, "replica"), item.storage]
    lines: list[RenderableType] = [
        title,
        ShortId(item.version_id, style="dim"),
        Text(" · ".join(facts)),
        Text(_timing(item, now)),
    ]
    if item.details:
        lines.append(Text(visible(item.details, newlines=True), style="italic"))
    siblings = sibling_lines(item, listed or [], now)
    if siblings:
        lines += [Text(""), *siblings]
    return Group(*lines)
