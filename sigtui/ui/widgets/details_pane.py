"""The details pane: every field of the selected node, its notes and its tables."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

from rich.console import RenderableType
from rich.table import Table as RichTable
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Static

from sigtui.catalog.queries import browse, usage
from sigtui.catalog.queries.costs.sheet import PriceSheet
from sigtui.catalog.queries.costs.sheet_json import builtin_sheet
from sigtui.catalog.queries.node_details import COST_APART, cost_fields, node_details
from sigtui.catalog.queries.stoppable import ReadStopped, Stop, stoppable_read
from sigtui.catalog.rules import access, checks
from sigtui.catalog.rules.access import Visibility
from sigtui.catalog.store.db import Catalog
from sigtui.safe_text import visible
from sigtui.ui.text import ShortId
from sigtui.ui.widgets.data_table import MeasuredDataTable, cell
from sigtui.ui.widgets.drawn_once import DrawnOnce
from sigtui.ui.widgets.gauge import RegionLimits


def fields_table(details: browse.Details) -> DrawnOnce:
    grid = RichTable.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for name, value in details.fields:
        style = "bold red" if "expired" in value else ""
        shown: RenderableType = Text(visible(value, newlines=True), style=style)
        if ShortId.holds_id(value):  # a source: shortened in the middle, its name kept
            shown = ShortId(value, style=style)
        grid.add_row(cell(name), shown)
    if details.arm_id:
        grid.add_row("ARM id", ShortId(details.arm_id, style="dim"))
    return DrawnOnce(grid)


def access_text(entries: list[access.AccessEntry]) -> Text:
    """The Access section, two lines per assignment: who (type, tenant, cross-tenant),
    then the role, what it allows and where it is given. Lines wrap in a narrow pane,
    where a table would push "given at" and the tenant out of sight."""
    text = Text()
    for entry in entries:
        if text:
            text.append("\n")
        text.append(visible(entry.principal), style="bold")
        text.append(f"  {entry.principal_type} · {visible(entry.principal_tenant)}", style="dim")
        if entry.cross_tenant:
            text.append("  cross-tenant", style="bold yellow")
        allows = visible(", ".join(entry.capabilities) or "nothing here")
        text.append(f"\n  {visible(entry.role)}", style="")
        text.append(f" ({allows}) · ", style="dim")
        if entry.inherited:
            scope = visible(f"{entry.scope_kind} {entry.scope_name}")
            text.append(f"inherited from {scope}", "italic")
        else:
            text.append("direct", style="bold")
    return text


class SortableTable(MeasuredDataTable[str]):
    """A details table; selecting a header sorts by that column (again: reverse)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(zebra_stripes=True, cursor_type="row", **kwargs)
        self._sorted_by: tuple[str, bool] | None = None

    def show_table(self, table: browse.Table) -> None:
        """Show `table`'s columns and rows (anew: unsorted, the cursor on the first row)."""
        self.clear(columns=True)
        self._sorted_by = None
        for column in table.columns:
            self.add_column(column, key=column)
        for row in table.rows:
            self.add_row(*row)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        key = str(event.column_key.value)
        reverse = self._sorted_by == (key, False)
        self.sort(event.column_key, key=_sort_key, reverse=reverse)
        self._sorted_by = (key, reverse)


def _sort_key(value: object) -> tuple[object, ...]:
    """Versions and numbers sort numerically, text by its letters."""
    text = str(value)
    parts = text.rstrip("%").split(".")
    if all(checks.is_whole_number(p) for p in parts):
        return (0, *(int(p) for p in parts))
    return (1, text.casefold())


COST_FIELDS = ("Storage per month", "One-time egress")
COST_PENDING = "…"  # until the cost is read (a tenant's: every one of its target regions)


def with_cost_fields(details: browse.Details, costs: dict[str, str]) -> browse.Details:
    """`details` with its cost fields set from `costs` (missing ones pending)."""
    fields = [(n, v) for n, v in details.fields if n not in COST_FIELDS]
    fields += [(name, costs.get(name, COST_PENDING)) for name in COST_FIELDS]
    return replace(details, fields=fields)


def price_sheet(catalog: Catalog) -> PriceSheet:
    """The user's sheet when the app was given one (`--prices`), else the built-in one."""
    sheet = catalog.extras.get("prices")
    return sheet if isinstance(sheet, PriceSheet) else builtin_sheet()


@dataclass(frozen=True)
class Part:
    """One widget of the details: what it shows (`content`), and how to `make` a new one
    or `fill` a shown one of the same `shape` in place. A `down` in the tree shows details
    of the same shape (a version's after a version's): their widgets are refilled, and
    left as they are where they show the same (a definition's versions mostly share their
    regions and access), not mounted anew: composing, styling, laying out and drawing
    widgets was most of the key's time."""

    shape: str
    content: object
    make: Callable[[], Widget]
    fill: Callable[[Widget], None]


def static_part(classes: str, content: object, draw: Callable[[], RenderableType]) -> Part:
    return Part(
        f"static {classes}",
        content,
        lambda: Static(draw(), classes=classes),
        lambda widget: cast(Static, widget).update(draw()),
    )


def text_part(classes: str, text: Text) -> Part:
    return static_part(classes, (text.plain, str(text.style), text.spans), lambda: text)


def limits_part(row: usage.UsageRow) -> Part:
    return Part(
        "limits",
        row,
        lambda: RegionLimits(row),
        lambda widget: cast(RegionLimits, widget).show(row),
    )


def access_part(entries: list[access.AccessEntry]) -> Part:
    return static_part("details-access", entries, lambda: access_text(entries))


def table_part(table: browse.Table) -> Part:
    def make() -> Widget:
        data_table = SortableTable(classes="details-table")
        data_table.show_table(table)
        return data_table

    return Part("table", table, make, lambda widget: cast(SortableTable, widget).show_table(table))


def details_parts(details: browse.Details, limits: Sequence[usage.UsageRow]) -> list[Part]:
    """The widgets showing `details` (and a subscription's `limits`), top to bottom."""
    fields = (details.fields, details.arm_id)
    parts = [
        text_part("details-title", cell(details.title, style="bold")),
        static_part("details-fields", fields, lambda: fields_table(details)),
    ]
    for note in details.notes:
        parts.append(text_part("details-note", Text(visible(note, newlines=True))))
    if limits:
        parts.append(text_part("details-table-title", Text("Azure's limits per region", "bold")))
        parts.extend(limits_part(row) for row in limits)
    for table in details.tables:
        parts.append(text_part("details-table-title", cell(table.title, style="bold")))
        if table.title == "Access" and details.access:
            parts.append(access_part(details.access))
        elif table.rows:
            parts.append(table_part(table))
        else:
            parts.append(text_part("", Text("none", style="dim")))
    return parts


class DetailsPane(VerticalScroll):
    """Shows `browse.details` of the node given to `show`."""

    class Loaded(Message):
        def __init__(
            self, ref: browse.NodeRef, details: browse.Details, limits: list[usage.UsageRow]
        ) -> None:
            super().__init__()
            self.ref = ref
            self.details = details
            self.limits = limits

    class CostLoaded(Message):
        def __init__(self, ref: browse.NodeRef, costs: dict[str, str]) -> None:
            super().__init__()
            self.ref = ref
            self.costs = costs

    def __init__(self, catalog: Catalog, viewer: Visibility | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.catalog = catalog
        self.viewer = viewer  # "view as": totals of what the principal sees (set by the screen)
        self.details: browse.Details | None = None
        self.ref: browse.NodeRef | None = None
        self.shown_ref: browse.NodeRef | None = None  # whose details are shown
        self.cost_stop = Stop()  # stops the running cost read (its node was left)
        self.limits: list[usage.UsageRow] = []  # a subscription's, shown with its details
        self.parts: list[Part] = []  # the parts shown, one per child (none: no details yet)

    LIVE_SECONDS = 2.0  # how often a version in flight is redrawn

    def compose(self) -> ComposeResult:
        yield Static("Select a resource in the tree.", id="details-empty")

    def on_mount(self) -> None:
        self.set_interval(self.LIVE_SECONDS, self.refresh_live)

    def refresh_live(self) -> None:
        """Per-region progress moves while a version replicates (SIG-REPLICATION)."""
        details = self.details
        if self.ref is None or details is None or details.kind != browse.VERSION:
            return
        if self.app.screen is not self.screen:  # covered by a form or another screen
            return
        if dict(details.fields).get("Replication", "").startswith("InProgress"):
            self.load(self.ref)

    def show(self, ref: browse.NodeRef | None) -> None:
        if ref != self.ref:
            self.cost_stop.stop()  # the cost of the node left is no longer wanted
        self.ref = ref
        if ref is not None:
            # after the next frame: a slow load (the cost of a whole tenant at Azure's
            # limits) must not hold up the frame that shows the selection
            self.call_after_refresh(self._load_if_current, ref)

    def etag_of(self, arm_id: str | None) -> int | None:
        """The etag held for the resource (what a delete sends): that of the details
        shown, when they are its; None while they are not (yet)."""
        shown = self.details
        return shown.etag if shown is not None and arm_id and shown.arm_id == arm_id else None

    def hold_etag(self, arm_id: str, etag: int) -> None:
        """This app just saved the resource shown: hold its new etag at once, before its
        details (on their way) show it."""
        if self.details is not None and self.details.arm_id == arm_id:
            self.details = replace(self.details, etag=etag)

    def _load_if_current(self, ref: browse.NodeRef) -> None:
        if ref == self.ref:
            self.load(ref)

    @work(thread=True, exclusive=True, group="details")
    def load(self, ref: browse.NodeRef) -> None:
        """The details without their cost (`load_cost` reads it next): they show at once,
        whatever the size of what the node holds. A version's come with its cost."""
        now = self.catalog.clock.now()
        sheet = price_sheet(self.catalog)
        with_cost = ref.kind not in COST_APART
        shown = self.catalog.query(node_details, ref, now, sheet, self.viewer, with_cost=with_cost)
        self.post_message(self.Loaded(ref, shown.details, shown.limits))

    def load_cost(self, ref: browse.NodeRef) -> None:
        """Read the node's cost in a worker; a cost read still running stops first (at
        Azure's limits a subscription's is 0.2 s of SQL, which the next frame needs)."""
        self.cost_stop.stop()
        self.cost_stop = Stop()
        self._read_cost(ref, self.cost_stop)

    @work(thread=True, exclusive=True, group="details-cost")
    def _read_cost(self, ref: browse.NodeRef, stop: Stop) -> None:
        sheet = price_sheet(self.catalog)
        try:
            cost = self.catalog.query(stoppable_read, stop, cost_fields, ref, sheet, self.viewer)
        except ReadStopped:
            return
        self.post_message(self.CostLoaded(ref, dict(cost)))

    async def on_details_pane_cost_loaded(self, message: CostLoaded) -> None:
        details = self.details
        if message.ref != self.ref or details is None or self.shown_ref != message.ref:
            return  # the selection moved on meanwhile
        costed = with_cost_fields(details, message.costs)
        if costed != details:
            self.details = costed
            await self._draw(details_parts(costed, self.limits))

    async def on_details_pane_loaded(self, message: Loaded) -> None:
        details = message.details
        if message.ref != self.ref:
            return  # a slower load of a node selected before: another is on its way
        if message.ref.kind in COST_APART:
            # the cost shown so far stays until it is read again (it rarely moves)
            shown = self.details if self.shown_ref == message.ref else None
            details = with_cost_fields(details, dict(shown.fields) if shown else {})
            self.load_cost(message.ref)
        if details == self.details:
            return  # nothing moved: keep the widgets (and the user's place in them)
        self.details = details
        self.shown_ref = message.ref
        self.limits = message.limits
        await self._draw(details_parts(details, message.limits))

    async def _draw(self, parts: list[Part]) -> None:
        """Show `parts` in the widgets shown: those of the same shapes at the start and at
        the end stay (filled where their content moved); only those between are removed
        and mounted anew (a note that comes or goes, a table in place of "none")."""
        widgets = list(self.children)
        shown = self.parts if len(self.parts) == len(widgets) else []  # [] : the placeholder
        head = _same_shapes(shown, parts)
        tail = _same_shapes(shown[head:][::-1], parts[head:][::-1])
        kept = [(shown[i], parts[i], widgets[i]) for i in range(head)]
        kept += [(shown[-i], parts[-i], widgets[-i]) for i in range(1, tail + 1)]
        for was, part, widget in kept:
            if part.content != was.content:
                part.fill(widget)
        self.parts = parts
        if gone := widgets[head : len(widgets) - tail]:
            await self.remove_children(gone)
        if new_parts := parts[head : len(parts) - tail]:
            before = widgets[len(widgets) - tail] if tail else None
            await self.mount_all([part.make() for part in new_parts], before=before)


def _same_shapes(shown: list[Part], parts: list[Part]) -> int:
    """How many parts, from the first, have the shape of the one shown in their place."""
    same = 0
    for was, part in zip(shown, parts, strict=False):
        if was.shape != part.shape:
            break
        same += 1
    return same
