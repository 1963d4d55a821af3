"""The screen under a dialog is dimmed as Textual dims it, line for line, and not again
while it draws the same."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pytest
from textual._compositor import Compositor
from textual.geometry import Region, Size
from textual.pilot import Pilot
from textual.renderables.background_screen import BackgroundScreen
from textual.strip import Strip
from textual.visual import Visual, visualize

from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens import modal
from sigtui.ui.screens.confirm import ConfirmScreen
from sigtui.ui.text import markup
from tests.ui.helpers import settle
from tests.ui.test_main_flows import main_screen, pilot_test


def _dialog() -> ConfirmScreen:
    return ConfirmScreen("Delete?", markup("Delete [b]$name[/b]?", name="it"))


async def _dialog_lines(pilot: Pilot[Any]) -> list[Strip]:
    """Open a dialog over the main screen: every line of its last frame, the dimmed
    screen under it included; then close it."""
    dialog = _dialog()
    await pilot.app.push_screen(dialog)
    await settle(pilot)
    assert isinstance(dialog._render(), modal.DimmedScreen)
    lines = dialog._compositor.render_strips()
    pilot.app.pop_screen()
    await settle(pilot)
    return lines


@pytest.mark.draws_frames
@pilot_test
async def test_the_screen_under_a_dialog_is_dimmed_as_textual_dims_it(app: SigtuiApp) -> None:
    async with app.run_test() as pilot:
        await settle(pilot)
        under = main_screen(pilot)
        dialog = _dialog()
        await pilot.app.push_screen(dialog)
        await settle(pilot)
        assert isinstance(dialog._render(), modal.DimmedScreen)
        width, height = dialog.size
        color = dialog.styles.background

        def drawn(background: object) -> list[Strip]:
            visual = visualize(dialog, background)
            return Visual.to_strips(dialog, visual, width, height, dialog.visual_style)

        # both from the same lines of the screen under: nothing is awaited in between
        ours = drawn(modal.DimmedScreen(under, color))
        textuals = drawn(BackgroundScreen(under, color))
    assert ours == textuals
    assert any(line != ours[0] for line in ours)  # the tree and details, not a blank


@dataclass
class Drawing:
    """One drawing of the dimmed screen: the lines of the screen under, and how many of
    them were dimmed."""

    under: list[Strip]
    dimmed: int


@pytest.mark.draws_frames
@pilot_test
async def test_a_dialog_over_an_unchanged_screen_dims_nothing_again(
    app: SigtuiApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each drawing dims the whole screen under when it drew otherwise than at the last
    drawing, and nothing when it drew the same (whatever loads late under a slow CI)."""
    drawings: list[Drawing] = []
    dimmed = 0
    dim, render = modal.DimmedScreen._dim, modal.DimmedScreen.render_strips

    def counted_dim(self: modal.DimmedScreen, line: Strip, base: Any) -> Strip:
        nonlocal dimmed
        dimmed += 1
        return dim(self, line, base)

    def recorded(self: modal.DimmedScreen, width: int, height: int | None, *rest: Any) -> Any:
        nonlocal dimmed
        dimmed = 0
        strips = render(self, width, height, *rest)
        drawings.append(Drawing(self.under._compositor.render_strips()[:height], dimmed))
        return strips

    monkeypatch.setattr(modal.DimmedScreen, "_dim", counted_dim)
    monkeypatch.setattr(modal.DimmedScreen, "render_strips", recorded)

    def check(drawn: list[Drawing], before: Drawing | None) -> None:
        for last, drawing in zip([before, *drawn], drawn, strict=False):
            same = last is not None and last.under == drawing.under
            assert drawing.dimmed == (0 if same else len(drawing.under))

    async with app.run_test() as pilot:
        await settle(pilot)
        first = await _dialog_lines(pilot)
        check(drawings, None)
        again_from = len(drawings)
        await _dialog_lines(pilot)
        again = drawings[again_from:]
        check(again, drawings[again_from - 1])
        assert any(drawing.dimmed == 0 for drawing in again)
        await pilot.press("down")  # the cursor moves: the screen under draws otherwise
        await settle(pilot)
        assert main_screen(pilot).tree.cursor_line == 1
        moved_from = len(drawings)
        moved = await _dialog_lines(pilot)
        check(drawings[moved_from:], drawings[moved_from - 1])
        assert drawings[moved_from].dimmed == pilot.app.size.height
        assert moved != first


@pytest.mark.draws_frames
@pilot_test
async def test_a_dialog_draws_the_screen_under_again_only_when_it_changed(
    app: SigtuiApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over a screen whose widgets are where they were and draw what they drew, a
    dialog's drawing takes its dimmed lines as kept, without drawing the screen under
    (a line marked out of sight, or a new layout of the same places, changes nothing);
    a widget under that changes, or a layout that moves them, has it drawn again, and
    the change shows dimmed."""
    under_drawn = 0
    render_strips = Compositor.render_strips

    def counted(compositor: Compositor, *args: Any) -> list[Strip]:
        nonlocal under_drawn
        if compositor is main_screen_compositor:
            under_drawn += 1
        return render_strips(compositor, *args)

    monkeypatch.setattr(Compositor, "render_strips", counted)
    async with app.run_test() as pilot:
        await settle(pilot)
        main = main_screen(pilot)
        main_screen_compositor = main._compositor
        dialog = _dialog()
        await pilot.app.push_screen(dialog)
        await settle(pilot)

        async def drawn() -> list[Strip]:
            """The dialog's lines, its screen (the dimmed one under) drawn again."""
            dialog.refresh()
            await settle(pilot)  # and the details of the tree's cursor, read in a worker
            return dialog._compositor.render_strips()

        before = await drawn()
        under_drawn = 0
        for _ in range(3):
            assert await drawn() == before
        assert under_drawn == 0
        tree_rows = main.tree.outer_size.height
        main.tree._styles_cache.set_dirty(Region(0, tree_rows, 10, 2))  # rows out of sight
        main._styles_cache.set_dirty(main.region)  # the screen's own, under its widgets
        assert await drawn() == before
        assert under_drawn == 0
        main.tree._styles_cache.set_dirty(Region(0, tree_rows - 1, 10, 1))  # its last row
        assert await drawn() == before
        assert under_drawn >= 1
        under_drawn = 0
        main.tree.refresh()  # a widget under to draw again, its layout as it was
        assert await drawn() == before
        assert under_drawn >= 1
        under_drawn = 0
        main.tree.cursor_line = 1  # the screen under changes (its cursor), not the dialog
        after = await drawn()
        assert under_drawn >= 1
        assert after != before
        main.tree.cursor_line = 0  # back: the details of its node load again, in time
        deadline = time.monotonic() + 10
        while await drawn() != before:
            assert time.monotonic() < deadline, "the dialog never drew the screen as before"
        main._compositor.reflow(main, main.size)  # a new layout, the same places
        under_drawn = 0
        assert await drawn() == before
        assert under_drawn == 0
        width, height = main.size
        main._compositor.reflow(main, Size(width - 10, height))  # a layout that moves them
        assert await drawn() != before
        assert under_drawn >= 1
        main._compositor.reflow(main, main.size)
        assert await drawn() == before
