"""`sigtui serve` without a browser (tests/test_serve_browser.py drives one): the options
and the app command they make, the read-only rule for addresses that are not loopback
ones, one-line errors (a bad --public-url, a port in use, a host that is not here), the
page's URLs following the address the browser used, websockets refused to other sites'
pages, and a Ctrl+C to the server's process group ending it and its app."""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from cli_runner import Sigtui
from conftest import shared_demo_file

from benchmarks.serve import child_processes
from sigtui.catalog.store.clock import FixedClock
from sigtui.cli import serve as serve_cli
from sigtui.web import server as web_server
from sigtui.web.addresses import is_loopback
from sigtui.web.server import ServeConfig, SigtuiServer

DEMO_NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
PRINCIPAL = "alice.martin@contoso.com"  # in the demo catalog
APP_START = 60  # seconds, at most, for an app's first text (CI: 2 busy cores)


@pytest.fixture
def demo(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    shutil.copyfile(shared_demo_file(tmp_path_factory, DEMO_NOW), path)
    return path


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[ServeConfig]:
    """What `sigtui serve` asks to serve (it then says it is ready, on port 40123 for
    --port 0), without serving."""
    configs: list[ServeConfig] = []

    def fake_serve(config: ServeConfig, on_ready: Callable[[int], None]) -> None:
        configs.append(config)
        on_ready(config.port or 40123)

    monkeypatch.setattr(web_server, "serve", fake_serve)
    return configs


def _serve(demo: Path, served: list[ServeConfig], *args: str) -> tuple[ServeConfig, list[str], str]:
    """`sigtui --db DEMO ARGS` (ARGS holding `serve`), not serving: what it would serve,
    the app command's arguments after `python -m sigtui`, and the line printed."""
    result = Sigtui(f"sqlite:///{demo}", FixedClock(DEMO_NOW))(*args)
    assert result.exit_code == 0, result.output
    config = served[-1]
    exec_word, python, dash_m, sigtui, *app_args = shlex.split(config.command)
    assert [exec_word, python, dash_m, sigtui] == ["exec", sys.executable, "-m", "sigtui"]
    return config, app_args, result.stdout


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
        ("sig.example.com", False),
        ("", False),
    ],
)
def test_only_loopback_addresses_count_as_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_the_url_to_open_is_one_a_browser_here_can_reach() -> None:
    assert serve_cli.url_to_open("0.0.0.0", 8000) == "http://127.0.0.1:8000"
    assert serve_cli.url_to_open("127.0.0.1", 8001) == "http://127.0.0.1:8001"
    assert serve_cli.url_to_open("::", 8000) == "http://[::1]:8000"
    assert serve_cli.url_to_open("fe80::1", 8000) == "http://[fe80::1]:8000"
    assert serve_cli.url_to_open("sig.lan", 80) == "http://sig.lan:80"


def test_the_root_options_reach_every_app_and_the_url_stays_off_its_command_line(
    demo: Path, served: list[ServeConfig], tmp_path: Path
) -> None:
    prices = tmp_path / "prices.json"
    builtin = resources.files("sigtui.catalog").joinpath("data/prices.json")
    prices.write_text(builtin.read_text("utf-8"), encoding="utf-8")
    root = ["--as", PRINCIPAL, "--no-seed", "--replication-speed", "4", "--prices", str(prices)]
    config, app_args, line = _serve(demo, served, *root, "serve", "--port", "0")
    assert app_args == [
        "--no-seed",
        *("--prices", str(prices)),
        *("--replication-speed", "4.0"),
        *("--as", PRINCIPAL),
    ]
    assert config.environment == {"SIGTUI_DB": f"sqlite:///{demo}"}
    assert str(demo) not in config.command
    assert (config.host, config.port, config.public_url) == ("127.0.0.1", 0, None)
    assert config.loopback_only
    assert config.title == f"{demo} · sigtui"
    assert (
        line
        == f"sigtui serve: open http://127.0.0.1:40123 ({demo}; changes allowed); Ctrl+C stops\n"
    )


@pytest.mark.parametrize(
    ("args", "readonly", "note"),
    [
        (["serve"], False, "changes allowed"),
        (["serve", "--host", "::1"], False, "changes allowed"),
        (["serve", "--host", "localhost"], False, "changes allowed"),
        (
            ["serve", "--host", "0.0.0.0"],
            True,
            "read-only: 0.0.0.0 is not a loopback address and there is no authentication; "
            "--write allows changes",
        ),
        (["serve", "--host", "192.168.1.5"], True, "read-only: 192.168.1.5 is not a loopback"),
        (
            ["serve", "--host", "0.0.0.0", "--write"],
            False,
            "changes allowed to anyone who reaches 0.0.0.0 (--write): there is no authentication",
        ),
        (["--readonly", "serve"], True, "read-only (--readonly)"),
        (["--readonly", "serve", "--host", "0.0.0.0", "--write"], True, "read-only (--readonly)"),
    ],
)
def test_apps_served_beyond_loopback_are_read_only_unless_write(
    demo: Path, served: list[ServeConfig], args: list[str], readonly: bool, note: str
) -> None:
    _, app_args, line = _serve(demo, served, *args)
    assert ("--readonly" in app_args) is readonly
    assert f"; {note}" in line


def test_a_public_url_is_the_one_printed_and_served(demo: Path, served: list[ServeConfig]) -> None:
    url = "https://sig.example.com/team/"
    config, _, line = _serve(demo, served, "serve", "--host", "0.0.0.0", "--public-url", url)
    assert config.public_url == "https://sig.example.com/team"
    assert line.startswith("sigtui serve: open https://sig.example.com/team (")


def _one_error_line(demo: Path, *args: str, exit_code: int = 1) -> str:
    result = Sigtui(f"sqlite:///{demo}", FixedClock(DEMO_NOW))(*args)
    assert result.exit_code == exit_code, result.output
    assert re.fullmatch(r"error: SIG-INPUT: [^\n]+\n", result.stderr), result.stderr
    assert result.stdout == ""
    return result.stderr


def test_a_port_in_use_is_one_error_line(demo: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        error = _one_error_line(demo, "serve", "--port", str(port))
    assert error == f"error: SIG-INPUT: cannot serve on 127.0.0.1:{port}: the port is in use\n"


@pytest.mark.parametrize(
    ("args", "says", "exit_code"),
    [
        (["--host", "192.0.2.1"], "192.0.2.1 is not an address of this machine", 1),
        (["--host", "no-such-host.invalid"], "cannot serve on no-such-host.invalid:0: ", 1),
        (["--host", "sig example"], "--host must be an IP address or a host name", 1),
        (["--public-url", "ftp://sig.example.com"], "--public-url must be an http:// or", 1),
        (["--public-url", "https://sig.example.com/?a=1"], "--public-url must be", 1),
        (["--port", "65536"], "65536 is not in the range", 2),
    ],
)
def test_bad_addresses_are_one_error_line(
    demo: Path, args: list[str], says: str, exit_code: int
) -> None:
    error = _one_error_line(demo, "serve", "--port", "0", *args, exit_code=exit_code)
    assert says in error


# --- the page: its URLs, its title, who may open its websocket ------------------------------


def _page_server(**config: Any) -> SigtuiServer:
    defaults: dict[str, Any] = {"command": "exec false", "host": "0.0.0.0", "port": 0}
    return SigtuiServer(ServeConfig(**{**defaults, "title": "<b>cat</b> · sigtui", **config}))


async def _requests(
    server: SigtuiServer, *requests: tuple[str, dict[str, str]]
) -> list[tuple[int, str]]:
    """Each (path, headers) GET from the server: its status and text."""
    client = TestClient(TestServer(await server._make_app(), host="127.0.0.1"))
    await client.start_server()
    try:
        answers = []
        for path, headers in requests:
            response = await client.get(path, headers=headers)
            answers.append((response.status, await response.text()))
        return answers
    finally:
        await client.close()


def _urls(page: str) -> set[str]:
    """The page's URLs of this server: its websocket and its static files."""
    found = re.findall(r"(?:ws|wss|http|https)://[^\"'/]+/[^\"' )]*", page)
    return {url for url in found if url.endswith("/ws") or "/static/" in url}


def test_the_page_points_back_to_the_address_the_browser_used() -> None:
    server = _page_server()
    (status, page), (_, other) = asyncio.run(
        _requests(server, ("/", {"Host": "127.0.0.1:8000"}), ("/", {"Host": "sig.lan:80"}))
    )
    assert status == 200
    assert "ws://127.0.0.1:8000/ws" in _urls(page)
    assert {url.split("/")[2] for url in _urls(page)} == {"127.0.0.1:8000"}
    assert {url.split("/")[2] for url in _urls(other)} == {"sig.lan:80"}
    assert "<title>&lt;b&gt;cat&lt;/b&gt; · sigtui</title>" in page  # escaped
    assert "googleapis" not in page  # no font from elsewhere


def test_behind_a_proxy_the_page_points_at_the_public_url() -> None:
    server = _page_server(public_url="https://sig.example.com/team")
    [(status, page)] = asyncio.run(_requests(server, ("/", {"Host": "127.0.0.1:8000"})))
    assert status == 200
    assert "wss://sig.example.com/team/ws" in _urls(page)
    assert "https://sig.example.com/team/static/js/textual.js" in _urls(page)
    assert {url.split("/")[2] for url in _urls(page)} == {"sig.example.com"}


def test_a_bad_host_header_or_another_sites_page_is_refused() -> None:
    server = _page_server()
    answers = asyncio.run(
        _requests(
            server,
            ("/", {"Host": 'x"><script>alert(1)</script>'}),
            ("/ws", {"Origin": "http://evil.example", "Upgrade": "websocket"}),
        )
    )
    assert [status for status, _ in answers] == [400, 403]
    assert server.sessions == {}  # no app was started


def test_a_loopback_server_answers_to_loopback_names_only() -> None:
    """A site whose name resolves to 127.0.0.1 (DNS rebinding) gets neither the page nor
    the websocket; behind a proxy, only pages of the public URL get the websocket."""
    server = _page_server(host="127.0.0.1", loopback_only=True)
    hosts = ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "evil.example:8000"]
    answers = asyncio.run(_requests(server, *(("/", {"Host": host}) for host in hosts)))
    assert [status for status, _ in answers] == [200, 200, 200, 400]
    rebound = {"Host": "evil.example:8000", "Origin": "http://evil.example:8000"}
    proxied = _page_server(host="127.0.0.1", public_url="https://sig.example.com")
    direct = {"Host": "127.0.0.1:8000", "Origin": "http://127.0.0.1:8000"}
    for refusing, headers in ((server, rebound), (proxied, direct)):
        [(status, _)] = asyncio.run(_requests(refusing, ("/ws", headers)))
        assert status in (400, 403)
        assert refusing.sessions == {}


# --- Ctrl+C ---------------------------------------------------------------------------------


async def _first_text_then_ctrl_c(url: str, server: subprocess.Popen[str]) -> set[int]:
    """Connect as a page would, wait for the app's first text, then Ctrl+C the server's
    process group as a terminal does; the app processes seen, once the socket closed."""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{url}/ws?width=100&height=30") as websocket,
    ):
        text = b""
        async with asyncio.timeout(APP_START):
            while b"Contoso" not in text:
                message = await websocket.receive()
                assert message.type == aiohttp.WSMsgType.BINARY, message
                text += message.data
        apps = child_processes(server.pid)
        os.killpg(server.pid, signal.SIGINT)
        async with asyncio.timeout(APP_START):
            async for _ in websocket:
                pass  # the app's last frames, until the server closes the socket
    return apps


@pytest.mark.slow  # an app process started: seconds, more on a loaded machine
def test_ctrl_c_stops_the_server_and_its_apps(demo: Path, tmp_path: Path) -> None:
    environment = {**os.environ, **{f"XDG_{n}_HOME": str(tmp_path / n) for n in ("DATA", "STATE")}}
    server = subprocess.Popen(
        [sys.executable, "-m", "sigtui", "--db", str(demo), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env=environment,
        start_new_session=True,  # a process group of its own, as in a terminal
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        assert found, line
        apps = asyncio.run(_first_text_then_ctrl_c(found[0], server))
        assert server.wait(timeout=APP_START) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert len(apps) == 1
    assert [pid for pid in apps if Path(f"/proc/{pid}").exists()] == []
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", int(found[1])))  # free
