"""The insight screens: limits (`l`, SIG-LIMIT-*), costs (`$`) and the what-if calculator
(SIG-BILLING), the replica advisor (`a`, SIG-SCALE) and the cleanup list (`x`, SIG-EOL).

Update the snapshots with `pytest tests/ui/test_insight_screens.py --snapshot-update`,
then look at each SVG (as a PNG through cairosvg) before accepting it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static, TextArea

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.queries import advisor, lookup
from sigtui.catalog.queries.costs.rollups import rollup
from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens import costs as cost_screen
from sigtui.ui.screens.advisor import AdvisorScreen
from sigtui.ui.screens.cleanup import CleanupScreen, resource_label
from sigtui.ui.screens.confirm import MessageScreen
from sigtui.ui.screens.costs import CostScreen, WhatIfScreen
from sigtui.ui.screens.forms import FormScreen
from sigtui.ui.screens.limits import ROW_HEIGHT, LimitsScreen, LimitTable
from sigtui.ui.widgets.gauge import Gauge, gauge_bar, gauge_numbers
from tests.ui.conftest import TERMINAL
from tests.ui.helpers import open_screen, settle
from tests.ui.test_main_flows import FINANCE, cursor_name, pilot_test, walk_to
from tests.ui.test_main_snapshots import keys, stable_title

SnapCompare = Callable[..., bool]
VERSION_110 = (*FINANCE, "myImage1", "1.1.0")
EXPIRED_VERSION = "sigFinance/myImage1 1.0.1"
BLOCKED_DEFINITION = "sigFinanceLegacy/ledger-ws2012r2"


def shown(screen: Any, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def replace_text(pilot: Pilot[Any], selector: str, text: str) -> None:
    """Clear an input and type `text`, key by key, as a user would."""
    box = pilot.app.screen.query_one(selector, Input)
    box.focus()
    await pilot.press("end", *["backspace"] * len(box.value), *text)
    await settle(pilot)


def advised(*presses: str, vms: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Open the advisor on version 1.1.0 of myImage1 and plan `vms` concurrent VMs."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await keys(*presses, path=VERSION_110)(pilot)
        await replace_text(pilot, "#advisor-vms", vms)
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False

    return run_before


# --- snapshots ----------------------------------------------------------------------------


def test_limits_screen(snap_compare: SnapCompare, app: SigtuiApp) -> None:
    """The fullest first: the sandbox's East US galleries past 80 % (a warning gauge)."""
    assert snap_compare(app, terminal_size=TERMINAL, run_before=keys("l"))


def test_cost_screen(snap_compare: SnapCompare, app: SigtuiApp) -> None:
    assert snap_compare(app, terminal_size=TERMINAL, run_before=keys("dollar_sign"))


def test_what_if_calculator(snap_compare: SnapCompare, app: SigtuiApp) -> None:
    assert snap_compare(app, terminal_size=TERMINAL, run_before=keys("dollar_sign", "w"))


def test_advisor_warns_of_too_few_replicas(snap_compare: SnapCompare, app: SigtuiApp) -> None:
    assert snap_compare(app, terminal_size=TERMINAL, run_before=advised("a", vms="200"))


def test_cleanup_list(snap_compare: SnapCompare, app: SigtuiApp) -> None:
    assert snap_compare(app, terminal_size=TERMINAL, run_before=keys("x"))


# --- flows --------------------------------------------------------------------------------


@pilot_test
async def test_limits_rows_are_walked_with_the_arrows_or_clicked_and_open_their_subscription(
    app: SigtuiApp,
) -> None:
    """In one app: the arrows walk the rows and enter opens the subscription; then, in the
    screen opened again, a click on a row moves the cursor to it."""
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_screen(pilot, "l", LimitsScreen)
        table = screen.table
        assert screen.focused is table and table.cursor == 0 and len(table.rows) > 3
        await pilot.press("down", "down", "up", "j")
        assert table.cursor == 2
        await pilot.press("up", "up", "up", "k")
        assert table.cursor == 0  # stops at the first
        await pilot.press("end")
        assert table.cursor == len(table.rows) - 1
        await pilot.press("home", "down", "down")
        chosen = table.rows[2]
        await pilot.press("enter")
        await settle(pilot)
        assert cursor_name(pilot) == chosen.subscription
        screen = await open_screen(pilot, "l", LimitsScreen)
        assert screen.table.cursor == 0
        await pilot.click(LimitTable, offset=(4, 1 + 2 * ROW_HEIGHT))  # the third row's region
        assert screen.table.cursor == 2


@pilot_test
async def test_the_cost_screen_lists_the_costliest_versions_of_many(
    app: SigtuiApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A catalog may hold 300,000 versions: the table lists the costliest, and says so."""
    monkeypatch.setattr(cost_screen, "VERSION_ROWS", 3)
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_screen(pilot, "dollar_sign", CostScreen)
        with app.catalog.read() as db:
            sheet = cost_screen.price_sheet(app.catalog)
            exact = rollup(db, sheet, "version")
        table = screen.query_one("#costs-table", DataTable)
        assert [key.value for key in table.rows] == [line.key for line in exact[:3]]
        total = str(screen.query_one("#costs-total", Static).render())
        assert f"the 3 costliest of {len(exact)} versions listed" in total


@pilot_test
async def test_what_if_figures_change_as_you_type(app: SigtuiApp) -> None:
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await pilot.press("dollar_sign")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, WhatIfScreen)
        before = shown(screen, "#what-if-result")
        assert "per month" in before and "one time" in before
        await replace_text(pilot, "#what-if-size", "1000")
        after = shown(screen, "#what-if-result")
        assert "per month" in after and after != before
        targets = screen.query_one("#what-if-targets", TextArea)
        targets.focus()
        await pilot.press("ctrl+end", "enter", *"westeurope=3")
        await settle(pilot)
        assert "SIG-REPLICAS" in shown(screen, "#what-if-result")  # listed twice
        await replace_text(pilot, "#what-if-source", "eastus2")
        assert "SIG-SOURCE-REGION" not in shown(screen, "#what-if-result")
        size = screen.query_one("#what-if-size", Input)
        for typed, code in (("128,3000", "SIG-DISK-SIZE"), ("1_", "SIG-INPUT")):
            await replace_text(pilot, "#what-if-size", typed)  # bounded as a version's disks
            assert size.value == typed and size.has_class("-invalid")  # kept as typed
            assert code in shown(screen, "#what-if-result")


@pilot_test
async def test_cleanup_refused_delete_shows_sig_delete_and_a_delete_removes_the_version(
    app: SigtuiApp,
) -> None:
    """In one cleanup list: a blocked version's delete is refused with SIG-DELETE, then an
    expired version's delete removes it."""
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, CleanupScreen)
        table = screen.query_one("#cleanup-table", DataTable)
        blocked = next(i for i in screen.items.values() if i.blocked_by)
        table.move_cursor(row=table.get_row_index(blocked.arm_id))
        await pilot.press("d", "y")
        await settle(pilot)
        message = pilot.app.screen
        assert isinstance(message, MessageScreen)
        assert message.message.startswith("SIG-DELETE")
        assert blocked.arm_id in screen.items
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        item = next(i for i in screen.items.values() if resource_label(i) == EXPIRED_VERSION)
        table.move_cursor(row=table.get_row_index(item.arm_id))
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert item.arm_id not in screen.items
        with app.catalog.read() as db, pytest.raises(CatalogError) as refused:
            lookup.resolve(db, item.arm_id)
        assert refused.value.code == "SIG-NOT-FOUND"


@pilot_test
async def test_advisor_warns_and_opens_the_edit_form(app: SigtuiApp) -> None:
    async with app.run_test(size=TERMINAL) as pilot:
        stable_title(app)
        await walk_to(pilot, *VERSION_110)
        await pilot.press("a")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, AdvisorScreen)
        await replace_text(pilot, "#advisor-vms", "0")
        assert screen.comparisons and all(c.status != "tooFew" for c in screen.comparisons)
        assert "too few" not in shown(screen, "#advisor-comparison")
        await replace_text(pilot, "#advisor-vms", "400")  # 8 replicas at least
        assert any(c.status == "tooFew" for c in screen.comparisons)
        assert "too few replicas" in shown(screen, "#advisor-comparison")
        recommended = {c.region: c.advice.recommended for c in screen.comparisons}
        await pilot.press("e")  # the version's edit form, over the main screen
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, FormScreen)
        prefilled = form.value("target_regions")  # the rows as the service will get them
        assert {t["region"]: int(t["replica_count"]) for t in prefilled} == recommended


def test_the_advisors_help_keeps_the_seeds_older_figures_as_history() -> None:
    assert AdvisorScreen.help_note == advisor.HISTORY
    assert "20 VMs" in AdvisorScreen.help_note and "600 instances" in AdvisorScreen.help_note


def test_gauge_bar_and_numbers() -> None:
    assert gauge_bar(0, 100, 10) == (0, 10)
    assert gauge_bar(1, 100, 10) == (1, 9)  # any use shows
    assert gauge_bar(100, 100, 10) == (10, 0)
    assert gauge_numbers(92, 100) == "92 / 100  92 %"


def test_gauge_level_classes_follow_the_thresholds() -> None:
    """The colour comes from the theme through these classes ($success/$warning/$error)."""
    assert Gauge(79, 100).has_class("-ok")
    assert Gauge(80, 100).has_class("-warning")
    assert Gauge(94, 100).has_class("-warning")
    assert Gauge(95, 100).has_class("-critical")
    gauge = Gauge(10, 100)
    gauge.update(100, 100)
    assert gauge.has_class("-critical") and not gauge.has_class("-ok")
