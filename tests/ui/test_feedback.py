"""The app says what happens (#21, feedback): a blocked delete is named before any
question, a greyed-out key says why it does nothing, an export asks before writing over
a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button, Input, Static

from sigtui.catalog.store.db import Catalog
from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens.cleanup import CleanupScreen
from sigtui.ui.screens.confirm import ConfirmScreen, MessageScreen
from sigtui.ui.screens.replication import ReplicationScreen
from sigtui.ui.screens.transfer import ExportScreen, OverwriteScreen
from tests.builders import catalog_state
from tests.ui.conftest import TERMINAL
from tests.ui.helpers import open_screen, settle
from tests.ui.test_main_flows import FINANCE, SCRATCH, main_screen, pilot_test, walk_to
from tests.ui.test_share_flows import viewing_app

JAN = "jan.kowalski@fabrikam.com"  # Reader of the gallery sigFinance only


def notices(pilot: Pilot[Any]) -> list[str]:
    return [n.message for n in pilot.app._notifications]


def status_of(screen: ExportScreen) -> str:
    return str(screen.query_one("#export-status", Static).render())


@pilot_test
async def test_a_blocked_delete_says_what_blocks_it_and_an_export_asks_before_overwriting(
    app: SigtuiApp, demo_catalog: Catalog, tmp_path: Path
) -> None:
    """In one app: a blocked delete says what blocks it instead of asking (an empty
    gallery's asks); then an export asks before writing over a file."""
    before = catalog_state(demo_catalog)
    async with app.run_test(size=TERMINAL) as pilot:
        await walk_to(pilot, *FINANCE)
        await pilot.press("d")
        await settle(pilot)
        refused = app.screen
        assert isinstance(refused, MessageScreen)  # no question first
        assert refused.message.startswith("SIG-DELETE: gallery 'sigFinance' cannot be deleted")
        assert "3 image definitions (myImage1, myImage2, myImage3)" in refused.message
        assert [str(b.label) for b in refused.query(Button)] == ["Close (esc)"]
        await pilot.press("escape", "home")
        await settle(pilot)
        await walk_to(pilot, *SCRATCH)  # an empty gallery: the question, its id shown
        await pilot.press("d")
        await settle(pilot)
        question = app.screen
        assert isinstance(question, ConfirmScreen)
        assert question.arm_id is not None and question.arm_id.endswith("/ciScratch001")
        await pilot.press("n")
        await settle(pilot)
        assert catalog_state(demo_catalog) == before
        await an_export_asks_before_writing_over_a_file(pilot, demo_catalog, tmp_path)


@pilot_test
async def test_greyed_out_keys_say_why_in_read_only_mode(readonly_catalog: Catalog) -> None:
    app = SigtuiApp(readonly_catalog, remember_theme=False)
    async with app.run_test(size=TERMINAL) as pilot:
        await walk_to(pilot, *SCRATCH)
        screen = main_screen(pilot)
        await pilot.press("n", "d")
        await settle(pilot)
        assert notices(pilot) == [
            "Read-only catalog: n (New) is unavailable",
            "Read-only catalog: d (Delete) is unavailable",
        ]
        assert not screen.active_bindings["n"].enabled  # the footer still greys it out
        await pilot.press("c")  # an available key says nothing of the kind
        await settle(pilot)
        assert not any("unavailable" in n for n in notices(pilot)[2:])
        await open_screen(pilot, "r", ReplicationScreen)
        await pilot.press("t")
        await settle(pilot)
        assert notices(pilot)[-1] == "Read-only catalog: t (Retry failed) is unavailable"
        await pilot.press("escape")
        await open_screen(pilot, "x", CleanupScreen)
        await pilot.press("d")
        await settle(pilot)
        assert notices(pilot)[-1] == "Read-only catalog: d (Delete) is unavailable"


@pilot_test
async def test_greyed_out_keys_say_why_when_viewing_as_a_reader(demo_catalog: Catalog) -> None:
    async with viewing_app(demo_catalog, JAN).run_test(size=TERMINAL) as pilot:
        await walk_to(pilot, *FINANCE)
        await settle(pilot)
        await pilot.press("d", "s")
        await settle(pilot)
        assert notices(pilot) == [
            f"Viewing as {JAN}: d (Delete) needs a role that allows publish here",
            f"Viewing as {JAN}: s (Share) needs a role that allows share here",
        ]
        assert isinstance(app_screen := pilot.app.screen, type(main_screen(pilot)))
        assert not app_screen.active_bindings["d"].enabled


async def _export(pilot: Pilot[Any], screen: ExportScreen, path: Path) -> None:
    box = screen.query_one("#export-path", Input)
    box.value = str(path)
    await pilot.press("ctrl+s")
    await settle(pilot)


async def an_export_asks_before_writing_over_a_file(
    pilot: Pilot[Any], demo_catalog: Catalog, tmp_path: Path
) -> None:
    app = pilot.app
    target = tmp_path / "sigtui-export.json"
    target.write_text("kept", "utf-8")
    await settle(pilot)
    screen = ExportScreen(demo_catalog, "/".join(FINANCE_ID))
    await app.push_screen(screen)
    await _export(pilot, screen, target)
    assert isinstance(app.screen, OverwriteScreen)
    await pilot.press("escape")  # cancel
    await settle(pilot)
    assert app.screen is screen and "Not exported" in status_of(screen)
    await _export(pilot, screen, target)
    await pilot.press("a")  # another name: offered, nothing written yet
    await settle(pilot)
    other = tmp_path / "sigtui-export-1.json"
    assert screen.query_one("#export-path", Input).value == str(other)
    assert not other.exists()
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert other.read_text("utf-8").startswith("{")
    await _export(pilot, screen, target)
    await pilot.press("o")  # overwrite
    await settle(pilot)
    assert "Wrote" in status_of(screen)
    assert target.read_text("utf-8").startswith("{")


FINANCE_ID = (
    "",
    "subscriptions",
    "d1bd77e0-eff4-41ef-a963-6abecd85dea2",
    "resourceGroups",
    "rg-finance-images",
    "providers",
    "Microsoft.Compute",
    "galleries",
    "sigFinance",
)
