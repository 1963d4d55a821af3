"""The fixes sigtui applies to Textual (`sigtui/ui/textual_fixes.py`) hold."""

from __future__ import annotations

import asyncio
import cProfile
import gc
import pstats
import weakref
from typing import Any

import pytest
from textual._styles_cache import StylesCache
from textual.app import App, ComposeResult
from textual.color import Color
from textual.containers import VerticalScroll
from textual.css.stylesheet import Stylesheet
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static

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
        assert len(caches) > 10
        del form
        await pilot.press("escape")
        await settle(pilot)
        for _ in range(100):  # the form closed may still be tearing down (a busy CI)
            gc.collect()
            if all(cache() is None for cache in caches):
                break
            await pilot.pause()
        assert [cache for cache in caches if cache() is not None] == []


def test_the_inner_and_outer_backgrounds_are_textuals_own() -> None:
    """The fixed `get_inner_outer` answers what Textual's answered, for any cache."""
    base, background = Color(10, 20, 30), Color(200, 100, 50, 0.5)
    inner, outer = StylesCache().get_inner_outer(base, background)
    assert inner.background == base + background
    assert outer.background == base
    assert StylesCache().get_inner_outer(base, background) == (inner, outer)


class _Tall(App[None]):
    """A line of text over a box of ten rows that holds thirty."""

    CSS = "#box { height: 10; }"

    def compose(self) -> ComposeResult:
        yield Static("over the box")
        with VerticalScroll(id="box"):
            yield from (Static(f"line {n}") for n in range(30))


def test_a_screens_layout_asks_for_no_second_one_for_its_virtual_sizes_and_scrolls() -> None:
    """A layout sets every widget's virtual size; with Textual's own `_size_updated`
    each widget whose virtual size changed asked for the screen to be laid out again (66
    here). Only the box asks, as its scrollbar appears."""
    asked: list[Widget] = []
    boxes: list[Widget] = []
    in_layout: list[bool] = []
    refresh, refresh_layout = Widget.refresh, Screen._refresh_layout

    def recorded(widget: Widget, *regions: Any, **kwargs: Any) -> Widget:
        if in_layout and kwargs.get("layout"):
            asked.append(widget)
        return refresh(widget, *regions, **kwargs)

    def laid_out(screen: Screen[Any], *args: Any, **kwargs: Any) -> None:
        in_layout.append(True)
        try:
            refresh_layout(screen, *args, **kwargs)
        finally:
            in_layout.pop()

    async def flow() -> None:
        app = _Tall()
        async with app.run_test(size=(40, 20)) as pilot:
            await pilot.pause()
            box = app.query_one("#box", VerticalScroll)
            boxes.append(box)
            assert box.virtual_size.height == 30
            assert box.show_vertical_scrollbar  # a scrollbar's own reactive lays it out
            box.scroll_end(animate=False)
            await pilot.pause()
            assert box.scroll_y == 20

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Widget, "refresh", recorded)
        patch.setattr(Screen, "_refresh_layout", laid_out)
        asyncio.run(flow())
    assert asked == boxes


class _Placeholder(App[None]):
    """An empty Input (its placeholder drawn) whose placeholder's color a class sets."""

    CSS = """
    Input > .input--placeholder { color: rgb(0, 0, 255); }
    Screen.-warm Input > .input--placeholder { color: rgb(255, 0, 0); }
    """

    def compose(self) -> ComposeResult:
        yield Input(placeholder="a name")


def _placeholder_color(field: Input) -> Any:
    """The foreground color of the placeholder as the Input last drew it."""
    line = field.render_line(0)  # the cursor is on its first cell: the rest is placeholder
    return next(segment.style.color for segment in line if "name" in segment.text)


@pytest.mark.draws_frames  # what is asked for is what a frame draws
def test_a_component_is_styled_when_asked_and_styled_again_when_its_node_is() -> None:
    """Textual styled an Input's four component classes as it mounted (a node and the
    whole stylesheet matched for each), though an empty Input draws only its
    placeholder: only that one is made. A class that changes it restyles it at once."""

    async def flow() -> None:
        app = _Placeholder()
        async with app.run_test(size=(40, 5)) as pilot:
            field = app.query_one(Input)
            for _ in range(50):  # until the first frame is drawn
                await pilot.pause()
                if "input--placeholder" in dict(field._component_styles):
                    break
            made = dict(field._component_styles)
            assert set(made) <= {"input--placeholder", "input--cursor"}
            assert "input--placeholder" in made
            assert "input--suggestion" in field._component_styles  # asked: made then
            assert _placeholder_color(field).triplet == (0, 0, 255)
            app.screen.add_class("-warm")
            await pilot.pause()
            assert _placeholder_color(field).triplet == (255, 0, 0)

    asyncio.run(flow())


def _calls_to_style(rules: int) -> int:
    """Python calls made styling one Static again under a stylesheet of `rules` rules
    it does not match (and one it does)."""
    stylesheet = Stylesheet()
    unmatched = "".join(
        f".other-{number} {{ width: {number % 9 + 1}; }}\n" for number in range(rules)
    )
    stylesheet.add_source(f"Static {{ height: 2; }}\n{unmatched}")
    node = Static()
    stylesheet.apply(node)
    profile = cProfile.Profile()
    profile.enable()
    stylesheet.apply(node)
    profile.disable()
    return int(pstats.Stats(profile).total_calls)  # type: ignore[attr-defined]


def test_styling_a_node_makes_no_python_call_per_rule_of_the_stylesheet() -> None:
    """Textual hashed a rule set in Python (`id(self)`), once per rule of the whole
    stylesheet for each node styled: the calls grew with the stylesheet."""
    assert _calls_to_style(400) == _calls_to_style(100)


class _Clocked(Screen[None]):
    """A screen that notes, as it mounts (its compose done), whether its frame clock runs."""

    clock_ran_at_mount: bool | None = None

    def compose(self) -> ComposeResult:
        yield Static("a box")

    def on_mount(self) -> None:
        clock = self._Screen__update_timer  # type: ignore[attr-defined]  # Textual's own
        self.clock_ran_at_mount = clock is not None and clock._active.is_set()


def test_a_new_screens_frame_clock_runs_from_its_compose(monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual started a screen's frame clock when the screen first asked for a frame,
    after its first, and the clock's first tick came a whole period later: a new screen's
    widgets, changed as they mount, were drawn so a period after its first frame. (An
    hour's period: the clock does not tick while the test looks.)"""
    monkeypatch.setattr("textual.screen.UPDATE_PERIOD", 3600.0)

    async def flow() -> None:
        app: App[None] = App()
        async with app.run_test(size=(40, 20)) as pilot:
            screen = _Clocked()
            await app.push_screen(screen)
            await pilot.pause()
            assert screen.clock_ran_at_mount is True
            assert "box" in app.export_screenshot()  # drawn: its first frame, as it resumed

    asyncio.run(flow())
