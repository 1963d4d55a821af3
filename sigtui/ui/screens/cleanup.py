"""`x`: the cleanup list (SIG-EOL): image versions and definitions past their end of life,
what each costs per month (SIG-BILLING), and delete (asks first) from there.

The list is `cleanup.expired` (one listing query and cost rollups) in a thread worker;
a delete goes through the services with the row's etag (SIG-CONFLICT), and a refused one
(SIG-DELETE: a definition that still has versions) shows its message.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Group, RenderableType
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from sigtui.catalog import services
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.queries import browse, cleanup
from sigtui.catalog.rules.access import Visibility
from sigtui.catalog.rules.regions import find_region
from sigtui.catalog.services.version_batch import EditKind
from sigtui.catalog.store.db import Catalog
from sigtui.safe_text import visible
from sigtui.ui.screens.confirm import MessageScreen, confirm_delete
from sigtui.ui.screens.costs import money, price_sheet
from sigtui.ui.screens.styled_once import StyledOnce
from sigtui.ui.screens.version_bulk import (
    MARK_COLUMN,
    MARKED_HINT,
    BulkEditor,
    bulk_bindings,
    is_bulk,
    mark_cell,
)
from sigtui.ui.text import ShortId, markup
from sigtui.ui.unavailable import explain_unavailable_key, read_only
from sigtui.ui.widgets.data_table import MeasuredDataTable
from sigtui.ui.widgets.header_footer import AppFooter, AppHeader

COLUMNS = ("Resource", "Region", "End of life", "Days", "Per month")
DELETERS: dict[str, Callable[..., None]] = {
    browse.VERSION: services.delete_version,
    browse.DEFINITION: services.delete_definition,
}
KINDS = {browse.VERSION: "image version", browse.DEFINITION: "image definition"}


def resource_label(item: cleanup.Expired) -> str:
    if item.kind == browse.VERSION:
        return f"{item.gallery}/{item.definition} {item.name}"
    return f"{item.gallery}/{item.definition}"


def resource_cell(item: cleanup.Expired) -> Text:
    """The resource, a definition marked as such (its versions are listed apart)."""
    cell = Text(visible(resource_label(item)))
    if item.kind == browse.DEFINITION:
        cell.append(" definition", style="dim italic")
    return cell


def describe(item: cleanup.Expired | None) -> RenderableType:
    """The selected row's line: its ARM id (shortened in the middle to fit) and what
    blocks its delete (SIG-DELETE)."""
    if item is None:
        return ""
    lines: list[RenderableType] = [ShortId(f"{KINDS[item.kind]} {item.arm_id}")]
    if item.blocked_by:
        lines.append(Text(f"SIG-DELETE: {visible(item.blocked_by)}", style="yellow"))
    return Group(*lines)


def region_label(location: str) -> str:
    region = find_region(location)
    return region.display_name if region else location


class CleanupScreen(StyledOnce, Screen[str | None]):
    """Expired versions and definitions, costliest first; `d` deletes the selected one."""

    help_title = "Cleanup"

    BINDINGS = [
        Binding("escape", "close", "Back", id="cleanup.back"),
        Binding("enter", "open", "Show in tree", id="cleanup.open"),
        Binding("d", "delete", "Delete", id="cleanup.delete"),
        *bulk_bindings("cleanup", besides=frozenset({EditKind.DELETE})),  # d: action_delete
    ]

    class Loaded(Message):
        def __init__(self, found: cleanup.CleanupList) -> None:
            super().__init__()
            self.found = found

    def __init__(self, catalog: Catalog, viewer: Visibility | None = None) -> None:
        super().__init__()
        self.catalog = catalog
        self.viewer = viewer  # "view as": only what the principal sees
        self.items: dict[str, cleanup.Expired] = {}
        self.deleted = False  # anything: the main screen shows the catalog as it is now
        self.marked: dict[str, None] = {}  # ARM ids of the marked versions, in marking order
        self.bulk = BulkEditor(self, catalog, self.after_bulk)

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static("Loading…", id="cleanup-summary", classes="insight-summary")
        yield MeasuredDataTable(id="cleanup-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="cleanup-selected")
        yield Static("", id="cleanup-marked")
        yield AppFooter()

    def on_mount(self) -> None:
        table = self.query_one("#cleanup-table", DataTable)
        table.add_column(" ", key=MARK_COLUMN)
        for column in COLUMNS:
            table.add_column(column, key=column)
        table.focus()
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if (action == "delete" or is_bulk(action)) and self.catalog.readonly:
            return None
        return True

    def on_key(self, event: events.Key) -> None:
        explain_unavailable_key(self, event.key, self._why_unavailable)

    def _why_unavailable(self, action: str, label: str) -> str | None:
        writes = action == "delete" or is_bulk(action)
        return read_only(label) if writes and self.catalog.readonly else None

    @work(thread=True, exclusive=True, group="cleanup")
    def load(self) -> None:
        sheet = price_sheet(self.catalog)
        now = self.catalog.clock.now()
        found = self.catalog.query(cleanup.expired, now, sheet, viewer=self.viewer)
        self.post_message(self.Loaded(found))

    def on_cleanup_screen_loaded(self, message: Loaded) -> None:
        found = message.found
        self.items = {item.arm_id: item for item in found.items}
        self.marked = {arm_id: None for arm_id in self.marked if arm_id in self.items}
        summary = self.query_one("#cleanup-summary", Static)
        if not found.items:
            summary.update(f"Nothing is past its end of life on {found.today:%Y-%m-%d}.")
        else:
            summary.update(
                f"{len(found.items)} past {'its' if len(found.items) == 1 else 'their'} "
                f"end of life on {found.today:%Y-%m-%d} · "
                f"deleting them all saves [b]{money(found.monthly_storage, found.currency)}"
                f"[/b] per month (basis {found.basis})"
            )
        self._fill(found)

    def _fill(self, found: cleanup.CleanupList) -> None:
        table = self.query_one("#cleanup-table", DataTable)
        cursor = table.cursor_row
        table.clear()
        for item in found.items:
            table.add_row(
                mark_cell(item.arm_id in self.marked),
                resource_cell(item),
                region_label(item.location),
                f"{item.end_of_life_date:%Y-%m-%d}",
                Text(str(item.days_past), justify="right"),
                Text(money(item.cost.monthly_storage, found.currency), justify="right"),
                key=item.arm_id,
            )
        if found.items:
            table.move_cursor(row=min(cursor, len(found.items) - 1))
        self.show_selected()

    @on(DataTable.RowHighlighted)
    def show_selected(self) -> None:
        self.query_one("#cleanup-selected", Static).update(describe(self.selected()))
        self.show_marked()

    def show_marked(self) -> None:
        line = self.query_one("#cleanup-marked", Static)
        line.display = bool(self.marked)
        line.update(
            markup("[b]$count marked[/b] · $hint", count=len(self.marked), hint=MARKED_HINT)
        )

    def selected(self) -> cleanup.Expired | None:
        table = self.query_one("#cleanup-table", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.items.get(str(key))

    def action_close(self) -> None:
        self.dismiss(None)

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        item = self.selected()
        if item is not None:
            self.dismiss(item.arm_id)

    def action_delete(self) -> None:
        if self.marked:
            self.bulk.start(EditKind.DELETE, list(self.marked))
            return
        item = self.selected()
        if item is None:
            return
        kind = KINDS[item.kind]
        question = markup(
            f"Delete {kind} [b]$label[/b], past its end of life since "
            f"{item.end_of_life_date:%Y-%m-%d}?",
            label=resource_label(item),
        )
        confirm_delete(
            self.app, self.catalog, kind, question, item.arm_id, lambda: self._delete(item)
        )

    def _delete(self, item: cleanup.Expired) -> None:
        kind = KINDS[item.kind]
        try:
            self.catalog.apply(DELETERS[item.kind], item.arm_id, if_match=str(item.etag))
        except CatalogError as error:
            self.app.push_screen(MessageScreen(f"Cannot delete this {kind}", str(error)))
            return
        self.deleted = True
        self.notify(f"Deleted {kind} {visible(resource_label(item))}.", markup=False)
        self.load()

    # --- marks and bulk actions ----------------------------------------------------------

    def action_toggle_mark(self) -> None:
        item = self.selected()
        if item is None:
            return
        if item.kind != browse.VERSION:
            self.notify("Only versions can be marked; delete a definition with d.")
            return
        if item.arm_id in self.marked:
            del self.marked[item.arm_id]
        else:
            self.marked[item.arm_id] = None
        table = self.query_one("#cleanup-table", DataTable)
        table.update_cell(item.arm_id, MARK_COLUMN, mark_cell(item.arm_id in self.marked))
        table.move_cursor(row=table.cursor_row + 1)
        self.show_marked()

    def action_bulk(self, kind: str) -> None:
        """A bulk action on the marked versions, or the selected version."""
        item = self.selected()
        if self.marked:
            self.bulk.start(EditKind(kind), list(self.marked))
        elif item is not None and item.kind == browse.VERSION:
            self.bulk.start(EditKind(kind), [item.arm_id])
        else:
            self.notify("Mark versions with space first.", severity="warning")

    def after_bulk(self) -> None:
        self.deleted = True
        self.marked.clear()
        self.load()
