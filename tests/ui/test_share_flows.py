"""Pilot tests of sharing (SIG-ACCESS): the share form (add, remove, warnings, the
cross-tenant mark) and "view as" (the tree as one principal sees it, writes by its role)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from sigtui.catalog.model.models import ImageDefinition
from sigtui.catalog.queries import fetch, lookup, sharing
from sigtui.catalog.services.roles import VERSION_SCOPE_WARNING
from sigtui.catalog.store.db import Catalog
from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens.confirm import ConfirmScreen
from sigtui.ui.screens.forms import open_edit_form
from sigtui.ui.screens.forms.base import FormScreen
from sigtui.ui.screens.main import MainScreen
from sigtui.ui.screens.share import ShareScreen
from tests.builders import catalog_state
from tests.ui.conftest import TERMINAL
from tests.ui.helpers import settle
from tests.ui.test_main_flows import (
    FINANCE,
    cursor_name,
    main_screen,
    open_palette,
    pilot_test,
    type_text,
    walk_to,
)

FINANCE_GROUP = FINANCE[:3]
LEDGER_VERSION = (
    "Contoso",
    "contoso-finance-prod",
    "rg-finance-legacy",
    "sigFinanceLegacy",
    "ledger-ws2012r2",
    "1.0.0",
)
PLATFORM = ("Contoso", "contoso-platform-prod", "rg-platform-images", "sigContosoPlatform")
WRITES = ("n", "e", "d", "s")


def object_id(catalog: Catalog, name: str) -> str:
    with catalog.read() as db:
        return next(p.object_id for p in fetch.principals(db) if p.name == name)


def assignments(catalog: Catalog) -> set[tuple[str, str, int | None, int | None, int | None]]:
    """(principal, role, gallery, definition, version) of every role assignment."""
    with catalog.read() as db:
        names = {p.pk: p.name for p in fetch.principals(db)}
        return {
            (names[a.principal_pk], a.role, a.gallery_pk, a.definition_pk, a.version_pk)
            for a in fetch.role_assignments(db)
        }


async def open_share(pilot: Pilot[Any], *path: str) -> ShareScreen:
    await walk_to(pilot, *path)
    await pilot.press("s")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ShareScreen), screen
    return screen


async def add(pilot: Pilot[Any], share: ShareScreen, catalog: Catalog, who: str, role: str) -> None:
    share.field("assignee").select.value = object_id(catalog, who)  # type: ignore[attr-defined]
    share.field("role").select.value = role  # type: ignore[attr-defined]
    await pilot.pause()
    await pilot.press("ctrl+s")
    await settle(pilot)


def listed(share: ShareScreen) -> list[tuple[str, str, bool]]:
    return [(e.principal, e.role, e.inherited) for e in share.entries]


def notified(pilot: Pilot[Any], text: str) -> bool:
    return any(text in n.message for n in pilot.app._notifications)


def node_names(node: Any) -> list[str]:
    return [c.data.node.name for c in node.children if c.data is not None]


# --- the share form -------------------------------------------------------------------------


@pilot_test
async def test_an_assignment_added_through_the_form_is_in_the_catalog_and_the_details(
    app: SigtuiApp, demo_catalog: Catalog
) -> None:
    before = assignments(demo_catalog)
    async with app.run_test(size=TERMINAL) as pilot:
        share = await open_share(pilot, *FINANCE, "myImage1")
        await add(pilot, share, demo_catalog, "Contoso Engineering", "Reader")
        assert share.errors == {}
        assert ("Contoso Engineering", "Reader", False) in listed(share)
        assert share.warnings == []  # same tenant, a definition: nothing to warn about
        await pilot.press("escape")
        await settle(pilot)
        details = main_screen(pilot).details.details
        assert details is not None and details.title.endswith("myImage1")
        assert "Contoso Engineering" in {e.principal for e in details.access}
    added = assignments(demo_catalog) - before
    assert [(who, role) for who, role, *_ in added] == [("Contoso Engineering", "Reader")]
    assert next(iter(added))[3] is not None  # at the definition


@pilot_test
async def test_refused_and_inherited_assignments_change_nothing_and_cross_tenant_is_marked(
    app: SigtuiApp, demo_catalog: Catalog
) -> None:
    """In one app, myImage2's share form opened anew for each: a refused assignment shows
    its rule code, an inherited one is not removed here and says where it is given (neither
    writes anything); then a cross-tenant principal is marked, and warned of when added."""
    before = catalog_state(demo_catalog)
    async with app.run_test(size=TERMINAL) as pilot:
        share = await open_share(pilot, *FINANCE, "myImage2")
        await a_refused_assignment_shows_its_rule_code(pilot, share, demo_catalog)
        share = await share_again(pilot)
        await an_inherited_assignment_is_not_removed_here(pilot, share)
        assert catalog_state(demo_catalog) == before
        share = await share_again(pilot)
        await a_cross_tenant_principal_is_marked(pilot, share, demo_catalog)


async def share_again(pilot: Pilot[Any]) -> ShareScreen:
    """Close the share form, and open it again on the same node."""
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(pilot.app.screen, MainScreen), pilot.app.screen
    await pilot.press("s")
    await settle(pilot)
    share = pilot.app.screen
    assert isinstance(share, ShareScreen), share
    return share


async def a_refused_assignment_shows_its_rule_code(
    pilot: Pilot[Any], share: ShareScreen, catalog: Catalog
) -> None:
    await pilot.press("ctrl+s")  # nothing chosen
    await settle(pilot)
    assert share.errors["assignee"].startswith("SIG-INPUT")
    # Finance Developers already has this role here
    await add(pilot, share, catalog, "Finance Developers", "Compute Gallery Image Reader")
    assert share.errors["role"].startswith("SIG-ACCESS")
    assert "already has" in share.errors["role"]
    assert pilot.app.screen is share  # the form stays open


async def an_inherited_assignment_is_not_removed_here(
    pilot: Pilot[Any], share: ShareScreen
) -> None:
    row = listed(share).index(("jan.kowalski@fabrikam.com", "Reader", True))
    table = share.query_one("#share-entries", DataTable)
    table.focus()
    table.move_cursor(row=row)
    await pilot.press("delete")
    await settle(pilot)
    assert pilot.app.screen is share  # no confirmation: nothing to remove here
    assert notified(pilot, "given at gallery sigFinance")


async def a_cross_tenant_principal_is_marked(
    pilot: Pilot[Any], share: ShareScreen, catalog: Catalog
) -> None:
    labels = {p.name: p.label for p in share.target.principals}
    assert labels["lena.fischer@fabrikam.com"].endswith("Fabrikam (cross-tenant)")
    assert "cross-tenant" not in labels["Contoso Engineering"]
    deployer = next(e for e in share.entries if e.principal == "sp-fabrikam-deployer")
    assert deployer.cross_tenant
    await add(pilot, share, catalog, "lena.fischer@fabrikam.com", "Reader")
    assert "cross-tenant" in share.field("assignee").hint
    assert any("another tenant" in w for w in share.warnings)


@pilot_test
async def test_a_direct_assignment_is_removed_after_confirmation(
    app: SigtuiApp, demo_catalog: Catalog
) -> None:
    async with app.run_test(size=TERMINAL) as pilot:
        share = await open_share(pilot, *FINANCE, "myImage2")
        entries = listed(share)
        row = entries.index(("sp-fabrikam-deployer", "Compute Gallery Image Reader", False))
        table = share.query_one("#share-entries", DataTable)
        table.focus()
        table.move_cursor(row=row)
        await pilot.press("delete")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert pilot.app.screen is share
        assert "sp-fabrikam-deployer" not in {who for who, _, _ in listed(share)}
        await pilot.press("escape")
        await settle(pilot)
        details = main_screen(pilot).details.details
        assert details is not None
        assert "sp-fabrikam-deployer" not in {e.principal for e in details.access}
    assert "sp-fabrikam-deployer" not in {who for who, *_ in assignments(demo_catalog)}


@pilot_test
async def test_sharing_a_single_version_warns(app: SigtuiApp, demo_catalog: Catalog) -> None:
    async with app.run_test(size=TERMINAL) as pilot:
        share = await open_share(pilot, *LEDGER_VERSION)
        assert "discouraged" in share.field("scope").hint  # said before adding
        await add(pilot, share, demo_catalog, "Contoso Engineering", "Reader")
        assert share.errors == {}
        assert share.warnings == [VERSION_SCOPE_WARNING]
        banner = share.query_one("#share-warnings", Static)
        assert banner.display and "single image version" in str(banner.render())
    assert ("Contoso Engineering", "Reader") in {(w, r) for w, r, *_ in assignments(demo_catalog)}


@pilot_test
async def test_share_is_greyed_out_where_roles_cannot_be_given_and_help_explains_it(
    app: SigtuiApp,
) -> None:
    """In one app: share greyed out on a group; then help explains share and view as."""
    async with app.run_test(size=TERMINAL) as pilot:
        await walk_to(pilot, *FINANCE_GROUP)
        assert not main_screen(pilot).active_bindings["s"].enabled
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, MainScreen)
        await help_explains_share_and_view_as(pilot)


async def help_explains_share_and_view_as(pilot: Pilot[Any]) -> None:
    await pilot.press("question_mark")
    await settle(pilot)
    note = str(pilot.app.screen.query_one("#help-note", Static).render())
    assert "Share (s)" in note and "sigtui --as PRINCIPAL" in note
    assert "limits, costs, replication, cleanup and the advisor show and count" in note


# --- view as --------------------------------------------------------------------------------


def viewing_app(catalog: Catalog, principal: str) -> SigtuiApp:
    return SigtuiApp(catalog, remember_theme=False, view_as=principal)


@pilot_test
async def test_view_as_shows_definitions_shared_without_their_gallery_and_limits_searches(
    demo_catalog: Catalog,
) -> None:
    """In one app viewing as Finance Developers: the tree shows the definitions shared
    without their gallery; then the palette and the filter find only what it sees."""
    app = viewing_app(demo_catalog, "Finance Developers")
    async with app.run_test(size=TERMINAL) as pilot:
        await walk_to(pilot, *FINANCE_GROUP)
        screen = main_screen(pilot)
        assert node_names(screen.tree.root) == ["Contoso"]
        await pilot.press("enter")
        await settle(pilot)
        group = screen.tree.cursor_node
        assert node_names(group) == ["sigFinance/myImage1", "sigFinance/myImage2"]
        subscriptions = group.parent.parent  # type: ignore[union-attr]
        assert node_names(subscriptions) == ["contoso-finance-prod"]
        banner = screen.query_one("#view-as-banner", Static)
        assert banner.display and "Viewing as Finance Developers" in str(banner.render())
        assert "viewing as Finance Developers" in app.sub_title
        with demo_catalog.read() as db:
            principal = lookup.find_principal(db, "Finance Developers")
        assert demo_catalog.acting_as == principal.pk
        await view_as_limits_the_palette_and_the_filter_to_what_it_sees(pilot)


async def view_as_limits_the_palette_and_the_filter_to_what_it_sees(pilot: Pilot[Any]) -> None:
    hits = await open_palette(pilot, "myImage")
    assert "Go to myImage1" in hits and "Go to myImage2" in hits
    assert "Go to myImage3" not in hits
    await pilot.press("escape")
    await settle(pilot)
    assert not [h for h in await open_palette(pilot, "sigFinance") if h.startswith("Go to")]
    await pilot.press("escape")
    await settle(pilot)
    await pilot.press("f")
    await settle(pilot)
    await type_text(pilot, "myImage")
    found = {m.name for m in pilot.app.screen.matches}  # type: ignore[attr-defined]
    assert found == {"myImage1", "myImage2"}


@pilot_test
async def test_view_as_from_the_palette_and_back(app: SigtuiApp, demo_catalog: Catalog) -> None:
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        assert "Stop viewing as" not in await open_palette(pilot, "viewing")
        await pilot.press("escape")
        await open_palette(pilot, "View as principal")
        await pilot.press("enter")
        await settle(pilot)
        await type_text(pilot, "sp-image-pipeline")
        await pilot.press("enter")
        await settle(pilot)
        screen = main_screen(pilot)
        assert screen.viewer is not None and screen.viewer.principal == "sp-image-pipeline"
        assert demo_catalog.acting_as is not None
        assert node_names(screen.tree.root) == ["Contoso"]
        await open_palette(pilot, "Stop viewing as")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.viewer is None and demo_catalog.acting_as is None
        assert node_names(screen.tree.root) == ["Contoso", "Contoso Federal", "Fabrikam"]
        assert "viewing as" not in app.sub_title
        assert not screen.query_one("#view-as-banner").display


@pilot_test
async def test_a_reader_viewed_as_cannot_write_and_a_forced_edit_is_refused(
    demo_catalog: Catalog,
) -> None:
    app = viewing_app(demo_catalog, "jan.kowalski@fabrikam.com")  # Reader at sigFinance
    before = catalog_state(demo_catalog)
    async with app.run_test(size=TERMINAL) as pilot:
        await walk_to(pilot, *FINANCE, "myImage1")
        screen = main_screen(pilot)
        for key in WRITES:
            assert not screen.active_bindings[key].enabled, key
        await pilot.press("e")
        await settle(pilot)
        assert pilot.app.screen is screen
        # forced past the greyed-out key: the write guard refuses it
        open_edit_form(screen)
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, FormScreen)
        form.field("description").input.value = "changed by a reader"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.errors[""].startswith("SIG-ACCESS")
        assert pilot.app.screen is form
        await pilot.press("escape")
        await settle(pilot)
        # and the share form, the same
        arm_id = screen.details.details.arm_id  # type: ignore[union-attr]
        share = ShareScreen(demo_catalog, demo_catalog.query(sharing.share_target, str(arm_id)))
        await pilot.app.push_screen(share)
        await settle(pilot)
        await add(pilot, share, demo_catalog, "Contoso Engineering", "Reader")
        assert share.errors[""].startswith("SIG-ACCESS")
    assert catalog_state(demo_catalog) == before


@pilot_test
async def test_a_publisher_viewed_as_creates_a_definition_in_its_gallery(
    demo_catalog: Catalog,
) -> None:
    app = viewing_app(demo_catalog, "sp-image-pipeline")  # Artifacts Publisher there
    async with app.run_test(size=TERMINAL) as pilot:
        await walk_to(pilot, *PLATFORM)
        screen = main_screen(pilot)
        gallery_id = screen.details.details.arm_id  # type: ignore[union-attr]
        assert screen.active_bindings["n"].enabled
        assert not screen.active_bindings["s"].enabled  # publish, not share
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(pilot.app.screen, FormScreen)
        await pilot.press(*"pipeline-image", "tab", "tab")
        await pilot.press(*"Contoso", "tab", *"Pipeline", "tab", *"Base", "tab")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is screen, getattr(pilot.app.screen, "errors", None)
        for _ in range(3):
            await settle(pilot)
        assert cursor_name(pilot) == "pipeline-image"
    with demo_catalog.read() as db:
        created = lookup.resolve_as(db, f"{gallery_id}/images/pipeline-image", ImageDefinition)
    assert created.offer == "Pipeline"
