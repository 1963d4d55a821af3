"""Crash safety: a sigtui process killed with SIGKILL in the middle of a seed, an import or a
replication update leaves the catalog with all of that transaction or none of it.

Each test runs the real command line in a child process, through a small wrapper that
makes `Session.commit` signal (a marker file) and wait, just before or just after the
commit of the first transaction that wrote rows; the test then kills the child with
SIGKILL and opens the catalog.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from builders import SUBSCRIPTION_ID, catalog_state, small_catalog

from sigtui.catalog.model.models import CatalogChange, ImageVersion, TargetRegion
from sigtui.catalog.replication import schedule
from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import open_catalog

WRAPPER = '''
"""Run `sigtui ARGS`, pausing at the commit of the first transaction that wrote rows."""
import os
import sys
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

MARKER = Path(os.environ["SIGTUI_TEST_MARKER"])
PAUSE_AT = os.environ["SIGTUI_TEST_PAUSE_AT"]  # "before-commit" or "after-commit"


@event.listens_for(Session, "after_flush")
def _wrote(session, _context):
    if session.new or session.dirty or session.deleted:
        session.info["wrote"] = True


@event.listens_for(Session, "do_orm_execute")
def _wrote_in_bulk(state):  # a bulk INSERT, UPDATE or DELETE statement
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["wrote"] = True


_commit = Session.commit


def commit(self):
    self.flush()  # every statement of the transaction is sent: only the COMMIT is left
    wrote = self.info.pop("wrote", False) and not MARKER.exists()
    if wrote and PAUSE_AT == "before-commit":
        MARKER.write_text("inside the transaction")
        time.sleep(120)
    _commit(self)
    if wrote and PAUSE_AT == "after-commit":
        MARKER.write_text("committed")
        time.sleep(120)


Session.commit = commit

from sigtui.cli import cli

cli.main(sys.argv[1:], prog_name="sigtui")
'''

PAUSE_TIMEOUT = 60.0


def _run_and_kill(tmp_path: Path, pause_at: str, *args: str) -> None:
    """Run `sigtui ARGS` in a child process and SIGKILL it at `pause_at`."""
    wrapper = tmp_path / "pause_at_commit.py"
    wrapper.write_text(WRAPPER, encoding="utf-8")
    marker = tmp_path / f"marker-{time.monotonic_ns()}"
    env = {
        **os.environ,
        "SIGTUI_TEST_MARKER": str(marker),
        "SIGTUI_TEST_PAUSE_AT": pause_at,
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
    }
    child = subprocess.Popen(
        [sys.executable, str(wrapper), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + PAUSE_TIMEOUT
        while not marker.exists():
            if child.poll() is not None:
                _, err = child.communicate()
                pytest.fail(f"the child ended (exit {child.returncode}) before pausing: {err}")
            if time.monotonic() > deadline:
                pytest.fail("the child never reached the commit")
            time.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)
        child.communicate()


def _counts(url: str) -> dict[str, int]:
    catalog = open_catalog(url)
    try:
        return {name: len(rows) for name, rows in catalog_state(catalog).items()}
    finally:
        catalog.close()


def _assert_sound(url: str) -> None:
    """The database opens; SQLite's file passes its integrity check."""
    catalog = open_catalog(url)
    try:
        with catalog.engine.connect() as conn:
            if catalog.engine.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            else:
                assert conn.execute(sa.text("SELECT 1")).scalar() == 1
    finally:
        catalog.close()


def _state(url: str, clock: FixedClock) -> dict[str, list[dict[str, Any]]]:
    catalog = open_catalog(url, clock=clock)
    try:
        return catalog_state(catalog)
    finally:
        catalog.close()


# --- the seed -------------------------------------------------------------------------------


def test_a_seed_killed_before_its_commit_leaves_the_catalog_empty(
    catalog_url: str, tmp_path: Path
) -> None:
    _run_and_kill(tmp_path, "before-commit", "--db", catalog_url, "seed")
    _assert_sound(catalog_url)
    counts = _counts(catalog_url)
    assert counts.pop(CatalogChange.__tablename__) == 1  # the change marker's one row
    assert set(counts.values()) == {0}


def test_a_seed_killed_after_its_commit_is_all_there(catalog_url: str, tmp_path: Path) -> None:
    _run_and_kill(tmp_path, "after-commit", "--db", catalog_url, "seed")
    _assert_sound(catalog_url)
    counts = _counts(catalog_url)
    assert counts["image_version"] > 0 and counts["target_region"] > 0
    catalog = open_catalog(catalog_url)
    try:
        with catalog.read() as db:  # the whole demo: every version has its targets
            orphans = db.exec(
                sa.select(sa.func.count())
                .select_from(ImageVersion)
                .where(~sa.exists().where(TargetRegion.version_pk == ImageVersion.pk))
            ).one()
        assert orphans == (0,)
    finally:
        catalog.close()


# --- an import ------------------------------------------------------------------------------

VERSIONS_IN_FILE = 200


def _large_import_file(path: Path) -> Path:
    group = f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/rg-import"
    base = f"{group}/providers/Microsoft.Compute/galleries/crashgallery"
    definition = f"{base}/images/crashdef"
    resources: list[dict[str, Any]] = [
        {"id": base, "type": "Microsoft.Compute/galleries", "location": "westus"},
        {
            "id": definition,
            "type": "Microsoft.Compute/galleries/images",
            "location": "westus",
            "osType": "Linux",
            "osState": "Generalized",
            "identifier": {"publisher": "Crash", "offer": "Test", "sku": "Kill"},
        },
    ]
    for n in range(VERSIONS_IN_FILE):
        resources.append(
            {
                "id": f"{definition}/versions/1.{n // 100}.{n % 100}",
                "type": "Microsoft.Compute/galleries/images/versions",
                "location": "westus",
                "publishingProfile": {
                    "targetRegions": [
                        {"name": "West US", "regionalReplicaCount": 1},
                        {"name": "East US", "regionalReplicaCount": 2},
                    ]
                },
                "storageProfile": {
                    "source": {"id": f"{group}/providers/Microsoft.Compute/images/ext-{n}"},
                    "osDiskImage": {"sizeInGB": 30},
                },
            }
        )
    path.write_text(json.dumps(resources), encoding="utf-8")
    return path


def test_an_import_killed_before_its_commit_changes_nothing(
    catalog_url: str, clock: FixedClock, tmp_path: Path
) -> None:
    catalog = open_catalog(catalog_url, clock=clock)
    small_catalog(catalog)  # something already there, which must stay as it is
    catalog.close()
    before = _state(catalog_url, clock)
    file = _large_import_file(tmp_path / "estate.json")
    _run_and_kill(tmp_path, "before-commit", "--db", catalog_url, "import", str(file))
    _assert_sound(catalog_url)
    assert _state(catalog_url, clock) == before


# --- a replication update -------------------------------------------------------------------


def test_a_replication_update_killed_before_its_commit_changes_nothing(
    catalog_url: str, clock: FixedClock, tmp_path: Path
) -> None:
    """A failed region retried: the child's write starts it over (reads write nothing:
    replication moving on is computed, not stored)."""
    catalog = open_catalog(catalog_url, clock=clock)
    world = small_catalog(catalog)
    for n in range(20):
        last = world.version(f"1.0.{n}", targets=["westus", "eastus=2", "westeurope", "japaneast"])
    world.write(lambda db: schedule.fail(db, last, "eastus", "boom", clock.now()))
    catalog.close()
    before = _state(catalog_url, clock)
    failed = [t for t in before["target_region"] if t["state"] == "Failed"]
    assert len(failed) == 1
    retry = ("replication", "retry", "--ids", last, "--region", "eastus")
    _run_and_kill(tmp_path, "before-commit", "--db", catalog_url, *retry)
    _assert_sound(catalog_url)
    assert _state(catalog_url, clock) == before
