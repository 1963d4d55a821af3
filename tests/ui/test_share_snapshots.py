"""Snapshots of sharing (SIG-ACCESS): the Access section of the details, the share form,
and the main screen viewing as a principal (fixed clock, 120 x 40).

Update with `pytest tests/ui/test_share_snapshots.py --snapshot-update`, then look at
each SVG (e.g. as a PNG through cairosvg) before accepting it.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from sigtui.catalog.store.db import Catalog
from sigtui.ui.app import SigtuiApp
from tests.ui.conftest import TERMINAL
from tests.ui.helpers import settle
from tests.ui.test_main_flows import FINANCE, main_screen, walk_to
from tests.ui.test_main_snapshots import SnapCompare, stable_title
from tests.ui.test_share_flows import FINANCE_GROUP, LEDGER_VERSION, add, open_share


def test_access_section_of_a_definition(snap_compare: SnapCompare, app: SigtuiApp) -> None:
    """myImage2: two direct assignments (one cross-tenant) and one inherited from the
    gallery (cross-tenant too)."""

    async def run_before(pilot: Pilot[Any]) -> None:
        stable_title(app)
        await walk_to(pilot, *FINANCE, "myImage2")
        main_screen(pilot).details.scroll_end(animate=False)
        await settle(pilot)

    assert snap_compare(app, terminal_size=TERMINAL, run_before=run_before)


def test_share_form(snap_compare: SnapCompare, app: SigtuiApp) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        stable_title(app)
        await open_share(pilot, *FINANCE, "myImage2")

    assert snap_compare(app, terminal_size=TERMINAL, run_before=run_before)


def test_share_form_warns_after_sharing_a_single_version(
    snap_compare: SnapCompare, app: SigtuiApp, demo_catalog: Catalog
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        stable_title(app)
        share = await open_share(pilot, *LEDGER_VERSION)
        await add(pilot, share, demo_catalog, "jan.kowalski@fabrikam.com", "Reader")
        pilot.app.clear_notifications()  # the toast would cover the form; its text is inline

    assert snap_compare(app, terminal_size=TERMINAL, run_before=run_before)


def test_main_screen_viewing_as_a_principal(
    snap_compare: SnapCompare, demo_catalog: Catalog
) -> None:
    """Finance Developers: the two definitions shared with them, under their group."""
    app = SigtuiApp(demo_catalog, remember_theme=False, view_as="Finance Developers")

    async def run_before(pilot: Pilot[Any]) -> None:
        stable_title(app)
        await walk_to(pilot, *FINANCE_GROUP, "sigFinance/myImage1")

    assert snap_compare(app, terminal_size=TERMINAL, run_before=run_before)
