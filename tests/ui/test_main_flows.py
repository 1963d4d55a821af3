"""Pilot tests of the dashboard's flows on the demo catalog: delete (allowed and refused),
the filter, the all-versions list, the command palette, read-only mode, the remembered
theme, and binding ids."""

from __future__ import annotations

import asyncio
import functools
import importlib
import json
import pkgutil
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

import sigtui.ui
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.queries import lookup
from sigtui.catalog.store.db import Catalog
from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens.all_versions import AllVersionsScreen
from sigtui.ui.screens.confirm import ConfirmScreen, MessageScreen
from sigtui.ui.screens.filter import FilterScreen
from sigtui.ui.screens.main import MainScreen
from sigtui.ui.settings import settings_path
from tests.builders import catalog_state
from tests.ui.conftest import TERMINAL
from tests.ui.helpers import settle

FINANCE = ("Contoso", "contoso-finance-prod", "rg-finance-images", "sigFinance")
SCRATCH = ("Contoso", "contoso-sandbox", "rg-ci-scratch", "ciScratch001")


# --- helpers ------------------------------------------------------------------------------


def pilot_test(flow: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test (a pilot flow) with asyncio: the project has no async pytest
    plugin. pytest still sees the flow's fixtures through functools.wraps."""

    @functools.wraps(flow)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(flow(*args, **kwargs))

    return run


def main_screen(pilot: Pilot[Any]) -> MainScreen:
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen), screen
    return screen


def cursor_name(pilot: Pilot[Any]) -> str | None:
    node = main_screen(pilot).tree.cursor_node
    return node.data.node.name if node is not None and node.data is not None else None


async def walk_to(pilot: Pilot[Any], *names: str) -> None:
    """Select a tree node with the keys a user would press: down to each name, enter to
    expand it (its children load in a worker) when more names follow."""
    await settle(pilot)
    tree = main_screen(pilot).tree
    for depth, name in enumerate(names):
        for _ in range(tree.last_line + 2):
            if cursor_name(pilot) == name:
                break
            await pilot.press("down")
        assert cursor_name(pilot) == name, f"{name!r} is not in the tree"
        node = tree.cursor_node
        if depth < len(names) - 1 and node is not None and not node.is_expanded:
            await pilot.press("enter")
            await settle(pilot)
    await settle(pilot)


async def type_text(pilot: Pilot[Any], text: str) -> None:
    await pilot.press(*text)
    await pilot.pause(0.3)  # the palette gathers hits in batches
    await settle(pilot)


async def open_palette(pilot: Pilot[Any], query: str = "") -> list[str]:
    """Open the command palette, type `query`, and return the hits' texts."""
    await pilot.press("ctrl+p")
    await settle(pilot)
    assert CommandPalette.is_open(pilot.app)
    if query:
        await type_text(pilot, query)
    options = pilot.app.screen.query_one(CommandList).options
    return [str(option.hit.text) for option in options]  # type: ignore[attr-defined]


def tree_children(pilot: Pilot[Any]) -> list[str]:
    """Names of the children of the cursor node's parent."""
    node = main_screen(pilot).tree.cursor_node
    assert node is not None and node.parent is not None
    return [c.data.node.name for c in node.parent.children if c.data is not None]


# --- delete -------------------------------------------------------------------------------


@pilot_test
async def test_a_refused_or_cancelled_delete_changes_nothing_and_a_confirmed_one_removes(
    app: SigtuiApp, demo_catalog: Catalog
) -> None:
    """In one app: a refused delete names what blocks it, a cancelled one keeps the
    resource (neither changes the catalog), then a confirmed one removes the empty gallery."""
    before = catalog_state(demo_catalog)
    async with app.run_test(size=TERMINAL) as pilot:
        await a_refused_delete_names_what_blocks_it(pilot)
        main_screen(pilot).tree.cursor_line = 0  # walk_to goes down from the top
        await a_cancelled_delete_keeps_the_resource(pilot)
        assert catalog_state(demo_catalog) == before
        gallery_id = main_screen(pilot).details.details.arm_id  # type: ignore[union-attr]
        await pilot.press("d")  # the cursor still on ciScratch001
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert "ciScratch001" not in tree_children(pilot)
        assert "ciScratch002" in tree_children(pilot)
    with demo_catalog.read() as db, pytest.raises(CatalogError) as missing:
        lookup.resolve(db, str(gallery_id))
    assert missing.value.code == "SIG-NOT-FOUND"


async def a_cancelled_delete_keeps_the_resource(pilot: Pilot[Any]) -> None:
    await walk_to(pilot, *SCRATCH)
    await pilot.press("d", "n")
    await settle(pilot)
    assert "ciScratch001" in tree_children(pilot)
    assert cursor_name(pilot) == "ciScratch001"


async def a_refused_delete_names_what_blocks_it(pilot: Pilot[Any]) -> None:
    await walk_to(pilot, *FINANCE)
    await pilot.press("d", "y")
    await settle(pilot)
    message = pilot.app.screen
    assert isinstance(message, MessageScreen)
    assert "SIG-DELETE" in message.message
    assert all(name in message.message for name in ("myImage1", "myImage2", "myImage3"))
    await pilot.press("enter")
    await settle(pilot)
    assert cursor_name(pilot) == "sigFinance"


# --- find across subscriptions (f; `/` filters the tree in place: test_tree_filter_flows) --


@pilot_test
async def test_the_filter_searches_every_subscription_by_name_or_region_and_jumps(
    app: SigtuiApp,
) -> None:
    """In one app, the filter opened anew for each: it says when nothing matches, searches
    every subscription, finds by region (escape closes it), takes the keys of other screens
    as text, and finds my image (enter jumps to it)."""
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        for check in (
            the_filter_says_when_nothing_matches,
            the_filter_searches_every_subscription,
            the_filter_finds_by_region_and_escape_closes_it,
            keys_of_other_screens_are_typed_into_the_filter,
            the_filter_finds_my_image_and_enter_jumps_to_it,
        ):
            assert isinstance(pilot.app.screen, MainScreen), check.__name__
            await check(pilot)


async def close_the_filter(pilot: Pilot[Any]) -> None:
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(pilot.app.screen, MainScreen)


async def the_filter_says_when_nothing_matches(pilot: Pilot[Any]) -> None:
    await pilot.press("f")
    await type_text(pilot, "zzz")
    screen = pilot.app.screen
    assert isinstance(screen, FilterScreen)
    assert screen.results.row_count == 0
    assert "No resource matches 'zzz'" in str(screen.query_one("#filter-count").render())
    await pilot.press("enter")  # nothing to go to: the filter stays open
    assert pilot.app.screen is screen
    await close_the_filter(pilot)


async def the_filter_searches_every_subscription(pilot: Pilot[Any]) -> None:
    await pilot.press("f")
    await type_text(pilot, "1.0.0")
    screen = pilot.app.screen
    assert isinstance(screen, FilterScreen)
    subscriptions = {m.parents[1] for m in screen.matches}
    assert subscriptions == {"contoso-finance-prod", "contoso-platform-prod", "contoso-sandbox"}
    count = str(screen.query_one("#filter-count").render())
    assert f"{len(screen.matches)} resources match '1.0.0'" in count
    await close_the_filter(pilot)


async def the_filter_finds_by_region_and_escape_closes_it(pilot: Pilot[Any]) -> None:
    await pilot.press("f")
    await type_text(pilot, "Europe Ouest")  # the source document's French name
    screen = pilot.app.screen
    assert isinstance(screen, FilterScreen)
    assert "sigContosoPlatform" in {m.name for m in screen.matches}
    assert screen.query_one(Input).value == "Europe Ouest"
    await close_the_filter(pilot)
    assert cursor_name(pilot) == "Contoso"  # nothing chosen: the tree stays as it was


async def keys_of_other_screens_are_typed_into_the_filter(pilot: Pilot[Any]) -> None:
    await pilot.press("f", "q", "question_mark", "v", "d")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, FilterScreen)  # no quit, no help, no other screen
    assert screen.query_one(Input).value == "q?vd"
    await close_the_filter(pilot)


async def the_filter_finds_my_image_and_enter_jumps_to_it(pilot: Pilot[Any]) -> None:
    await pilot.press("f")
    screen = pilot.app.screen
    assert isinstance(screen, FilterScreen)
    await type_text(pilot, "myImage")
    assert [m.name for m in screen.matches] == ["myImage1", "myImage2", "myImage3"]
    assert screen.results.row_count == 3
    assert screen.matches[1].path == " / ".join((*FINANCE, "myImage2"))
    await pilot.press("down", "enter")
    await settle(pilot)
    assert cursor_name(pilot) == "myImage2"
    details = main_screen(pilot).details.details
    assert details is not None and details.title == "Image definition myImage2"


@pilot_test
async def test_enter_typed_before_the_matches_arrive_goes_to_the_first_one(
    app: SigtuiApp,
) -> None:
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await pilot.press("f", *"myImage3", "enter")  # no pause: the search still runs
        await settle(pilot)
        assert cursor_name(pilot) == "myImage3"


# --- all versions -------------------------------------------------------------------------


def header_offset(table: DataTable[Any], key: str) -> tuple[int, int]:
    """Where to click on the header of column `key` (the table may be scrolled)."""
    x = -round(table.scroll_x)
    for column in table.ordered_columns:
        if column.key.value == key:
            return x + 2, 0
        x += column.get_render_width(table)
    raise KeyError(key)


@pilot_test
async def test_all_versions_sorts_by_header_and_key_and_jumps(app: SigtuiApp) -> None:
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AllVersionsScreen)
        assert len(screen.rows) == screen.table.row_count == 30
        await pilot.click("#versions-table", offset=header_offset(screen.table, "regions"))
        await settle(pilot)
        assert (screen.sort.column, screen.sort.descending) == ("regions", False)
        assert [r.regions for r in screen.rows] == sorted(r.regions for r in screen.rows)
        await pilot.click("#versions-table", offset=header_offset(screen.table, "regions"))
        await settle(pilot)
        assert screen.sort.descending
        await pilot.press("s")  # the next column
        await settle(pilot)
        assert screen.sort.column == "replication"
        assert [r.state for r in screen.rows[:2]] == ["Completed", "Completed"]
        await pilot.press("S")  # reversed: failures first
        await settle(pilot)
        assert [r.state for r in screen.rows[:2]] == ["Failed", "Failed"]
        await pilot.press("ctrl+home")  # the cursor stayed on its version: to the top
        failed = screen.selected()
        assert failed is screen.rows[0]
        await pilot.press("enter")
        await settle(pilot)
        assert cursor_name(pilot) == failed.version
        details = main_screen(pilot).details.details
        assert details is not None and details.arm_id == failed.arm_id


# --- command palette ----------------------------------------------------------------------

EVERY_ACTION = (
    "New resource",
    "Edit",
    "Delete",
    "Copy ARM id",
    "View as principal…",
    "Filter the tree",
    "Jump to…",
    "Find across subscriptions",
    "Show JSON",
    "Copy as az command",
    "All versions",
    "Events",
    "Reload",
    "Help",
    "Theme",
    "Quit",
)


@pilot_test
async def test_the_palette_offers_every_action_finds_resources_and_runs_an_action(
    app: SigtuiApp,
) -> None:
    """In one app, the palette opened anew for each: it offers every action, finds a
    version by its region, finds a resource by name and goes to it, and runs an action."""
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        offered = await open_palette(pilot)
        assert set(EVERY_ACTION) <= set(offered)
        await close_the_palette(pilot)
        hits = await open_palette(pilot, "US Gov Texas")
        assert "Go to 9.5.0" in hits and "Go to 17763.6893.250211" in hits
        await close_the_palette(pilot)
        hits = await open_palette(pilot, "myImage3")
        assert hits[0] == "Go to myImage3"
        await pilot.press("enter")
        await settle(pilot)
        assert cursor_name(pilot) == "myImage3"
        await open_palette(pilot, "all versions")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AllVersionsScreen)


async def close_the_palette(pilot: Pilot[Any]) -> None:
    await pilot.press("escape")
    await settle(pilot)
    assert not CommandPalette.is_open(pilot.app)
    assert isinstance(pilot.app.screen, MainScreen)


# --- read-only ----------------------------------------------------------------------------


@pilot_test
async def test_read_only_mode_refuses_writes(readonly_catalog: Catalog) -> None:
    app = SigtuiApp(readonly_catalog, remember_theme=False)
    before = catalog_state(readonly_catalog)
    async with app.run_test(size=TERMINAL) as pilot:
        await walk_to(pilot, *SCRATCH)
        assert "read-only" in app.sub_title
        screen = main_screen(pilot)
        for key in ("n", "e", "d"):
            assert not screen.active_bindings[key].enabled
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is screen
        offered = await open_palette(pilot)
        assert not {"New resource", "Edit", "Delete"} & set(offered)
        assert {"Filter the tree", "All versions", "Copy ARM id", "Show JSON"} <= set(offered)
    assert catalog_state(readonly_catalog) == before
    with pytest.raises(CatalogError) as refused, readonly_catalog.write():
        pass
    assert refused.value.code == "SIG-ACCESS"


# --- theme --------------------------------------------------------------------------------


@pilot_test
async def test_the_theme_chosen_in_the_palette_is_remembered(demo_catalog: Catalog) -> None:
    app = SigtuiApp(demo_catalog)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await open_palette(pilot, "theme")
        await pilot.press("enter")
        await settle(pilot)
        themes = await type_and_list(pilot, "nord")
        assert themes[0] == "nord"
        await pilot.press("enter")
        await settle(pilot)
        assert app.theme == "nord"
    assert json.loads(settings_path().read_text("utf-8"))["theme"] == "nord"
    again = SigtuiApp(demo_catalog)
    async with again.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        assert again.theme == "nord"


async def type_and_list(pilot: Pilot[Any], text: str) -> list[str]:
    await type_text(pilot, text)
    options = pilot.app.screen.query_one(CommandList).options
    return [str(option.hit.text) for option in options]  # type: ignore[attr-defined]


# --- bindings -----------------------------------------------------------------------------


def ui_bindings() -> list[tuple[str, Binding | tuple[str, ...]]]:
    """Every binding declared by a class of sigtui.ui, with the class's name."""
    found = []
    for module_info in pkgutil.walk_packages(sigtui.ui.__path__, "sigtui.ui."):
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__:
                for binding in value.__dict__.get("BINDINGS", []):
                    found.append((f"{module.__name__}.{value.__name__}", binding))
    return found


def test_every_binding_of_the_ui_has_an_id() -> None:
    bindings = ui_bindings()
    assert len(bindings) > 10
    missing = [
        f"{owner}: {binding}"
        for owner, binding in bindings
        if not isinstance(binding, Binding) or not binding.id
    ]
    assert not missing, "bindings without an id: " + "; ".join(missing)
    ids = [binding.id for _, binding in bindings if isinstance(binding, Binding)]
    assert len(ids) == len(set(ids)), "binding ids must be unique"


def test_the_palette_binding_has_an_id(demo_catalog: Catalog) -> None:
    app = SigtuiApp(demo_catalog)
    palette = [b for _, b in app._bindings if b.action == "command_palette"]
    assert [b.id for b in palette] == ["app.command_palette"]
