"""Import and export from the app (the palette's "Import…" and "Export…")."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.queries import lookup
from sigtui.catalog.store.db import Catalog
from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens.transfer import ExportScreen, ImportScreen
from tests.builders import catalog_state
from tests.ui.conftest import TERMINAL
from tests.ui.helpers import settle, until
from tests.ui.test_main_flows import pilot_test

DATA = Path(__file__).parent.parent / "data" / "import"
ESTATE = DATA / "estate.az.json"
FINANCE_GALLERY = (
    "/subscriptions/d1bd77e0-eff4-41ef-a963-6abecd85dea2/resourceGroups/rg-finance-images"
    "/providers/Microsoft.Compute/galleries/sigFinance"
)


def _gallery_ids_in(path: Path) -> list[str]:
    """The galleries, definitions and versions a file holds (other types are skipped)."""
    items = json.loads(path.read_text("utf-8"))
    return [item["id"] for item in items if "/galleries/" in item.get("id", "")]


def _exists(catalog: Catalog, arm_id: str) -> bool:
    try:
        with catalog.read() as db:
            lookup.resolve(db, arm_id)
    except CatalogError:
        return False
    return True


async def _type(pilot: Pilot[Any], box: Input, text: str) -> None:
    box.value = ""
    box.focus()
    await pilot.press(*text)


@pilot_test
async def test_importing_a_file_from_the_app(app: SigtuiApp, demo_catalog: Catalog) -> None:
    wanted = _gallery_ids_in(ESTATE)
    assert wanted and not any(_exists(demo_catalog, arm_id) for arm_id in wanted)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        screen = ImportScreen(demo_catalog)
        await app.push_screen(screen)
        await _type(pilot, screen.query_one("#import-path", Input), str(ESTATE))
        await pilot.press("ctrl+s")
        await settle(pilot)
        status = str(screen.query_one("#import-status", Static).render())
        assert "created" in status, status
    assert all(_exists(demo_catalog, arm_id) for arm_id in wanted)


@pilot_test
async def test_a_bad_file_imports_nothing_and_says_why(
    app: SigtuiApp, demo_catalog: Catalog, tmp_path: Path
) -> None:
    bad = tmp_path / "not.json"
    bad.write_text("this is not JSON", encoding="utf-8")
    before = catalog_state(demo_catalog)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        screen = ImportScreen(demo_catalog)
        await app.push_screen(screen)
        await _type(pilot, screen.query_one("#import-path", Input), str(bad))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "SIG-INPUT" in str(screen.query_one("#import-status", Static).render())
    assert catalog_state(demo_catalog) == before


def held_export(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Exports wait, in their worker, until the event returned is set."""
    release = threading.Event()
    render = ExportScreen._export_text

    def held(screen: ExportScreen, scope: str, kind: str) -> str:
        assert release.wait(10), "the test never let the export end"
        return render(screen, scope, kind)

    monkeypatch.setattr(ExportScreen, "_export_text", held)
    return release


async def start_export(pilot: Pilot[Any], catalog: Catalog, target: Path) -> ExportScreen:
    """The export screen open on the finance gallery, its export to `target` started."""
    await settle(pilot)
    screen = ExportScreen(catalog, FINANCE_GALLERY)
    await pilot.app.push_screen(screen)
    await _type(pilot, screen.query_one("#export-path", Input), str(target))
    await pilot.press("ctrl+s")
    await pilot.pause()
    return screen


@pilot_test
async def test_exporting_a_scope_runs_beside_the_screen_and_says_so_until_it_is_written(
    app: SigtuiApp, demo_catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big scope takes seconds to export: the screen answers meanwhile, says what it is
    doing, and offers no second export until the first is written."""
    target = tmp_path / "finance.json"
    release = held_export(monkeypatch)
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await start_export(pilot, demo_catalog, target)
        status = screen.query_one("#export-status", Static)
        assert str(status.render()) == f"Exporting to {target}…"
        assert screen.query_one("#export-run", Button).disabled
        assert screen.active_bindings["ctrl+s"].enabled is False
        scope = screen.query_one("#export-scope", Input)
        await _type(pilot, scope, "x")
        assert scope.value == "x"  # the screen answers keys while the export runs
        assert not target.exists()
        release.set()
        await settle(pilot)
        assert str(status.render()) == f"Wrote {target.resolve()}"
        assert not screen.query_one("#export-run", Button).disabled
    template = json.loads(target.read_text("utf-8"))
    types = {resource["type"] for resource in template["resources"]}
    assert "Microsoft.Compute/galleries" in types
    assert "Microsoft.Compute/galleries/images/versions" in types


@pilot_test
async def test_an_export_closed_before_it_is_written_says_so_in_a_notification(
    app: SigtuiApp, demo_catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "finance.json"
    release = held_export(monkeypatch)
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await start_export(pilot, demo_catalog, target)
        await pilot.press("escape")
        assert app.screen is not screen
        release.set()
        await until(pilot, lambda: bool(app._notifications))
        assert [n.message for n in app._notifications] == [f"Wrote {target.resolve()}"]
    assert target.exists()


@pilot_test
async def test_import_and_export_open_from_the_main_screen(app: SigtuiApp) -> None:
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await pilot.press("I")
        await settle(pilot)
        assert isinstance(app.screen, ImportScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
