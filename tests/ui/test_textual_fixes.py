"""The fixes sigtui applies to Textual (`sigtui/ui/textual_fixes.py`) hold."""

from __future__ import annotations

import gc
import weakref

import pytest
from textual._styles_cache import StylesCache
from textual.color import Color

from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens.forms.base import FormScreen
from tests.ui.helpers import settle
from tests.ui.test_main_flows import FINANCE, pilot_test, walk_to


@pytest.mark.draws_frames  # the caches filled are those of the frames drawn
@pilot_test
async def test_a_closed_form_leaves_none_of_its_widgets_drawn_lines_in_memory(
    app: SigtuiApp,
) -> None:
    """Textual 8.2.8 kept the style cache (and so every line drawn) of up to 1,024
    removed widgets, for every form opened and closed (Textualize/textual#6665)."""
    async with app.run_test() as pilot:
        await walk_to(pilot, *FINANCE)
        await pilot.press("e")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, FormScreen)
        caches = [weakref.ref(widget._styles_cache) for widget in form.walk_children()]
        assert len(caches) > 20
        del form
        await pilot.press("escape")
        await settle(pilot)
        gc.collect()
        assert [cache for cache in caches if cache() is not None] == []


def test_the_inner_and_outer_backgrounds_are_textuals_own() -> None:
    """The fixed `get_inner_outer` answers what Textual's answered, for any cache."""
    base, background = Color(10, 20, 30), Color(200, 100, 50, 0.5)
    inner, outer = StylesCache().get_inner_outer(base, background)
    assert inner.background == base + background
    assert outer.background == base
    assert StylesCache().get_inner_outer(base, background) == (inner, outer)
