"""The screen under a dialog is dimmed as Textual dims it, line for line, and not again
while it draws the same."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.strip import Strip
from textual.visual import RichVisual

from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens import modal
from sigtui.ui.screens.confirm import ConfirmScreen
from sigtui.ui.text import markup
from tests.ui.helpers import settle
from tests.ui.test_main_flows import main_screen, pilot_test


async def _dialog_lines(pilot: Pilot[Any], drawn_as: type[object]) -> list[Strip]:
    """Open a dialog over the main screen: every line of its last frame, the dimmed
    screen under it included (drawn as `drawn_as`); then close it."""
    dialog = ConfirmScreen("Delete?", markup("Delete [b]$name[/b]?", name="it"))
    await pilot.app.push_screen(dialog)
    await settle(pilot)
    assert isinstance(dialog._render(), drawn_as)
    lines = dialog._compositor.render_strips()
    pilot.app.pop_screen()
    await settle(pilot)
    return lines


@pytest.mark.draws_frames
@pilot_test
async def test_the_screen_under_a_dialog_is_dimmed_as_textual_dims_it(
    app: SigtuiApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with app.run_test() as pilot:
        await settle(pilot)
        ours = await _dialog_lines(pilot, modal.DimmedScreen)
        with monkeypatch.context() as patched:
            patched.setattr(modal.Modal, "render", Screen.render)
            textuals = await _dialog_lines(pilot, RichVisual)
    assert ours == textuals
    assert any(line != ours[0] for line in ours)  # the tree and details, not a blank


@pytest.mark.draws_frames
@pilot_test
async def test_a_dialog_over_an_unchanged_screen_dims_nothing_again(
    app: SigtuiApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    dimmed: list[Strip] = []
    dim = modal.DimmedScreen._dim

    def counted(self: modal.DimmedScreen, line: Strip, base: Any) -> Strip:
        dimmed.append(line)
        return dim(self, line, base)

    monkeypatch.setattr(modal.DimmedScreen, "_dim", counted)
    async with app.run_test() as pilot:
        await settle(pilot)
        first = await _dialog_lines(pilot, modal.DimmedScreen)
        assert len(dimmed) == pilot.app.size.height
        dimmed.clear()
        assert await _dialog_lines(pilot, modal.DimmedScreen) == first
        assert dimmed == []
        await pilot.press("down")  # the cursor moves: the screen under draws otherwise
        await settle(pilot)
        assert main_screen(pilot).tree.cursor_line == 1
        moved = await _dialog_lines(pilot, modal.DimmedScreen)
        assert len(dimmed) == pilot.app.size.height
        assert moved != first
