"""Pilot tests of the main screen's power keys on the demo catalog: the in-place tree
filter (`/`, esc), the jump (`:`), the JSON view (`j`), and the copies (`c`, `C`) that go
to the terminal (OSC 52) and to a file."""

from __future__ import annotations

import json
import shlex
from typing import Any

from textual.pilot import Pilot

from sigtui.ui.app import SigtuiApp
from sigtui.ui.clipboard import clipboard_path
from sigtui.ui.screens.json_view import JsonScreen
from sigtui.ui.screens.main import MainScreen
from tests.ui.conftest import TERMINAL
from tests.ui.helpers import settle
from tests.ui.test_main_flows import FINANCE, cursor_name, main_screen, pilot_test, walk_to


def shown_tree(screen: MainScreen) -> list[str]:
    """The tree's nodes as indented names, top down, the cursor's marked with `*`."""
    tree = screen.tree
    lines = []
    for node in tree._nodes_in_order():
        depth, parent = 0, node.parent
        while parent is not None and parent is not tree.root:
            depth, parent = depth + 1, parent.parent
        mark = " *" if node is tree.cursor_node else ""
        lines.append("  " * depth + node.data.node.name + mark)
    return lines


def status(screen: MainScreen) -> str:
    return str(screen.prompt.query_one("#prompt-status").render())


async def press(pilot: Pilot[Any], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def enter_text(pilot: Pilot[Any], key: str, text: str) -> None:
    """Open the prompt with `key` and put `text` in it at once, as a paste does (typed
    key by key, each keystroke would wait for the read it starts)."""
    await press(pilot, key)
    main_screen(pilot).prompt.input.insert_text_at_cursor(text)
    await settle(pilot)


def last_notification(app: SigtuiApp) -> str:
    return list(app._notifications)[-1].message


@pilot_test
async def test_slash_narrows_the_tree_in_place_and_colon_jumps_by_name_or_arm_id(
    app: SigtuiApp,
) -> None:
    """In one app: `/` narrows the tree in place and escape brings it back; then `:`
    jumps by name with completion or by ARM id."""
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        screen = main_screen(pilot)
        await pilot.press("slash", *"myImage")  # typed at once: one read, then the last
        await settle(pilot)
        assert screen.prompt.mode == "filter" and screen.prompt.input.has_focus
        assert shown_tree(screen) == [
            "Contoso",
            "  contoso-finance-prod",
            "    rg-finance-images",
            "      sigFinance",
            "        myImage1 *",  # the first match gets the cursor
            "        myImage2",
            "        myImage3",
        ]
        assert status(screen) == "3 matches · esc clears"
        assert screen.details.details is not None
        assert screen.details.details.title == "Image definition myImage1"
        await press(pilot, "down", "down")  # from the prompt into the tree, then down
        assert screen.tree.has_focus and cursor_name(pilot) == "myImage2"
        assert screen.active_bindings["escape"].binding.id == "main.clear_filter"
        await press(pilot, "escape")
        assert screen.prompt.mode is None and not screen.tree.filter_text
        assert cursor_name(pilot) == "myImage2"  # kept, in the whole tree
        tree = [line.strip() for line in shown_tree(screen)]
        assert "rg-finance-builds" in tree and "Fabrikam" in tree
        assert "escape" not in screen.active_bindings  # esc is free again

        await enter_text(pilot, "slash", "zzz")
        assert status(screen) == "no match for 'zzz'" and shown_tree(screen) == []
        await press(pilot, "ctrl+u")  # emptied: the whole tree again
        assert not screen.tree.filter_text and "Fabrikam" in shown_tree(screen)
        await press(pilot, "escape")
        assert not screen.prompt.input.has_focus
        await press(pilot, "slash")  # the prompt again, empty
        await pilot.press(*"q?vd")  # typed into the prompt, not run as keys
        await settle(pilot)
        assert app.screen is screen and screen.prompt.input.value == "q?vd"
        await press(pilot, "escape")
        await colon_jumps_by_name_with_completion_or_by_arm_id(pilot)


@pilot_test
async def test_the_filter_stays_across_a_change_and_a_jump_clears_it(app: SigtuiApp) -> None:
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        screen = main_screen(pilot)
        await enter_text(pilot, "slash", "Europe Ouest")  # a region's French name
        await press(pilot, "enter")
        assert screen.tree.has_focus and screen.tree.filter_text == "Europe Ouest"
        narrowed = shown_tree(screen)
        assert "sigContosoPlatform" in "".join(narrowed) and "Fabrikam" not in narrowed
        screen.show_changes()  # another session wrote: the matches are read again
        await settle(pilot)
        assert [line.rstrip(" *") for line in shown_tree(screen)] == [
            line.rstrip(" *") for line in narrowed
        ]
        await enter_text(pilot, "colon", "myImage3")  # not a match: the filter goes
        await press(pilot, "enter")
        assert cursor_name(pilot) == "myImage3" and not screen.tree.filter_text
        assert screen.prompt.mode is None and screen.tree.has_focus
        my_image3 = screen.tree.cursor_node.data.node.arm_id  # type: ignore[union-attr]
        await enter_text(pilot, "slash", "sigContosoPlatform")
        assert screen.tree.filter_text == "sigContosoPlatform"
        screen.show_saved(my_image3)  # just saved, not a match: shown in the whole tree
        await settle(pilot)
        assert cursor_name(pilot) == "myImage3" and not screen.tree.filter_text
        assert screen.prompt.mode is None


async def colon_jumps_by_name_with_completion_or_by_arm_id(pilot: Pilot[Any]) -> None:
    app = pilot.app
    await settle(pilot)
    screen = main_screen(pilot)
    await pilot.press("colon", *"sigfin")
    await settle(pilot)
    assert screen.prompt.mode == "jump"
    await press(pilot, "right")  # takes the completion
    assert screen.prompt.input.value == "sigFinance"
    await press(pilot, "enter")
    assert cursor_name(pilot) == "sigFinance" and screen.prompt.mode is None
    arm_id = screen.tree.cursor_node.data.node.arm_id  # type: ignore[union-attr]
    await press(pilot, "home")
    assert cursor_name(pilot) == "Contoso"
    await enter_text(pilot, "colon", arm_id.upper())  # ids are case-insensitive
    await press(pilot, "enter")
    assert cursor_name(pilot) == "sigFinance"
    await enter_text(pilot, "colon", "no-such-thing")
    await press(pilot, "enter")
    said = "No resource is named 'no-such-thing' (nor a name starting with it)."
    assert status(screen) == said and last_notification(app) == said
    assert screen.prompt.mode == "jump"  # still open, to correct the name
    await press(pilot, "escape")
    assert screen.prompt.mode is None and cursor_name(pilot) == "sigFinance"


@pilot_test
async def test_json_view_copy_and_az_command(app: SigtuiApp) -> None:
    async with app.run_test(size=TERMINAL) as pilot:
        await walk_to(pilot, *FINANCE, "myImage1", "1.0.0")
        screen = main_screen(pilot)
        arm_id = screen.tree.cursor_node.data.node.arm_id  # type: ignore[union-attr]
        await press(pilot, "j")
        json_screen = app.screen
        assert isinstance(json_screen, JsonScreen)
        assert json_screen.document is not None
        document = json.loads(json_screen.document)
        assert document["id"] == arm_id and "publishingProfile" in document
        assert '"name": "1.0.0"' in str(json_screen.query_one("#json-text").render())
        await press(pilot, "c")
        assert app.clipboard == json_screen.document
        assert clipboard_path().read_text(encoding="utf-8") == json_screen.document
        assert str(clipboard_path()) in last_notification(app)
        await press(pilot, "escape", "C")
        assert app.screen is screen
        words = shlex.split(app.clipboard)
        assert words[:4] == ["az", "sig", "image-version", "create"]
        assert words[words.index("-e") + 1] == "1.0.0"
        assert clipboard_path().read_text(encoding="utf-8") == app.clipboard + "\n"
        await press(pilot, "c")  # copy id: the same two ways
        assert app.clipboard == arm_id
        assert clipboard_path().read_text(encoding="utf-8") == arm_id + "\n"
        await press(pilot, "home")
        await walk_to(pilot, *FINANCE[:2], "rg-finance-builds", "Managed images")
        await press(pilot, "enter", "down", "C")
        assert "SIG-INPUT" in last_notification(app)  # no az command for a managed image
        await press(pilot, "home", "j")  # a tenant: no ARM id, no JSON
        assert app.screen is screen and "no ARM id" in last_notification(app)
