"""View as (SIG-ACCESS) beyond the tree: the details pane, limits, costs, replication,
cleanup, the advisor, export and all versions show and count only what the principal
viewed as sees."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from sigtui.catalog.model.models import ImageVersion
from sigtui.catalog.queries import lookup
from sigtui.catalog.store.db import Catalog
from sigtui.ui.screens.advisor import AdvisedVersion, AdvisorScreen
from sigtui.ui.screens.all_versions import AllVersionsScreen
from sigtui.ui.screens.cleanup import CleanupScreen
from sigtui.ui.screens.costs import CostScreen
from sigtui.ui.screens.limits import LimitsScreen
from sigtui.ui.screens.main import MainScreen
from sigtui.ui.screens.replication import ReplicationScreen
from sigtui.ui.screens.transfer import ExportScreen
from tests.ui.conftest import TERMINAL
from tests.ui.helpers import open_screen, settle
from tests.ui.test_main_flows import main_screen, pilot_test, walk_to
from tests.ui.test_share_flows import viewing_app

JAN = "jan.kowalski@fabrikam.com"  # Reader of the gallery sigFinance only
FINANCE_SUB = "d1bd77e0-eff4-41ef-a963-6abecd85dea2"


def _subscriptions_of(arm_ids: Any) -> set[str]:
    return {str(arm_id).split("/")[2] for arm_id in arm_ids}


@pilot_test
async def test_viewed_as_a_reader_every_screen_shows_only_what_it_sees(
    demo_catalog: Catalog,
) -> None:
    """In one app viewing as jan (Reader of sigFinance): limits, costs and cleanup; the
    advisor; the details pane; export; then all versions (and, viewing as nobody, every
    version): each shows and counts only what jan sees."""
    async with viewing_app(demo_catalog, JAN).run_test(size=TERMINAL) as pilot:
        await limits_costs_and_cleanup_show_only_what_it_sees(pilot)
        await close_screens(pilot)
        await the_advisor_shows_no_replicas_of_a_version_it_does_not_see(pilot, demo_catalog)
        await close_screens(pilot)
        await the_details_pane_shows_only_the_subscriptions_it_sees(pilot, demo_catalog)
        main_screen(pilot).tree.cursor_line = 0  # walk_to goes down from the top
        await the_export_screen_exports_only_what_it_sees(pilot)
        await close_screens(pilot)
        await all_versions_lists_only_the_versions_it_sees(pilot)


async def close_screens(pilot: Pilot[Any]) -> None:
    """Escape until the main screen shows."""
    for _ in range(5):
        if isinstance(pilot.app.screen, MainScreen):
            return
        await pilot.press("escape")
        await settle(pilot)
    assert isinstance(pilot.app.screen, MainScreen), pilot.app.screen


async def the_details_pane_shows_only_the_subscriptions_it_sees(
    pilot: Pilot[Any], demo_catalog: Catalog
) -> None:
    await walk_to(pilot, "Contoso")
    await settle(pilot)
    details = main_screen(pilot).details.details
    assert details is not None and details.kind == "tenant"
    [subscriptions] = [t for t in details.tables if t.title == "Subscriptions"]
    assert [row[0] for row in subscriptions.rows] == ["contoso-finance-prod"]
    assert ("Subscriptions", "1") in details.fields
    whole = demo_catalog.query(_gallery_cost_fields)
    storage = dict(details.fields)["Storage per month"]
    assert storage == whole  # the tenant costs what sigFinance costs, for jan
    await walk_to(pilot, "Contoso", "contoso-finance-prod")
    await settle(pilot)
    pane = main_screen(pilot).details
    assert dict(pane.details.fields)["Storage per month"] == whole  # type: ignore[union-attr]


def _gallery_cost_fields(db: Any) -> str:
    from sigtui.catalog.queries import browse
    from sigtui.catalog.queries.costs.sheet_json import builtin_sheet
    from sigtui.catalog.queries.node_details import cost_fields

    gallery = lookup.resolve(
        db,
        f"/subscriptions/{FINANCE_SUB}/resourceGroups/rg-finance-images"
        "/providers/Microsoft.Compute/galleries/sigFinance",
    )
    ref = browse.NodeRef(browse.GALLERY, int(gallery.pk or 0))
    return dict(cost_fields(db, ref, builtin_sheet()))["Storage per month"]


async def limits_costs_and_cleanup_show_only_what_it_sees(pilot: Pilot[Any]) -> None:
    limits = await open_screen(pilot, "l", LimitsScreen)
    assert {row.subscription for row in limits.table.rows} == {"contoso-finance-prod"}
    await pilot.press("escape")
    costs = await open_screen(pilot, "dollar_sign", CostScreen)
    table = costs.query_one("#costs-table", DataTable)
    keys = [key.value for key in table.rows]
    assert keys and _subscriptions_of(keys) == {FINANCE_SUB}
    await pilot.press("escape")
    cleanup = await open_screen(pilot, "x", CleanupScreen)
    assert cleanup.items and _subscriptions_of(cleanup.items) == {FINANCE_SUB}
    assert {item.gallery for item in cleanup.items.values()} == {"sigFinance"}


@pilot_test
async def test_replication_shows_only_what_it_sees(demo_catalog: Catalog) -> None:
    async with viewing_app(demo_catalog, "Contoso Engineering").run_test(size=TERMINAL) as pilot:
        screen = await open_screen(pilot, "r", ReplicationScreen)
        assert screen.items
        assert {i.gallery for i in screen.items.values()} <= {
            "sigContosoPlatform",
            "sigPlatformAPAC",
        }
        options = screen.query_one("#subscription-filter")
        values = [value for _, value in options._options if isinstance(value, str)]  # type: ignore[attr-defined]
        assert values == ["contoso-platform-prod"]


async def the_advisor_shows_no_replicas_of_a_version_it_does_not_see(
    pilot: Pilot[Any], demo_catalog: Catalog
) -> None:
    with demo_catalog.read() as db:
        platform = lookup.find_subscription(db, "contoso-platform-prod")
        version = db.exec(
            select(ImageVersion).where(ImageVersion.subscription_pk == platform.pk)
        ).first()
        assert version is not None and version.pk is not None
        advised = AdvisedVersion(version.pk, lookup.arm_id(db, version), "platform version")
    await settle(pilot)
    screen = AdvisorScreen(demo_catalog, advised, main_screen(pilot).viewer)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    assert screen.replicas == {}
    alone = AdvisorScreen(demo_catalog, advised)  # the whole catalog: its replicas
    await pilot.app.push_screen(alone)
    await settle(pilot)
    assert alone.replicas


async def the_export_screen_exports_only_what_it_sees(pilot: Pilot[Any]) -> None:
    await walk_to(pilot, "Contoso", "contoso-finance-prod")
    await settle(pilot)
    screen = await open_screen(pilot, "E", ExportScreen)
    assert screen.scope == f"/subscriptions/{FINANCE_SUB}"
    template = json.loads(screen._export_text(screen.scope, "arm"))
    galleries = {
        resource["name"]
        for resource in template["resources"]
        if resource["type"] == "Microsoft.Compute/galleries"
    }
    assert galleries == {"sigFinance"}  # not sigFinanceLegacy, beside it


async def all_versions_lists_only_the_versions_it_sees(pilot: Pilot[Any]) -> None:
    screen = await open_screen(pilot, "v", AllVersionsScreen)
    assert screen.rows and screen.table.row_count == len(screen.rows) == screen.total
    assert {row.gallery for row in screen.rows} == {"sigFinance"}
    assert _subscriptions_of(row.arm_id for row in screen.rows) == {FINANCE_SUB}
    status = str(screen.query_one("#versions-status", Static).content)
    assert f"{len(screen.rows)} that {JAN} sees" in status
    await pilot.press("escape")
    await settle(pilot)
    main_screen(pilot).action_stop_view_as()  # the whole catalog again: every version
    everything = await open_screen(pilot, "v", AllVersionsScreen)
    assert everything.total is not None and everything.total > len(screen.rows)
