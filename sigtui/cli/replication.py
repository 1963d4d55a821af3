"""`sigtui replication`: what replicates where, live (SIG-REPLICATION)."""

from __future__ import annotations

import time
from dataclasses import asdict
from datetime import datetime
from typing import Any

import click
from rich.console import Console
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from sigtui.catalog.queries import lookup
from sigtui.catalog.replication import schedule
from sigtui.catalog.rules import access
from sigtui.catalog.rules.regions import get_region
from sigtui.catalog.store.db import Catalog
from sigtui.cli.context import current_state
from sigtui.cli.options import common_options
from sigtui.cli.output import print_result
from sigtui.safe_text import visible

STATES = ("Replicating", "Failed", "Unknown", "Completed")


def _as_json(item: schedule.Activity) -> dict[str, Any]:
    shown = asdict(item)
    shown["region"] = get_region(item.region).display_name
    for key in ("eta", "started_at", "completed_at"):
        value = shown.pop(key)
        shown[_camel(key)] = value.isoformat() if isinstance(value, datetime) else None
    shown["id"] = shown.pop("version_id")
    return shown


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _eta_text(eta: datetime | None, now: datetime) -> str:
    if eta is None:
        return ""
    seconds = int((eta - now).total_seconds())
    hours, rest = divmod(max(0, seconds), 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"


def _table(items: list[schedule.Activity], now: datetime) -> Table:
    table = Table(expand=True, box=None, header_style="bold")
    for column in ("Version", "Region", "State", "Progress", "", "ETA", "Details"):
        table.add_column(column, no_wrap=column != "Details")
    for item in items:
        style = {"Failed": "red", "Completed": "green", "Unknown": "dim"}.get(item.state, "")
        table.add_row(
            Text(visible(f"{item.subscription}/{item.gallery}/{item.definition}/{item.version}")),
            get_region(item.region).display_name,
            f"[{style}]{item.state}[/]" if style else item.state,
            ProgressBar(total=100, completed=item.progress, width=20),
            f"{item.progress}%",
            _eta_text(item.eta, now),
            Text(visible(item.details)),
        )
    return table


def _current(catalog: Catalog, subscription: str | None, states: tuple[str, ...]) -> list[Any]:
    viewer = current_state().viewer()
    with catalog.read() as db:
        if subscription:  # one that exists (SIG-NOT-FOUND) and, with --as, that it sees
            found = lookup.find_subscription(db, subscription)
            if viewer is not None:
                access.require_visible(db, viewer, found)
        return schedule.activity(
            db, catalog.clock.now(), subscription=subscription, states=states or None, viewer=viewer
        )


@click.group("replication", invoke_without_command=True)
@click.option("--subscription", metavar="NAME_OR_ID", help="Only this subscription.")
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice(STATES, case_sensitive=False),
    help="Only regions in this state (repeatable).",
)
@click.option("--watch", is_flag=True, help="Redraw live until nothing is in flight.")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between redraws.")
@common_options
@click.pass_context
def replication_group(
    ctx: click.Context,
    subscription: str | None,
    states: tuple[str, ...],
    watch: bool,
    interval: float,
) -> None:
    """Regions in flight, failed or unknown, and those completed in the last day."""
    if ctx.invoked_subcommand is not None:
        return
    catalog = current_state().catalog()
    items = _current(catalog, subscription, states)
    if watch:
        _watch(catalog, subscription, states, interval)
    else:
        print_result(
            [_as_json(item) for item in items],
            lambda: Console(width=160).print(_table(items, catalog.clock.now())),
            default="table",
        )


def _watch(
    catalog: Catalog, subscription: str | None, states: tuple[str, ...], interval: float
) -> None:
    """Live progress bars, until nothing is replicating (or ctrl+c)."""
    console = Console()
    with Live(console=console, auto_refresh=False) as live:
        while True:
            items = _current(catalog, subscription, states)
            live.update(_table(items, catalog.clock.now()), refresh=True)
            if not any(item.state == "Replicating" for item in items):
                return
            try:
                time.sleep(interval)
            except KeyboardInterrupt:
                return


@replication_group.command("retry")
@click.option(
    "--ids", "version_id", required=True, metavar="VERSION_ID", help="The version's ARM id."
)
@click.option("--region", required=True, help="The failed target region.")
@common_options
def retry(version_id: str, region: str) -> None:
    """Start a Failed (or Unknown) region over."""
    catalog = current_state().catalog(writes=True)
    with catalog.write() as db:
        target = schedule.retry(db, version_id, region, catalog.clock.now())
        shown = f"{get_region(target.region).display_name}: {target.state} again"
    click.echo(visible(shown))


@replication_group.command("fail")
@click.option(
    "--ids", "version_id", required=True, metavar="VERSION_ID", help="The version's ARM id."
)
@click.option("--region", required=True, help="A region in flight.")
@click.option("--reason", default="Injected fault (demo).", show_default=True)
@common_options
def fail(version_id: str, region: str, reason: str) -> None:
    """Make a region in flight fail (a fault injected for demos)."""
    catalog = current_state().catalog(writes=True)
    with catalog.write() as db:
        target = schedule.fail(db, version_id, region, reason, catalog.clock.now())
        shown = f"{get_region(target.region).display_name}: Failed ({target.details})"
    click.echo(visible(shown))
