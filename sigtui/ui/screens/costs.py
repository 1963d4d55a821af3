"""`$`: what the catalog's image versions cost (SIG-BILLING), and a what-if calculator.

The cost screen shows the totals, bar charts by region and by gallery, and a table by
version (monthly storage, one-time egress, replicas), in the price sheet's currency with
its date, source and certainty. The figures are a few SQL aggregates (`costs.cost_overview`),
read in a thread worker. `w` opens the calculator: a version's disk sizes, its source region and
target regions (`region=replicas=storage`, one a line) priced by `costs.what_if` as you
type, each input bounded as the rules bound a version (SIG-DISK-SIZE, SIG-REPLICAS,
SIG-CLOUD, SIG-ZRS, SIG-SOURCE-REGION); a refusal shows with its rule code, and the input
it comes from is marked.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Input, Label, Static, TextArea

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.queries.costs.estimate import Estimate, Target, disk_sizes, what_if
from sigtui.catalog.queries.costs.overview import CostOverview, cost_overview
from sigtui.catalog.queries.costs.sheet import CERTAINTIES, LRS, PriceSheet
from sigtui.catalog.queries.costs.sheet_json import load_sheet
from sigtui.catalog.rules.access import Visibility
from sigtui.catalog.rules.regions import find_region, get_region
from sigtui.catalog.services import parse_target_region
from sigtui.catalog.store.db import Catalog
from sigtui.safe_text import visible
from sigtui.ui.screens.styled_once import StyledOnce
from sigtui.ui.text import markup, plain
from sigtui.ui.widgets.data_table import MeasuredDataTable, cell, fit_words
from sigtui.ui.widgets.header_footer import AppFooter, AppHeader

CHART_ROWS = 8
VERSION_ROWS = 500  # the table lists the costliest versions: a catalog may hold 300,000
CHART_BAR = 24  # cells of the largest bar, at most
MIN_CHART_BAR = 8  # labels are shortened before a bar gets narrower
COLUMNS = ("Version", "Monthly storage", "One-time egress", "Replicas", "GB out")


def money(value: Decimal, currency: str) -> str:
    return f"{value:,.2f} {currency}"


def last_name(arm_id: str) -> str:
    return arm_id.rstrip("/").rsplit("/", 1)[-1]


def version_label(arm_id: str) -> str:
    """`gallery/definition version` from a version's ARM id."""
    parts = arm_id.strip("/").split("/")
    names = dict(zip(parts[::2], parts[1::2], strict=False))
    return f"{names.get('galleries', '?')}/{names.get('images', '?')} {names.get('versions', '?')}"


def region_name(name: str) -> str:
    region = find_region(name)
    return region.display_name if region else name


def bar_chart(items: Iterable[tuple[str, Decimal]], currency: str, width: int) -> Content:
    """Text bars, the largest first, scaled to the largest, in `width` cells: each line a
    label (its first words and `…` when the room is short), a bar of background-coloured
    cells (a block glyph can be drawn wider than its cell, over the figure), the figure."""
    rows = sorted(((visible(label), value) for label, value in items), key=lambda item: -item[1])
    rows = rows[:CHART_ROWS]
    top = max((value for _, value in rows), default=Decimal(0))
    if not rows or top <= 0:
        return Content.from_markup("[dim]nothing billed[/dim]")
    figures = [money(value, currency) for _, value in rows]
    figure_width = max(len(figure) for figure in figures)
    label_width = max(len(label) for label, _ in rows)
    label_width = max(1, min(label_width, width - figure_width - 2 - MIN_CHART_BAR))
    bar_width = max(1, min(CHART_BAR, width - label_width - figure_width - 2))
    lines = []
    for (label, value), figure in zip(rows, figures, strict=True):
        filled = max(1, round(bar_width * value / top)) if value else 0
        lines.append(
            markup(
                "$label [on $accent]$bar[/][on $boost]$rest[/] $figure",
                label=fit_words(Text(label), label_width).plain.ljust(label_width),
                bar=" " * filled,
                rest=" " * (bar_width - filled),
                figure=figure.rjust(figure_width),
            )
        )
    return Content("\n").join(lines)


class BarChart(Widget):
    """A `bar_chart` drawn in the width the chart is given, again when that changes."""

    DEFAULT_CSS = "BarChart { height: auto; }"

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.items: list[tuple[str, Decimal]] = []
        self.currency = ""

    def show(self, items: list[tuple[str, Decimal]], currency: str) -> None:
        self.items, self.currency = items, currency
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, min(len(self.items), CHART_ROWS))

    def render(self) -> Content:
        return bar_chart(self.items, self.currency, self.size.width)


def certainty_text(sheet: PriceSheet) -> str:
    """How sure the sheet's figures are, e.g. `22 unverified, 2 third-party`."""
    counts = Counter(figure.certainty for figure in sheet.figures())
    return ", ".join(f"{counts[c]} {c}" for c in CERTAINTIES if counts[c])


def sheet_text(sheet: PriceSheet, basis: str) -> Content:
    return markup(
        "Prices in $currency · sheet $origin, $date · basis $basis · certainty: $certainty\n"
        "[dim]$source[/dim]",
        currency=sheet.currency,
        origin=sheet.origin,
        date=sheet.date,
        basis=basis,
        certainty=certainty_text(sheet),
        source=sheet.source,
    )


def price_sheet(catalog: Catalog) -> PriceSheet:
    """The user's sheet when the app was given one (`catalog.extras["prices"]`)."""
    return load_sheet(catalog.extras.get("prices"))


class CostScreen(StyledOnce, Screen[str | None]):
    """The catalog's costs; enter goes to the version, `w` opens the what-if calculator."""

    help_title = "Costs"

    BINDINGS = [
        Binding("escape", "close", "Back", id="costs.back"),
        Binding("enter", "open_version", "Show version", id="costs.open"),
        Binding("w", "what_if", "What-if", id="costs.what_if"),
    ]

    class Loaded(Message):
        def __init__(self, overview: CostOverview) -> None:
            super().__init__()
            self.overview = overview

    def __init__(self, catalog: Catalog, viewer: Visibility | None = None) -> None:
        super().__init__()
        self.catalog = catalog
        self.viewer = viewer  # "view as": only what the principal sees counts

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static("Loading…", id="costs-total", classes="insight-summary")
        yield Static("", id="costs-sheet", classes="insight-note")
        with Horizontal(id="cost-charts"):
            with Vertical(classes="chart"):
                yield Label("[b]Monthly storage by region[/b]")
                yield BarChart(id="chart-regions")
            with Vertical(classes="chart"):
                yield Label("[b]Monthly storage by gallery[/b]")
                yield BarChart(id="chart-galleries")
        yield MeasuredDataTable(id="costs-table", cursor_type="row", zebra_stripes=True)
        yield AppFooter()

    def on_mount(self) -> None:
        table = self.query_one("#costs-table", DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column)
        table.focus()
        self.load()

    @work(thread=True, exclusive=True, group="costs")
    def load(self) -> None:
        sheet = price_sheet(self.catalog)
        overview = self.catalog.query(
            cost_overview, sheet, galleries=CHART_ROWS, versions=VERSION_ROWS, viewer=self.viewer
        )
        self.post_message(self.Loaded(overview))

    def on_cost_screen_loaded(self, message: Loaded) -> None:
        overview = message.overview
        cur = overview.currency
        total = overview.total
        versions = overview.versions
        listed = ""
        if versions.count > len(versions.lines):
            listed = f" · the {len(versions.lines)} costliest of {versions.count:,} versions listed"
        self.query_one("#costs-total", Static).update(
            markup(
                "[b]$monthly[/b] per month of storage · [b]$once[/b] one-time egress · "
                "$replicas replicas billed (the gallery service is free)$listed",
                monthly=money(total.monthly_storage, cur),
                once=money(total.one_time_egress, cur),
                replicas=total.replicas,
                listed=listed,
            )
        )
        self.query_one("#costs-sheet", Static).update(sheet_text(overview.sheet, overview.basis))
        regions = [(region_name(k), c.monthly_storage) for k, c in overview.by_region.items()]
        galleries = [
            (last_name(line.key), line.cost.monthly_storage) for line in overview.galleries.lines
        ]
        self.query_one("#chart-regions", BarChart).show(regions, cur)
        self.query_one("#chart-galleries", BarChart).show(galleries, cur)
        self._fill(overview)

    def _fill(self, overview: CostOverview) -> None:
        table = self.query_one("#costs-table", DataTable)
        table.clear()
        cur = overview.currency
        for line in overview.versions.lines:  # costliest first
            arm_id, cost = line.key, line.cost
            table.add_row(
                cell(version_label(arm_id)),
                Text(money(cost.monthly_storage, cur), justify="right"),
                Text(money(cost.one_time_egress, cur), justify="right"),
                Text(str(cost.replicas), justify="right"),
                Text(f"{cost.egress_gb:,}", justify="right"),
                key=arm_id,
            )

    def action_close(self) -> None:
        self.dismiss(None)

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:
        self.action_open_version()

    def action_open_version(self) -> None:
        table = self.query_one("#costs-table", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            self.dismiss(str(key))

    def action_what_if(self) -> None:
        self.app.push_screen(WhatIfScreen(price_sheet(self.catalog)))


# --- the what-if calculator ----------------------------------------------------------------

DEFAULT_SIZE = "128"
WHOLE_GIB = re.compile(r"[+-]?[0-9]+")
INPUTS = {  # the field a refusal names -> the control it comes from
    "size_gb": "#what-if-size",
    "source_region": "#what-if-source",
    "target_regions": "#what-if-targets",
}
DEFAULT_SOURCE = "westeurope"
DEFAULT_TARGETS = "westeurope=2\neastus=1\nnortheurope=1=Standard_ZRS"


def parse_targets(text: str) -> list[Target]:
    """`region[=replicas][=storage]` lines (blank lines skipped): 1 replica and
    Standard_LRS where not given, as `az` does."""
    targets = []
    for line in text.splitlines():
        if not line.strip():
            continue
        spec = parse_target_region(line)
        storage = str(spec.storage_account_type or LRS)
        replicas = 1 if spec.replica_count is None else spec.replica_count
        targets.append((spec.region, replicas, storage))
    return targets


def parse_sizes(text: str) -> Decimal:
    """`128, 256`: the OS disk's size then the data disks', in whole GiB, each bounded as
    a version's disk is (SIG-DISK-SIZE); what is typed is never filtered, only refused."""
    sizes = []
    for part in text.replace(" ", ",").split(","):
        if not part:
            continue
        if not WHOLE_GIB.fullmatch(part):
            raise CatalogError(
                "SIG-INPUT",
                f"disk sizes are whole numbers of GiB, e.g. 128, 256; not {part!r}",
                field="size_gb",
            )
        sizes.append(int(part))
    return Decimal(disk_sizes(sizes))


def estimate(size: str, source: str, targets: str, sheet: PriceSheet) -> Estimate:
    """The calculator's figures; CatalogError (with its rule code) on bad input."""
    return what_if(parse_sizes(size), parse_targets(targets), source.strip(), sheet)


def estimate_text(result: Estimate) -> Content:
    cur = result.currency
    lines = [
        markup(
            "[b]$money[/b] per month (storage, $replicas replicas)",
            money=money(result.monthly, cur),
            replicas=result.replicas,
        ),
        markup(
            "[b]$money[/b] one time (egress to the other regions)",
            money=money(result.one_time, cur),
        ),
        Content(""),
    ]
    for name, cost in result.by_region.items():
        region = visible(get_region(name).display_name)
        lines.append(
            plain(
                f"{region:<22} {cost.replicas:>3} × replica  "
                f"{money(cost.monthly_storage, cur):>14}/month  "
                f"{money(cost.one_time_egress, cur):>12} once"
            )
        )
    return Content("\n").join(lines)


class WhatIfScreen(StyledOnce, Screen[None]):
    """What a version would cost: updated on every keystroke (`costs.what_if`)."""

    help_title = "What-if"

    BINDINGS = [Binding("escape", "close", "Back", id="what_if.back")]

    def __init__(self, sheet: PriceSheet) -> None:
        super().__init__()
        self.sheet = sheet

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with Vertical(id="what-if"):
            yield Static(
                "[b]What-if[/b]: the cost of one image version (SIG-BILLING)",
                classes="insight-summary",
            )
            with Horizontal(classes="what-if-row"):
                yield Label("Disk sizes (GiB: OS disk, then data disks)")
                yield Input(DEFAULT_SIZE, id="what-if-size")
            with Horizontal(classes="what-if-row"):
                yield Label("Source region")
                yield Input(DEFAULT_SOURCE, id="what-if-source")
            yield Label("Target regions, one a line: region[=replicas][=storage type]")
            yield TextArea(DEFAULT_TARGETS, id="what-if-targets", show_line_numbers=False)
            yield Static("", id="what-if-result")
            yield Static(sheet_text(self.sheet, self.sheet.default_basis), classes="insight-note")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#what-if-size", Input).focus()
        self.recompute()

    @on(Input.Changed)
    @on(TextArea.Changed)
    def recompute(self) -> None:
        result = self.query_one("#what-if-result", Static)
        try:
            figures = estimate(
                self.query_one("#what-if-size", Input).value,
                self.query_one("#what-if-source", Input).value,
                self.query_one("#what-if-targets", TextArea).text,
                self.sheet,
            )
        except CatalogError as error:
            result.set_class(True, "-error")
            result.update(markup("[$error]$error[/]", error=error))
            self._mark_invalid(error.field)
            return
        result.set_class(False, "-error")
        result.update(estimate_text(figures))
        self._mark_invalid(None)

    def _mark_invalid(self, field: str | None) -> None:
        """The input a refusal names shows it (its error is in the result's place)."""
        for name, selector in INPUTS.items():
            self.query_one(selector).set_class(name == field, "-invalid")

    def action_close(self) -> None:
        self.dismiss(None)
