"""What happens once the app's first complete frame is drawn (the main screen mounted, the
tree's first level loaded and drawn):

- the objects start-up made are put out of the cycle collector's sight (`gc.freeze`), and
  the collector's thresholds become the app's (`collector.py`);
- a benchmark hook (benchmarks/run.py): with SIGTUI_FIRST_FRAME_FILE set, the app writes
  the wall-clock time of that frame to the file, then exits. Unset, it does nothing."""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path

from textual.app import App

from sigtui.ui.collector import use_the_apps_thresholds

ENV_FIRST_FRAME_FILE = "SIGTUI_FIRST_FRAME_FILE"

_start_up_frozen = False  # the collector's state is the process's, so is this


def first_level_shown(app: App[object]) -> None:
    """Called once the tree's first level is on screen (again after each reload)."""
    path = os.environ.get(ENV_FIRST_FRAME_FILE)
    if path:
        Path(path).write_text(repr(time.time()), "utf-8")
        app.exit()
        return
    freeze_start_up_objects()


def freeze_start_up_objects() -> None:
    """Once per process: collect, then freeze what is left (Textual's, SQLAlchemy's and
    the catalog's long-lived objects). Every full collection walked them all, 45 to 70 ms
    with the GIL held, and at Azure's limits those pauses landed in the middle of the
    filter's and the limits screen's frames; once frozen, 10 to 30 ms."""
    global _start_up_frozen
    if _start_up_frozen:
        return
    _start_up_frozen = True
    gc.collect()
    gc.freeze()
    use_the_apps_thresholds()
