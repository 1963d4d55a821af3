"""sigtui at Azure's limits, side by side with the demo catalog, in one run.

    python -m benchmarks.run                  # the full size: 300,000 versions
    python -m benchmarks.run --size small     # quicker; sizes in benchmarks/generate.py
    python -m benchmarks.run --cache DIR      # keep (and reuse) the generated catalog

Figures, for the big catalog and the demo catalog:
  (a) bulk load rate: versions per second through the bulk path (the demo: the seed's
      one-at-a-time services);
  (b) from starting `sigtui` to its first complete frame (a pseudo-terminal, the
      SIGTUI_FIRST_FRAME_FILE hook), median of several starts, big and demo in turns;
  (c) expanding the gallery with the most definitions and the definition with the most
      versions;
  (d) opening the limits screen;
  (e) the cost rollup of the whole catalog (and, for information, the cost screen);
  (f) the `/` filter, the slowest of a few searches;
  (g) the peak memory (VmHWM on Linux) of the process running the app through (c) to (f)
      (the cost screen runs in a process of its own, reported apart);
  (h) the limits screen's query over the floor: a hand-written SQL aggregate of the same
      counts on the same database (and, for information, the whole screen over it);
  (i) `sigtui limits` as a whole process against a process that runs the floor's GROUP
      BY with bare SQLAlchemy, side by side, on a catalog of 20,000 versions
      (`--read-size`) and on the demo catalog;
  (j) the first paint of each screen the main screen opens, from its key to the frame
      that shows it (and, for information, to the frame that shows its data, and to the
      first frame drawn of it: the paint waits for the screen's mount and a frame after
      it, so it also counts the work its mount queued behind that first frame);
  (k) keystrokes: `down` in the tree (among subscriptions, among a definition's versions)
      and in the all-versions list, from the key to the frame with the cursor moved (and,
      for information, in the tree, to the new node's details shown).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pty
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.generate import SIZES, generate
from sigtui.catalog.services import seed
from sigtui.catalog.store.clock import SystemClock
from sigtui.catalog.store.db import open_catalog
from sigtui.ui.first_frame import ENV_FIRST_FRAME_FILE

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 3  # each figure is the median of this many tries
TERMINAL = "160x50"  # the app's headless terminal (benchmarks/ui.py's; not imported: Textual)

# The floor of (h): the three counts per subscription x region, written by hand.
FLOOR_SQL = """
SELECT subscription_pk, location, 'g', count(*) FROM gallery GROUP BY subscription_pk, location
UNION ALL
SELECT subscription_pk, location, 'd', count(*) FROM image_definition
GROUP BY subscription_pk, location
UNION ALL
SELECT subscription_pk, location, 'v', count(*) FROM image_version
GROUP BY subscription_pk, location
"""

TARGETS = {
    "load_rate": ">= 20,000 versions/s",
    "startup": "big <= 1.2 x demo",
    "expand_gallery": "< 100 ms",
    "expand_definition": "< 100 ms",
    "limits": "< 100 ms",
    "cost_rollup": "< 500 ms",
    "filter": "< 100 ms",
    "peak_memory_mb": "< 300 MB",
    "limits_over_floor": "<= 2",
    "limits_process_over_bare": "<= 2",
    "screen_paint": "< 100 ms",
    "keystroke": "< 100 ms",
}
KEYSTROKES = {  # (k): the figure of each, in benchmarks/ui.py
    "key_tree_subscriptions": "tree, among subscriptions",
    "key_tree_versions": "tree, among a definition's versions",
    "key_all_versions": "all-versions list",
    "key_replication": "replication screen, refreshing (slowest of 6; median)",
}

# (i): the floor's GROUP BY in a process with nothing but SQLAlchemy
BARE_LIMITS_PROCESS = """
import sys
import sqlalchemy as sa

engine = sa.create_engine(f"sqlite:///{sys.argv[1]}")
with engine.connect() as connection:
    rows = connection.execute(sa.text(sys.argv[2])).all()
print(len(rows))
"""


@dataclass(frozen=True)
class Loaded:
    path: str
    versions: int
    target_regions: int
    load_seconds: float
    build_seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.versions / self.load_seconds


def big_catalog(folder: Path, size: str) -> Loaded:
    """Generate the big catalog (or reuse the one generated in `folder` before)."""
    path = folder / f"catalog-{size}.db"
    facts = folder / f"catalog-{size}.json"
    if path.exists() and facts.exists():
        return Loaded(**json.loads(facts.read_text("utf-8")))
    for stale in folder.glob(f"catalog-{size}.db*"):
        stale.unlink()
    catalog = open_catalog(f"sqlite:///{path}", clock=SystemClock())
    try:
        done = generate(catalog, SIZES[size])
    finally:
        catalog.close()
    loaded = Loaded(
        str(path), done.versions, done.target_regions, done.load_seconds, done.build_seconds
    )
    facts.write_text(json.dumps(asdict(loaded)), "utf-8")
    return loaded


def demo_catalog(folder: Path) -> Loaded:
    path = folder / "demo.db"
    for stale in folder.glob("demo.db*"):
        stale.unlink()
    catalog = open_catalog(f"sqlite:///{path}", clock=SystemClock())
    try:
        result = seed.load_demo(catalog)
    finally:
        catalog.close()
    return Loaded(str(path), result.image_versions, result.target_regions, result.seconds)


def startup_seconds(path: str) -> float:
    """From starting `sigtui` to its first complete frame, in a pseudo-terminal."""
    with tempfile.TemporaryDirectory() as folder:
        mark = Path(folder) / "first-frame"
        env = {**os.environ, ENV_FIRST_FRAME_FILE: str(mark), "TERM": "xterm-256color"}
        env["XDG_CONFIG_HOME"] = folder  # no settings of the user's
        command = [sys.executable, "-m", "sigtui", "--db", path, "--no-seed"]
        main, child = pty.openpty()
        os.set_blocking(main, False)
        started = time.time()
        process = subprocess.Popen(
            command, stdin=child, stdout=child, stderr=child, env=env, cwd=ROOT
        )
        os.close(child)
        try:
            _drain_until_exit(main, process)
        finally:
            os.close(main)
        if not mark.exists():
            raise RuntimeError(f"sigtui exited ({process.returncode}) without a first frame")
        return float(mark.read_text("utf-8")) - started


def startups(big: str, demo: str, repeats: int) -> tuple[float, float]:
    """(b) on both catalogs, started in turns (one of each per round): a machine shared
    with other work slows both alike, so their ratio holds. The medians."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for path, runs in zip((big, demo), times, strict=True):
            runs.append(startup_seconds(path))
    return statistics.median(times[0]), statistics.median(times[1])


def _drain_until_exit(fd: int, process: subprocess.Popen[bytes]) -> None:
    """Read what the app draws (a terminal would) until it exits."""
    deadline = time.monotonic() + 120
    while process.poll() is None:
        if time.monotonic() > deadline:
            process.kill()
            raise TimeoutError("sigtui did not exit after its first frame")
        try:
            os.read(fd, 65536)
        except (BlockingIOError, OSError):
            time.sleep(0.001)


def app_figures(path: str, *options: str) -> dict[str, Any]:
    """Figures of the app (benchmarks/ui.py) in a process of its own, with its peak memory."""
    process = subprocess.run(
        [sys.executable, "-m", "benchmarks.ui", "--db", path, *options],
        stdout=subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    if process.returncode:
        raise RuntimeError(f"benchmarks.ui failed ({process.returncode})")
    figures: dict[str, Any] = json.loads(process.stdout)
    return figures


def floor_seconds(path: str) -> float:
    connection = sqlite3.connect(path)
    try:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            connection.execute(FLOOR_SQL).fetchall()
            times.append(time.perf_counter() - started)
        return statistics.median(times)
    finally:
        connection.close()


def _process_seconds(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, cwd=ROOT, env=env, check=True)
    return time.perf_counter() - started


def read_process_figures(path: str, repeats: int, *, version: bool = True) -> dict[str, float]:
    """(i): whole processes, run in turns (one of each per round) so that they share the
    machine's moments alike; the median of each, and (with `version`) `sigtui --version`
    for reference (it reads no catalog: once per run is enough)."""
    commands = {
        "limits_process": [sys.executable, "-m", "sigtui", "--db", path, "limits", "-o", "json"],
        "bare_process": [sys.executable, "-c", BARE_LIMITS_PROCESS, path, FLOOR_SQL],
    }
    if version:
        commands["version_process"] = [sys.executable, "-m", "sigtui", "--version"]
    times: dict[str, list[float]] = {name: [] for name in commands}
    with tempfile.TemporaryDirectory() as home:  # no default catalog, no user settings
        env = {**os.environ, "XDG_DATA_HOME": home, "XDG_CONFIG_HOME": home}
        for _ in range(repeats):
            for name, command in commands.items():
                times[name].append(_process_seconds(command, env))
    figures = {name: statistics.median(runs) for name, runs in times.items()}
    figures["limits_process_over_bare"] = figures["limits_process"] / figures["bare_process"]
    return figures


def measure(loaded: Loaded, repeats: int, terminal: str = TERMINAL) -> dict[str, Any]:
    # (c) to (g), (j), (k)
    figures = app_figures(loaded.path, "--repeats", str(repeats), "--terminal", terminal)
    figures["screens"]["costs"] = {
        "paint": figures["cost_screen_paint"],
        "ready": figures["cost_screen"],
    }
    slowest = max(figures["screens"], key=lambda name: figures["screens"][name]["paint"])
    figures["screen_paint_slowest"] = figures["screens"][slowest]["paint"]
    figures["screen_paint_slowest_name"] = slowest
    figures["key_slowest"] = max(figures[name] for name in KEYSTROKES)
    figures["load_rate"] = loaded.rate
    figures["versions"] = loaded.versions
    figures["target_regions"] = loaded.target_regions
    figures["floor"] = floor_seconds(loaded.path)
    figures["limits_over_floor"] = figures["limits"] / figures["floor"]
    figures["limits_domain_over_floor"] = figures["limits_domain"] / figures["floor"]
    figures["filter_slowest"] = max(figures["filter"].values())
    return figures


def machine() -> dict[str, str]:
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cores": str(os.cpu_count()),
        "memory": f"{memory_kb / 1024 / 1024:.1f} GiB",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "system": platform.platform(),
    }


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


def _ms_or_over(seconds: float | None) -> str:
    return "over 60 s" if seconds is None else _ms(seconds)


def report(size: str, big: dict[str, Any], demo: dict[str, Any]) -> list[tuple[str, ...]]:
    """The table: figure, big catalog, demo catalog, target, met."""
    ratio = big["startup"] / demo["startup"]
    rows = [
        ("catalog", f"{size}: {big['versions']:,} versions", f"demo: {demo['versions']:,}", "", ""),
        ("target regions", f"{big['target_regions']:,}", f"{demo['target_regions']:,}", "", ""),
        (
            "(a) load rate",
            f"{big['load_rate']:,.0f} versions/s (bulk)",
            f"{demo['load_rate']:,.0f} versions/s (seed)",
            TARGETS["load_rate"],
            _met(big["load_rate"] >= 20_000),
        ),
        (
            "(b) start to first frame",
            f"{_ms(big['startup'])} ({ratio:.2f} x demo)",
            _ms(demo["startup"]),
            TARGETS["startup"],
            _met(ratio <= 1.2),
        ),
        (
            "    start to first details / start's work done (in-process)",
            f"{_ms(big['start_details'])} / {_ms(big['start_done'])}",
            f"{_ms(demo['start_details'])} / {_ms(demo['start_done'])}",
            "",
            "",
        ),
        (
            "(c) expand gallery",
            f"{_ms(big['expand_gallery'])} ({big['expand_gallery_children']:,} children)",
            f"{_ms(demo['expand_gallery'])} ({demo['expand_gallery_children']:,})",
            TARGETS["expand_gallery"],
            _met(big["expand_gallery"] < 0.1),
        ),
        (
            "(c) expand definition",
            f"{_ms(big['expand_definition'])} ({big['expand_definition_children']:,} children)",
            f"{_ms(demo['expand_definition'])} ({demo['expand_definition_children']:,})",
            TARGETS["expand_definition"],
            _met(big["expand_definition"] < 0.1),
        ),
        (
            "(d) limits screen",
            _ms(big["limits"]),
            _ms(demo["limits"]),
            TARGETS["limits"],
            _met(big["limits"] < 0.1),
        ),
        (
            "(e) cost rollup, whole catalog",
            _ms(big["cost_rollup"]),
            _ms(demo["cost_rollup"]),
            TARGETS["cost_rollup"],
            _met(big["cost_rollup"] < 0.5),
        ),
        (
            "    cost screen (information)",
            f"{_ms_or_over(big['cost_screen'])}, {big['cost_screen_memory_mb']:,.0f} MB",
            f"{_ms_or_over(demo['cost_screen'])}, {demo['cost_screen_memory_mb']:,.0f} MB",
            "",
            "",
        ),
        (
            "(f) / filter, slowest",
            _ms(big["filter_slowest"]),
            _ms(demo["filter_slowest"]),
            TARGETS["filter"],
            _met(big["filter_slowest"] < 0.1),
        ),
    ]
    rows += [
        (f"    / {text!r}", _ms(big["filter"][text]), _ms(demo["filter"][text]), "", "")
        for text in big["filter"]
    ]
    rows += [
        (
            "(g) peak memory",
            f"{big['peak_memory_mb']:,.0f} MB",
            f"{demo['peak_memory_mb']:,.0f} MB",
            TARGETS["peak_memory_mb"],
            _met(big["peak_memory_mb"] < 300),
        ),
        (
            "(h) limits query / SQL floor",
            f"{big['limits_domain_over_floor']:.2f} ({_ms(big['floor'])} floor)",
            f"{demo['limits_domain_over_floor']:.2f} ({_ms(demo['floor'])} floor)",
            TARGETS["limits_over_floor"],
            _met(big["limits_domain_over_floor"] <= 2),
        ),
        (
            f"(i) `sigtui limits` process / bare SQLAlchemy ({big['read_catalog']})",
            f"{big['limits_process_over_bare']:.2f} ({_ms(big['limits_process'])} / "
            f"{_ms(big['bare_process'])}; --version {_ms(big['version_process'])})",
            f"{demo['limits_process_over_bare']:.2f} ({_ms(demo['limits_process'])} / "
            f"{_ms(demo['bare_process'])})",
            TARGETS["limits_process_over_bare"],
            _met(big["limits_process_over_bare"] <= 2),
        ),
        (
            "    limits screen / SQL floor",
            f"{big['limits_over_floor']:.1f}",
            f"{demo['limits_over_floor']:.1f}",
            "",
            "",
        ),
    ]
    return rows + screen_rows(big, demo) + keystroke_rows(big, demo)


def screen_rows(big: dict[str, Any], demo: dict[str, Any]) -> list[tuple[str, ...]]:
    """(j): the slowest first paint, then each screen's: first paint / its data shown."""
    rows: list[tuple[str, ...]] = [
        (
            "(j) first paint of a screen, slowest",
            f"{_ms(big['screen_paint_slowest'])} ({big['screen_paint_slowest_name']})",
            f"{_ms(demo['screen_paint_slowest'])} ({demo['screen_paint_slowest_name']})",
            TARGETS["screen_paint"],
            _met(big["screen_paint_slowest"] < 0.1),
        )
    ]
    for name, shown in big["screens"].items():
        other = demo["screens"][name]
        rows.append(
            (
                f"    {name}: first frame / first paint / data shown (Python calls to it)",
                f"{_frame(shown)}{_ms(shown['paint'])} / {_ms_or_over(shown['ready'])}"
                f"{_calls(shown)}",
                f"{_frame(other)}{_ms(other['paint'])} / {_ms_or_over(other['ready'])}"
                f"{_calls(other)}",
                "",
                "",
            )
        )
    return rows


def _calls(screen: dict[str, Any]) -> str:
    """The screen's Python calls to its first paint, when counted (`ui._calls_to_paint`)."""
    return f" ({screen['calls']:,.0f}k calls)" if "calls" in screen else ""


def _frame(screen: dict[str, Any]) -> str:
    """The screen's first frame drawn, when measured (the cost screen's is not)."""
    return f"{_ms(screen['frame'])} / " if "frame" in screen else "- / "


def keystroke_rows(big: dict[str, Any], demo: dict[str, Any]) -> list[tuple[str, ...]]:
    """(k): the slowest keystroke, then each one (the tree's: its details shown too)."""
    rows: list[tuple[str, ...]] = [
        (
            "(k) keystroke `down`, slowest",
            _ms(big["key_slowest"]),
            _ms(demo["key_slowest"]),
            TARGETS["keystroke"],
            _met(big["key_slowest"] < 0.1),
        )
    ]
    for name, label in KEYSTROKES.items():
        rows.append((f"    {label}", _keystroke(big, name), _keystroke(demo, name), "", ""))
    rows.append(
        (
            "    replication screen, UI thread's CPU per second (information)",
            _ms(big["replication_ui_cpu"]),
            _ms(demo["replication_ui_cpu"]),
            "",
            "",
        )
    )
    return rows


def _keystroke(figures: dict[str, Any], name: str) -> str:
    """A keystroke's figure, with its details shown (the tree's) or its median (the
    slowest of several keys')."""
    shown = _ms(figures[name])
    for extra in ("details", "median"):
        if f"{name}_{extra}" in figures:
            shown += f" ({extra} {_ms(figures[f'{name}_{extra}'])})"
    return shown


def _met(ok: bool) -> str:
    return "yes" if ok else "NO"


def markdown(rows: list[tuple[str, ...]]) -> str:
    header = ("figure", "big catalog", "demo catalog", "target", "met")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="full")
    parser.add_argument("--cache", type=Path, help="keep the catalogs here (reused next time)")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--repeats", type=int, default=REPEATS, help="tries per figure")
    parser.add_argument(
        "--terminal", default=TERMINAL, help="the app's terminal, COLUMNSxLINES (160x50)"
    )
    parser.add_argument(
        "--read-size", choices=SIZES, default="20k", help="the catalog of (i): 20,000 versions"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.cache or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"the {args.size} catalog in {folder}: generated, or reused ...", file=sys.stderr)
        big_loaded = big_catalog(folder, args.size)
        demo_loaded = demo_catalog(folder)
        print("measuring ...", file=sys.stderr)
        big = measure(big_loaded, args.repeats, args.terminal)
        demo = measure(demo_loaded, args.repeats, args.terminal)
        big["startup"], demo["startup"] = startups(big_loaded.path, demo_loaded.path, args.repeats)
        read_loaded = big_catalog(folder, args.read_size)
        big |= read_process_figures(read_loaded.path, args.repeats)
        big["read_catalog"] = f"{read_loaded.versions:,} versions"
        demo |= read_process_figures(demo_loaded.path, args.repeats, version=False)
    if args.json:
        figures = {"machine": machine(), "size": args.size, "big": big, "demo": demo}
        args.json.write_text(json.dumps(figures, indent=2), "utf-8")
    print(json.dumps(machine()))
    print(markdown(report(args.size, big, demo)))


if __name__ == "__main__":
    main()
