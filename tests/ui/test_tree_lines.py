"""The catalog tree keeps the lines it drew: a line is drawn again only when what it shows
changed, and every line is the one Textual draws."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widgets import Tree

from sigtui.ui.app import SigtuiApp
from sigtui.ui.widgets.catalog_tree import CatalogTree
from tests.ui.helpers import settle
from tests.ui.test_main_flows import FINANCE, main_screen, pilot_test, walk_to


def _shown(tree: CatalogTree) -> list[Strip]:
    """Every line in view, as the tree draws it (through the lines it keeps)."""
    top, width = tree.scroll_offset.y, tree.size.width
    return [tree._render_line(top + y, 0, width, tree.rich_style) for y in range(tree.size.height)]


def _textuals(tree: CatalogTree) -> list[Strip]:
    """The same lines drawn afresh by Textual's own code."""
    top, width = tree.scroll_offset.y, tree.size.width
    tree._line_cache.clear()
    return [
        Tree._render_line(tree, top + y, 0, width, tree.rich_style) for y in range(tree.size.height)
    ]


async def _check(pilot: Pilot[Any], tree: CatalogTree) -> list[Strip]:
    await settle(pilot)
    tree._pseudo_class_state = tree.get_pseudo_class_state()  # as Tree.render_lines sets it
    shown = _shown(tree)
    assert shown == _textuals(tree)
    return shown


@pytest.mark.draws_frames
@pilot_test
async def test_every_line_the_tree_keeps_is_the_line_textual_draws(app: SigtuiApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await walk_to(pilot, *FINANCE)
        tree = main_screen(pilot).tree
        first = await _check(pilot, tree)
        await pilot.press("enter")  # the gallery expands: its definitions below it
        expanded = await _check(pilot, tree)
        assert expanded != first
        await pilot.press("down", "down")  # the cursor moves
        await _check(pilot, tree)
        await pilot.press("tab")  # the tree loses the focus: its cursor dims
        await _check(pilot, tree)
        await pilot.press("shift+tab")
        await _check(pilot, tree)
        await pilot.hover(tree, offset=(4, 3))  # the mouse over a line
        await _check(pilot, tree)
        pilot.app.theme = "textual-light" if pilot.app.theme != "textual-light" else "nord"
        themed = await _check(pilot, tree)
        assert themed != expanded
        await pilot.press("up", "up", "enter")  # collapsed again
        await _check(pilot, tree)
        tree.narrow("myImage")  # the filter: other nodes in the same places
        narrowed = await _check(pilot, tree)
        tree.clear_filter()  # the whole tree again, its node ids counted from 0 again
        await settle(pilot)
        assert await _check(pilot, tree) != narrowed


@pytest.mark.draws_frames
@pilot_test
async def test_a_node_expanded_draws_only_its_line_and_the_lines_that_moved(
    app: SigtuiApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[int] = []
    draw = Tree._render_line

    def counted(self: Tree[Any], y: int, *rest: Any) -> Strip:
        drawn.append(y)
        return draw(self, y, *rest)

    monkeypatch.setattr(Tree, "_render_line", counted)
    async with app.run_test(size=(100, 30)) as pilot:
        await walk_to(pilot, *FINANCE)
        tree = main_screen(pilot).tree
        await settle(pilot)
        at = tree.cursor_line
        assert at > 0
        drawn.clear()
        await pilot.press("enter")
        await settle(pilot)
        assert drawn and min(drawn) == at  # none of the lines above the gallery's
        children = len(tree.cursor_node.children)  # type: ignore[union-attr]
        assert children > 0
        drawn.clear()
        await pilot.press("enter")  # collapsed: the lines below come back as they were
        await settle(pilot)
        assert {y for y in drawn if y <= tree.last_line} == {at}  # (below: blank lines)
