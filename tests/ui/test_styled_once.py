"""A screen is laid out once as it opens: the Resize Textual sends a newly shown screen, of
the size it was just laid out at, lays nothing out again; the terminal's does."""

from __future__ import annotations

from typing import Any

import pytest
from textual import events
from textual.css.stylesheet import Stylesheet
from textual.screen import Screen

from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens.advisor import AdvisorScreen
from sigtui.ui.screens.cleanup import CleanupScreen
from sigtui.ui.screens.costs import CostScreen
from sigtui.ui.screens.forms import FormScreen
from sigtui.ui.screens.forms.select import FormSelect
from sigtui.ui.screens.limits import LimitsScreen
from sigtui.ui.screens.replication import ReplicationScreen
from sigtui.ui.screens.transfer import ImportScreen
from tests.ui.helpers import open_screen, settle
from tests.ui.test_main_flows import FINANCE, pilot_test, walk_to

# The screens that had styles of their own (a CSS_PATH), by the main screen's keys
OWN_STYLES: list[tuple[str, type[Screen[Any]]]] = [
    ("l", LimitsScreen),
    ("dollar_sign", CostScreen),
    ("x", CleanupScreen),
    ("r", ReplicationScreen),
    ("a", AdvisorScreen),
    ("I", ImportScreen),
]


@pilot_test
async def test_a_screen_is_laid_out_again_only_when_the_terminal_changes_size(
    app: SigtuiApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    layouts: list[tuple[str, Any]] = []
    refresh_layout = Screen._refresh_layout

    def counted(screen: Screen[Any], size: Any = None, scroll: bool = False) -> None:
        layouts.append((type(screen).__name__, size))
        refresh_layout(screen, size, scroll)

    monkeypatch.setattr(Screen, "_refresh_layout", counted)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_screen(pilot, "l", LimitsScreen)
        layouts.clear()
        screen.post_message(events.Resize(screen.outer_size, screen.outer_size))
        await settle(pilot)
        assert ("LimitsScreen", screen.outer_size) not in layouts
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert screen.outer_size == (120, 40)
        assert ("LimitsScreen", (120, 40)) in layouts


def _screens_at(app: SigtuiApp, monkeypatch: pytest.MonkeyPatch, step: str) -> list[str]:
    """The screen shown each time the app's stylesheet takes `step` (parse, reparse)."""
    screens: list[str] = []
    original = getattr(Stylesheet, step)

    def counted(stylesheet: Stylesheet) -> None:
        screens.append(type(app.screen).__name__)
        original(stylesheet)

    monkeypatch.setattr(Stylesheet, step, counted)
    return screens


@pilot_test
async def test_a_screen_opened_for_the_first_time_parses_no_styles_again(
    app: SigtuiApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every screen's styles are the app's, parsed at start: a screen with styles of its
    own would make Textual parse every source again and restyle every open screen (the
    one under a dialog then drawn anew to be dimmed) the first time it opens."""
    reparsed = _screens_at(app, monkeypatch, "reparse")
    async with app.run_test(size=(120, 40)) as pilot:
        for key, kind in OWN_STYLES:
            await open_screen(pilot, key, kind)
            await pilot.press("escape")
            await settle(pilot)
        await walk_to(pilot, *FINANCE)
        await open_screen(pilot, "n", FormScreen)
    assert reparsed == []


@pilot_test
async def test_the_first_form_opened_parses_no_styles(
    app: SigtuiApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A form's screen and controls (inputs, buttons, selects, switches) are not on the
    main screen: Textual adds a widget's own styles as the first of its kind mounts, and
    parsed them as the first form opened. The app parses them once its first frame is
    drawn."""
    parsed = _screens_at(app, monkeypatch, "parse")
    async with app.run_test(size=(120, 40)) as pilot:
        await walk_to(pilot, *FINANCE)
        assert parsed  # the app's styles, then the forms'
        parsed.clear()
        form = await open_screen(pilot, "n", FormScreen)
        await form.query_one(FormSelect).action_show_overlay()  # its list, made as it opens
        await settle(pilot)
        assert form.query("SelectOverlay")
    assert parsed == []
