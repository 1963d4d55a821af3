"""Every image version across subscriptions in one flat table, sortable by any column;
in "view as", only the versions the principal sees.

Rows come a page at a time (one query each) as the cursor nears the end of what is
loaded; sorting reloads from the first page. Enter dismisses the screen with the
version's ARM id, which the main screen reveals in the tree.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from sigtui.catalog.model.eol import eol_text
from sigtui.catalog.queries import search
from sigtui.catalog.queries.browse import region_label
from sigtui.catalog.rules.access import Visibility
from sigtui.catalog.services.version_batch import EditKind
from sigtui.catalog.store.db import Catalog
from sigtui.safe_text import counted, visible
from sigtui.ui.screens.styled_once import StyledOnce
from sigtui.ui.screens.version_bulk import (
    MARK_COLUMN,
    MARKED_HINT,
    BulkEditor,
    bulk_bindings,
    is_bulk,
    mark_cell,
)
from sigtui.ui.text import markup
from sigtui.ui.unavailable import explain_unavailable_key, read_only
from sigtui.ui.widgets.catalog_tree import STATE_STYLES
from sigtui.ui.widgets.data_table import MeasuredDataTable, cell
from sigtui.ui.widgets.header_footer import AppFooter, AppHeader

PAGE_SIZE = 100
PREFETCH = 20  # load the next page when the cursor is this close to the last loaded row

COLUMN_LABELS = {
    "subscription": "Subscription",
    "gallery": "Gallery",
    "definition": "Definition",
    "version": "Version",
    "source_region": "Source region",
    "regions": "Regions",
    "replication": "Replication",
    "latest": "Latest",
    "excluded": "Excluded",
    "end_of_life": "End of life",
    "published": "Published",
}
assert tuple(COLUMN_LABELS) == search.SORT_COLUMNS


@dataclass(frozen=True)
class Sort:
    column: str = "subscription"
    descending: bool = False

    @property
    def arrow(self) -> str:
        return "▼" if self.descending else "▲"

    def by(self, column: str) -> Sort:
        """Sort by `column`; by the same column again: the other way round."""
        if column == self.column:
            return Sort(column, not self.descending)
        return Sort(column)

    def next_column(self) -> Sort:
        columns = search.SORT_COLUMNS
        return Sort(columns[(columns.index(self.column) + 1) % len(columns)])

    def reversed(self) -> Sort:
        return Sort(self.column, not self.descending)


def version_cells(row: search.VersionRow, expired: bool) -> tuple[str | Text, ...]:
    state_style = STATE_STYLES.get(row.state, "")
    eol = eol_text(row.end_of_life) or "—"
    published = row.published.strftime("%Y-%m-%d %H:%M") if row.published else "—"
    return (
        row.subscription,
        row.gallery,
        cell(row.definition, style="bold"),
        cell(row.version, style="bold"),
        region_label(row.source_region),
        Text(str(row.regions), justify="right"),
        cell(row.replication, style=state_style),
        Text("latest", style="bold green") if row.latest else "",
        Text("excluded", style="yellow") if row.excluded else "",
        Text(f"{eol} expired", style="bold red") if expired else eol,
        published,
    )


def version_summary(row: search.VersionRow, expired: bool) -> Text:
    """The highlighted version in one line, with what the columns off screen say."""
    summary = Text.assemble(
        (visible(f"{row.definition} {row.version}"), "bold"),
        f": {counted(row.regions, 'region')}, ",
        (visible(row.replication), STATE_STYLES.get(row.state, "")),
    )
    if row.latest:
        summary.append(" · latest", style="bold green")
    if row.excluded:
        summary.append(" · excluded from latest", style="yellow")
    if row.end_of_life:
        eol = f" · end of life {eol_text(row.end_of_life)}"
        summary.append(eol + " (expired)" if expired else eol, style="bold red" if expired else "")
    if row.published:
        summary.append(f" · published {row.published:%Y-%m-%d %H:%M}")
    return summary


class AllVersionsScreen(StyledOnce, Screen[str | None]):
    """A flat, sortable table of every version of every definition."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="versions.close"),
        Binding("enter", "jump", "Go to", priority=True, id="versions.jump"),
        Binding("s", "sort_next", "Sort by next column", id="versions.sort_next"),
        Binding("S", "sort_reverse", "Reverse order", id="versions.sort_reverse"),
        *bulk_bindings("versions"),
    ]

    class PageLoaded(Message):
        def __init__(
            self, sort: Sort, offset: int, rows: list[search.VersionRow], total: int | None
        ) -> None:
            super().__init__()
            self.sort = sort
            self.offset = offset
            self.rows = rows
            self.total = total

    def __init__(self, catalog: Catalog, viewer: Visibility | None = None) -> None:
        super().__init__()
        self.catalog = catalog
        self.viewer = viewer  # "view as": only the versions the principal sees
        self.sort = Sort()
        self.rows: list[search.VersionRow] = []
        self.total: int | None = None
        self.complete = False
        self.loading = False
        self.keep_selected: str | None = None  # re-select this version after a re-sort
        self.marked: dict[str, None] = {}  # ARM ids of the marked rows, in marking order
        self.wrote = False  # a bulk action changed versions: the main screen shows it
        self.bulk = BulkEditor(self, catalog, self.after_bulk)

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static("", id="versions-status")
        yield MeasuredDataTable(id="versions-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="versions-current")
        yield AppFooter()

    def on_mount(self) -> None:
        self.table.focus()
        self.reload()

    @property
    def table(self) -> DataTable[str | Text]:
        return self.query_one("#versions-table", DataTable)

    # --- loading -------------------------------------------------------------------------

    def reload(self) -> None:
        self.rows = []
        self.complete = False
        self.request_page(0)

    def request_page(self, offset: int) -> None:
        self.loading = True
        self.load_page(self.sort, offset, count=self.total is None)

    @work(thread=True, exclusive=True, group="all-versions")
    def load_page(self, sort: Sort, offset: int, count: bool) -> None:
        now = self.catalog.clock.now()
        page = self.catalog.query(
            search.versions_page,
            sort.column,
            sort.descending,
            offset,
            PAGE_SIZE,
            now,
            count=count,
            viewer=self.viewer,
        )
        if not get_current_worker().is_cancelled:
            self.post_message(self.PageLoaded(sort, offset, page.rows, page.total))

    def on_all_versions_screen_page_loaded(self, message: PageLoaded) -> None:
        if message.sort != self.sort or message.offset != len(self.rows):
            return  # an answer to an older request
        self.loading = False
        if message.total is not None:
            self.total = message.total
        if message.offset == 0:
            self.reset_table()
        self.add_rows(message.rows)
        self.complete = len(message.rows) < PAGE_SIZE
        self.update_status()
        if message.offset == 0:
            self.call_after_refresh(self.scroll_to_sorted_column)

    def reset_table(self) -> None:
        table = self.table
        table.clear(columns=True)
        table.add_column(" ", key=MARK_COLUMN)
        for column, label in COLUMN_LABELS.items():
            if column == self.sort.column:
                table.add_column(Text(f"{label} {self.sort.arrow}", style="bold"), key=column)
            else:
                table.add_column(label, key=column)

    def scroll_to_sorted_column(self) -> None:
        """The table is wider than the screen: bring the sorted column into view."""
        table = self.table
        right = 0
        for column in table.ordered_columns:
            right += column.get_render_width(table)
            if column.key.value == self.sort.column:
                break
        table.scroll_to(x=max(0, right - table.scrollable_content_region.width), animate=False)

    def add_rows(self, rows: list[search.VersionRow]) -> None:
        now = self.catalog.clock.now()
        table = self.table
        for row in rows:
            marked = mark_cell(row.arm_id in self.marked)
            table.add_row(marked, *version_cells(row, row.expired(now)), key=row.arm_id)
        self.rows.extend(rows)
        if self.keep_selected in {row.arm_id for row in rows}:
            table.move_cursor(row=table.get_row_index(self.keep_selected))
            self.keep_selected = None

    def update_status(self) -> None:
        total = self.total if self.total is not None else len(self.rows)
        loaded = "" if self.complete else f" ({len(self.rows)} loaded)"
        direction = "descending" if self.sort.descending else "ascending"
        where = f"that {self.viewer.principal} sees" if self.viewer else "across all subscriptions"
        marked = f" · [b]{len(self.marked)} marked[/b] ({MARKED_HINT})" if self.marked else ""
        self.query_one("#versions-status", Static).update(
            markup(
                f"[b]All image versions[/b] · {total} $where{loaded}{marked} · "
                f"sorted by {COLUMN_LABELS[self.sort.column].lower()}, {direction} · "
                "[dim]select a header to sort by it[/dim]",
                where=where,
            )
        )

    @on(DataTable.RowHighlighted, "#versions-table")
    def row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_current()
        near_end = event.cursor_row >= len(self.rows) - PREFETCH
        if near_end and not self.complete and not self.loading:
            self.request_page(len(self.rows))

    def show_current(self) -> None:
        """The highlighted version in one line: what the columns off screen say."""
        row = self.selected()
        self.query_one("#versions-current", Static).update(
            version_summary(row, row.expired(self.catalog.clock.now())) if row else ""
        )

    # --- sorting -------------------------------------------------------------------------

    def sort_by(self, sort: Sort) -> None:
        selected = self.selected()
        self.keep_selected = selected.arm_id if selected else None
        self.sort = sort
        self.reload()

    @on(DataTable.HeaderSelected, "#versions-table")
    def header_selected(self, event: DataTable.HeaderSelected) -> None:
        if event.column_key.value == MARK_COLUMN:
            return
        self.sort_by(self.sort.by(str(event.column_key.value)))

    def action_sort_next(self) -> None:
        self.sort_by(self.sort.next_column())

    def action_sort_reverse(self) -> None:
        self.sort_by(self.sort.reversed())

    # --- leaving -------------------------------------------------------------------------

    def selected(self) -> search.VersionRow | None:
        row = self.table.cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def action_jump(self) -> None:
        selected = self.selected()
        if selected is not None:
            self.dismiss(selected.arm_id)

    @on(DataTable.RowSelected, "#versions-table")
    def row_selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(str(event.row_key.value))

    def action_close(self) -> None:
        self.dismiss(None)

    # --- marks and bulk actions ----------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if is_bulk(action) and self.catalog.readonly:
            return None
        return True

    def on_key(self, event: events.Key) -> None:
        explain_unavailable_key(self, event.key, self._why_unavailable)

    def _why_unavailable(self, action: str, label: str) -> str | None:
        return read_only(label) if is_bulk(action) and self.catalog.readonly else None

    def action_toggle_mark(self) -> None:
        selected = self.selected()
        if selected is None:
            return
        if selected.arm_id in self.marked:
            del self.marked[selected.arm_id]
        else:
            self.marked[selected.arm_id] = None
        marked = mark_cell(selected.arm_id in self.marked)
        self.table.update_cell(selected.arm_id, MARK_COLUMN, marked)
        self.update_status()
        self.table.move_cursor(row=self.table.cursor_row + 1)

    def action_bulk(self, kind: str) -> None:
        self.bulk.start(EditKind(kind), self.targets())

    def targets(self) -> list[str]:
        """The marked versions, or the selected one when none is marked."""
        if self.marked:
            return list(self.marked)
        selected = self.selected()
        return [selected.arm_id] if selected else []

    def after_bulk(self) -> None:
        self.wrote = True
        self.marked.clear()
        selected = self.selected()
        self.keep_selected = selected.arm_id if selected else None
        self.total = None
        self.reload()
