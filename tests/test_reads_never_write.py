"""Reads never write (shared/DESIGN.md section 3): every command that only reads leaves
the catalog's bytes as they were, and works on a catalog its user cannot write."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from cli_runner import Sigtui
from conftest import ENGINES, CopyOfBuilt, load_demo_into, shared_demo_file
from read_commands import OFFLINE, READS, WRITES, command_paths, read_runs

from sigtui.catalog.rules.regions import get_region
from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import open_catalog
from sigtui.cli import cli

DEMO_NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_demo_file(tmp_path_factory, DEMO_NOW)


@pytest.fixture(params=ENGINES)
def demo_url(copy_of_built: CopyOfBuilt, request: pytest.FixtureRequest) -> str:
    """A copy of the demo catalog loaded at DEMO_NOW, on either engine."""
    return copy_of_built(request.param, load_demo_into, FixedClock(DEMO_NOW)).url


def _checkpointed_digest(path: Path) -> str:
    """The file's bytes once whatever is in its WAL is in the file (a write a reader made
    would show here)."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_command_is_sorted_into_reads_or_writes() -> None:
    paths = set(command_paths(cli)) - {""}  # "": the app, tested on its own
    assert paths == set(READS) | WRITES | OFFLINE, (
        "place each new command in tests/read_commands.py"
    )
    assert not set(READS) & WRITES and not (set(READS) | WRITES) & OFFLINE


def test_no_read_command_changes_a_byte_of_the_catalog(demo_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "catalog.db"
    shutil.copy(demo_file, path)
    sigtui = Sigtui(str(path), FixedClock(DEMO_NOW))
    before = _checkpointed_digest(path)
    for run in read_runs():
        result = sigtui(*run)
        assert result.exit_code == 0, f"{run}: {result.output}"
        assert result.stdout.strip(), f"{run} showed nothing"
        assert _checkpointed_digest(path) == before, f"`sigtui {' '.join(run)}` wrote"


def test_no_read_command_opens_a_write_transaction(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On either database: a read command never asks for a write session, and its read
    sessions cannot write (on PostgreSQL each transaction is READ ONLY)."""
    from sigtui.catalog.model.errors import CatalogError
    from sigtui.catalog.store.db import Catalog

    catalog_url = demo_url
    catalog = open_catalog(catalog_url, clock=FixedClock(DEMO_NOW))
    with pytest.raises(sa.exc.DBAPIError), catalog.read() as db:
        db.execute(sa.text("UPDATE tenant SET name = name"))
    catalog.close()

    def refuse(self: Catalog, **_: object) -> None:
        raise CatalogError("SIG-INPUT", "a read command opened a write transaction")

    monkeypatch.setattr(Catalog, "write", refuse)
    sigtui = Sigtui(catalog_url, FixedClock(DEMO_NOW))
    for run in read_runs():
        result = sigtui(*run)
        assert result.exit_code == 0, f"{run}: {result.output}"


def test_a_reader_is_refused_a_catalog_whose_schema_is_behind(
    demo_file: Path, tmp_path: Path
) -> None:
    from sigtui.catalog.store.db import downgrade, make_engine

    path = tmp_path / "catalog.db"
    shutil.copy(demo_file, path)
    engine = make_engine(f"sqlite:///{path}")
    downgrade(engine, "-1")
    engine.dispose()
    before = _checkpointed_digest(path)
    sigtui = Sigtui(str(path), FixedClock(DEMO_NOW))
    refused = sigtui("sig", "list")
    assert refused.exit_code == 1
    assert refused.stderr.count("\n") == 1, refused.stderr  # one line
    assert "db upgrade" in refused.stderr and "older than" in refused.stderr
    assert _checkpointed_digest(path) == before
    assert sigtui.ok("sig", "create", "-g", "rg-finance-images", "-r", "newGallery")
    assert sigtui.ok("sig", "list")  # the writer brought it to head


# --- a catalog its user cannot write ------------------------------------------------------

_READ_ONLY_SCRIPT = """
import json, sys
from sigtui.cli import cli
from click.testing import CliRunner
from sigtui.cli.context import CliState
from sigtui.catalog.store.clock import FixedClock
from datetime import datetime

clock = FixedClock(datetime.fromisoformat(sys.argv[2]))
failures = []
for run in json.loads(sys.argv[3]):
    result = CliRunner().invoke(cli, ["--db", sys.argv[1], *run], obj=CliState(clock=clock))
    if result.exit_code != 0 or not result.stdout.strip():
        failures.append([run, result.exit_code, result.output[-300:]])
print(json.dumps(failures))
"""


@pytest.fixture
def unwritable_catalog(demo_file: Path, tmp_path: Path) -> Iterator[Path]:
    """The demo catalog in a folder and file that the user running the check cannot
    write (root ignores file modes: it runs without that power, see `_unprivileged`)."""
    folder = tmp_path / "readonly"
    folder.mkdir()
    path = folder / "catalog.db"
    shutil.copy(demo_file, path)
    _checkpointed_digest(path)
    for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)  # a reader finds only the file
    path.chmod(0o444)
    folder.chmod(0o555)
    yield path
    folder.chmod(0o755)


def _unprivileged() -> list[str]:
    """A prefix that runs a command without root's power to ignore file modes (the
    capabilities DAC_OVERRIDE and DAC_READ_SEARCH); nothing for an ordinary user."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv (util-linux): file modes do not apply")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all", "--"]


def _run_unprivileged(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [*_unprivileged(), sys.executable, "-c", script, *args]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), *sys.path])}
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)


def test_the_check_cannot_write_the_catalog(unwritable_catalog: Path) -> None:
    """The premise of the tests below: their process really cannot write there."""
    tried = _run_unprivileged(
        "import sys, sqlite3; sqlite3.connect(sys.argv[1]).execute('CREATE TABLE t (x)')",
        str(unwritable_catalog),
    )
    assert tried.returncode != 0
    assert "readonly database" in tried.stderr or "unable to open" in tried.stderr


@pytest.mark.slow
def test_every_read_command_works_on_a_catalog_nobody_may_write(
    unwritable_catalog: Path,
) -> None:
    import json

    done = _run_unprivileged(
        _READ_ONLY_SCRIPT, str(unwritable_catalog), DEMO_NOW.isoformat(), json.dumps(read_runs())
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == []


_READ_ONLY_APP_SCRIPT = """
import asyncio, contextlib, os, sys
from datetime import datetime
from textual.worker import WorkerCancelled, WorkerFailed
from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import open_catalog
from sigtui.ui.app import SigtuiApp

clock = FixedClock(datetime.fromisoformat(sys.argv[2]))
catalog = open_catalog("sqlite:///" + sys.argv[1], clock=clock, readonly=True)
app = SigtuiApp(catalog, remember_theme=False)

async def visit() -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        for key in ["down", "enter", "down", "enter", "question_mark", "escape", "slash",
                    "u", "b", "escape", "v", "escape", "r", "escape", "l", "escape",
                    "dollar_sign", "escape", "x", "escape", "e", "n", "d"]:
            await pilot.press(key)
            await pilot.pause()
            for worker in list(app.workers):  # overtaken loads end cancelled: not a failure
                with contextlib.suppress(WorkerCancelled, WorkerFailed):
                    await worker.wait()
        from sigtui.ui.widgets.catalog_tree import CatalogTree
        tree = app.screen.query_one(CatalogTree)
        print(type(app.screen).__name__, len(tree.root.children))

asyncio.run(visit())
print("exception:", app._exception)
"""


@pytest.mark.slow
def test_the_app_reads_a_catalog_nobody_may_write_with_readonly(
    unwritable_catalog: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGTUI_CONFIG_DIR", str(tmp_path / "config"))
    done = _run_unprivileged(_READ_ONLY_APP_SCRIPT, str(unwritable_catalog), DEMO_NOW.isoformat())
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines()[-2:] == [
        "MainScreen 3",
        "exception: None",
    ]  # 3 tenants, done.stdout


# --- a writer, a reader and the app at once -----------------------------------------------

_WRITER_SCRIPT = """
import json, sys
from sigtui.catalog import services
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.schemas import VersionUpdate
from sigtui.catalog.replication import schedule
from sigtui.catalog.store.db import open_catalog

url, steps, versions, region = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
sys.stdin.readline()  # "go": started up beside the readers, it writes once they run
catalog = open_catalog(url)
refused, last_tags, last_region, etags = [], {}, None, {}
for step in range(steps):
    try:
        if step % 10 == 0:  # the region: retried (Unknown or Failed), then failed in flight
            now = catalog.clock.now()
            if last_region in (None, "fail"):
                catalog.apply(schedule.retry, versions[0], region, now)
                last_region = "retry"
            else:
                catalog.apply(schedule.fail, versions[0], region, f"step {step}", now)
                last_region = "fail"
            continue
        version = versions[step % len(versions)]
        tags = VersionUpdate(tags={"step": str(step)})
        updated = catalog.apply(
            services.update_version, version, tags, catalog.clock, if_match=etags.get(version)
        )
        etags[version], last_tags[version] = str(updated.etag), str(step)
    except CatalogError as error:
        refused.append([step, str(error)])
print(json.dumps({"refused": refused, "tags": last_tags, "region": last_region}))
"""

_READER_SCRIPT = """
import json, os, sys
from pathlib import Path
from click.testing import CliRunner
from sigtui.cli import cli
from sigtui.cli.context import CliState

url, runs, stop = sys.argv[1], json.loads(sys.argv[2]), Path(sys.argv[3])
os.nice(10)  # it reads as often as it can: the writer and the other tests go first
loops, failed = 0, []
print("ready", flush=True)
while not stop.exists():
    for run in runs:
        if stop.exists():
            break
        result = CliRunner().invoke(cli, ["--db", url, *run], obj=CliState())
        if result.exit_code:
            failed.append([run, result.output[-300:]])
    loops += 1
print(json.dumps({"loops": loops, "failed": failed}))
"""

_APP_SCRIPT = """
import asyncio, os, sys
from pathlib import Path
from sigtui.catalog.store.db import open_catalog
from sigtui.ui.app import SigtuiApp

url, stop = sys.argv[1], Path(sys.argv[2])
os.nice(10)  # it stays open as long as the writer writes: the writer goes first
app = SigtuiApp(open_catalog(url), remember_theme=False)

async def stay_open() -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        for key in ["down", "enter", "down", "enter", "down"]:
            await pilot.press(key)
        print("ready", flush=True)
        while not stop.exists():
            for key in ["r", "escape", "down", "l", "escape", "up"]:
                if stop.exists():
                    break
                await pilot.press(key)
                await pilot.pause(0.2)

asyncio.run(stay_open())
print("exception:", app._exception)
"""


def _demo_for_processes(url: str) -> tuple[list[str], str]:
    """In the demo catalog at `url`: the ids of the versions the writer changes and the
    region it fails and retries (one not replicating now, in the first version)."""
    from sigtui.catalog.replication import schedule
    from sigtui.catalog.store.clock import SYSTEM_CLOCK

    catalog = open_catalog(url, clock=FixedClock(DEMO_NOW))
    regions = catalog.query(schedule.activity, SYSTEM_CLOCK.now(), states=["Unknown"])
    first = regions[0]
    versions = sorted({a.version_id for a in regions if a.version_id != first.version_id})
    catalog.close()
    return [first.version_id, *versions[:4]], first.region


@pytest.mark.slow
def test_a_writer_loses_nothing_to_readers_and_the_open_app(
    demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    catalog_url = demo_url
    monkeypatch.setenv("SIGTUI_CONFIG_DIR", str(tmp_path / "config"))
    versions, region = _demo_for_processes(catalog_url)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), *sys.path])}
    stop = tmp_path / "stop"
    python = [sys.executable, "-c"]
    reader = subprocess.Popen(
        [*python, _READER_SCRIPT, catalog_url, json.dumps(read_runs()), str(stop)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    app = subprocess.Popen(
        [*python, _APP_SCRIPT, catalog_url, str(stop)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    writer = subprocess.Popen(
        [*python, _WRITER_SCRIPT, catalog_url, "200", json.dumps(versions), region],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        for process in (reader, app):  # "ready": the reader loops, the app is open
            assert process.stdout is not None
            assert process.stdout.readline().strip() == "ready", "a process ended early"
        writer_out, writer_err = writer.communicate("go\n", timeout=600)
    finally:
        stop.touch()
        if writer.poll() is None:  # the others failed before it was told to go
            writer.kill()
            writer.wait(timeout=120)
        reader_out, reader_err = reader.communicate(timeout=120)
        app_out, app_err = app.communicate(timeout=120)
    assert writer.returncode == 0, writer_err[-2000:]
    written = json.loads(writer_out)
    assert written["refused"] == [], "the writer saw a refusal (SIG-CONFLICT?)"
    read = json.loads(reader_out)
    assert read["failed"] == [] and read["loops"] >= 1, reader_err[-2000:]
    assert app_out.splitlines()[-1] == "exception: None", app_err[-2000:]
    sigtui = Sigtui(catalog_url, FixedClock(datetime.now(UTC)))
    for version, step in written["tags"].items():
        assert sigtui.ok("sig", "image-version", "show", "--ids", version)["tags"] == {"step": step}
    status = sigtui.ok("sig", "image-version", "show", "--ids", versions[0], "--expand",
                       "ReplicationStatus")["replicationStatus"]["summary"]  # fmt: skip
    state = {s["region"]: s["state"] for s in status}
    assert state[get_region(region).display_name] == (
        "Failed" if written["region"] == "fail" else "Replicating"
    )
