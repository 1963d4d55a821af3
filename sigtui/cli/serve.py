"""`sigtui serve`: the app in a web page (textual-serve), one app process per browser
connection, each started with the root's options (`--db`, `--as`, `--readonly`, ...).

textual-serve has no authentication: bound to an address that is not a loopback one, the
served app is read-only unless `--write` is given (the start line says which it is).
"""

from __future__ import annotations

import ipaddress
import re
import shlex
import sys
from typing import Any
from urllib.parse import urlsplit

import click

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.store import db as catalog_db
from sigtui.cli.context import CliState, state_of
from sigtui.cli.options import as_option
from sigtui.safe_text import visible
from sigtui.web.addresses import is_loopback

HOST_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")


@click.command("serve")
@click.option(
    "--host",
    metavar="ADDRESS",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on (0.0.0.0: every address of this machine).",
)
@click.option(
    "--port",
    metavar="PORT",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="The port to listen on (0: any free port).",
)
@click.option(
    "--write",
    is_flag=True,
    help="Allow changes even when --host is not a loopback address (there is no "
    "authentication: anyone who reaches the port can change the catalog).",
)
@click.option(
    "--public-url",
    metavar="URL",
    help="The address browsers use, when a reverse proxy is in front "
    "(e.g. https://sig.example.com/): the page's websocket and assets go there.",
)
@as_option
@click.pass_context
def serve_command(
    ctx: click.Context, host: str, port: int, write: bool, public_url: str | None
) -> None:
    """Serve the app in a web browser: one app per browser tab, with the catalog and the
    options given before `serve`. Ctrl+C (or SIGTERM) stops it and every app it started.

    Bound to an address that is not a loopback one, the app is read-only unless --write
    is given: put it behind a reverse proxy with authentication (see the README)."""
    from sigtui.web.server import BindError, ServeConfig, serve

    state = state_of(ctx)
    public_url = checked_public_url(public_url)
    check_host(host)
    root_options = ctx.find_root().params
    if root_options.get("prices") is not None:  # a bad sheet: refused here, not in each tab
        from sigtui.catalog.queries.costs.sheet_json import load_sheet

        load_sheet(root_options["prices"])
    readonly = state.readonly or not (write or is_loopback(host))
    catalog = state.catalog(writes=not state.readonly)  # a first use is seeded here, once
    name = catalog.display_name
    config = ServeConfig(
        command=app_command(state, root_options, readonly=readonly),
        host=host,
        port=port,
        title=f"{name} · sigtui",
        public_url=public_url,
        loopback_only=is_loopback(host) and public_url is None,
        environment=app_environment(state),
    )
    state.close()  # each app opens the catalog itself

    def say_ready(bound_port: int) -> None:
        url = public_url or url_to_open(host, bound_port)
        mode = access_note(host, readonly=readonly, by_option=state.readonly)
        click.echo(visible(f"sigtui serve: open {url} ({name}; {mode}); Ctrl+C stops"))
        sys.stdout.flush()

    try:
        serve(config, say_ready)
    except BindError as error:
        where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        raise CatalogError("SIG-INPUT", f"cannot serve on {where}: {error}") from None


def check_host(host: str) -> None:
    """SIG-INPUT unless `host` reads as an IP address or a host name."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        if not HOST_NAME.fullmatch(host):
            raise CatalogError(
                "SIG-INPUT", f"--host must be an IP address or a host name, not {host!r}"
            ) from None


def url_to_open(host: str, port: int) -> str:
    """The URL a browser on this machine opens (every address bound: the loopback one)."""
    shown = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host.strip("[]"))
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def access_note(host: str, *, readonly: bool, by_option: bool) -> str:
    if by_option:
        return "read-only (--readonly)"
    if readonly:
        return (
            f"read-only: {host} is not a loopback address and there is no authentication; "
            "--write allows changes"
        )
    if is_loopback(host):
        return "changes allowed"
    return f"changes allowed to anyone who reaches {host} (--write): there is no authentication"


def checked_public_url(url: str | None) -> str | None:
    """`url` without its trailing slash; SIG-INPUT unless it is an http(s) URL with a host
    and no query or fragment."""
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise CatalogError(
            "SIG-INPUT",
            f"--public-url must be an http:// or https:// URL (e.g. https://sig.example.com), "
            f"not {url!r}",
        )
    return url.rstrip("/")


def app_command(state: CliState, root_options: dict[str, Any], *, readonly: bool) -> str:
    """The shell command line of one app process: this Python's `sigtui` with the root's
    options (the catalog's URL goes in its environment: `app_environment`)."""
    args = [sys.executable, "-m", "sigtui"]
    if state.no_seed:
        args.append("--no-seed")
    if readonly:
        args.append("--readonly")
    if root_options.get("prices") is not None:
        args += ["--prices", str(root_options["prices"].resolve())]
    if root_options.get("replication_speed") is not None:
        args += ["--replication-speed", repr(root_options["replication_speed"])]
    if state.acting_as:
        args += ["--as", state.acting_as]
    return "exec " + shlex.join(args)  # exec: the process started is the app itself


def app_environment(state: CliState) -> dict[str, str]:
    """SIGTUI_DB for a catalog named by --db (as a URL: the apps may not share our
    working directory's meaning); nothing for the default catalog, found the same way."""
    url, is_default = catalog_db.resolve_url(state.db)
    return {} if is_default else {catalog_db.ENV_DB: url}
