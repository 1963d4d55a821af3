"""The base of sigtui's dialogs and forms: a ModalScreen, styled and laid out once as
every screen (`StyledOnce`), that draws the dimmed screen under it faster.

The screen under a dialog is drawn dimmed (twice as the dialog opens, and at each of its
layouts): Textual renders the screen under to text, tints it segment by segment, and cuts
the text into lines again (11 ms a drawing at 160x50, the main screen of a big catalog
under a form). Here its lines are taken as they are, each distinct style tinted once per
process, and the dimmed lines kept while the screen under draws the same: a dialog opened
over an unchanged screen dims nothing again. Nor is the screen under drawn again while
its widgets are where they were and draw the lines they drew (`in_sight`): 4 to 11 ms a
drawing on the big catalog, as each dialog opened (Textual lays the screen out again as
a dialog over it closes: the same places, and scrollbars drawn again, alike). The lines
are those Textual draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.app import RenderResult
from textual.color import Color
from textual.css.styles import RulesMap
from textual.geometry import Region
from textual.renderables.background_screen import BackgroundScreen
from textual.screen import ModalScreen, Screen
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widget import Widget

from sigtui.ui.screens.styled_once import StyledOnce

ResultType = TypeVar("ResultType")


@lru_cache(maxsize=4096)
def dimmed_style(style: RichStyle | None, color: Color, base: RichStyle) -> RichStyle:
    """A style of the screen under, tinted by Textual's own code, under the dialog's
    screen style (as Textual draws a widget's renderable)."""
    (tinted,) = BackgroundScreen.process_segments([Segment(" ", style)], color)
    assert tinted.style is not None
    return base + tinted.style if base else tinted.style


Sight = tuple[Widget, Region, Region, tuple[Strip, ...]]  # a widget, where, its lines


@dataclass
class Dimmed:
    """The last lines drawn of a screen under a dialog, and the same dimmed; `sights`,
    what they were drawn from (`in_sight`)."""

    key: tuple[Color, RichStyle, int, int | None] | None = None
    lines: list[Strip] = field(default_factory=list)
    dimmed: list[Strip] = field(default_factory=list)
    sights: list[Sight] | None = None


DIMMED: WeakKeyDictionary[Screen[Any], Dimmed] = WeakKeyDictionary()


class DimmedScreen(Visual):
    """Textual's BackgroundScreen as a Visual: the screen under, its lines tinted."""

    def __init__(self, under: Screen[Any], color: Color) -> None:
        self.under = under
        self.color = color

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        base = style.rich_style
        kept = DIMMED.setdefault(self.under, Dimmed())
        key = (self.color, base, width, height)
        if kept.key == key and _same_sights(kept.sights, in_sight(self.under)):
            return kept.dimmed
        lines = self.under._compositor.render_strips()[:height]
        if kept.key != key or kept.lines != lines:
            kept.key, kept.lines = key, lines
            kept.dimmed = [self._dim(line.crop(0, width), base) for line in lines]
        kept.sights = in_sight(self.under)
        return kept.dimmed

    def _dim(self, line: Strip, base: RichStyle) -> Strip:
        color = self.color
        return Strip(
            [Segment(text, dimmed_style(style, color, base)) for text, style, _ in line],
            line.cell_length,
        )

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return container_width

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.under.outer_size.height


def in_sight(under: Screen[Any]) -> list[Sight] | None:
    """What the screen under draws from: each widget in sight, where it is and the lines
    of it in sight as it last drew them (Textual keeps them, and draws a line again only
    when the widget marked it); None if a widget has a line in sight to draw again, or
    one it never drew. The screen's own lines, under its widgets, are left out: Textual
    marks them all each time the screen resumes, and they change only with its styles,
    which its widgets' change with."""
    sights: list[Sight] = []
    for widget, (region, clip) in under._compositor.visible_widgets.items():
        if widget is under:
            continue
        drawn, marked = widget._styles_cache._cache, widget._styles_cache._dirty_lines
        shown = region.intersection(clip)
        rows = range(shown.y - region.y, shown.bottom - region.y)
        if marked and any(row in marked for row in rows):
            return None
        lines = tuple(drawn.get(row) for row in rows)
        if None in lines:
            return None
        sights.append((widget, region, clip, lines))  # type: ignore[arg-type]  # no None
    return sights


def _same_sights(kept: list[Sight] | None, sights: list[Sight] | None) -> bool:
    """The same widgets in the same places, each with the lines it drew then: the screen
    under would draw the same. (A layout makes new maps of the same places, as the
    screen resumes after a dialog, and its scrollbars draw their lines again, alike.)"""
    if kept is None or sights is None or len(kept) != len(sights):
        return False
    return all(
        old[0] is new[0]
        and old[1] == new[1]
        and old[2] == new[2]
        and len(old[3]) == len(new[3])
        and all(a is b or a == b for a, b in zip(old[3], new[3], strict=True))
        for old, new in zip(kept, sights, strict=True)
    )


class Modal(StyledOnce, ModalScreen[ResultType]):
    def render(self) -> RenderResult:  # type: ignore[override]  # Widget's, which Screen narrows
        drawn = super().render()
        if isinstance(drawn, BackgroundScreen):
            return DimmedScreen(drawn.screen, drawn.color)
        return drawn
