"""`sigtui serve` (issue #22): what each connected browser costs, and how soon it shows text.

    python -m benchmarks.serve                    # 4 pages on the demo catalog, in a browser
    python -m benchmarks.serve --pages 8 --no-browser --json FILE

The server runs on a copy of the demo catalog (`sigtui seed`), bound to 127.0.0.1 on a free
port. Pages connect one after another and each stays open:
  first text  from opening the page (the browser: `page.goto`; without one: the websocket's
              connect) to the app's first text on it (the tree's first tenant), ms;
  memory      once every page shows its text, the resident (RSS) and proportional (PSS:
              shared pages split among the processes sharing them) memory of each app
              process (one per page), and of the server itself, MB.
The browser is Debian's chromium driven by Playwright, headless and loopback only (as in
tests/test_serve_browser.py); `--no-browser` (or no chromium) connects to the websocket
as the page does, with aiohttp, at the same terminal size.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
FIRST_TEXT = b"Contoso"  # the demo tree's first tenant
COLUMNS, LINES = 160, 50  # the websocket client's terminal (a browser's: its window's)
TIMEOUT = 120.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=4, help="browser pages, one app each")
    parser.add_argument("--no-browser", action="store_true", help="websocket clients only")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    options = parser.parse_args()
    browser = not options.no_browser and CHROMIUM.exists()
    with tempfile.TemporaryDirectory(prefix="sigtui-bench-serve-") as folder:
        figures = measure(Path(folder), options.pages, browser=browser)
    print(report(figures))
    if options.json:
        options.json.write_text(json.dumps(figures, indent=2), "utf-8")


def measure(folder: Path, pages: int, *, browser: bool) -> dict[str, Any]:
    environment = {
        **os.environ,
        **{f"XDG_{name}_HOME": str(folder / name) for name in ("DATA", "STATE", "CONFIG")},
    }
    catalog = folder / "demo.db"
    sigtui = [sys.executable, "-m", "sigtui", "--db", str(catalog)]
    subprocess.run([*sigtui, "seed"], env=environment, check=True, capture_output=True)
    with _server([*sigtui, "serve", "--port", "0"], environment) as (server, url):
        connect = _browser_pages if browser else _websocket_pages
        figures = connect(url, pages, lambda: _memory_of(server.pid))
    if len(figures["apps"]) != pages:
        raise SystemExit(f"{len(figures['apps'])} app processes for {pages} pages")
    return {"client": "chromium" if browser else "websocket", "pages": pages, **figures}


@contextmanager
def _server(command: list[str], environment: dict[str, str]) -> Iterator[tuple[Any, str]]:
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=environment)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        found = re.search(r"http://\S+", line)
        if not found:
            raise SystemExit(f"sigtui serve did not start: {line!r}")
        yield server, found[0]
    finally:
        server.terminate()
        server.wait(timeout=TIMEOUT)


def _websocket_pages(url: str, pages: int, memory: Any) -> dict[str, Any]:
    import aiohttp

    async def run() -> dict[str, Any]:
        times = []
        async with aiohttp.ClientSession() as session:
            sockets, readers = [], []
            for _ in range(pages):
                started = time.perf_counter()
                socket_url = f"{url.replace('http', 'ws', 1)}/ws?width={COLUMNS}&height={LINES}"
                websocket = await session.ws_connect(socket_url)
                sockets.append(websocket)
                sent = b""
                async with asyncio.timeout(TIMEOUT):
                    while FIRST_TEXT not in sent:
                        message = await websocket.receive()
                        if message.type == aiohttp.WSMsgType.BINARY:
                            sent += message.data
                times.append((time.perf_counter() - started) * 1000)
                # keep reading: the client answers the server's heartbeat pings only then
                readers.append(asyncio.create_task(_drain(websocket)))
            figures = {"first_text_ms": times, **memory()}
            for websocket in sockets:
                await websocket.close()
            await asyncio.gather(*readers)
        return figures

    return asyncio.run(run())


async def _drain(websocket: Any) -> None:
    async for _ in websocket:
        pass


def _browser_pages(url: str, pages: int, memory: Any) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
    args += ["--disable-background-networking", "--disable-component-update", "--disable-sync"]
    args += ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        for _ in range(pages):
            page = context.new_page()
            sent = bytearray()

            def received(payload: bytes | str, sent: bytearray = sent) -> None:
                if isinstance(payload, bytes):
                    sent.extend(payload)

            started = time.perf_counter()
            with page.expect_websocket(timeout=TIMEOUT * 1000) as opened:
                page.goto(url)
            websocket = opened.value
            websocket.on("framereceived", received)
            if FIRST_TEXT not in sent:
                websocket.wait_for_event(
                    "framereceived",
                    lambda _, sent=sent: FIRST_TEXT in sent,
                    timeout=TIMEOUT * 1000,
                )
            times.append((time.perf_counter() - started) * 1000)
        figures = {"first_text_ms": times, **memory()}
        browser.close()
    return figures


def _memory_of(server_pid: int) -> dict[str, Any]:
    """The RSS and PSS (MB) of the server and of each of its app processes."""
    apps = [_usage(pid) for pid in sorted(child_processes(server_pid))]
    return {"server": _usage(server_pid), "apps": apps}


def _usage(pid: int) -> dict[str, float]:
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    kilobytes = {
        name: int(value)
        for name, value in re.findall(r"^(Rss|Pss):\s+(\d+) kB", rollup, flags=re.MULTILINE)
    }
    return {"rss_mb": kilobytes["Rss"] / 1024, "pss_mb": kilobytes["Pss"] / 1024}


def child_processes(pid: int) -> set[int]:
    """The processes whose parent is `pid` (the app processes of a server)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def report(figures: dict[str, Any]) -> str:
    times = figures["first_text_ms"]
    apps, server = figures["apps"], figures["server"]
    rss = [app["rss_mb"] for app in apps]
    pss = [app["pss_mb"] for app in apps]
    lines = [
        f"client: {figures['client']}, {figures['pages']} pages, load {os.getloadavg()[0]:.1f}",
        "first text (ms), page by page: " + ", ".join(f"{t:,.0f}" for t in times),
        f"first text, median: {statistics.median(times):,.0f} ms",
        f"app processes: {len(apps)}; RSS each: median {statistics.median(rss):.1f} MB "
        f"(min {min(rss):.1f}, max {max(rss):.1f}); PSS each: median "
        f"{statistics.median(pss):.1f} MB",
        f"server: RSS {server['rss_mb']:.1f} MB, PSS {server['pss_mb']:.1f} MB",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
