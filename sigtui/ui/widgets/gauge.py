"""A gauge: a bar, the numbers, and a colour from the theme (SIG-LIMIT-*).

Below 80 % of its limit the bar takes `$success`, from 80 % `$warning`, from 95 %
`$error` (the levels of `sigtui.catalog.queries.usage`): colours come from theme variables in
the stylesheet, so every theme is respected.
"""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.style import Style
from textual.widget import Widget

from sigtui.catalog.queries.usage import CRITICAL, OK, WARNING, UsageRow, level_of
from sigtui.ui.text import markup

LEVEL_CLASSES = {OK: "-ok", WARNING: "-warning", CRITICAL: "-critical"}
REGION_LEVEL_COMPONENTS = {
    OK: "region-limits--ok",
    WARNING: "region-limits--warning",
    CRITICAL: "region-limits--critical",
}
TITLE_WIDTH = 13  # the label before each of a region's gauges
MIN_BAR = 4
LIMIT_TITLES = {
    "galleries": "Galleries",
    "imageDefinitions": "Definitions",
    "imageVersions": "Versions",
}


def gauge_numbers(used: int, limit: int) -> str:
    """`83 / 100  83 %` (the percent rounded down, as the catalog does)."""
    return f"{used:,} / {limit:,} {used * 100 // limit:>3} %"


def gauge_bar(used: int, limit: int, width: int) -> tuple[int, int]:
    """The filled and empty cells of a bar `width` cells wide (any use fills one)."""
    filled = min(width, (used * width + limit - 1) // limit) if used else 0
    return filled, width - filled


def _number_forms(used: int, limit: int) -> tuple[str, str, str]:
    percent = used * 100 // limit
    return gauge_numbers(used, limit), f"{used:,}/{limit:,} {percent}%", f"{used:,}/{limit:,}"


def fitted_numbers(used: int, limit: int, room: int, most: int | None = None) -> str:
    """The widest of `83 / 100  83 %`, `83/100 83%`, `83/100` that fits in `room` cells
    for every use up to `most` (default: `used`), right-aligned to that width: the bars
    of gauges given the same `most` line up."""
    forms = _number_forms(used, limit)
    widest = [len(form) for form in _number_forms(max(used, most or 0), limit)]
    for form, width in zip(forms, widest, strict=True):
        if width <= room:
            return form.rjust(width)
    return forms[-1]


def gauge_content(
    used: int, limit: int, width: int, bar: Style, empty: Style, most: int | None = None
) -> Content:
    """A gauge `width` cells wide: the bar in `bar` style, the rest, then the numbers,
    shorter where the room is short; never wider than `width` (the numbers never run over
    the bar, nor the gauge into what follows it). `most`: see `fitted_numbers`."""
    numbers = fitted_numbers(used, limit, width - MIN_BAR - 1, most)
    filled, rest = gauge_bar(used, limit, max(1, width - len(numbers) - 1))
    # cells of a background colour, not block glyphs: a glyph can be wider than its cell
    # in some fonts (and in pictures of the screen) and cover the numbers
    gauge = Content.assemble((" " * filled, bar), (" " * rest, empty), " ", numbers)
    return gauge.truncate(max(0, width), ellipsis=True)


class Gauge(Widget):
    """One line: a bar as wide as the widget allows, then `used / limit  NN %`."""

    DEFAULT_CSS = """
    Gauge { height: 1; width: 1fr; }
    Gauge > .gauge--empty { background: $foreground 12%; }
    Gauge.-ok > .gauge--bar { background: $success; }
    Gauge.-warning > .gauge--bar { background: $warning; }
    Gauge.-critical > .gauge--bar { background: $error; }
    """
    COMPONENT_CLASSES = {"gauge--bar", "gauge--empty"}

    used: reactive[int] = reactive(0)
    limit: reactive[int] = reactive(1)

    def __init__(
        self, used: int = 0, limit: int = 1, *, name: str | None = None, id: str | None = None
    ) -> None:
        super().__init__(name=name, id=id)
        self.set_reactive(Gauge.used, used)
        self.set_reactive(Gauge.limit, max(1, limit))
        self._restyle()

    @property
    def level(self) -> str:
        return level_of(self.used, self.limit)

    def update(self, used: int, limit: int) -> None:
        self.used, self.limit = used, max(1, limit)

    def watch_used(self) -> None:
        self._restyle()

    def watch_limit(self) -> None:
        self._restyle()

    def _restyle(self) -> None:
        for level, css_class in LEVEL_CLASSES.items():
            self.set_class(level == self.level, css_class)

    def render(self) -> Content:
        # whole styles: a partial one drops an opaque background, the bar's colour
        bar = self.get_visual_style("gauge--bar")
        empty = self.get_visual_style("gauge--empty")
        return gauge_content(self.used, self.limit, self.size.width, bar, empty)


class RegionLimits(Widget):
    """One region's three limits: its name, then a labelled gauge per line (for narrow
    panes). One widget drawing its four lines: as eleven widgets (a container, the name,
    and a line, a label and a gauge per limit), a subscription's regions took most of
    the time of a `down` in the tree on a big catalog, styled and laid out one by one."""

    DEFAULT_CSS = """
    RegionLimits { height: auto; width: 1fr; }
    RegionLimits > .region-limits--title { color: $text-muted; }
    RegionLimits > .region-limits--empty { background: $foreground 12%; }
    RegionLimits > .region-limits--ok { background: $success; }
    RegionLimits > .region-limits--warning { background: $warning; }
    RegionLimits > .region-limits--critical { background: $error; }
    """
    COMPONENT_CLASSES = {
        "region-limits--title",
        "region-limits--empty",
        *REGION_LEVEL_COMPONENTS.values(),
    }

    def __init__(self, row: UsageRow) -> None:
        super().__init__(classes="region-limits")
        self.row = row

    def show(self, row: UsageRow) -> None:
        """Draw another region's limits in place (a subscription's after another's)."""
        if row != self.row:
            lines_change = len(row.gauges) != len(self.row.gauges)
            self.row = row
            self.refresh(layout=lines_change)

    @property
    def bar_components(self) -> list[str]:
        """The component class each gauge's bar is drawn with (its level's colour)."""
        return [REGION_LEVEL_COMPONENTS[level_of(g.used, max(1, g.limit))] for g in self.row.gauges]

    def render(self) -> Content:
        width = self.size.width
        title_style = self.get_visual_style("region-limits--title", partial=True)
        empty = self.get_visual_style("region-limits--empty")
        lines = [markup("[b]$region[/b]", region=self.row.region)]
        for gauge, bar in zip(self.row.gauges, self.bar_components, strict=True):
            title = LIMIT_TITLES[gauge.kind][:TITLE_WIDTH].ljust(TITLE_WIDTH)
            drawn = gauge_content(
                gauge.used,
                max(1, gauge.limit),
                width - TITLE_WIDTH,
                self.get_visual_style(bar),
                empty,
            )
            lines.append(Content.assemble((title, title_style), drawn))
        return Content("\n").join(lines)
