"""Import reads only regular files, within a size limit, holding JSON within nesting and
number limits (issue #17 item 4). Anything else is one `SIG-INPUT` line within a second,
on the command line and in the app's import screen, and the catalog is left as it was
(SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from click.testing import Result
from textual.widgets import Input, Static

import sigtui.cli.transfer  # noqa: F401  (imported now: the timed runs must not pay for it)
from sigtui.catalog.azure.importing import reading
from sigtui.catalog.azure.importing.reading import (
    ENV_MAX_SIZE,
    KnownDigests,
    StreamedFile,
    read_file,
)
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.store.db import Catalog
from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens import transfer as transfer_screen
from sigtui.ui.screens.transfer import ImportScreen
from tests.builders import World, catalog_state
from tests.cli_runner import Sigtui
from tests.ui.conftest import TERMINAL
from tests.ui.helpers import settle
from tests.ui.test_main_flows import pilot_test

T = TypeVar("T")

WITHIN = 1.0  # seconds: a refusal never waits on what the path is
ESTATE = Path(__file__).parent / "data" / "import" / "estate.az.json"


@dataclass(frozen=True)
class Refused:
    """A path import must refuse: how to make it in a folder, and what the error says."""

    name: str
    make: Callable[[Path], Path]
    says: str


def _fifo(folder: Path) -> Path:
    os.mkfifo(folder / "pipe.json")
    return folder / "pipe.json"


def _linked_fifo(folder: Path) -> Path:
    (folder / "link.json").symlink_to(_fifo(folder))
    return folder / "link.json"


def _socket(folder: Path) -> Path:
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(folder / "s"))  # the socket file stays once closed
    return folder / "s"


def _directory(folder: Path) -> Path:
    (folder / "a-folder.json").mkdir()
    return folder / "a-folder.json"


def _written(text: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        (folder / "file.json").write_text(text, encoding="utf-8")
        return folder / "file.json"

    return make


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


HUGE_INTEGER = '{"value": [{"properties": {"replicaCount": ' + "9" * 5000 + "}}]}"

REFUSED = [
    Refused("fifo", _fifo, "is a FIFO (named pipe); import reads only regular files"),
    Refused("symlink-to-fifo", _linked_fifo, "is a FIFO (named pipe)"),
    Refused("dev-zero", lambda _: Path("/dev/zero"), "/dev/zero is a character device"),
    Refused("directory", _directory, "is a directory; import reads only regular files"),
    Refused("socket", _socket, "is a socket; import reads only regular files"),
    Refused("missing", lambda folder: folder / "nowhere.json", "No such file or directory"),
    Refused("nested-65", _written(_nested(65)), "nested more than 64 levels deep"),
    Refused("nested-100000", _written(_nested(100_000)), "nested more than 64 levels deep"),
    Refused(
        "huge-integer",
        _written(HUGE_INTEGER),
        "at .value[0].properties.replicaCount: an integer of 5,000 digits; import takes "
        "integers of at most 20 digits",
    ),
    Refused("nan", _written('{"tags": {"x": NaN}}'), "at .tags.x: NaN is not a number JSON"),
    Refused("infinity", _written("[1, -Infinity]"), "at [1]: -Infinity is not a number JSON"),
    Refused("1e999", _written('{"a b": 1e999}'), 'at ["a b"]: the number 1e999 is out of range'),
]


def _unblock(path: Path) -> None:
    """Give a reader stuck opening a FIFO a writer, so that a failing test ends."""
    with contextlib.suppress(OSError):  # not a FIFO, or nobody is reading it
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))


def _within_a_second(action: Callable[[], T], path: Path) -> T:
    """`action()`, which must return within WITHIN seconds (run in a thread that a hang
    cannot take the test with)."""
    done: list[T] = []
    thread = threading.Thread(target=lambda: done.append(action()), daemon=True)
    thread.start()
    thread.join(WITHIN)
    if thread.is_alive():
        _unblock(path)
        pytest.fail(f"still reading {path} after {WITHIN} s")
    return done[0]


def _one_error_line(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: SIG-INPUT: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.output
    return result.stderr


# --- the command line -------------------------------------------------------------------


@pytest.fixture
def cli(world: World, sigtui: Sigtui) -> Sigtui:
    """The command line on a catalog that holds the small catalog of the rule tests."""
    return sigtui


@pytest.mark.parametrize("refused", REFUSED, ids=[r.name for r in REFUSED])
def test_the_cli_refuses_in_one_line_within_a_second(
    cli: Sigtui, catalog: Catalog, tmp_path: Path, refused: Refused
) -> None:
    path = refused.make(tmp_path)
    before = catalog_state(catalog)
    result = _within_a_second(lambda: cli("import", str(ESTATE), str(path)), path)
    assert refused.says in _one_error_line(result)
    assert catalog_state(catalog) == before


def test_a_symlink_to_a_regular_file_is_imported(cli: Sigtui, tmp_path: Path) -> None:
    (tmp_path / "estate.json").symlink_to(ESTATE)
    result = cli("import", str(tmp_path / "estate.json"))
    assert result.exit_code == 0, result.output
    assert "3 created" in result.stdout


def test_the_size_limit_is_set_by_the_environment_and_named_in_the_error(
    cli: Sigtui, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_MAX_SIZE, "2K")
    before = catalog_state(catalog)
    error = _one_error_line(cli("import", str(ESTATE)))
    assert f"is {ESTATE.stat().st_size:,} bytes; import takes files of at most 2,048 bytes" in error
    assert ENV_MAX_SIZE in error and "--max-size" in error
    assert catalog_state(catalog) == before


def test_max_size_overrides_the_environment(cli: Sigtui, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_MAX_SIZE, "2K")
    assert "at most 1,000 bytes" in _one_error_line(
        cli("import", "--max-size", "1000", str(ESTATE))
    )
    result = cli("import", "--max-size", "1M", str(ESTATE))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("value", ["lots", "0", "-5", "1T", "1.5M"])
def test_a_size_that_is_not_one_is_refused(
    cli: Sigtui, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    assert f"--max-size={value!r} is not a size" in _one_error_line(
        cli("import", "--max-size", value, str(ESTATE))
    )
    monkeypatch.setenv(ENV_MAX_SIZE, value)
    assert f"{ENV_MAX_SIZE}={value!r} is not a size" in _one_error_line(cli("import", str(ESTATE)))


# --- the reader ---------------------------------------------------------------------------


def test_the_default_limit_is_512_mib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_MAX_SIZE, raising=False)
    assert reading.max_file_bytes() == 512 * 1024 * 1024
    monkeypatch.setenv(ENV_MAX_SIZE, "3g")
    assert reading.max_file_bytes() == 3 * 1024**3


def test_the_limits_are_inclusive(tmp_path: Path) -> None:
    edge = f"[{_nested(63)}, {'9' * 20}, -{'9' * 20}, 1e308]"  # 64 levels, 20 digits
    assert _read_text(tmp_path, edge)[1:3] == [10**20 - 1, 1 - 10**20]
    assert read_file(tmp_path / "text.json", max_bytes=len(edge)) is not None
    with pytest.raises(CatalogError, match=f"at most {len(edge) - 1:,} bytes"):
        read_file(tmp_path / "text.json", max_bytes=len(edge) - 1)
    with pytest.raises(CatalogError, match="at most 20 digits"):
        _read_text(tmp_path, "9" * 21)
    with pytest.raises(CatalogError, match="nested more than 64 levels"):
        _read_text(tmp_path, _nested(65))


def _read_text(folder: Path, text: str) -> Any:
    path = folder / "text.json"
    path.write_text(text, encoding="utf-8")
    return read_file(path)


def test_a_fifo_swapped_in_after_the_check_is_refused_without_blocking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The path is checked, then opened without blocking and checked again: a FIFO put
    in its place between the two (here: the first check is shown a regular file) is
    refused, not waited on."""
    fifo = _fifo(tmp_path)
    regular = os.stat(ESTATE)
    monkeypatch.setattr(
        reading, "os", types.SimpleNamespace(**{**vars(os), "stat": lambda _: regular})
    )
    error = _within_a_second(lambda: _error_of(lambda: read_file(fifo)), fifo)
    assert error is not None and error.code == "SIG-INPUT"
    assert "is a FIFO" in error.message


def _error_of(action: Callable[[], object]) -> CatalogError | None:
    try:
        action()
    except CatalogError as error:
        return error
    return None


# --- the app's import screen ----------------------------------------------------------------


@pytest.fixture
def app(
    world: World, catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> SigtuiApp:
    """The app on the small catalog, away from the user's settings."""
    monkeypatch.setenv("SIGTUI_CONFIG_DIR", str(tmp_path / "config"))
    return SigtuiApp(catalog, remember_theme=False)


async def _import_in_app(
    pilot: Any, screen: ImportScreen, path: Path, *, within: float | None = None
) -> str:
    """Ask the screen to import `path`; its status line once the import is done (which
    must then be `within` seconds)."""
    screen.query_one("#import-path", Input).value = str(path)
    await pilot.press("ctrl+s")
    try:
        await asyncio.wait_for(settle(pilot), within)
    except TimeoutError:
        _unblock(path)
        pytest.fail(f"the import screen still reads {path} after {within} s")
    return str(screen.query_one("#import-status", Static).render())


@pilot_test
async def test_the_import_screen_refuses_in_one_line_within_a_second(
    app: SigtuiApp, catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    too_large = Refused("too-large", lambda _: ESTATE, "at most 2,048 bytes (split it")
    before = catalog_state(catalog)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        screen = ImportScreen(catalog)
        await app.push_screen(screen)
        for refused in [*REFUSED, too_large]:
            if refused is too_large:
                monkeypatch.setenv(ENV_MAX_SIZE, "2K")
            (tmp_path / refused.name).mkdir()
            path = refused.make(tmp_path / refused.name)
            status = await _import_in_app(pilot, screen, path, within=WITHIN)
            assert status.startswith("SIG-INPUT: "), (refused.name, status)
            assert refused.says in status and "\n" not in status, (refused.name, status)
        assert app.screen is screen
    assert catalog_state(catalog) == before


@pilot_test
async def test_the_import_screen_reads_the_file_in_a_worker(
    app: SigtuiApp, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large file takes a while to read: the screen must stay responsive meanwhile."""
    readers: list[threading.Thread] = []

    class Recorded(StreamedFile):
        def entries(self, known: KnownDigests | None) -> Iterator[Any]:
            readers.append(threading.current_thread())
            return super().entries(known)

    monkeypatch.setattr(transfer_screen, "StreamedFile", Recorded)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        screen = ImportScreen(catalog)
        await app.push_screen(screen)
        status = await _import_in_app(pilot, screen, ESTATE)
        assert "created" in status, status
    assert readers and threading.main_thread() not in readers
