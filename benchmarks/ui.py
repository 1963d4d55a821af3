"""The app's timings on one catalog, driven headless (Textual's `run_test`), in a process of
its own so that its peak memory is the app's: `python -m benchmarks.ui --db FILE`.

Each figure is the time from the user's action to the screen showing its result: the
domain call in its worker, then the widget work, then the next refresh. Prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import pstats
import resource
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlmodel import func, select
from textual import events
from textual.message import Message
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input
from textual.worker import WorkerCancelled

from sigtui.catalog.model.models import Gallery, ImageDefinition, ImageVersion
from sigtui.catalog.queries import lookup, usage
from sigtui.catalog.queries.costs import rollups
from sigtui.catalog.queries.costs.sheet import PriceSheet
from sigtui.catalog.queries.costs.sheet_json import builtin_sheet
from sigtui.catalog.store.db import Catalog, open_catalog
from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens.costs import CostScreen
from sigtui.ui.screens.filter import FilterScreen
from sigtui.ui.screens.main import MainScreen
from sigtui.ui.screens.replication import ReplicationScreen
from sigtui.ui.widgets.catalog_tree import CatalogTree, TreeEntry

TERMINAL = "160x50"  # columns x lines of the headless terminal
TIMEOUT = 300.0  # seconds: a step that takes longer stops the benchmark
COST_SCREEN_TIMEOUT = 60.0  # seconds: a longer cost screen is reported as "over 60 s"
FILTER_TEXTS = ("ubuntu-00", "1.0.99", "West Europe", "no-such-image")
REPEATS = 3  # each figure is the median of this many tries
REPLICATION_ROUNDS = 3  # refreshes of the replication screen with keys pressed (2 each)
KEY_CHARACTERS = {"slash": "/", "question_mark": "?", "dollar_sign": "$"}
KEYSTROKE_TARGET = 0.1  # seconds: a key's frame (and a screen's first paint) within this


def _summary_loaded(selector: str) -> Callable[[Screen[Any]], bool]:
    return lambda screen: "Loading" not in _text_of(screen, selector)


def _painted(_screen: Screen[Any]) -> bool:
    return True


def _versions_loaded(screen: Screen[Any]) -> bool:
    return bool(getattr(screen, "rows", None))


# (j) The screens the main screen opens, by their keys (actions.MAIN_ACTIONS), each with
# when its data is shown. On the selected definition, then on one of its versions (its
# edit form is the new version form's screen, VersionForm, with a row for each of the
# version's target regions). The all-versions screen (v) comes with its keystroke
# (`_all_versions`), the cost screen ($) last (`_cost_screen`).
ON_DEFINITION: dict[str, tuple[str, Callable[[Screen[Any]], bool]]] = {
    "new version form": ("n", _painted),
    "definition form": ("e", _painted),
}
ON_VERSION: dict[str, tuple[str, Callable[[Screen[Any]], bool]]] = {
    "version form (edit)": ("e", _painted),
    "share": ("s", _painted),
    "delete (confirm)": ("d", _painted),
    "advisor": ("a", lambda screen: bool(getattr(screen, "replicas", None))),
    "help": ("question_mark", _painted),
    "find": ("f", _painted),  # the cross-subscription search (`/` filters in place)
    "replication": ("r", lambda screen: bool(_text_of(screen, "#replication-summary"))),
    "limits": ("l", _summary_loaded("#limits-summary")),
    "cleanup": ("x", _summary_loaded("#cleanup-summary")),
    "export": ("E", _painted),
    "import": ("I", _painted),
}


async def _until(pilot: Pilot[Any], done: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    """Wait until `done()`, then until the next frame is drawn (the result on screen).
    Not `pilot.pause()`: it waits for the whole process to be idle, 20 ms at least."""
    await _reached(done, timeout)
    drawn = asyncio.Event()
    pilot.app.call_after_refresh(drawn.set)
    pilot.app.screen.refresh()
    await drawn.wait()


async def _reached(done: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    """Wait until `done()` (no frame: for steps that are not timed)."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not get there in time")
        await asyncio.sleep(0.001)


def _biggest(catalog: Catalog) -> tuple[str, str]:
    """ARM ids of the gallery with the most definitions and the definition with the most
    versions (what the benchmark expands)."""
    with catalog.read() as db:
        gallery_pk = db.exec(
            select(ImageDefinition.gallery_pk)
            .group_by(ImageDefinition.gallery_pk)
            .order_by(func.count().desc())
        ).first()
        definition_pk = db.exec(
            select(ImageVersion.definition_pk)
            .group_by(ImageVersion.definition_pk)
            .order_by(func.count().desc())
        ).first()
        return (
            lookup.arm_id(db, db.get_one(Gallery, gallery_pk)),
            lookup.arm_id(db, db.get_one(ImageDefinition, definition_pk)),
        )


async def _reveal(pilot: Pilot[Any], tree: CatalogTree, arm_id: str) -> Any:
    """Walk the tree to a node (not timed) and wait until its details are shown."""
    tree.reveal(arm_id)
    await _until(pilot, lambda: _cursor_id(tree) == arm_id)
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    await _until(pilot, lambda: screen.details.details is not None)
    await _until(pilot, lambda: screen.details.details.arm_id == arm_id)  # type: ignore[union-attr]
    return tree.cursor_node


def _cursor_id(tree: CatalogTree) -> str | None:
    node = tree.cursor_node
    return node.data.node.arm_id if node is not None and node.data is not None else None


async def _expand(pilot: Pilot[Any], node: Any) -> tuple[float, int]:
    """Expand a node: (its children loaded and drawn, in seconds; how many)."""
    entry: TreeEntry = node.data
    started = time.perf_counter()
    node.expand()
    await _until(pilot, lambda: entry.loaded)
    elapsed = time.perf_counter() - started
    children = len(node.children)
    node.collapse()
    entry.loaded = False  # the next expansion loads again, as a reload does
    await pilot.pause()
    return elapsed, children


def _text_of(screen: Any, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def _filter(pilot: Pilot[Any], catalog: Catalog, text: str) -> float:
    screen = FilterScreen(catalog)
    await pilot.app.push_screen(screen)
    await pilot.pause()
    started = time.perf_counter()
    screen.query_one(Input).value = text
    await _until(pilot, lambda: screen.shown_text == text)
    elapsed = time.perf_counter() - started
    await pilot.app.pop_screen()
    await pilot.pause()
    return elapsed


async def _workers_done(pilot: Pilot[Any]) -> None:
    """Wait for the app's workers (a cancelled one, overtaken by a newer load, is done)."""
    for worker in list(pilot.app.workers):
        with contextlib.suppress(WorkerCancelled):
            await worker.wait()


def _best(times: list[float]) -> float:
    return statistics.median(times)


def _press(pilot: Pilot[Any], key: str) -> None:
    """A key as the terminal sends it (not `pilot.press`: it waits for the app to be idle)."""
    char = (
        key if len(key) == 1 else {"slash": "/", "question_mark": "?", "dollar_sign": "$"}.get(key)
    )
    event = events.Key(key, char)
    event.set_sender(pilot.app)
    driver = pilot.app._driver
    assert driver is not None
    driver.send_message(event)


async def _open_by_key(
    pilot: Pilot[Any], key: str, ready: Callable[[Screen[Any]], bool]
) -> tuple[float, float]:
    """Press a main screen's key: (its screen's first paint, its data shown), in seconds."""
    main = pilot.app.screen
    shown = await _open(pilot, key, ready)
    await _close(pilot, main)
    return shown


async def _open(
    pilot: Pilot[Any], key: str, ready: Callable[[Screen[Any]], bool]
) -> tuple[float, float]:
    app = pilot.app
    main = app.screen
    frames: list[float] = []
    started = time.perf_counter()
    with _frames_drawn(app, main, frames):
        _press(pilot, key)
        await _until(pilot, lambda: app.screen is not main and app.screen.is_mounted)
    painted = loaded = time.perf_counter() - started
    FIRST_FRAMES.append(frames[0] - started if frames else painted)
    screen = app.screen
    if ready is not _painted:
        await _until(pilot, lambda: ready(screen))
        loaded = time.perf_counter() - started
    return painted, loaded


FIRST_FRAMES: list[float] = []  # (j): from each `_open`'s key to its screen's first frame


@contextlib.contextmanager
def _frames_drawn(app: Any, main: Screen[Any], frames: list[float]) -> Iterator[None]:
    """While inside: the time of every frame the app draws of a screen other than `main`
    (the first is what the user sees first; `painted` waits for the screen's mount and a
    frame after it, so it also counts the work queued behind that first frame)."""
    display = app._display

    def drawn(screen: Screen[Any], renderable: object) -> None:
        if screen is not main and renderable is not None:
            frames.append(time.perf_counter())
        display(screen, renderable)

    app._display = drawn
    try:
        yield
    finally:
        app._display = display


async def _close(pilot: Pilot[Any], main: Screen[Any]) -> None:
    """Back to `main` (not timed), the app's workers done."""
    pilot.app.pop_screen()
    await _reached(lambda: pilot.app.screen is main)
    await _workers_done(pilot)
    await pilot.pause()


async def _screens(
    pilot: Pilot[Any], screens: dict[str, tuple[str, Callable[[Screen[Any]], bool]]], repeats: int
) -> dict[str, dict[str, float]]:
    """(j): each screen opened `repeats` times (the first open imports its module), then
    once more to count its Python calls to the first paint (`_calls_to_paint`)."""
    figures = {}
    for name, (key, ready) in screens.items():
        FIRST_FRAMES.clear()
        tries = [await _open_by_key(pilot, key, ready) for _ in range(repeats)]
        figures[name] = {
            "frame": _best(FIRST_FRAMES),
            "paint": _best([paint for paint, _ in tries]),
            "ready": _best([ready for _, ready in tries]),
            "first_paint": tries[0][0],
            "calls": await _calls_to_paint(pilot, key),
        }
    return figures


async def _calls_to_paint(pilot: Pilot[Any], key: str) -> float:
    """The Python function calls of the UI thread from a screen's key to its first paint,
    in thousands: the work itself, which this machine's speed does not move (its CPU runs
    the same work in 29 to 50 ms from one second to the next). Counted by cProfile, on an
    opening of its own: profiled, an opening takes about twice as long."""
    main = pilot.app.screen
    profile = cProfile.Profile()
    profile.enable()
    try:
        await _open(pilot, key, _painted)
    finally:
        profile.disable()
    await _close(pilot, main)
    return pstats.Stats(profile).total_calls / 1000  # type: ignore[attr-defined, no-any-return]


async def _tree_keystroke(pilot: Pilot[Any], tree: CatalogTree) -> tuple[float, float]:
    """(k) `down` in the tree (`up` on its last line): (the frame with the cursor moved,
    the new node's details shown), in seconds; then back (not timed), its details shown."""
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    line = tree.cursor_line
    step, back_key = (1, "up") if line < tree.last_line else (-1, "down")
    started = time.perf_counter()
    _press(pilot, "down" if step == 1 else "up")
    await _until(pilot, lambda: tree.cursor_line == line + step)
    moved = time.perf_counter() - started
    await _until(pilot, lambda: _details_follow_cursor(screen))
    shown = time.perf_counter() - started
    _press(pilot, back_key)
    await _reached(lambda: tree.cursor_line == line and _details_follow_cursor(screen))
    return moved, shown


def _details_follow_cursor(screen: MainScreen) -> bool:
    """The details shown are those of the tree's cursor node."""
    node = screen.tree.cursor_node
    if node is None or node.data is None:
        return False
    pane = screen.details
    shown_ref = getattr(pane, "shown_ref", None)  # before the app had it: by ARM id
    if shown_ref is not None:
        return bool(shown_ref == node.data.node.ref)
    return pane.details is not None and pane.details.arm_id == node.data.node.arm_id


async def _keystrokes(
    pilot: Pilot[Any], tree: CatalogTree, where: str, repeats: int
) -> dict[str, float]:
    tries = [await _tree_keystroke(pilot, tree) for _ in range(repeats)]
    return {
        f"key_tree_{where}": _best([moved for moved, _ in tries]),
        f"key_tree_{where}_details": _best([shown for _, shown in tries]),
    }


async def _all_versions(pilot: Pilot[Any], repeats: int) -> dict[str, Any]:
    """The all-versions screen (j), and (k) `down` in its list: the frame with the cursor
    on the next row. Opened `repeats` times, one key each."""
    main = pilot.app.screen
    shown, keys = [], []
    FIRST_FRAMES.clear()
    for _ in range(repeats):
        shown.append(await _open(pilot, "v", _versions_loaded))
        keys.append(await _table_key(pilot, pilot.app.screen.query_one(DataTable)))
        await _close(pilot, main)
    return {
        "screen": {
            "frame": _best(FIRST_FRAMES),
            "paint": _best([paint for paint, _ in shown]),
            "ready": _best([ready for _, ready in shown]),
            "first_paint": shown[0][0],
        },
        "key": _best(keys),
    }


async def _replication_keys(pilot: Pilot[Any]) -> dict[str, float]:
    """(k) `down` (or `up` on the last row) in the replication screen's longer list while
    it refreshes every second: the frame with the cursor moved, for a key pressed as a
    refresh starts (its query running beside the key) and one pressed as it has read the
    board (the key waits for the lists to be drawn), `REPLICATION_ROUNDS` times each. The
    slowest of them, and their median. Then, no key pressed, the CPU time of the UI thread
    (this one) per second of refreshes."""
    main = pilot.app.screen
    await _open(pilot, "r", lambda screen: bool(_text_of(screen, "#replication-summary")))
    screen = pilot.app.screen
    assert isinstance(screen, ReplicationScreen)
    table = max(screen.query(DataTable), key=lambda table: table.row_count)
    table.focus()
    await _until(pilot, lambda: screen.focused is table)
    moments = _refresh_moments(screen)
    keys = []
    for _ in range(REPLICATION_ROUNDS):
        for moment in moments:
            moment.clear()
            await moment.wait()
            keys.append(await _table_key(pilot, table))
    started = moments[0]
    started.clear()
    await started.wait()
    cpu, wall = time.thread_time(), time.perf_counter()
    for _ in range(REPLICATION_ROUNDS):
        started.clear()
        await started.wait()
    ui_cpu = (time.thread_time() - cpu) / (time.perf_counter() - wall)
    await _close(pilot, main)
    return {
        "key_replication": max(keys),
        "key_replication_median": _best(keys),
        "replication_ui_cpu": ui_cpu,
    }


def _refresh_moments(screen: ReplicationScreen) -> tuple[asyncio.Event, asyncio.Event]:
    """Events set as each refresh of the screen starts, and as its worker posts the board
    read (from the worker's thread)."""
    loop = asyncio.get_running_loop()
    started, read = asyncio.Event(), asyncio.Event()
    load, post_message = screen.load, screen.post_message

    def load_and_tell(**options: Any) -> None:
        load(**options)
        started.set()

    def post_and_tell(message: Message) -> bool:
        posted = post_message(message)
        if isinstance(message, ReplicationScreen.Loaded):
            loop.call_soon_threadsafe(read.set)
        return posted

    screen.load = load_and_tell  # type: ignore[method-assign]
    screen.post_message = post_and_tell  # type: ignore[method-assign]
    return started, read


async def _table_key(pilot: Pilot[Any], table: DataTable[Any]) -> float:
    """`down` in the table (`up` on its last row): seconds to the frame with it moved."""
    row = table.cursor_row
    step = 1 if row < table.row_count - 1 else -1
    started = time.perf_counter()
    _press(pilot, "down" if step == 1 else "up")
    await _until(pilot, lambda: table.cursor_row == row + step)
    return time.perf_counter() - started


async def _start_work(pilot: Pilot[Any], started: float) -> dict[str, float]:
    """(b), in this process: from creating the app to the first node's details shown, and
    to the end of all that start set off (its workers done; the change poll aside)."""
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    await _until(pilot, lambda: screen.details.details is not None)
    details = time.perf_counter() - started
    await _reached(lambda: not any(_running(worker) for worker in pilot.app.workers))
    return {"start_details": details, "start_done": time.perf_counter() - started}


def _running(worker: Any) -> bool:
    return not worker.is_finished and worker.group != "catalog-watch"


def terminal_size(text: str) -> tuple[int, int]:
    columns, lines = text.lower().split("x")
    return int(columns), int(lines)


async def measure(
    catalog: Catalog, repeats: int = REPEATS, terminal: str = TERMINAL
) -> dict[str, Any]:
    gallery_id, definition_id = _biggest(catalog)
    figures: dict[str, Any] = {"gallery": gallery_id, "definition": definition_id}
    started = time.perf_counter()
    app = SigtuiApp(catalog, remember_theme=False)
    async with app.run_test(size=terminal_size(terminal)) as pilot:
        tree = app.screen.query_one(CatalogTree)
        await _until(pilot, lambda: bool(tree.root.children))
        figures |= await _start_work(pilot, started)
        tenant = tree.root.children[0]
        tenant.expand()
        await _until(pilot, lambda: tenant.data.loaded and bool(tenant.children))  # type: ignore[union-attr]
        await _reveal(pilot, tree, tenant.children[0].data.node.arm_id)  # type: ignore[union-attr, arg-type]
        figures |= await _keystrokes(pilot, tree, "subscriptions", repeats)
        for kind, arm_id in (("gallery", gallery_id), ("definition", definition_id)):
            node = await _reveal(pilot, tree, arm_id)
            tries = [await _expand(pilot, node) for _ in range(repeats)]
            figures[f"expand_{kind}"] = _best([seconds for seconds, _ in tries])
            figures[f"expand_{kind}_children"] = tries[0][1]
        screens = await _screens(pilot, ON_DEFINITION, repeats)
        node.expand()
        await _until(pilot, lambda: node.data.loaded and bool(node.children))
        await _reveal(pilot, tree, node.children[0].data.node.arm_id)
        figures |= await _keystrokes(pilot, tree, "versions", repeats)
        screens |= await _screens(pilot, ON_VERSION, repeats)
        figures["screens"] = screens
        all_versions = await _all_versions(pilot, repeats)
        figures |= await _replication_keys(pilot)
        screens["all versions"] = all_versions["screen"]
        figures["key_all_versions"] = all_versions["key"]
        sheet = builtin_sheet()
        figures["limits"] = screens["limits"]["ready"]  # (d): its data shown
        figures["limits_domain"] = _best([_timed(lambda: _usage(catalog)) for _ in range(5)])
        figures["cost_rollup"] = _best(
            [_timed(lambda: _total(catalog, sheet)) for _ in range(repeats)]
        )
        figures["filter"] = {
            text: _best([await _filter(pilot, catalog, text) for _ in range(repeats)])
            for text in FILTER_TEXTS
        }
        figures["peak_memory_mb"] = peak_memory_mb()  # (g): through (c) to (f), (j), (k)
        figures |= await _cost_screen(pilot)
        figures["cost_screen_memory_mb"] = peak_memory_mb()
    return figures


async def _cost_screen(pilot: Pilot[Any]) -> dict[str, Any]:
    """The cost screen (`$`), last: its rollups of a big catalog take long and much memory,
    which must not count in the other figures (the peak memory (g) is read before it)."""
    app = pilot.app
    main = app.screen
    started = time.perf_counter()
    _press(pilot, "dollar_sign")
    await _until(pilot, lambda: isinstance(app.screen, CostScreen) and app.screen.is_mounted)
    painted = time.perf_counter() - started
    screen = app.screen
    seconds: float | None = None
    try:
        await _until(
            pilot, lambda: "Loading" not in _text_of(screen, "#costs-total"), COST_SCREEN_TIMEOUT
        )
        seconds = time.perf_counter() - started
    except TimeoutError:
        pass
    app.pop_screen()
    await _reached(lambda: app.screen is main)
    return {"cost_screen": seconds, "cost_screen_paint": painted}


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _usage(catalog: Catalog) -> None:
    with catalog.read() as db:
        usage.usage_rows(db)


def _total(catalog: Catalog, sheet: PriceSheet) -> None:
    with catalog.read() as db:
        rollups.total(db, sheet)


def peak_memory_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM, not `ru_maxrss`: Linux carries
    the peak of the process that started this one over into it (across exec), so the
    generator's peak showed as the app's when a run generated its catalog first."""
    try:
        for line in Path("/proc/self/status").read_text("utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--terminal", default=TERMINAL, help="COLUMNSxLINES (160x50)")
    args = parser.parse_args()
    catalog = open_catalog(f"sqlite:///{args.db}")
    try:
        figures = asyncio.run(measure(catalog, args.repeats, args.terminal))
    finally:
        catalog.close()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
