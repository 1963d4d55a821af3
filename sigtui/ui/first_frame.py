"""A benchmark hook (benchmarks/run.py): with SIGTUI_FIRST_FRAME_FILE set, the app writes
the wall-clock time of its first complete frame (the main screen mounted, the tree's first
level loaded and drawn) to that file, then exits. Unset, it does nothing."""

from __future__ import annotations

import os
import time
from pathlib import Path

from textual.app import App

ENV_FIRST_FRAME_FILE = "SIGTUI_FIRST_FRAME_FILE"


def first_level_shown(app: App[object]) -> None:
    """Called once the tree's first level is on screen."""
    path = os.environ.get(ENV_FIRST_FRAME_FILE)
    if path:
        Path(path).write_text(repr(time.time()), "utf-8")
        app.exit()
