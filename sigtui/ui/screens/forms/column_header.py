"""The titles over the columns of a field's rows (target regions, data disks), drawn as
one line by one widget: a title widget per column in a row container was five widgets
styled, laid out and drawn as every version form opened.

The columns' widths and gaps stay where the rows' own are, in forms.tcss: each column is
a component class of the header named as the rows' widget of that column (`.target-region`
...), so the rules that size a row's widget size its title too."""

from __future__ import annotations

from textual.content import Content
from textual.css.scalar import Unit
from textual.widget import Widget


class ColumnHeader(Widget):
    """One line of column titles; subclasses name their columns (`COLUMNS`)."""

    COLUMNS: tuple[tuple[str, str], ...] = ()  # (component class, title), left to right

    def render(self) -> Content:
        return Content(self.line(self.size.width))

    def line(self, width: int) -> str:
        """The titles, each at its column's place in `width` cells."""
        cells: list[tuple[int, int]] = []  # (gap before, width; -1: a share of the rest)
        for name, _ in self.COLUMNS:
            styles = self.get_component_styles(name)
            scalar = styles.width
            fixed = scalar is not None and scalar.unit == Unit.CELLS
            least = styles.min_width.value if styles.min_width is not None else 0
            size = max(int(scalar.value), int(least)) if fixed and scalar else -1
            cells.append((styles.margin.left, size))
        taken = sum(gap + max(size, 0) for gap, size in cells)
        shared = sum(1 for _, size in cells if size < 0)
        rest = max(width - taken, 0) // max(shared, 1)
        parts = []
        for (gap, size), (_, title) in zip(cells, self.COLUMNS, strict=True):
            column = rest if size < 0 else size
            parts.append(" " * gap + title[:column].ljust(column))
        return "".join(parts)[:width]


class TargetRegionsHeader(ColumnHeader):
    COMPONENT_CLASSES = {"target-region", "target-replicas", "target-storage", "target-remove"}
    COLUMNS = (
        ("target-region", "Region"),
        ("target-replicas", "Replicas"),
        ("target-storage", "Storage type"),
        ("target-remove", ""),
    )


class DataDisksHeader(ColumnHeader):
    COMPONENT_CLASSES = {"disk-snapshot", "disk-lun", "disk-remove"}
    COLUMNS = (("disk-snapshot", "Snapshot"), ("disk-lun", "LUN"), ("disk-remove", ""))
