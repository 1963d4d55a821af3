"""Once the first frame is drawn, the objects start-up made are frozen out of the cycle
collector's full collections (their pauses landed in frames at Azure's limits) and the
youngest objects are collected less often; a full collection that is half due is taken as
a screen closes, not inside the next opening."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from textual.pilot import Pilot

from sigtui.ui import collector, first_frame
from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens.help import HelpScreen
from tests.ui.helpers import open_screen, settle
from tests.ui.test_main_flows import main_screen, pilot_test


@pytest.fixture
def freezes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The calls to gc.freeze, in a process that has not frozen its start-up yet."""
    calls: list[str] = []
    monkeypatch.setattr(first_frame, "_start_up_frozen", False)
    monkeypatch.setattr(first_frame.gc, "freeze", lambda: calls.append("freeze"))
    return calls


def test_start_up_objects_are_frozen_once_per_process(freezes: list[str]) -> None:
    first_frame.freeze_start_up_objects()
    first_frame.freeze_start_up_objects()
    assert freezes == ["freeze"]


@pytest.fixture
def default_thresholds() -> Any:
    """Python's own thresholds for the test, the process's again after it."""
    kept = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*kept)


@pytest.mark.usefixtures("default_thresholds")
def test_once_started_the_app_collects_its_youngest_objects_ten_times_less_often(
    freezes: list[str],
) -> None:
    first_frame.freeze_start_up_objects()
    assert gc.get_threshold() == (collector.YOUNG_COLLECTION_THRESHOLD, 10, 10)
    gc.collect()
    young_collections = gc.get_stats()[0]["collections"]
    kept = [[] for _ in range(5_000)]  # 5,000 container objects: 700 was a collection
    assert gc.get_stats()[0]["collections"] == young_collections
    assert len(kept) == 5_000


@pilot_test
async def test_the_tree_first_drawn_freezes_the_start_up_objects(
    app: SigtuiApp, freezes: list[str]
) -> None:
    async with app.run_test() as pilot:
        await settle(pilot)
        assert main_screen(pilot).tree.root.children
        assert freezes == ["freeze"]
        await _reload(pilot)
        assert freezes == ["freeze"]


async def _reload(pilot: Pilot[Any]) -> None:
    main_screen(pilot).tree.reload_all()
    await settle(pilot)


@pilot_test
async def test_a_full_collection_half_due_is_taken_as_a_screen_closes(
    app: SigtuiApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    collected: list[int] = []
    async with app.run_test() as pilot:
        await settle(pilot)
        monkeypatch.setattr(collector.gc, "collect", lambda *_: collected.append(2) or 0)
        half_due = gc.get_threshold()[2] // 2
        for young_collections, full in ((half_due - 1, []), (half_due, [2])):
            monkeypatch.setattr(collector.gc, "get_count", lambda n=young_collections: (0, 0, n))
            await open_screen(pilot, "question_mark", HelpScreen)
            assert collected == []  # none as it opens
            await pilot.press("escape")
            await settle(pilot)
            assert collected == full
