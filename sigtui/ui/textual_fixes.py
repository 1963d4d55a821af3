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
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from textual._styles_cache import StylesCache
from textual.color import Color
from textual.geometry import Size
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


def apply() -> None:
    keep_no_widget_in_the_style_cache()
    lay_out_no_widget_again_for_its_virtual_size()
