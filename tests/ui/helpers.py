"""Helpers for pilot and snapshot tests."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any, TypeVar

from textual.pilot import Pilot
from textual.screen import Screen
from textual.worker import WorkerCancelled, WorkerFailed

ScreenT = TypeVar("ScreenT", bound=Screen[Any])


async def settle(pilot: Pilot[object]) -> None:
    """Wait until the workers (tree and details loads) are done and the screen redrawn."""
    await pilot.pause()
    await workers_done(pilot)
    await pilot.pause()
    await workers_done(pilot)
    await pilot.pause()


async def workers_done(pilot: Pilot[object]) -> None:
    """Wait for every worker of the app to end, however it ends. A load overtaken by a
    newer one is cancelled; a worker's failure is the app's to handle, as it is outside
    tests (`SigtuiApp._handle_exception`: a refusal is a notification, anything else ends
    the app). Textual's `wait_for_complete` raises either, but only when it finds the
    worker before the manager lets go of it: a race the tests must not depend on."""
    for worker in list(pilot.app.workers):
        with contextlib.suppress(WorkerCancelled, WorkerFailed):
            await worker.wait()


async def until(pilot: Pilot[Any], condition: Callable[[], bool], seconds: float = 10) -> None:
    """Let the app run (each step until it is idle) until `condition` holds; fail after
    `seconds`. A wait on what the test needs, not a sleep."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the app never got there"
        await pilot.pause()


async def open_screen(pilot: Pilot[Any], key: str, kind: type[ScreenT]) -> ScreenT:
    """Press `key` once the app has settled; the screen it opened, loaded."""
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, kind), screen
    return screen
