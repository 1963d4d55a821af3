"""A Rich renderable drawn once per width.

Textual draws a Static's renderable to measure its height, once per layout, then again to
show it: for a Rich table (the help's keys, a node's fields) most of the time the widget
takes. A `DrawnOnce` keeps the segments it drew for each set of console options but the
height; with a `key` (naming what is drawn: the same key, the same segments) they are kept
for every later `DrawnOnce` of that key too, e.g. the next opening of help.

It is for renderables whose lines do not depend on the height they are given, as a Rich
table's and a text's do not (a table draws its cells with none): Textual measures with no
height, then draws with the widget's, and the drawing made to measure is the one shown.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment

Drawings = dict[tuple[object, ...], list[Segment]]
KEPT = 64  # drawings kept under keys (tables of screens and widths); more start anew
_kept: Drawings = {}


class DrawnOnce:
    def __init__(
        self,
        renderable: RenderableType | Callable[[], RenderableType],
        key: Hashable | None = None,
    ) -> None:
        """`renderable`, or what makes it when it must be drawn (not when kept)."""
        self._renderable = renderable
        self.key = key
        self._drawn: Drawings = {} if key is None else _kept

    @property
    def renderable(self) -> RenderableType:
        if callable(self._renderable):
            self._renderable = self._renderable()
        return self._renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        key: tuple[object, ...] = (self.key, options.min_width, options.max_width)
        key += (options.justify, options.overflow, options.no_wrap, options.highlight)
        key += (options.markup,)
        if key not in self._drawn:
            if len(self._drawn) >= KEPT:
                self._drawn.clear()
            self._drawn[key] = list(console.render(self.renderable, options))
        yield from self._drawn[key]

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.renderable)
