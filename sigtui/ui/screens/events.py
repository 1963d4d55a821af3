"""`h`: the catalog's history, newest first: who created, changed or deleted what, and
when, with the replication of every region (started, completed, failed); live.

The list is `events.recent_events` (the events the writes recorded, and the replication
events computed from the regions' schedules) in a thread worker, read again when the
catalog changes and every few seconds as replication moves. Typing filters it: every word
must be in the event's actor, action, kind, resource or summary. Enter shows the resource
in the tree.
"""

from __future__ import annotations

from datetime import datetime

from rich.console import RenderableType
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static
from textual.worker import get_current_worker

from sigtui.catalog.queries import events
from sigtui.catalog.rules.access import Visibility
from sigtui.catalog.store.db import Catalog
from sigtui.ui.messages import CatalogChanged
from sigtui.ui.screens.replication import clock_text
from sigtui.ui.screens.styled_once import StyledOnce
from sigtui.ui.text import ShortId, markup
from sigtui.ui.widgets.data_table import MeasuredDataTable, cell
from sigtui.ui.widgets.header_footer import AppFooter, AppHeader

REFRESH_SECONDS = 2.0  # replication events move with time, not only with writes
COLUMNS = (("when", "When (UTC)"), ("who", "Who"), ("what", "What"), ("resource", "Resource"),
           ("summary", "Summary"))  # fmt: skip
ACTION_STYLES = {
    "create": "green",
    "update": "yellow",
    "delete": "red",
    "bulk update": "yellow",
    "bulk delete": "red",
    "started": "cyan",
    "completed": "green",
    "failed": "bold red",
}


def resource_name(arm_id: str | None) -> str:
    """A resource's names under its provider (gallery/definition/version), or its id's last
    segment (a subscription, a tenant)."""
    if not arm_id:
        return ""
    _, provider, rest = arm_id.partition("/providers/")
    if provider:
        return "/".join(rest.split("/")[2::2])
    return arm_id.rstrip("/").rsplit("/", 1)[-1]


def what_text(event: events.Event) -> str:
    """ "create gallery", "bulk update image version", "replication started"."""
    if event.kind == events.REGION_KIND:
        return f"{event.kind} {event.action}"
    return f"{event.action} {event.kind}"


def event_cells(event: events.Event, now: datetime) -> tuple[RenderableType, ...]:
    """The table fits the cells to its width: the summary cut after a whole word, the
    resource shortened in the middle (its version's name kept)."""
    return (
        clock_text(event.at, now),
        cell(event.actor, style="dim" if event.actor == events.REPLICATION_ACTOR else ""),
        cell(what_text(event), style=ACTION_STYLES.get(event.action, "")),
        ShortId(resource_name(event.arm_id), style="bold"),
        cell(event.summary),
    )


class EventsScreen(StyledOnce, Screen[str | None]):
    """Recent events, live, filtered as you type; enter shows the event's resource."""

    help_title = "Events"

    BINDINGS = [
        Binding("escape", "close", "Back", id="events.back"),
        Binding("enter", "open", "Show in tree", priority=True, id="events.open"),
        Binding("down", "move(1)", "Next", show=False, id="events.next"),
        Binding("up", "move(-1)", "Previous", show=False, id="events.previous"),
    ]

    class Loaded(Message):
        def __init__(self, found: list[events.Event], now: datetime) -> None:
            super().__init__()
            self.found = found
            self.now = now

    def __init__(self, catalog: Catalog, viewer: Visibility | None = None) -> None:
        super().__init__()
        self.catalog = catalog
        self.viewer = viewer  # "view as": replication only of the versions it sees
        self.found: list[events.Event] = []
        self.shown: list[events.Event] = []
        self.now = catalog.clock.now()
        self.refreshing = False

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static("Loading…", id="events-status")
        yield Input(placeholder="Type to filter: who, what, resource, region…", id="events-filter")
        yield MeasuredDataTable(id="events-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="events-selected")
        yield Static("", id="events-id")
        yield AppFooter()

    def on_mount(self) -> None:
        table = self.table
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        self.query_one("#events-filter", Input).focus()
        self.load()
        self.set_interval(REFRESH_SECONDS, self.tick)

    @property
    def table(self) -> DataTable[RenderableType]:
        return self.query_one("#events-table", DataTable)

    # --- loading -------------------------------------------------------------------------

    def on_catalog_changed(self, _message: CatalogChanged) -> None:
        self.load()

    def tick(self) -> None:
        if not self.refreshing:
            self.load()

    def load(self) -> None:
        self.refreshing = True
        self._load()

    @work(thread=True, exclusive=True, group="events")
    def _load(self) -> None:
        now = self.catalog.clock.now()
        found = self.catalog.query(events.recent_events, now, viewer=self.viewer)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(found, now))

    def on_events_screen_loaded(self, message: Loaded) -> None:
        self.refreshing = False
        self.found, self.now = message.found, message.now
        self.fill()

    # --- showing -------------------------------------------------------------------------

    def words(self) -> list[str]:
        return self.query_one("#events-filter", Input).value.casefold().split()

    @on(Input.Changed, "#events-filter")
    def fill(self) -> None:
        """The events that match the filter; the cursor stays on its event."""
        table = self.table
        selected = self.selected()
        words = self.words()
        self.shown = [event for event in self.found if event.matches(words)]
        table.clear()
        for index, event in enumerate(self.shown):
            table.add_row(*event_cells(event, self.now), key=str(index))
        if selected in self.shown:
            table.move_cursor(row=self.shown.index(selected), animate=False)
        self.update_status(words)
        self.show_selected()

    def update_status(self, words: list[str]) -> None:
        parts = ["[b]Events[/b]", "newest first"]
        if self.viewer:
            parts.append("what $principal sees")
        if words:
            parts.append(f"{len(self.shown)} of {len(self.found)} match")
        parts += ["live", "[dim]type to filter[/dim]"]
        principal = self.viewer.principal if self.viewer else ""
        self.query_one("#events-status", Static).update(
            markup(" · ".join(parts), principal=principal)
        )

    def selected(self) -> events.Event | None:
        row = self.table.cursor_row
        return self.shown[row] if 0 <= row < len(self.shown) else None

    @on(DataTable.RowHighlighted, "#events-table")
    def show_selected(self) -> None:
        event = self.selected()
        pane = self.query_one("#events-selected", Static)
        if event is None:
            pane.update("No events match." if self.found else "No events yet.")
            self.query_one("#events-id", Static).update("")
            return
        text = markup(
            "[b]$actor[/b] · $what · $when UTC\n$summary",
            actor=event.actor,
            what=what_text(event),
            when=f"{event.at:%Y-%m-%d %H:%M:%S}",
            summary=event.summary,
        )
        pane.update(text)
        self.query_one("#events-id", Static).update(ShortId(event.arm_id or "", style="dim"))

    # --- keys ----------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        table = self.table
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def action_open(self) -> None:
        event = self.selected()
        if event is not None and event.arm_id:
            self.dismiss(event.arm_id)

    @on(DataTable.RowSelected, "#events-table")
    def row_selected(self) -> None:
        self.action_open()

    def action_close(self) -> None:
        filter_input = self.query_one("#events-filter", Input)
        if filter_input.value:
            filter_input.value = ""  # esc clears the filter first
            return
        self.dismiss(None)
