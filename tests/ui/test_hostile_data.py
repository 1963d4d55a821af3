"""Output is text, never control (DESIGN.md §3): a catalog whose free text holds terminal
escapes (OSC, CSI, C1, BEL, bare CR, DEL, a bidi override) and Textual markup (`[/]`,
`[bold]`, `[$accent]`, `[@click=app.quit]`, a trailing backslash) opens on every screen
without a crash, puts no raw control character on the screen, and shows the markup as
the text it is.

The catalog is the demo one with its free-text columns overwritten in SQL
(tests/hostile.py), as an import from elsewhere could fill them (rules may refuse some of
these values on a save: what is shown must be safe whatever is stored). What the screen
shows is read from the segments the compositor renders (an SVG screenshot escapes control
characters: it cannot tell).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.command import CommandList
from textual.pilot import Pilot
from textual.widgets import Tree

from sigtui.catalog.queries import browse
from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import Catalog, open_catalog
from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens.main import MainScreen
from tests.hostile import make_hostile
from tests.ui.conftest import TERMINAL, UI_NOW
from tests.ui.helpers import settle, until
from tests.ui.test_main_flows import pilot_test

HOSTILE = "x[/]\x1b]0;pwned\x07\x1b[2J[bold]b\x9b\x7f\r\u202e[$accent][@click=app.quit]\\"
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]")
MARKUP = ("[/]", "[bold]")  # near the start of HOSTILE: not cut off by a narrow column


def screen_text(app: SigtuiApp) -> str:
    """The characters the screen shows now, as the compositor renders them."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def assert_safe(app: SigtuiApp, where: str) -> str:
    shown = screen_text(app)
    bad = sorted({f"U+{ord(c):04X}" for c in UNSAFE.findall(shown)})
    assert not bad, f"{where}: raw control characters on screen: {bad}\n{shown}"
    assert app.is_running, f"{where}: the app ended"
    return shown


def assert_literal(shown: str, where: str, *fragments: str) -> None:
    for fragment in fragments or MARKUP:
        assert fragment in shown, f"{where}: {fragment!r} is not shown as text\n{shown}"


@pytest.fixture(scope="module")
def hostile_file(demo_catalog_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "hostile.db"
    shutil.copy(demo_catalog_file, path)
    make_hostile(path, HOSTILE)
    return path


@pytest.fixture
def hostile_catalog(hostile_file: Path, tmp_path: Path) -> Iterator[Catalog]:
    path = tmp_path / "catalog.db"
    shutil.copy(hostile_file, path)
    catalog = open_catalog(f"sqlite:///{path}", clock=FixedClock(UI_NOW))
    yield catalog
    catalog.close()


@pytest.fixture
def hostile_app(hostile_catalog: Catalog) -> SigtuiApp:
    return SigtuiApp(hostile_catalog, remember_theme=False)


def main_screen(app: SigtuiApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen), screen
    return screen


async def expand_all(pilot: Pilot[Any]) -> None:
    """Open every node of the tree, down to the versions (children load in workers)."""
    tree = main_screen(pilot.app).tree  # type: ignore[arg-type]
    for _ in range(8):  # tenant > subscription > group > gallery > definition > version
        closed = [n for n in _nodes(tree) if n.allow_expand and not n.is_expanded]
        if not closed:
            return
        for node in closed:
            node.expand()
        await settle(pilot)


def _nodes(tree: Tree[Any]) -> list[Any]:
    found, stack = [], [tree.root]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(node.children)
    return found


async def select_kind(pilot: Pilot[Any], kind: str) -> None:
    """Move the tree's cursor to the first node of `kind`; its details load."""
    tree = main_screen(pilot.app).tree  # type: ignore[arg-type]
    node = next(n for n in _nodes(tree) if n.data is not None and n.data.node.ref.kind == kind)
    tree.move_cursor(node)
    details = main_screen(pilot.app).details  # type: ignore[arg-type]
    await until(pilot, lambda: details.shown_ref == node.data.node.ref)
    await settle(pilot)


def palette_hits(pilot: Pilot[Any]) -> int:
    """The options the open command palette lists (0 while it lists none yet)."""
    lists = pilot.app.screen.query(CommandList)
    return lists.first(CommandList).option_count if lists else 0


async def press(pilot: Pilot[Any], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


KINDS_SHOWN = (
    browse.TENANT,
    browse.SUBSCRIPTION,
    browse.GROUP,
    browse.GALLERY,
    browse.DEFINITION,
    browse.VERSION,
    browse.MANAGED_IMAGE,
    browse.SNAPSHOT,
)


@pilot_test
async def test_the_tree_and_the_details_of_every_kind_show_hostile_text_as_text(
    hostile_app: SigtuiApp,
) -> None:
    async with hostile_app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await expand_all(pilot)
        assert_safe(hostile_app, "tree")
        for kind in KINDS_SHOWN:
            await select_kind(pilot, kind)
            shown = assert_safe(hostile_app, f"details of a {kind}")
            if kind in (browse.GALLERY, browse.DEFINITION):
                assert_literal(shown, f"details of a {kind}")
            await press(pilot, "c")  # copy id: a notification
            assert_safe(hostile_app, f"copy id of a {kind}")
            await press(pilot, "C")  # copy as az command: a notification
            assert_safe(hostile_app, f"az command of a {kind}")
            await press(pilot, "j")  # the JSON view (a tenant has none: a notification)
            assert_safe(hostile_app, f"JSON of a {kind}")
            if not isinstance(hostile_app.screen, MainScreen):
                await press(pilot, "escape")


@pilot_test
async def test_the_insight_screens_show_hostile_text_as_text(hostile_app: SigtuiApp) -> None:
    async with hostile_app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await expand_all(pilot)
        await select_kind(pilot, browse.VERSION)
        for keys, name in (
            (("l",), "limits"),
            (("dollar_sign",), "costs"),
            (("dollar_sign", "w"), "what-if"),
            (("a",), "advisor"),
            (("x",), "cleanup"),
            (("x", "d"), "cleanup's delete question"),
            (("v",), "all versions"),
            (("r",), "replication"),
            (("h",), "events"),
            (("question_mark",), "help"),
        ):
            await press(pilot, *keys)
            assert not isinstance(hostile_app.screen, MainScreen), f"{name} did not open"
            shown = assert_safe(hostile_app, name)
            if name == "replication":
                assert_literal(shown, name)
            for _ in keys:
                await press(pilot, "escape")
            assert isinstance(hostile_app.screen, MainScreen), name


@pilot_test
async def test_the_tree_filter_and_the_jump_show_hostile_text_as_text(
    hostile_app: SigtuiApp,
) -> None:
    async with hostile_app.run_test(size=TERMINAL) as pilot:
        await press(pilot, "slash", *"[/]")  # typed into the prompt: text
        shown = assert_safe(hostile_app, "tree filter, typed [/]")
        assert_literal(shown, "tree filter", "[/]")
        await press(pilot, *["backspace"] * 3, *"sig")  # galleries, under hostile names
        tree = main_screen(hostile_app).tree
        assert tree.filter_text == "sig" and tree.cursor_node is not None  # a match
        shown = assert_safe(hostile_app, "tree filter, matches under hostile names")
        assert_literal(shown, "tree filter", "name-1x[/]")  # a tenant, a subscription
        await press(pilot, "escape", "colon", *"[bold]", "enter")
        shown = assert_safe(hostile_app, "jump to [bold]")
        assert_literal(shown, "jump", "'[bold]'")


@pilot_test
async def test_the_filter_finds_hostile_text_and_shows_it_as_text(
    hostile_app: SigtuiApp,
) -> None:
    async with hostile_app.run_test(size=TERMINAL) as pilot:
        await press(pilot, "f")
        for key in "[/]":  # the typed query is text too
            await pilot.press(key)
        await settle(pilot)
        shown = assert_safe(hostile_app, "filter, typed [/]")
        assert_literal(shown, "filter", "'[/]'")
        await press(pilot, *["backspace"] * 3, "n", "a", "m", "e", "minus")
        shown = assert_safe(hostile_app, "filter, matches in the principals' names")
        await press(pilot, "down")
        assert_safe(hostile_app, "filter, a match highlighted")


@pilot_test
async def test_the_forms_and_dialogs_show_hostile_text_as_text(hostile_app: SigtuiApp) -> None:
    async with hostile_app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await expand_all(pilot)
        for kind in (browse.GALLERY, browse.DEFINITION, browse.VERSION, browse.SUBSCRIPTION):
            await select_kind(pilot, kind)
            await press(pilot, "e")
            assert not isinstance(hostile_app.screen, MainScreen), f"no edit form of a {kind}"
            assert_safe(hostile_app, f"edit form of a {kind}")
            await press(pilot, "escape")
            await press(pilot, "d")
            assert not isinstance(hostile_app.screen, MainScreen), f"no delete of a {kind}"
            assert_safe(hostile_app, f"delete question of a {kind}")
            await press(pilot, "escape")  # no, or close what blocks the delete
        await select_kind(pilot, browse.GALLERY)
        await press(pilot, "s")
        shown = assert_safe(hostile_app, "share")
        assert_literal(shown, "share", "[/]")  # the principals' names
        await press(pilot, "escape")
        for keys, name in ((("I",), "import"), (("E",), "export"), (("n",), "new")):
            await press(pilot, *keys)
            assert not isinstance(hostile_app.screen, MainScreen), f"{name} did not open"
            assert_safe(hostile_app, name)
            await press(pilot, "escape")


@pilot_test
async def test_view_as_a_hostile_principal_shows_its_name_as_text(
    hostile_app: SigtuiApp,
) -> None:
    async with hostile_app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        screen = main_screen(hostile_app)
        screen.action_view_as()  # the palette of principals, named by data
        await settle(pilot)
        shown = assert_safe(hostile_app, "view-as palette")
        assert_literal(shown, "view-as palette", "[/]")
        await press(pilot, "down", "enter")
        shown = assert_safe(hostile_app, "viewing as")
        assert screen.viewer is not None
        assert_literal(shown, "view-as banner", "[/]")
        await press(pilot, "ctrl+p")
        for key in "pub":  # the palette's go-to finds by publisher
            await pilot.press(key)
        await until(pilot, lambda: palette_hits(pilot) > 0)
        await settle(pilot)
        assert_safe(hostile_app, "palette go-to")


# one piece at a time: control characters, markup and backslashes mixed with letters
CONTROLS = ["\x1b", "\x1b]0;t\x07", "\x1b[2J", "\x07", "\r", "\x9b", "\x7f", "\u202e", "\x00"]
PIECES = st.sampled_from(
    [*CONTROLS, "[/]", "[bold]", "[$accent]", "[@click=app.quit]", "\\", "[", "]", "$", "a", " "]
)


@settings(
    deadline=None,
    max_examples=3,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.lists(PIECES, min_size=1, max_size=12).map("".join).map(lambda t: t + "\\"))
def test_any_description_shows_as_text_in_the_tree_and_the_details(
    text: str, demo_catalog_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("any") / "catalog.db"
    shutil.copy(demo_catalog_file, path)
    make_hostile(path, text)
    catalog = open_catalog(f"sqlite:///{path}", clock=FixedClock(UI_NOW))
    try:
        run_pane(SigtuiApp(catalog, remember_theme=False))
    finally:
        catalog.close()


@pilot_test
async def run_pane(app: SigtuiApp) -> None:
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await expand_all(pilot)
        for kind in (browse.GALLERY, browse.DEFINITION):
            await select_kind(pilot, kind)
            assert_safe(app, f"details of a {kind}")
