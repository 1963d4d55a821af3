"""Fixtures for the dashboard's tests: the demo catalog in a temporary SQLite file, at a
fixed clock, so snapshots are the same on every run."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import shared_demo_file
from textual import _wait
from textual._compositor import Compositor
from textual.cache import LRUCache
from textual.css.stylesheet import Stylesheet

from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import Catalog, open_catalog
from sigtui.ui.app import SigtuiApp

UI_NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TERMINAL = (120, 40)


@pytest.fixture(scope="session")
def demo_catalog_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo seed loaded once per run into a SQLite file (copied per test)."""
    return shared_demo_file(tmp_path_factory, UI_NOW)


@pytest.fixture
def ui_clock() -> FixedClock:
    return FixedClock(UI_NOW)


def _open_copy(source: Path, folder: Path, clock: FixedClock, readonly: bool) -> Catalog:
    path = folder / "catalog.db"
    shutil.copy(source, path)
    return open_catalog(f"sqlite:///{path}", clock=clock, readonly=readonly)


@pytest.fixture
def demo_catalog(
    demo_catalog_file: Path, tmp_path: Path, ui_clock: FixedClock
) -> Iterator[Catalog]:
    catalog = _open_copy(demo_catalog_file, tmp_path, ui_clock, readonly=False)
    yield catalog
    catalog.close()


@pytest.fixture
def readonly_catalog(
    demo_catalog_file: Path, tmp_path: Path, ui_clock: FixedClock
) -> Iterator[Catalog]:
    catalog = _open_copy(demo_catalog_file, tmp_path, ui_clock, readonly=True)
    yield catalog
    catalog.close()


@pytest.fixture(autouse=True)
def _private_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep tests away from the user's real settings (theme, keymap) and state (the
    clipboard file)."""
    monkeypatch.setenv("SIGTUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


@pytest.fixture
def app(demo_catalog: Catalog) -> SigtuiApp:
    return SigtuiApp(demo_catalog, remember_theme=False)


@pytest.fixture(autouse=True)
def _quicker_idle_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pilot waits for the app to go idle after each key by sleeping in steps of
    1/50 s until a step used almost no CPU: at least 40 ms a key, most of a UI test's
    time. Steps of 1/200 s keep the same test (a step that used under 5 % of its time);
    measured on 2 cores, the UI tests take 146 s in place of 200."""
    monkeypatch.setattr(_wait, "SLEEP_GRANULARITY", 1 / 200)
    monkeypatch.setattr(_wait, "SLEEP_IDLE", 1 / 200 / 20)


_stylesheet_init = Stylesheet.__init__
_set_variables = Stylesheet.set_variables
_PARSED: dict[tuple[tuple[str, str], ...], LRUCache[tuple[Any, ...], list[Any]]] = {}


def _share_parsed_css(stylesheet: Stylesheet) -> None:
    """The stylesheet's parsed CSS is kept for the worker's whole run, per set of CSS
    variables (what parsing depends on besides the text): each app parses its CSS anew
    (an app's start took 260 ms of CPU, 210 with this; a run starts hundreds), to the same
    rules every time."""
    variables = tuple(sorted(stylesheet._variables.items()))
    stylesheet._parse_cache = _PARSED.setdefault(variables, LRUCache(256))


def _init_sharing(stylesheet: Stylesheet, *, variables: dict[str, str] | None = None) -> None:
    _stylesheet_init(stylesheet, variables=variables)
    _share_parsed_css(stylesheet)


def _set_variables_sharing(stylesheet: Stylesheet, variables: dict[str, str]) -> None:
    stylesheet._parse_cache = LRUCache(1)  # what Textual clears here: not the shared one
    _set_variables(stylesheet, variables)
    _share_parsed_css(stylesheet)


@pytest.fixture(autouse=True)
def _css_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Stylesheet, "__init__", _init_sharing)
    monkeypatch.setattr(Stylesheet, "set_variables", _set_variables_sharing)


_render_update = Compositor.render_update


def _full_updates_only(
    compositor: Compositor,
    full: bool = False,
    screen_stack: list[Any] | None = None,
    simplify: bool = False,
) -> Any:
    """A headless app draws each frame's update, then drops it: nobody sees it. Tests
    read widgets and screenshots (a full update, drawn when asked), so the partial
    updates are skipped: most of a UI test's CPU time went to drawing them."""
    if full:
        return _render_update(compositor, True, screen_stack, simplify)
    compositor._dirty_regions.clear()
    return None


@pytest.fixture(autouse=True)
def _no_unseen_frames(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unless the test is marked `draws_frames` (what it checks depends on the frames)."""
    if request.node.get_closest_marker("draws_frames") is None:
        monkeypatch.setattr(Compositor, "render_update", _full_updates_only)
