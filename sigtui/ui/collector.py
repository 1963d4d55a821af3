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
"""

from __future__ import annotations

import gc


def collect_at_rest() -> None:
    """A full collection now, if Python's own next one is at least half due."""
    due_after = gc.get_threshold()[2]
    if gc.isenabled() and gc.get_count()[2] >= max(1, due_after // 2):
        gc.collect()
