"""The base of sigtui's dialogs and forms: a ModalScreen, styled and laid out once as
every screen (`StyledOnce`), that draws the dimmed screen under it faster.

The screen under a dialog is drawn dimmed (twice as the dialog opens, and at each of its
layouts): Textual renders the screen under to text, tints it segment by segment, and cuts
the text into lines again (11 ms a drawing at 160x50, the main screen of a big catalog
under a form). Here its lines are taken as they are, each distinct style tinted once per
process, and the dimmed lines kept while the screen under draws the same: a dialog opened
over an unchanged screen dims nothing again. Nor is the screen under drawn again while
it has the same layout and none of its widgets has a line in sight to draw again (3.7 ms
a drawing on the big catalog, twice as a dialog opens: a table's rows below its bottom
kept it drawn again at each). The lines are those Textual draws.
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
from textual.renderables.background_screen import BackgroundScreen
from textual.screen import ModalScreen, Screen
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual

from sigtui.ui.screens.styled_once import StyledOnce

ResultType = TypeVar("ResultType")


@lru_cache(maxsize=4096)
def dimmed_style(style: RichStyle | None, color: Color, base: RichStyle) -> RichStyle:
    """A style of the screen under, tinted by Textual's own code, under the dialog's
    screen style (as Textual draws a widget's renderable)."""
    (tinted,) = BackgroundScreen.process_segments([Segment(" ", style)], color)
    assert tinted.style is not None
    return base + tinted.style if base else tinted.style


@dataclass
class Dimmed:
    """The last lines drawn of a screen under a dialog, and the same dimmed; `maps`, the
    under screen's layout they were drawn from."""

    key: tuple[Color, RichStyle, int, int | None] | None = None
    lines: list[Strip] = field(default_factory=list)
    dimmed: list[Strip] = field(default_factory=list)
    maps: tuple[object, object] | None = None


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
        compositor = self.under._compositor
        maps = (compositor._full_map, compositor._visible_map)
        if kept.key == key and _same_maps(kept.maps, maps) and not _redraws(self.under):
            return kept.dimmed
        lines = compositor.render_strips()[:height]
        if kept.key != key or kept.lines != lines:
            kept.key, kept.lines = key, lines
            kept.dimmed = [self._dim(line.crop(0, width), base) for line in lines]
        kept.maps = maps
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


def _same_maps(kept: tuple[object, object] | None, maps: tuple[object, object]) -> bool:
    """The screen under laid out as it was (Textual makes new maps at each layout; it
    lays a screen out again as the dialog over it closes, so that what the screen
    draws after that, its marks then cleared, is drawn again as the next dialog opens)."""
    return kept is not None and all(a is b for a, b in zip(kept, maps, strict=True))


def _redraws(under: Screen[Any]) -> bool:
    """Whether a widget of the screen under would draw a line it shows otherwise than it
    last did: a widget that changes marks its lines to draw again (Textual draws the
    others from its cache), and drawing a line clears its mark. A line out of sight (a
    table's rows below its bottom) keeps its mark and draws nothing. The screen's own
    lines, under its widgets, are marked each time it resumes, unchanged: they change
    with its styles, and so do its widgets'."""
    for widget, (region, clip) in under._compositor.visible_widgets.items():
        marked = widget._styles_cache._dirty_lines
        if marked and widget is not under:
            shown = region.intersection(clip)
            first = shown.y - region.y
            if any(first <= line < first + shown.height for line in marked):
                return True
    return False


class Modal(StyledOnce, ModalScreen[ResultType]):
    def render(self) -> RenderResult:  # type: ignore[override]  # Widget's, which Screen narrows
        drawn = super().render()
        if isinstance(drawn, BackgroundScreen):
            return DimmedScreen(drawn.screen, drawn.color)
        return drawn
