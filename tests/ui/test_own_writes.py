"""After the app's own create, update or delete the tree (every open level: the labels of
the resource's ancestors, their counts, the children lists) and the details pane (and the
etag it holds) show the catalog as it now is, at once: the next action on the resource
never fails with SIG-CONFLICT unless someone else wrote (issue #16)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input
from textual.widgets.tree import TreeNode

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import ImageVersion
from sigtui.catalog.queries import browse, lookup, view_as
from sigtui.catalog.store.db import Catalog
from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens.cleanup import CleanupScreen, resource_label
from sigtui.ui.screens.confirm import ConfirmScreen
from sigtui.ui.screens.main import MainScreen
from sigtui.ui.screens.replication import ReplicationScreen
from sigtui.ui.screens.transfer import ImportScreen
from sigtui.ui.widgets.catalog_tree import TreeEntry, node_label
from sigtui.ui.widgets.details_pane import DetailsPane

from .conftest import TERMINAL
from .helpers import open_screen, settle
from .test_forms import (  # the forms' catalog and its fixtures
    DEFINITION,
    IMAGE,
    VERSION,
    drive,
    fill,
    forms_app,  # noqa: F401
    forms_catalog,  # noqa: F401
    forms_catalog_file,  # noqa: F401
    open_form,
    save,
    tree_node,
)
from .test_main_flows import FINANCE, SCRATCH, cursor_name, pilot_test, walk_to

Level = list[tuple[browse.NodeRef, str]]


# --- what the tree and the details show ------------------------------------------------------


def _children(node: TreeNode[TreeEntry]) -> Level:
    return [(c.data.node.ref, str(c.label)) for c in node.children if c.data is not None]


def shown_levels(screen: MainScreen) -> dict[browse.NodeRef | None, Level]:
    """The roots and the children of every expanded node, as the tree shows them."""
    tree = screen.tree
    shown = {None: _children(tree.root)}
    for node in tree._expanded_nodes():
        assert node.data is not None
        shown[node.data.node.ref] = _children(node)
    return shown


def catalog_levels(screen: MainScreen, catalog: Catalog) -> dict[browse.NodeRef | None, Level]:
    """The same levels read from the catalog now."""
    opened = screen.tree._opened()
    levels = catalog.query(view_as.levels, opened, catalog.clock.now(), None)
    return {ref: [(n.ref, node_label(n).plain) for n in nodes] for ref, nodes in levels.items()}


def assert_tree_is_current(screen: MainScreen, catalog: Catalog) -> None:
    shown, current = shown_levels(screen), catalog_levels(screen, catalog)
    stale = {ref: (shown[ref], current[ref]) for ref in current if shown.get(ref) != current[ref]}
    assert not stale, stale


def label(screen: MainScreen, arm_id: str) -> str:
    node = tree_node(screen, arm_id)
    assert node is not None, f"{arm_id} is not in the tree"
    return str(node.label)


def assert_details_current(screen: MainScreen, catalog: Catalog, arm_id: str) -> None:
    """The details pane shows the selected resource with its etag of now."""
    cursor = screen.tree.cursor_node
    assert cursor is not None and cursor.data is not None
    assert cursor.data.node.arm_id == arm_id
    shown = screen.details.details
    assert shown is not None and shown.arm_id == arm_id
    assert shown.etag == catalog.query(lookup.resolve, arm_id).etag


def main_of(pilot: Pilot[Any]) -> MainScreen:
    """The main screen, under whatever is open over it."""
    return next(s for s in pilot.app.screen_stack if isinstance(s, MainScreen))


async def settled(pilot: Pilot[Any]) -> MainScreen:
    """The main screen once every reload is done, with no message (SIG-CONFLICT) over it."""
    for _ in range(3):
        await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen), screen
    return screen


def exists(catalog: Catalog, arm_id: str) -> bool:
    try:
        catalog.query(lookup.resolve, arm_id)
    except CatalogError:
        return False
    return True


# --- 4(d): edit, save, delete at once -----------------------------------------------------------


def test_a_version_edited_then_deleted_at_once_is_no_conflict_and_its_definition_counts_it(
    forms_app: SigtuiApp,  # noqa: F811
    forms_catalog: Catalog,  # noqa: F811
) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        form = await open_form(pilot, VERSION, "e")
        assert "1 version" in label(main_of(pilot), DEFINITION)
        await fill(pilot, form, "tags", "build=43")
        await pilot.press("ctrl+s")  # then delete it, not waiting for anything to load
        await pilot.press("d")
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("y")
        screen = await settled(pilot)  # no SIG-CONFLICT message over it
        assert not exists(forms_catalog, VERSION)
        assert "0 versions" in label(screen, DEFINITION)
        assert tree_node(screen, VERSION) is None
        assert_tree_is_current(screen, forms_catalog)
        assert_details_current(screen, forms_catalog, DEFINITION)

    drive(forms_app, scenario)


def test_the_saved_etag_is_held_before_the_details_show_it(
    forms_app: SigtuiApp,  # noqa: F811
    forms_catalog: Catalog,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        form = await open_form(pilot, VERSION, "e")
        monkeypatch.setattr(DetailsPane, "load", lambda self, ref: None)  # a slow load
        await fill(pilot, form, "tags", "build=43")
        await pilot.press("ctrl+s", "d", "y")
        await settled(pilot)  # no SIG-CONFLICT message over it
        assert not exists(forms_catalog, VERSION)

    drive(forms_app, scenario)


# --- create, edit again, delete then create ------------------------------------------------------


async def create_version(pilot: Pilot[Any], name: str) -> MainScreen:
    """`n` on the definition: a version of image1, saved."""
    form = await open_form(pilot, DEFINITION, "n")
    await fill(pilot, form, "name", name)
    form.field("source").focus_control()
    await pilot.press("enter", "down", "enter")  # the first source: image1
    assert form.value("source") == IMAGE
    await save(pilot)
    return await settled(pilot)


def test_a_created_version_counts_in_its_definition_at_once(
    forms_app: SigtuiApp,  # noqa: F811
    forms_catalog: Catalog,  # noqa: F811
) -> None:
    created = f"{DEFINITION}/versions/2.0.0"

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await create_version(pilot, "2.0.0")
        assert label(screen, DEFINITION).endswith("· 2 versions · latest 2.0.0")
        assert "[latest]" not in label(screen, VERSION)
        assert_tree_is_current(screen, forms_catalog)
        assert_details_current(screen, forms_catalog, created)

    drive(forms_app, scenario)


def test_a_second_edit_without_moving_saves_and_the_definition_follows_both(
    forms_app: SigtuiApp,  # noqa: F811
    forms_catalog: Catalog,  # noqa: F811
) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        form = await open_form(pilot, VERSION, "e")
        await fill(pilot, form, "tags", "build=43")
        await pilot.press("ctrl+s")
        await pilot.press("e")  # again, at once: the form reads the version as saved
        form = pilot.app.screen  # type: ignore[assignment]
        form.query_one("#switch-exclude_from_latest").focus()
        await pilot.press("space")
        await save(pilot)
        screen = await settled(pilot)
        assert "latest" not in label(screen, DEFINITION)  # 1.0.0 is excluded now
        assert "[excluded from latest]" in label(screen, VERSION)
        assert_tree_is_current(screen, forms_catalog)
        assert_details_current(screen, forms_catalog, VERSION)

    drive(forms_app, scenario)
    version = forms_catalog.query(lookup.resolve_as, VERSION, ImageVersion)
    assert (version.tags, version.exclude_from_latest) == ({"build": "43"}, True)


def test_a_delete_then_a_create_under_the_same_definition(
    forms_app: SigtuiApp,  # noqa: F811
    forms_catalog: Catalog,  # noqa: F811
) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        await open_form(pilot, VERSION, "e")
        await pilot.press("escape")  # the version selected, its definition open
        await pilot.press("d", "y")
        screen = await settled(pilot)
        assert "0 versions" in label(screen, DEFINITION)
        assert_tree_is_current(screen, forms_catalog)
        assert_details_current(screen, forms_catalog, DEFINITION)
        screen = await create_version(pilot, "1.0.1")
        assert label(screen, DEFINITION).endswith("· 1 version · latest 1.0.1")
        assert_tree_is_current(screen, forms_catalog)
        assert_details_current(screen, forms_catalog, f"{DEFINITION}/versions/1.0.1")

    drive(forms_app, scenario)


@pilot_test
async def test_a_delete_selects_the_sibling_in_its_place_and_the_details_follow(
    app: SigtuiApp, demo_catalog: Catalog
) -> None:
    async with app.run_test(size=TERMINAL) as pilot:
        await walk_to(pilot, *SCRATCH)
        screen = main_of(pilot)
        sibling = tree_node(screen, None, "ciScratch002")
        assert sibling is not None and sibling.data is not None
        await pilot.press("d")
        screen.tree.reload_all()  # the tree is rebuilt while the question is open
        await settle(pilot)
        await pilot.press("y")
        screen = await settled(pilot)
        assert cursor_name(pilot) == "ciScratch002"  # on the line the deleted one was on
        assert_details_current(screen, demo_catalog, str(sibling.data.node.arm_id))
        assert_tree_is_current(screen, demo_catalog)


# --- the other screens that write ---------------------------------------------------------------

EXPIRED_VERSION = "sigFinance/myImage1 1.0.1"
ESTATE = Path(__file__).parent.parent / "data" / "import" / "estate.az.json"


@pilot_test
async def test_a_cleanup_delete_shows_in_the_tree_when_the_list_closes(
    app: SigtuiApp, demo_catalog: Catalog
) -> None:
    async with app.run_test(size=TERMINAL) as pilot:
        await walk_to(pilot, *FINANCE, "myImage1")
        await pilot.press("enter")  # its versions, 1.0.1 among them
        cleanup = await open_screen(pilot, "x", CleanupScreen)
        item = next(i for i in cleanup.items.values() if resource_label(i) == EXPIRED_VERSION)
        table = cleanup.query_one("#cleanup-table", DataTable)
        table.move_cursor(row=table.get_row_index(item.arm_id))
        await pilot.press("d", "y")
        await settle(pilot)
        await pilot.press("escape")
        screen = await settled(pilot)
        assert tree_node(screen, item.arm_id) is None
        assert_tree_is_current(screen, demo_catalog)
        assert cursor_name(pilot) == "myImage1"


@pilot_test
async def test_a_retried_region_shows_in_the_tree_and_the_details(
    app: SigtuiApp, demo_catalog: Catalog
) -> None:
    async with app.run_test(size=TERMINAL) as pilot:
        board = await open_screen(pilot, "r", ReplicationScreen)
        table = board.query_one("#in-flight", DataTable)
        rows = enumerate(table.rows)  # at this width the progress column says Failed
        row = next(
            i for i, key in rows if str(table.get_cell(key, "progress")).startswith("Failed")
        )
        table.move_cursor(row=row)
        version = board.selected()
        assert version is not None
        board.action_open_version()  # to the version in the tree
        board = await open_screen(pilot, "r", ReplicationScreen)
        board.query_one("#in-flight", DataTable).move_cursor(row=row)
        await pilot.press("t", "escape")
        screen = await settled(pilot)
        assert_tree_is_current(screen, demo_catalog)
        assert_details_current(screen, demo_catalog, version.version_id)
        shown = screen.details.details
        assert shown is not None and "Failed" not in dict(shown.fields)["Replication"]


@pilot_test
async def test_an_import_shows_in_the_open_tree(app: SigtuiApp, demo_catalog: Catalog) -> None:
    async with app.run_test(size=TERMINAL) as pilot:
        await walk_to(pilot, *FINANCE)
        importer = await open_screen(pilot, "I", ImportScreen)
        importer.query_one("#import-path", Input).value = str(ESTATE)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")
        screen = await settled(pilot)
        assert cursor_name(pilot) == FINANCE[-1]  # the tree stayed open where it was
        assert_tree_is_current(screen, demo_catalog)
