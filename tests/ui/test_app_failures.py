"""The app when something fails (DESIGN.md §3, #17 item 2): an unexpected exception ends
it on one coded line with any password masked, its traceback (masked) in the log file and
never on screen; a catalog out of reach is a banner that retries by itself and goes once
the database answers again."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from textual.pilot import Pilot

from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import Catalog, open_catalog
from sigtui.cli import cli
from sigtui.cli.context import CliState
from sigtui.ui import health
from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens.main import MainScreen
from sigtui.ui.widgets import details_pane
from sigtui.ui.widgets.catalog_tree import CatalogTree
from tests.builders import Build
from tests.conftest import PgServer
from tests.ui.conftest import TERMINAL
from tests.ui.helpers import settle

SECRET = "Sup3r-Secret"
LEAKY_URL = f"postgresql+psycopg://sig:{SECRET}@db.example/catalog"
SHOWN_URL = "postgresql+psycopg://sig:***@db.example/catalog"


@pytest.fixture
def log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path / "state" / "sigtui" / "sigtui.log"


def _failing(*_args: object, **_kwargs: object) -> None:
    url = LEAKY_URL  # a local: Textual's traceback showed locals, this password among them
    raise RuntimeError(f"cannot go on via {url}\nand a second line")


def _break_copy_action(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(MainScreen, "action_copy_id", _failing)
    return "c"


def _break_details_worker(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(details_pane, "node_details", _failing)
    return "down"


BREAKERS: dict[str, Callable[[pytest.MonkeyPatch], str]] = {
    "in an action": _break_copy_action,
    "in a worker": _break_details_worker,
}


@pytest.mark.parametrize("where", BREAKERS)
def test_an_unexpected_error_ends_the_app_on_one_coded_line_without_the_password(
    app: SigtuiApp, log_file: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    key = BREAKERS[where](monkeypatch)

    async def scenario() -> None:
        async with app.run_test(size=TERMINAL) as pilot:
            await settle(pilot)
            await pilot.press(key)
            await settle(pilot)

    with pytest.raises(RuntimeError):  # run_test raises it again, as for any test
        asyncio.run(scenario())
    assert app.return_code == 1
    assert app.failure == (
        f"SIG-INTERNAL: RuntimeError: cannot go on via {SHOWN_URL} (traceback in {log_file})"
    )
    logged = log_file.read_text("utf-8")
    assert "Traceback (most recent call last)" in logged
    assert "in _failing" in logged and f"via {SHOWN_URL}" in logged
    assert SECRET not in logged
    assert app._exit_renderables == []  # Textual prints nothing of its own at exit


def test_sigtui_prints_the_one_line_on_stderr_and_exits_non_zero(
    demo_catalog_file: Path,
    tmp_path: Path,
    log_file: Path,
    ui_clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = _break_copy_action(monkeypatch)
    database = tmp_path / "catalog.db"
    shutil.copy(demo_catalog_file, database)

    async def press_it(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press(key)

    run = SigtuiApp.run

    def headless_run(app: SigtuiApp, **_options: Any) -> Any:
        return run(app, headless=True, size=TERMINAL, auto_pilot=press_it)

    monkeypatch.setattr(SigtuiApp, "run", headless_run)
    result = CliRunner().invoke(cli, ["--db", str(database)], obj=CliState(clock=ui_clock))
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"error: SIG-INTERNAL: RuntimeError: cannot go on via {SHOWN_URL} "
        f"(traceback in {log_file})\n"
    )
    assert SECRET not in result.output


# --- the catalog out of reach --------------------------------------------------------------


@pytest.fixture
def pg_catalog(pg_server: PgServer, pg_template: str, ui_clock: FixedClock) -> Iterator[Catalog]:
    """A PostgreSQL catalog of its own, reached with a password in its URL (the throwaway
    server trusts its user and ignores it), holding one tenant."""
    with pg_server.database("sigtui_unreachable", pg_template) as url:
        catalog = open_catalog(url.replace("postgres@", f"postgres:{SECRET}@"), clock=ui_clock)
        Build(catalog).tenant("Contoso")
        yield catalog
        catalog.close()


class Gate:
    """Closes the catalog's database to every connection (those open are ended) and opens
    it again: to its clients, the server is out of reach (an OperationalError)."""

    def __init__(self, server: PgServer, database: str) -> None:
        self.database = database
        self.admin = sa.create_engine(server.url("postgres"), poolclass=sa.pool.NullPool)

    def _run(self, *statements: str) -> None:
        with self.admin.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            for statement in statements:
                conn.execute(sa.text(statement), {"name": self.database})

    def close(self) -> None:
        self._run(
            f'ALTER DATABASE "{self.database}" ALLOW_CONNECTIONS false',
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name",
        )

    def open(self) -> None:
        self._run(f'ALTER DATABASE "{self.database}" ALLOW_CONNECTIONS true')
        self.admin.dispose()


def _add_tenant_elsewhere(catalog: Catalog, name: str) -> None:
    """Another session's write, which the app has not seen."""
    other = open_catalog(catalog.url, clock=catalog.clock)
    try:
        Build(other).tenant(name)
    finally:
        other.close()


async def _until(pilot: Pilot[Any], condition: Callable[[], bool]) -> None:
    """Let the app run (its timers fire) until `condition` holds; fail after 10 s."""
    for _ in range(200):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("the app never got there")


def _banner_text(app: SigtuiApp) -> str | None:
    banners = app.screen.query(health.DbBanner)
    return str(banners.first().render()) if banners else None


def _driver_line(app: SigtuiApp) -> str:
    """The driver's own words, after "SIG-DB: cannot reach the catalog at URL: "."""
    parts = (_banner_text(app) or "").split(": ", 3)
    return parts[3] if len(parts) == 4 else ""


def _tenants(app: SigtuiApp) -> list[str]:
    tree = app.screen.query_one(CatalogTree)
    return [str(node.label).split("  ")[0] for node in tree.root.children]


def test_an_unreachable_catalog_is_a_banner_that_retries_until_it_is_back(
    pg_catalog: Catalog, pg_server: PgServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health, "RETRY_SECONDS", (0.2, 0.4))
    app = SigtuiApp(pg_catalog, remember_theme=False)
    gate = Gate(pg_server, "sigtui_unreachable")

    async def scenario() -> None:
        async with app.run_test(size=TERMINAL) as pilot:
            await settle(pilot)
            assert _tenants(app) == ["Contoso"]
            gate.close()
            await pilot.press("R")  # the tree reads its first level again
            await _until(pilot, lambda: _banner_text(app) is not None)
            shown = _banner_text(app) or ""
            assert shown.startswith(
                "SIG-DB: cannot reach the catalog at postgresql+psycopg://postgres:***@/"
                "sigtui_unreachable?host="
            )
            # the driver's first line: a connection ended by the gate may first say only
            # that it was closed; a retry's new connection is refused by name
            await _until(pilot, lambda: "sigtui_unreachable" in _driver_line(app))
            shown = _banner_text(app) or ""
            assert SECRET not in shown and "Traceback" not in shown
            await _until(pilot, lambda: app.health is not None and app.health.attempts >= 2)
            assert _banner_text(app) is not None  # retried, still out of reach
            assert "retrying in 0.4 s" in (_banner_text(app) or "")

            gate.open()
            _add_tenant_elsewhere(pg_catalog, "Fabrikam")
            await _until(pilot, lambda: _banner_text(app) is None)
            await settle(pilot)
            assert _tenants(app) == ["Contoso", "Fabrikam"]  # the view was read again

    try:
        asyncio.run(scenario())
    finally:
        gate.open()
    assert not app.return_code and app.failure is None  # it ran on, then was quit


def test_a_screen_that_cannot_load_closes_under_the_banner(
    pg_catalog: Catalog, pg_server: PgServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The replication screen reads the catalog as it opens (in its handler): with the
    database away it closes, the main screen shows the banner, and the app goes on."""
    monkeypatch.setattr(health, "RETRY_SECONDS", (60.0,))
    app = SigtuiApp(pg_catalog, remember_theme=False)
    gate = Gate(pg_server, "sigtui_unreachable")

    async def scenario() -> None:
        async with app.run_test(size=TERMINAL) as pilot:
            await settle(pilot)
            gate.close()
            await pilot.press("r")
            await settle(pilot)
            assert isinstance(app.screen, MainScreen)
            assert (_banner_text(app) or "").startswith("SIG-DB: cannot reach the catalog at ")
            gate.open()
            assert app.health is not None
            app.health.retry()
            await _until(pilot, lambda: _banner_text(app) is None)

    try:
        asyncio.run(scenario())
    finally:
        gate.open()
    assert not app.return_code and app.failure is None  # it ran on, then was quit
