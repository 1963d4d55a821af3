"""Helpers for pilot and snapshot tests."""

from __future__ import annotations

from typing import Any, TypeVar

from textual.pilot import Pilot
from textual.screen import Screen

ScreenT = TypeVar("ScreenT", bound=Screen[Any])


async def settle(pilot: Pilot[object]) -> None:
    """Wait until the workers (tree and details loads) are done and the screen redrawn."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_screen(pilot: Pilot[Any], key: str, kind: type[ScreenT]) -> ScreenT:
    """Press `key` once the app has settled; the screen it opened, loaded."""
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, kind), screen
    return screen
