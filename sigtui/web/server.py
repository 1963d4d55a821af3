"""The app in a browser (`sigtui serve`): textual-serve's web server, one app process per
browser connection (its own `python -m sigtui ...`, drawn by xterm.js in the page).

What this adds to textual-serve's `Server`:
- the page points its websocket and assets at the address the browser used (the request's
  Host header), or at the public URL given for a reverse proxy: textual-serve points them
  at the bind address, which a browser cannot reach when that is 0.0.0.0;
- a websocket is refused to a page of another origin: any web site the user visits could
  otherwise drive the app on 127.0.0.1 from the user's browser;
- the tab's title (the catalog's name), and no font fetched from another host
  (templates/index.html);
- a clean stop: every app process started ends (asked to quit, else terminated, else
  killed), each in a session of its own so that a Ctrl+C reaches the server alone;
- a host or port it cannot listen on raises `BindError`, for a one-line error.

It overrides methods of textual-serve 1.1.3, some of them private (`_make_app`,
`_open_app_process`, `_build_environment`, `_process_messages`): tests/test_serve.py and
tests/test_serve_browser.py are what tells whether a newer textual-serve still fits.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import re
import signal
import socket
from asyncio.subprocess import PIPE, Process
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import WSCloseCode, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from sigtui.web.addresses import host_of, is_loopback

TEMPLATES = Path(__file__).parent / "templates"
QUIT_GRACE = 5.0  # seconds an app has to quit when asked (then to end when terminated)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
SHUTDOWN_GRACE = 3.0  # seconds aiohttp waits for open requests once the apps have ended
# a Host header: a name or IPv4 address, or a bracketed IPv6 address, and maybe a port
_HOST = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")

log = logging.getLogger("sigtui.web")


@dataclass(frozen=True)
class ServeConfig:
    command: str  # the shell command line that starts one app process
    host: str
    port: int
    title: str  # the browser tab's
    public_url: str | None = None  # the address browsers use, when a proxy is between
    # answer only requests for a loopback address (bound to one: no DNS rebinding)
    loopback_only: bool = False
    # set for the app processes only (the catalog's URL: a password never on a command line)
    environment: Mapping[str, str] = field(default_factory=dict)


class BindError(Exception):
    """The server cannot listen on the host and port asked (in use, not an address here)."""


class AppProcess(AppService):
    """One browser connection's app process."""

    def __init__(self, command: str, *, environment: Mapping[str, str], **options: Any) -> None:
        super().__init__(command, **options)
        self.environment = environment
        self._ending: asyncio.Future[None] | None = None

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        return {**super()._build_environment(width, height), **self.environment}

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        # textual-serve's, but in a session of its own: a Ctrl+C in the server's terminal
        # reaches the server alone, which then ends its apps in order
        self._process = process = await asyncio.create_subprocess_shell(
            self.command,
            stdin=PIPE,
            stdout=PIPE,
            stderr=PIPE,
            env=self._build_environment(width=width, height=height),
            start_new_session=True,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def end(self) -> None:
        """Make sure the process has ended: asked to quit, then terminated, then killed.
        Once, whoever asks (the connection closing, the server stopping), and never
        left half done by a cancelled caller."""
        if self._ending is None:
            self._ending = asyncio.ensure_future(self._end())
        await asyncio.shield(self._ending)

    async def _end(self) -> None:
        process = self._process
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.stop(), QUIT_GRACE)
        if process is None:
            return
        for stop in (process.terminate, process.kill):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), QUIT_GRACE)
                return
            with contextlib.suppress(ProcessLookupError):
                stop()
        await process.wait()


class SigtuiServer(Server):
    def __init__(self, config: ServeConfig) -> None:
        super().__init__(
            config.command,
            host=config.host,
            port=config.port,
            title=config.title,
            public_url=config.public_url,
            templates_path=TEMPLATES,
        )
        self.given_public_url = config.public_url
        self.loopback_only = config.loopback_only
        self.environment = config.environment
        self.sessions: dict[AppProcess, web.WebSocketResponse] = {}

    async def on_startup(self, app: web.Application) -> None:
        """Nothing to print: the command line says where to go (textual-serve: a logo)."""

    async def on_shutdown(self, app: web.Application) -> None:
        """The server no longer listens: end every app and close its page's websocket."""
        sessions = list(self.sessions.items())
        await asyncio.gather(*(app_process.end() for app_process, _ in sessions))
        for _, websocket in sessions:
            await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")

    @aiohttp_jinja2.template("index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        base = self.base_url(request)
        router = request.app.router
        websocket_base = "ws" + base.removeprefix("http")  # http: ws, https: wss
        return {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{websocket_base}{router['websocket'].url_for()}",
            "config": {"static": {"url": f"{base}/static/"}},
            "application": {"name": self.title},
        }

    def base_url(self, request: web.Request) -> str:
        """Where the page's websocket and assets are: the public URL, else the address
        this browser asked for (on a loopback server, a loopback one: a name of another
        site that resolves to 127.0.0.1, DNS rebinding, is refused)."""
        if self.given_public_url:
            return self.given_public_url
        if not _HOST.fullmatch(request.host):
            raise web.HTTPBadRequest(text="bad Host header")
        if self.loopback_only and not is_loopback(host_of(request.host)):
            raise web.HTTPBadRequest(text="this server answers to loopback addresses only")
        return f"{request.scheme}://{request.host}"

    def origin_allowed(self, request: web.Request) -> bool:
        """A page of this server (or no page: a client that is not a browser)."""
        origin = request.headers.get("Origin")
        return origin is None or origin == _origin(self.base_url(request))

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve's, but for pages of this server only, and with the app process
        known to the server until it has ended."""
        if not self.origin_allowed(request):
            raise web.HTTPForbidden(text="this websocket is for the server's own pages")
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        app_process = AppProcess(
            self.command,
            environment=self.environment,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
            debug=self.debug,
        )
        self.sessions[app_process] = websocket
        try:
            width = to_int(request.query.get("width", "80"), 80)
            await app_process.start(width, to_int(request.query.get("height", "24"), 24))
            await self._process_messages(websocket, app_process)
        except Exception as error:
            log.exception(error)
        finally:
            await app_process.end()
            self.sessions.pop(app_process, None)
            await websocket.close()
        return websocket


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def serve(config: ServeConfig, on_ready: Callable[[int], None]) -> None:
    """Serve until SIGINT or SIGTERM, calling `on_ready(port)` once listening (the port
    bound: `config.port`, or the one picked for port 0). Raises `BindError` if it cannot
    listen."""
    asyncio.run(_serve(config, on_ready))


async def _serve(config: ServeConfig, on_ready: Callable[[int], None]) -> None:
    server = SigtuiServer(config)
    runner = web.AppRunner(
        await server._make_app(), handle_signals=False, shutdown_timeout=SHUTDOWN_GRACE
    )
    await runner.setup()
    try:
        with _stop_on_signals() as stop:
            site = web.TCPSite(runner, config.host, config.port)
            try:
                await site.start()
            except (OSError, UnicodeError) as error:  # UnicodeError: a name idna refuses
                raise BindError(_bind_failure(error, config.host)) from None
            on_ready(runner.addresses[0][1])
            await stop.wait()
    finally:
        await runner.cleanup()


def _bind_failure(error: OSError | UnicodeError, host: str) -> str:
    if isinstance(error, UnicodeError):
        return f"no such host ({error})"
    if isinstance(error, socket.gaierror):
        return f"no such host ({error.strerror or error})"
    known = {
        errno.EADDRINUSE: "the port is in use",
        errno.EADDRNOTAVAIL: f"{host} is not an address of this machine",
        errno.EACCES: "not allowed to listen on that port",
    }
    return known.get(error.errno or 0) or os.strerror(error.errno or 0).lower()


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[asyncio.Event]:
    """An event set on SIGINT (Ctrl+C) or SIGTERM; the handlers before are back after."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    before = {number: signal.getsignal(number) for number in STOP_SIGNALS}
    for number in STOP_SIGNALS:
        loop.add_signal_handler(number, stop.set)
    try:
        yield stop
    finally:
        for number, handler in before.items():
            loop.remove_signal_handler(number)
            if handler is not None:  # None: set outside Python, nothing to put back
                signal.signal(number, handler)
