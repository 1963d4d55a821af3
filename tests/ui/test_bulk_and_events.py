"""Marked versions and bulk actions (space, then d/x/e/a in all versions `v` and cleanup
`x`), and the events screen (`h`): one question naming the count and every refusal, one
change, one event; the events list, filtered as you type, going to a resource.

Update the snapshots with `pytest tests/ui/test_bulk_and_events.py --snapshot-update`, then
look at each SVG (as a PNG through cairosvg) before accepting it.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from sigtui.catalog.queries import browse, events
from sigtui.catalog.services.events import local_actor
from sigtui.catalog.store.db import Catalog
from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens.all_versions import AllVersionsScreen
from sigtui.ui.screens.cleanup import CleanupScreen
from sigtui.ui.screens.confirm import ConfirmScreen
from sigtui.ui.screens.events import EventsScreen, event_cells
from sigtui.ui.screens.version_bulk import MARK, MARK_COLUMN, PromptScreen
from tests.ui.conftest import TERMINAL, UI_NOW
from tests.ui.helpers import open_screen, settle
from tests.ui.test_main_flows import cursor_name, pilot_test
from tests.ui.test_main_snapshots import SnapCompare, stable_title


def _question(pilot: Pilot[Any]) -> str:
    screen = pilot.app.screen
    assert isinstance(screen, ConfirmScreen), screen
    return screen.question.plain


async def _mark(pilot: Pilot[Any], table: DataTable[Any], *keys: str) -> None:
    for key in keys:
        table.move_cursor(row=table.get_row_index(key))
        await pilot.press("space")
    await settle(pilot)


@pytest.mark.slow  # about 9 s alone, more in the parallel run
@pilot_test
async def test_marked_versions_take_one_change_and_the_events_show_it(app: SigtuiApp) -> None:
    async with app.run_test(size=TERMINAL) as pilot:
        versions = await open_screen(pilot, "v", AllVersionsScreen)
        federal = next(r for r in versions.rows if r.subscription == "contoso-federal-prod")
        finance = next(
            r for r in versions.rows if (r.definition, r.version) == ("myImage1", "1.1.0")
        )
        await _mark(pilot, versions.table, federal.arm_id, finance.arm_id)
        assert list(versions.marked) == [federal.arm_id, finance.arm_id]
        assert versions.table.get_cell(finance.arm_id, MARK_COLUMN) == MARK

        await pilot.press("a")  # add a target region: which one?
        await settle(pilot)
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"eastus", "enter")
        await settle(pilot)
        question = _question(pilot)
        assert question.startswith(
            "2 versions: 1 can get East US; 1 refused: SIG-CLOUD (1).\n"
            f"• sigFederal/{federal.definition}/{federal.version}: SIG-CLOUD: East US is "
            "in AzureCloud"
        ), question
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is versions and not versions.marked and versions.wrote
        after = next(r for r in versions.rows if r.arm_id == finance.arm_id)
        assert after.regions == finance.regions + 1

        await pilot.press("escape")
        log = await open_screen(pilot, "h", EventsScreen)
        newest = log.shown[0]
        assert (newest.actor, newest.action, newest.kind) == (
            local_actor(),
            "bulk update",
            "image version",
        )
        assert newest.summary == "Added East US to 1 version: myImage1 1.1.0"
        assert any(e.action == "seed" for e in log.shown)  # the demo seed: one event
        await pilot.press(*"myimage1/versions/1.1.0 started")
        await settle(pilot)
        assert [e.action for e in log.shown] == ["started"]
        assert log.shown[0].summary.startswith("East US (")
        assert "1 of " in str(log.query_one("#events-status").render())
        await pilot.press("enter")  # the version in the tree
        await settle(pilot)
        assert cursor_name(pilot) == "1.1.0"

        cleanup = await open_screen(pilot, "x", CleanupScreen)
        expired = [i.arm_id for i in cleanup.items.values() if i.kind == browse.VERSION][:2]
        await _mark(pilot, cleanup.query_one("#cleanup-table", DataTable), *expired)
        await pilot.press("d")
        await settle(pilot)
        assert _question(pilot) == "2 versions: 2 can be deleted."
        await pilot.press("y")
        await settle(pilot)
        assert cleanup.deleted and not cleanup.marked
        assert not set(expired) & set(cleanup.items)


@pilot_test
async def test_bulk_actions_are_unavailable_read_only(readonly_catalog: Catalog) -> None:
    app = SigtuiApp(readonly_catalog, remember_theme=False)
    async with app.run_test(size=TERMINAL) as pilot:
        versions = await open_screen(pilot, "v", AllVersionsScreen)
        await pilot.press("space", "x")
        await settle(pilot)
        assert app.screen is versions
        shown = [n.message for n in app._notifications]
        assert "Read-only catalog: x (Exclude) is unavailable" in shown, shown


def _stable_events(catalog: Catalog) -> None:
    """The seed's event names whoever ran the tests: name one user instead."""
    with catalog.engine.begin() as conn:
        conn.execute(sa.text("UPDATE catalog_event SET actor = 'tester'"))


def test_events_screen(snap_compare: SnapCompare, app: SigtuiApp, demo_catalog: Catalog) -> None:
    _stable_events(demo_catalog)

    async def run_before(pilot: Pilot[Any]) -> None:
        assert isinstance(pilot.app, SigtuiApp)
        stable_title(pilot.app)
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        pilot.app.screen.query_one(Input).cursor_blink = False
        await settle(pilot)

    assert snap_compare(app, terminal_size=TERMINAL, run_before=run_before)


def test_bulk_question_names_the_refused(snap_compare: SnapCompare, app: SigtuiApp) -> None:
    """Three versions marked (one in the US Government cloud), East US to add."""

    async def run_before(pilot: Pilot[Any]) -> None:
        assert isinstance(pilot.app, SigtuiApp)
        stable_title(pilot.app)
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("down", "space", "down", "down", "space", "space", "a")
        await settle(pilot)
        await pilot.press(*"eastus", "enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=TERMINAL, run_before=run_before)


HOSTILE = "x[/]\x1b]0;pwned\x07\x1b[2J[bold]b\x9b2J\r\u202e"


def test_an_event_shows_hostile_text_as_text() -> None:
    """A principal's name, a failure's details, a file name: shown as visible escapes."""
    event = events.Event(UI_NOW, HOSTILE, "failed", "replication", f"/tenants/{HOSTILE}", HOSTILE)
    for shown in event_cells(event, UI_NOW):
        text = shown.plain if isinstance(shown, Text) else str(getattr(shown, "text", shown))
        assert not any(c in text for c in "\x1b\x07\x9b\r\u202e"), repr(text)
    assert "x[/]\\x1b]0;pwned" in event_cells(event, UI_NOW)[1].plain  # type: ignore[union-attr]
