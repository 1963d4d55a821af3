"""The floors under `sigtui import` of an az file into an empty SQLite catalog (issue #18):
what no importer written in Python on SQLite can go below on this machine, whatever its
planning and rules cost.

    python -m benchmarks.import_floors --size 20k --cache DIR

  decode   the file decoded into Python objects whole (orjson, and `json`), CPU;
  write    SQLite's executemany of exactly the INSERTs a real import of the file sends
           (captured from one), into an empty catalog, foreign keys off, CPU;
  imports  the CPU a process spends importing the planner and what it needs (the table
           models, SQLAlchemy's ORM, pydantic, the services) beyond `sigtui --version`;
  overlap  what writing in a thread of its own could save at most: the write in a thread
           and as long of pure Python beside it, the CPU time beyond the wall time they
           took (SQLite releases the GIL while it steps each row: does the Python run then?).

Each is the best of --repeats tries. The rate they allow together is the file's versions
over their sum.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

from benchmarks.imports import SIZES, import_file
from sigtui.catalog.azure.importing.reading import StreamedFile
from sigtui.catalog.azure.importing.write import import_file as sigtui_import
from sigtui.catalog.store.db import open_catalog

Inserts = list[tuple[str, list[Any]]]


def _cpu(action: Callable[[], object]) -> float:
    started = time.process_time()
    action()
    return time.process_time() - started


def decode_seconds(path: Path, repeats: int) -> dict[str, float]:
    data = path.read_bytes()
    return {
        "decode_orjson": min(_cpu(lambda: orjson.loads(data)) for _ in range(repeats)),
        "decode_json": min(_cpu(lambda: json.loads(data)) for _ in range(repeats)),
    }


def captured_inserts(path: Path, folder: Path) -> Inserts:
    """The executemany INSERTs a real import of the file sends, with their rows."""
    catalog = open_catalog(f"sqlite:///{folder / 'captured.db'}")
    inserts: Inserts = []

    def grab(*args: Any) -> None:
        _conn, _cursor, statement, parameters, _context, many = args
        if many and statement.lstrip().upper().startswith("INSERT"):
            inserts.append((statement, list(parameters)))

    sa.event.listen(catalog.engine, "before_cursor_execute", grab)
    stream = StreamedFile(path)
    stream.check()
    sigtui_import(catalog, stream)
    catalog.close()
    return inserts


def _write(inserts: Inserts, empty: Path, target: Path) -> float:
    """The INSERTs into a copy of the empty catalog, in one transaction: its CPU time."""
    shutil.copy(empty, target)
    connection = sqlite3.connect(target, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    started = time.process_time()
    for statement, rows in inserts:
        connection.executemany(statement, rows)
    connection.commit()
    took = time.process_time() - started
    connection.close()
    return took


def _empty_catalog(folder: Path) -> Path:
    empty = folder / "empty.db"
    if not empty.exists():
        open_catalog(f"sqlite:///{empty}").close()
    return empty


def write_seconds(inserts: Inserts, folder: Path, repeats: int) -> float:
    empty = _empty_catalog(folder)
    return min(_write(inserts, empty, folder / "floor.db") for _ in range(repeats))


def _python_work(seconds: float) -> Callable[[], None]:
    """Pure Python (the GIL held, as a planner holds it) taking about `seconds`."""
    rounds = 100_000
    started = time.perf_counter()
    _spin(rounds)
    rounds = max(1, int(rounds * seconds / (time.perf_counter() - started)))
    return lambda: _spin(rounds)


def _spin(rounds: int) -> None:
    kept: dict[int, int] = {}
    for index in range(rounds):
        kept[index & 1023] = index


def _parallel_seconds(*actions: Callable[[], object]) -> float:
    """The actions run at once, each but the last in a thread of its own: the process's CPU
    time beyond the wall time they took, what ran in parallel (about 0 when one thread at
    a time ran; measured in the same seconds, so a machine running slower or faster from
    one minute to the next does not move it as it moves their times)."""
    threads = [threading.Thread(target=action) for action in actions[:-1]]
    wall, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    actions[-1]()
    for thread in threads:
        thread.join()
    return (time.process_time() - cpu) - (time.perf_counter() - wall)


def overlap_seconds(inserts: Inserts, folder: Path, repeats: int) -> float:
    """What a writer thread could save at most: the INSERTs in a thread of their own, as
    long of pure Python in the main thread, and how much of them ran in parallel (SQLite
    releases the GIL while it steps a row). The best of `repeats`."""
    empty = _empty_catalog(folder)
    work = _python_work(_write(inserts, empty, folder / "overlap.db"))

    def write() -> None:
        _write(inserts, empty, folder / "overlap.db")

    return max(_parallel_seconds(write, work) for _ in range(repeats))


def _child_cpu(code: str) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", code], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def imports_seconds(repeats: int) -> float:
    base = min(_child_cpu("import sigtui.cli.app") for _ in range(repeats))
    planner = "import sigtui.cli.app, sigtui.cli.transfer, sigtui.catalog.azure.importing.planning"
    return min(_child_cpu(planner) for _ in range(repeats)) - base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="20k")
    parser.add_argument("--cache", type=Path, help="keep the generated file here (reused)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    versions = SIZES[args.size].versions
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.cache or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        path = import_file(folder, args.size)
        figures = decode_seconds(path, args.repeats)
        inserts = captured_inserts(path, Path(scratch))
        figures["write"] = write_seconds(inserts, Path(scratch), args.repeats)
        figures["imports"] = imports_seconds(args.repeats)
        saved = overlap_seconds(inserts, Path(scratch), args.repeats)
    floor = (
        min(figures["decode_orjson"], figures["decode_json"])
        + figures["write"]
        + figures["imports"]
    )
    for name, seconds in figures.items():
        print(f"{name:14} {seconds:6.3f} s")
    print(f"{'together':14} {floor:6.3f} s: at most {versions / floor:,.0f} versions/s")
    print(f"{'overlap':14} {saved:6.3f} s: ran in parallel, the write in a thread of its own")


if __name__ == "__main__":
    main()
