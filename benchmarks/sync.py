"""`sigtui sync` of 2,000 versions through the recorded ARM transport (issue #23).

The Azure SDKs' real pipeline (authentication, retry, paging, deserialization) answers
from tests/azure_recorded.py: one subscription, 4 galleries x 10 definitions x 50 versions,
bodies shaped as Azure's GalleryRP 2025-03-03 examples. Timed: the first sync (everything
created), a second with nothing changed (nothing written), and a third after Azure
changed the replication state of one version in ten.

    python -m benchmarks.sync [--versions 2000] [--db URL] [--workers 8] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sigtui.catalog.azure.sync import SyncOptions, run_sync
from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import open_catalog
from tests.azure_recorded import RecordedArm

SUBSCRIPTION = "11111111-1111-1111-1111-111111111111"
GALLERIES, DEFINITIONS = 4, 10


def build_estate(versions: int) -> RecordedArm:
    arm = RecordedArm()
    sub = arm.subscription(SUBSCRIPTION, "Bench")
    per_definition = max(1, versions // (GALLERIES * DEFINITIONS))
    for g in range(GALLERIES):
        for d in range(DEFINITIONS):
            names = [f"1.{d}.{v}" for v in range(per_definition)]
            arm.add(sub, f"rg{g}", f"gallery{g}", f"def{g}_{d}", names)
    return arm


def _replicating_again(arm: RecordedArm) -> None:
    """Azure moved one version in ten: East US replicating at 50 %."""
    sub = arm.subscriptions[SUBSCRIPTION]
    every = [
        v
        for g in sub.galleries.values()
        for d in g.definitions.values()
        for v in d.versions.values()
    ]
    for version in every[::10]:
        version.regions["East US"] = ("Replicating", 50)


def timed(arm: RecordedArm, url: str, workers: int) -> dict[str, Any]:
    catalog = open_catalog(url, clock=FixedClock(datetime(2026, 12, 1, tzinfo=UTC)))
    options = SyncOptions(workers=workers)
    figures: dict[str, Any] = {}
    try:
        for step in ("first", "unchanged", "changed"):
            if step == "changed":
                _replicating_again(arm)
            arm.requests.clear()
            started = time.perf_counter()
            report = run_sync(catalog, options, connect=arm.connect)
            figures[f"{step}_seconds"] = round(time.perf_counter() - started, 2)
            figures[f"{step}_calls"] = len(arm.requests)
            figures[f"{step}_summary"] = report.outcomes[0].summary(False)
    finally:
        catalog.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--versions", type=int, default=2000)
    parser.add_argument("--db", help="a catalog URL (default: a new SQLite file)")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    runs = []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as folder:
            url = args.db or f"sqlite:///{folder}/sync.db"
            runs.append(timed(build_estate(args.versions), url, args.workers))
    result = dict(runs[0])
    for key in [k for k in result if k.endswith("_seconds")]:
        result[key] = statistics.median(run[key] for run in runs)
    for key, value in result.items():
        print(f"{key:>20}: {value}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
