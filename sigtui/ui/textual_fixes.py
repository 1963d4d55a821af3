"""Fixes to the Textual the app runs on, applied once by the app's module (`apply`).

`StylesCache.get_inner_outer`: Textual (8.2.8, Textualize/textual#6665) caches it with
`lru_cache` on the method, so the cache's keys hold the widget's `StylesCache` itself,
and with it every line that widget last drew: up to 1,024 of them, of widgets long
removed. Every form or dialog opened and closed left its widgets' caches there (about
10,000 objects a form), and every full run of the cycle collector walked them all: on
the big catalog, the collector's time per form opened and closed grew from 64 to 114 ms
over thirty openings (about 50 ms throughout with this fix), and on the demo catalog 120
openings grew the app's memory by 24 MB (11 MB with it, the other caches' fill). The
two colors are all the result depends on: cached on those, the cache holds nothing of a
widget.

`Widget._size_updated`: a layout gives each widget its size and its virtual size (what
it would show, scrolled) and draws the frame; Textual then sets the virtual size through
its reactive, which asks for a layout again, for each widget whose virtual size changed.
A new screen's every widget goes from none to its own: every screen opening was laid out
a second time a frame later, each widget styled, arranged and drawn again (20 ms for the
new version form's 71 widgets, of its 150 ms). The layout that computed the virtual size
already accounted for it; what it may change is a scrollbar, whose own reactive asks for
the layout it needs (`_scroll_update`, kept).

`Stylesheet._process_component_classes`: each time a widget is styled, Textual also
styles every one of its component classes (a node made for each, the stylesheet matched
against it), whether or not the widget ever draws with it: an Input's four (cursor,
placeholder, suggestion, selection) on every Input of a form, though most draw one or
none. The definition form made 113 such nodes as it opened and drew with 30: about a
tenth of the Python calls of its opening. Here a component's styles are made when first
asked for (`LazyComponentStyles`); a widget styled again makes again at once the ones it
has asked for, and is drawn again if one changed, as Textual does for all of them.

`RuleSet.__hash__`: Textual hashes a rule set by its identity, `id(self)`, in Python.
Styling a node looks every rule of the stylesheet up in the set of rules its names
match (`Stylesheet.apply`): a Python call per rule of the app's stylesheet (269 rules),
per node styled, 64,000 calls of the new version form's 518,000. `object.__hash__` is
the same identity hash, in C.

`Screen._compose`: a screen draws itself once as it resumes, then on the ticks of its
frame clock (60 a second: a frame asked for is drawn at the clock's next tick, at once if
a period has gone by since its last). Textual starts the clock when the screen first asks
for a frame, after its first, and the first tick comes a whole period later. A new
screen's widgets handle their mount after that first frame and ask for another: every
screen opened waited, with nothing to do, before it showed its widgets as mounted, and
so did its second frame. Here the clock starts as the screen composes (no tick draws
until the compose is done), so a new screen's frames come as an old screen's do.
"""

from __future__ import annotations

import weakref
from functools import lru_cache
from typing import Any

from textual._styles_cache import StylesCache
from textual.color import Color
from textual.css.model import RuleSet
from textual.css.styles import RenderStyles
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode
from textual.geometry import Size
from textual.screen import Screen
from textual.style import Style
from textual.widget import Widget

INNER_OUTER_CACHE_SIZE = 1024  # as Textual's own


def keep_no_widget_in_the_style_cache() -> None:
    """Cache `StylesCache.get_inner_outer` on its colors only (see the module's text)."""
    method: Any = StylesCache.__dict__.get("get_inner_outer")
    uncached = getattr(method, "__wrapped__", None)
    if uncached is None or not hasattr(method, "cache_info"):
        return  # no longer an lru_cache on the method: fixed upstream, nothing to do

    @lru_cache(maxsize=INNER_OUTER_CACHE_SIZE)
    def inner_outer(base_background: Color, background: Color) -> tuple[Style, Style]:
        result: tuple[Style, Style] = uncached(StylesCache, base_background, background)
        return result

    def get_inner_outer(
        _styles_cache: StylesCache, base_background: Color, background: Color
    ) -> tuple[Style, Style]:
        return inner_outer(base_background, background)

    StylesCache.get_inner_outer = get_inner_outer  # type: ignore[method-assign, assignment]


def lay_out_no_widget_again_for_its_virtual_size() -> None:
    """A layout's virtual sizes set without asking for another (see the module's text)."""
    size_updated = Widget._size_updated
    if getattr(size_updated, "fixed_by_sigtui", False):
        return

    def _size_updated(
        widget: Widget, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        return size_updated(widget, size, virtual_size, container_size, layout=False)

    _size_updated.fixed_by_sigtui = True  # type: ignore[attr-defined]
    Widget._size_updated = _size_updated  # type: ignore[method-assign, assignment]


class LazyComponentStyles(dict[str, RenderStyles]):
    """A node's component styles, each made when first asked for (see the module's
    text). It answers `in` for every component class of its node, as Textual's dict
    does once all are made; `clear` (as the node is removed) forgets them all."""

    def __init__(self, stylesheet: Stylesheet, node: DOMNode, names: frozenset[str]) -> None:
        super().__init__()
        self.stylesheet = stylesheet
        self.node = node
        self.names = names

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def __missing__(self, name: str) -> RenderStyles:
        if name not in self.names:
            raise KeyError(name)
        styles = self[name] = self.made(name)
        return styles

    def made(self, name: str) -> RenderStyles:
        virtual_node = DOMNode(classes=name)
        virtual_node._attach(self.node)
        self.stylesheet.apply(virtual_node, animate=False)
        return virtual_node.styles

    def clear(self) -> None:
        super().clear()
        self.names = frozenset()

    def restyle(self) -> bool:
        """Make again the styles asked for so far: whether any of them changed."""
        changed = False
        for name, old in list(self.items()):
            new = self[name] = self.made(name)
            changed = changed or new != old
        return changed


def style_component_classes_when_asked() -> None:
    """A component's styles made when first asked for (see the module's text)."""
    process = Stylesheet._process_component_classes
    if getattr(process, "fixed_by_sigtui", False):
        return

    def _process_component_classes(stylesheet: Stylesheet, node: DOMNode) -> None:
        names = node._get_component_classes()
        if not names:
            return
        styles = node._component_styles
        if isinstance(styles, LazyComponentStyles) and styles.names == names:
            if styles.restyle():
                node.refresh()
            return
        if styles:  # made by Textual's own code: drawn with them, so drawn again
            node.refresh()
        node._component_styles = LazyComponentStyles(stylesheet, node, names)

    _process_component_classes.fixed_by_sigtui = True  # type: ignore[attr-defined]
    Stylesheet._process_component_classes = _process_component_classes  # type: ignore[method-assign, assignment]


def hash_rule_sets_in_c() -> None:
    """A rule set hashed by identity as Textual does, without a Python call (see the
    module's text)."""
    probe = RuleSet()
    if RuleSet.__hash__ is object.__hash__ or hash(probe) != id(probe):
        return  # fixed upstream, or hashed otherwise than by identity: left alone
    RuleSet.__hash__ = object.__hash__  # type: ignore[method-assign]


def start_a_screens_frame_clock_as_it_composes() -> None:
    """A screen's frame clock running from its compose (see the module's text)."""
    compose = Screen._compose
    on_timer_update = Screen._on_timer_update
    if getattr(compose, "fixed_by_sigtui", False):
        return
    composing: weakref.WeakSet[Screen[Any]] = weakref.WeakSet()

    async def _compose(screen: Screen[Any]) -> None:
        composing.add(screen)
        screen._update_timer.resume()
        try:
            await compose(screen)
        finally:
            composing.discard(screen)

    def _on_timer_update(screen: Screen[Any]) -> None:
        if screen in composing:  # nothing to draw yet: the next tick that asks draws
            screen._update_timer.pause()
        else:
            on_timer_update(screen)

    _compose.fixed_by_sigtui = True  # type: ignore[attr-defined]
    Screen._compose = _compose  # type: ignore[method-assign, assignment]
    Screen._on_timer_update = _on_timer_update  # type: ignore[method-assign, assignment]


def apply() -> None:
    hash_rule_sets_in_c()
    start_a_screens_frame_clock_as_it_composes()
    keep_no_widget_in_the_style_cache()
    lay_out_no_widget_again_for_its_virtual_size()
    style_component_classes_when_asked()
