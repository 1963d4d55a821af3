"""Closed screens leave no header and no footer keys behind (Textual keeps a removed
widget's watchers until the watched value changes; sigtui's never do)."""

from __future__ import annotations

import gc

from textual.widgets import Header
from textual.widgets._footer import FooterKey

from sigtui.ui.app import SigtuiApp
from tests.ui.helpers import settle
from tests.ui.test_main_flows import pilot_test


def _alive() -> tuple[int, int]:
    gc.collect()
    objects = gc.get_objects()
    return (
        sum(isinstance(o, Header) for o in objects),
        sum(isinstance(o, FooterKey) for o in objects),
    )


@pilot_test
async def test_screens_opened_and_closed_leave_no_headers_or_footer_keys(
    app: SigtuiApp,
) -> None:
    async with app.run_test() as pilot:
        await settle(pilot)
        before = _alive()
        for _ in range(4):
            for key in ("l", "slash", "v"):
                await pilot.press(key)
                await settle(pilot)
                await pilot.press("escape")
                await settle(pilot)
            await pilot.press("tab")  # the main footer composes its keys again
            await settle(pilot)
        for _ in range(20):  # the last screen closed may still be tearing down
            if _alive() == before:
                break
            await pilot.pause(0.05)
        assert _alive() == before
