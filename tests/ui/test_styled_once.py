"""A screen is laid out once as it opens: the Resize Textual sends a newly shown screen, of
the size it was just laid out at, lays nothing out again; the terminal's does."""

from __future__ import annotations

from typing import Any

import pytest
from textual import events
from textual.screen import Screen

from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens.limits import LimitsScreen
from tests.ui.helpers import open_screen, settle
from tests.ui.test_main_flows import pilot_test


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
