"""The details pane refills the widgets it shows when the next node's details have their
shapes (a `down` among versions), mounts only those that come (a note, a table) and
removes those that go: what it shows is what a pane drawn anew would show."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Static

from sigtui.catalog.queries import browse
from sigtui.catalog.store.clock import FixedClock
from sigtui.ui.app import SigtuiApp
from sigtui.ui.widgets.details_pane import DetailsPane, details_parts
from sigtui.ui.widgets.gauge import RegionLimits
from tests.ui.conftest import TERMINAL
from tests.ui.helpers import settle
from tests.ui.test_main_flows import main_screen, pilot_test, walk_to

MY_IMAGE3 = ("Contoso", "contoso-finance-prod", "rg-finance-images", "sigFinance", "myImage3")
IN_FLIGHT = (  # after MY_IMAGE3 in the tree
    "contoso-platform-prod",
    "rg-platform-images",
    "sigContosoPlatform",
    "ubuntu-22.04-base",
    "1.3.0",
)
MINUTES = 60  # seconds: the demo's replication moves within a minute


def shown_text(widgets: list[Widget]) -> str:
    """What `widgets` show, as text: each Static's content, each table's cells."""
    console = Console(width=100, file=io.StringIO())
    for widget in widgets:
        if isinstance(widget, DataTable):
            console.print(" | ".join(str(c.label) for c in widget.ordered_columns))
            for index in range(widget.row_count):
                console.print(" | ".join(map(str, widget.get_row_at(index))))
        elif isinstance(widget, Static):
            console.print(widget.content)
        elif isinstance(widget, RegionLimits):
            console.print(repr(widget.row))
        else:
            console.print(type(widget).__name__)
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue()


def drawn_anew(pane: DetailsPane) -> str:
    assert pane.details is not None
    return shown_text([part.make() for part in details_parts(pane.details, pane.limits)])


async def _shown(pilot: Pilot[Any]) -> tuple[DetailsPane, browse.Details]:
    await settle(pilot)
    pane = main_screen(pilot).details
    assert pane.details is not None and pane.shown_ref == pane.ref
    assert shown_text(list(pane.children)) == drawn_anew(pane)
    return pane, pane.details


@pilot_test
async def test_the_details_of_the_next_version_are_drawn_in_the_widgets_shown(
    app: SigtuiApp, ui_clock: FixedClock
) -> None:
    async with app.run_test(size=TERMINAL) as pilot:
        await walk_to(pilot, *MY_IMAGE3, "0.2.0")
        pane, first = await _shown(pilot)
        kept = list(pane.children)[:2]  # its title and its fields
        await pilot.press("down")  # 0.1.0: a note less, a target region less
        pane, second = await _shown(pilot)
        assert second.title.endswith("0.1.0") and len(second.notes) == len(first.notes) - 1
        assert list(pane.children)[:2] == kept  # refilled, not mounted anew
        await pilot.press("up")
        pane, again = await _shown(pilot)
        assert again.title == first.title and len(pane.children) == len(details_parts(first, []))

        await walk_to(pilot, IN_FLIGHT[0])  # a subscription: its regions' limits
        pane, subscription = await _shown(pilot)
        assert pane.query(RegionLimits)
        await pilot.press("down")  # the next subscription
        pane, sandbox = await _shown(pilot)
        assert sandbox.kind == subscription.kind and sandbox.title != subscription.title
        await pilot.press("up")
        await _shown(pilot)

        await walk_to(pilot, *IN_FLIGHT)  # a version in flight, redrawn every 2 seconds
        pane, before = await _shown(pilot)
        table = pane.query_one(DataTable)
        ui_clock.advance(MINUTES)
        pane.refresh_live()
        pane, after = await _shown(pilot)
        assert after.tables[0] != before.tables[0]  # its progress moved
        assert pane.query_one(DataTable) is table  # in the table shown
