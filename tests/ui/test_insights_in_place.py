"""Limits and costs where the user already is: a subscription's gauges and a node's cost in
the details pane, and a create form that says how close its limit is (SIG-LIMIT-*)."""

from __future__ import annotations

from sigtui.catalog import services
from sigtui.catalog.model.schemas import GalleryCreate
from sigtui.catalog.store.db import Catalog
from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens.forms.base import FormScreen
from sigtui.ui.widgets.gauge import RegionLimits
from tests.ui.conftest import TERMINAL
from tests.ui.helpers import settle
from tests.ui.test_main_flows import main_screen, pilot_test, walk_to

SANDBOX = ("Contoso", "contoso-sandbox")
SCRATCH_GROUP = (*SANDBOX, "rg-ci-scratch")


@pilot_test
async def test_a_subscription_shows_its_limits_as_gauges(app: SigtuiApp) -> None:
    async with app.run_test(size=TERMINAL) as pilot:
        await walk_to(pilot, *SANDBOX)
        await settle(pilot)
        pane = main_screen(pilot).details
        east = [r for r in pane.query(RegionLimits) if r.row.location == "eastus"]
        assert len(east) == 1
        galleries = east[0].row.galleries
        assert (galleries.used, galleries.limit) == (92, 100)
        assert east[0].bar_components[0] == "region-limits--warning"


@pilot_test
async def test_a_node_shows_what_it_costs(app: SigtuiApp) -> None:
    async with app.run_test(size=TERMINAL) as pilot:
        await walk_to(pilot, "Contoso", "contoso-finance-prod", "rg-finance-images", "sigFinance")
        await settle(pilot)
        fields = dict(main_screen(pilot).details.details.fields)  # type: ignore[union-attr]
        assert fields["Storage per month"].endswith("replicas)")
        assert " USD " in fields["Storage per month"]
        assert "One-time egress" in fields


GROUP_ID = "/subscriptions/6bb87fcc-8936-4037-8d81-11c4a2b526e9/resourceGroups/rg-ci-scratch"


@pilot_test
async def test_a_create_form_near_a_limit_says_how_much_is_left(app: SigtuiApp) -> None:
    async with app.run_test(size=TERMINAL) as pilot:
        await walk_to(pilot, *SCRATCH_GROUP)
        await pilot.press("n", "g")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, FormScreen)
        assert form.form_error == "8 of 100 galleries left in East US"


@pilot_test
async def test_a_create_form_at_the_limit_says_so_before_it_is_filled_in(
    app: SigtuiApp, demo_catalog: Catalog
) -> None:
    with demo_catalog.write() as db:
        for n in range(8):
            data = GalleryCreate(name=f"extraScratch{n:03d}", location="eastus")
            services.create_gallery(db, GROUP_ID, data, demo_catalog.clock)
    async with app.run_test(size=TERMINAL) as pilot:
        await walk_to(pilot, *SCRATCH_GROUP)
        await pilot.press("n", "g")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, FormScreen)
        assert form.form_error.startswith("SIG-LIMIT-GALLERIES: at the limit: 100 of 100")
