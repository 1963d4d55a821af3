"""`r`: every version x region in flight, failed or unknown, live; recently completed below.

At Azure's limits tens of thousands of regions are in flight or completed within the day:
each list shows its first `ROWS_SHOWN` rows (the heading says how many there
are), and a refresh starts only when the one before it has finished."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Label, Select, Static
from textual.worker import get_current_worker

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.queries import fetch
from sigtui.catalog.queries.browse import eta_text
from sigtui.catalog.replication import schedule
from sigtui.catalog.rules.access import Visibility
from sigtui.catalog.rules.regions import get_region
from sigtui.catalog.store.db import Catalog
from sigtui.safe_text import visible
from sigtui.ui.text import markup, plain
from sigtui.ui.widgets.data_table import MeasuredDataTable, cell
from sigtui.ui.widgets.header_footer import AppFooter, AppHeader

REFRESH_SECONDS = 1.0
ROWS_SHOWN = 200  # of each list
BAR_WIDTH = 12
STATE_FILTERS = ("Replicating", "Failed", "Unknown")
STATE_STYLES = {"Failed": "bold red", "Completed": "green", "Unknown": "dim", "Replicating": "cyan"}
COLUMNS = ("Version", "Region", "State", "Progress", "ETA", "Details")
ACTIVE_HEADING = "[b]In flight, failed or unknown[/b]"
DONE_HEADING = "[b]Recently completed[/b] (last 24 hours)"


def shown_of(shown: int, total: int) -> str:
    """What a heading adds when its list shows only the first rows."""
    return f": the first {shown:,} of {total:,}" if shown < total else ""


def progress_bar(progress: int, state: str) -> Text:
    filled = round(BAR_WIDTH * progress / 100)
    style = STATE_STYLES.get(state, "")
    bar = Text("█" * filled, style=style)
    bar.append("░" * (BAR_WIDTH - filled), style="dim")
    bar.append(f" {progress:>3}%")
    return bar


def row_key(item: schedule.Activity) -> str:
    return f"{item.version_id}|{item.region}"


def version_label(item: schedule.Activity) -> str:
    return f"{item.gallery}/{item.definition} {item.version}"


class ReplicationScreen(Screen[str | None]):
    """Live replication: refreshes every second in a worker, never blocking input."""

    CSS_PATH = "../replication.tcss"

    BINDINGS = [
        Binding("escape", "close", "Back", id="replication.back"),
        Binding("enter", "open_version", "Show version", id="replication.open"),
        Binding("t", "retry", "Retry failed", id="replication.retry"),
        Binding("x", "inject_fault", "Inject fault", id="replication.fail"),
        Binding("f", "focus_filters", "Filters", id="replication.filters"),
    ]

    class Loaded(Message):
        def __init__(self, board: schedule.Board, now: datetime) -> None:
            super().__init__()
            self.board = board
            self.now = now

    def __init__(self, catalog: Catalog, viewer: Visibility | None = None) -> None:
        super().__init__()
        self.catalog = catalog
        self.viewer = viewer  # "view as": only what the principal sees
        self.items: dict[str, schedule.Activity] = {}
        self.refreshing = False  # a refresh is running: the next tick waits for it
        self.wrote = False  # a region retried or failed: the main screen shows it on return

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with Horizontal(id="replication-filters"):
            yield Label("Subscription")
            yield Select[str]([], prompt="All subscriptions", id="subscription-filter")
            yield Label("State")
            yield Select[str](
                [(s, s) for s in STATE_FILTERS], prompt="All states", id="state-filter"
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
        for table in self.query(DataTable):
            for column in COLUMNS:
                table.add_column(column, key=column)
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
            self.load()

    def load(self) -> None:
        subscription, states = self._filters()
        self.refreshing = True
        self._load(subscription, states)

    @work(thread=True, exclusive=True, group="replication")
    def _load(self, subscription: str | None, states: list[str] | None) -> None:
        try:
            now = self.catalog.clock.now()
            board = self.catalog.query(
                schedule.board,
                now,
                subscription=subscription,
                states=states,
                limit=ROWS_SHOWN,
                viewer=self.viewer,
            )
            if not get_current_worker().is_cancelled:  # filters changed meanwhile
                self.post_message(self.Loaded(board, now))
        finally:
            self.refreshing = False

    def on_replication_screen_loaded(self, message: Loaded) -> None:
        board = message.board
        self.items = {row_key(i): i for i in (*board.active, *board.completed)}
        self._fill(self.query_one("#in-flight", DataTable), board.active, message.now)
        self._fill(self.query_one("#completed", DataTable), board.completed, message.now)
        active_total = board.total(*STATE_FILTERS)
        heading = self.query_one("#in-flight-heading", Static)
        heading.update(ACTIVE_HEADING + shown_of(len(board.active), active_total))
        heading = self.query_one("#completed-heading", Static)
        heading.update(DONE_HEADING + shown_of(len(board.completed), board.total("Completed")))
        summary = " · ".join(f"{board.total(s):,} {s.lower()}" for s in STATE_FILTERS)
        self.query_one("#replication-summary", Static).update(summary)
        self._describe(self.selected())

    def _fill(
        self, table: DataTable[str | Text], items: list[schedule.Activity], now: datetime
    ) -> None:
        cursor = table.cursor_row
        table.clear()
        for item in items:
            table.add_row(
                version_label(item),
                get_region(item.region).display_name,
                cell(item.state, style=STATE_STYLES.get(item.state, "")),
                progress_bar(item.progress, item.state),
                eta_text(item.eta, now),
                item.details,
                key=row_key(item),
            )
        if items:
            table.move_cursor(row=min(cursor, len(items) - 1))

    @on(DataTable.RowHighlighted)
    def show_selected(self) -> None:
        self._describe(self.selected())

    def _describe(self, item: schedule.Activity | None) -> None:
        text = Content("")
        if item is not None:
            text = markup(
                "[b]$version[/b] → $region: $state",
                version=version_label(item),
                region=get_region(item.region).display_name,
                state=item.state,
            )
            if item.details:
                text += plain(f"\n{visible(item.details)}")
        self.query_one("#replication-selected", Static).update(text)

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
