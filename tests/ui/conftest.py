"""Fixtures for the dashboard's tests: the demo catalog in a temporary SQLite file, at a
fixed clock, so snapshots are the same on every run."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import Catalog, open_catalog
from sigtui.ui.app import SigtuiApp
from tests.hostile import write_demo_file

UI_NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TERMINAL = (120, 40)


@pytest.fixture(scope="session")
def demo_catalog_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo seed loaded once per session into a SQLite file (copied per test)."""
    return write_demo_file(tmp_path_factory.mktemp("demo") / "demo.db", UI_NOW)


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
    """Keep tests away from the user's real settings (theme, keymap)."""
    monkeypatch.setenv("SIGTUI_CONFIG_DIR", str(tmp_path / "config"))


@pytest.fixture
def app(demo_catalog: Catalog) -> SigtuiApp:
    return SigtuiApp(demo_catalog, remember_theme=False)
