"""The details pane shows a node's details without waiting for its cost: what a tenant or
a subscription costs reads every one of its target regions (seconds at Azure's limits),
and the tenant is what the app selects at start. The cost follows, in place."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from textual.pilot import Pilot

from sigtui.catalog.queries import browse, node_details
from sigtui.catalog.queries.costs.sheet_json import builtin_sheet
from sigtui.ui.app import SigtuiApp
from sigtui.ui.widgets import details_pane
from sigtui.ui.widgets.details_pane import COST_PENDING
from tests.ui.helpers import settle
from tests.ui.test_main_flows import main_screen, pilot_test

STORAGE = "Storage per month"
WAIT_SECONDS = 10.0  # a stuck test ends: the cost read is let go after this


@pytest.fixture
def held_cost(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Cost reads wait until the event is set."""
    release = threading.Event()
    real = details_pane.cost_fields

    def held(*args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        release.wait(WAIT_SECONDS)
        return real(*args, **kwargs)

    monkeypatch.setattr(details_pane, "cost_fields", held)
    return release


async def _details_shown(pilot: Pilot[Any]) -> browse.Details:
    pane = main_screen(pilot).details
    for _ in range(500):
        if pane.details is not None:
            return pane.details
        await pilot.pause()
    raise AssertionError("the details were never shown")


@pilot_test
async def test_the_first_nodes_details_show_before_its_cost(
    app: SigtuiApp, held_cost: threading.Event
) -> None:
    async with app.run_test() as pilot:
        details = await _details_shown(pilot)
        assert details.kind == browse.TENANT
        assert dict(details.fields)[STORAGE] == COST_PENDING
        held_cost.set()
        await settle(pilot)
        shown = main_screen(pilot).details.details
        assert shown is not None and shown.title == details.title
        assert dict(shown.fields)[STORAGE].endswith("replicas)")
        fields_text = str(main_screen(pilot).details.query_one(".details-fields").render())
        assert COST_PENDING not in fields_text


@pilot_test
async def test_a_cost_read_for_a_node_left_behind_is_not_shown(
    app: SigtuiApp, held_cost: threading.Event
) -> None:
    async with app.run_test() as pilot:
        first = await _details_shown(pilot)
        pane = main_screen(pilot).details
        first_read = pane.cost_stop
        await pilot.press("down")  # the next tenant, while the first one's cost is read
        assert first_read.stopped  # told to stop: its answer is no longer wanted
        for _ in range(500):
            if pane.details is not None and pane.details.title != first.title:
                break
            await pilot.pause()
        held_cost.set()
        await settle(pilot)
        shown, ref = pane.details, pane.ref
        assert shown is not None and shown.title != first.title
        assert ref is not None and ref.kind == browse.TENANT
        assert dict(shown.fields)[STORAGE] == _storage(app, ref)
        first_node = main_screen(pilot).tree.root.children[0].data
        assert first_node is not None and first_node.node.ref != ref
        assert _storage(app, first_node.node.ref) != _storage(app, ref)  # it would show


def _storage(app: SigtuiApp, ref: browse.NodeRef) -> str:
    return dict(app.catalog.query(node_details.cost_fields, ref, builtin_sheet()))[STORAGE]
