"""The cycle collector's full collections, taken as a screen closes rather than in the
middle of the next screen's opening.

A full collection walks every object made since start-up (start-up's are frozen,
`first_frame.py`): at Azure's limits, with the tree open, 90,000 to 200,000 objects, 60
to 100 ms with the GIL held. Python starts one once the young generations have been
collected often enough (`gc.get_threshold()[2]` times), and opening a screen makes and
keeps enough objects to get there: twelve openings of the definition form on the big
catalog ran 7 or 8 of them, inside the openings. Taken when a screen has closed (after
the frame that shows it closed) and Python's next one is half due, they fall between the
user's actions: 0 or 1 inside those twelve openings, whose median CPU went from 275-295
to 194-202 ms (benchmarks/README.md). As many full collections as before, at other times.

Fewer of them, too: Python collects its youngest objects every 700 allocations net of
frees, so objects that live a second or so (a refresh's board and cells, a form's
widgets) are soon promoted to the oldest generation, and a full collection is considered
after every hundred young collections. The app collects its youngest every
`YOUNG_COLLECTION_THRESHOLD` allocations instead (`use_the_apps_thresholds`, once its
start-up is frozen): on the big catalog, 30 s of the replication screen's refreshes ran
5 full collections (196 ms) and 304 ms of collections in all, now none and 107 ms;
opening and closing a form, 25 ms of collection at its close, now 8 ms; memory kept
after 90 openings, 8 MB more.
"""

from __future__ import annotations

import gc

YOUNG_COLLECTION_THRESHOLD = 7_000  # Python's default is 700


def use_the_apps_thresholds() -> None:
    """The youngest generation collected every `YOUNG_COLLECTION_THRESHOLD` allocations
    (the older generations' thresholds as they are)."""
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, middle, oldest)


def collect_at_rest() -> None:
    """A full collection now, if Python's own next one is at least half due."""
    due_after = gc.get_threshold()[2]
    if gc.isenabled() and gc.get_count()[2] >= max(1, due_after // 2):
        gc.collect()
