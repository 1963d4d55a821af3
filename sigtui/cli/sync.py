"""`sigtui sync`: read the real estate from Azure into the catalog (DESIGN.md section 4).

The Azure SDKs are the optional extra `sigtui[azure]`, imported when a sync runs. A
subscription that fails (403, gone mid-sync) is named in the summary and in its own
`error: SIG-AZURE: ...` line on stderr; the others still sync; the exit code is then 1.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from sigtui.catalog.azure.sync import CREDENTIAL_KINDS, SyncOptions, SyncReport, run_sync
from sigtui.cli.context import current_state
from sigtui.cli.options import common_options
from sigtui.cli.output import emit_message
from sigtui.safe_text import visible


@click.command("sync")
@click.option(
    "--subscription",
    "subscriptions",
    multiple=True,
    metavar="ID_OR_NAME",
    help="Sync only this subscription (repeatable); default: every one the credential sees.",
)
@click.option(
    "-g",
    "--resource-group",
    metavar="RG",
    help="Sync only this resource group of each subscription (removals stay within it).",
)
@click.option(
    "--credential",
    type=click.Choice(CREDENTIAL_KINDS),
    default="default",
    show_default=True,
    help="default: DefaultAzureCredential; cli: what `az login` gives; environment: "
    "AZURE_CLIENT_ID/AZURE_TENANT_ID/...; managed-identity.",
)
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@common_options
def sync_command(
    subscriptions: tuple[str, ...], resource_group: str | None, credential: str, dry_run: bool
) -> None:
    """Read galleries, definitions and versions (with replication state) from Azure.

    Idempotent: a second sync with no change in Azure writes nothing. What a sync brought
    and Azure no longer has is removed, only within the scope synced. sigtui stores no
    token or secret; SIGTUI_ARM_ENDPOINT overrides the cloud's ARM endpoint."""
    state = current_state()
    catalog = state.catalog(writes=not dry_run)
    options = SyncOptions(subscriptions, resource_group, credential, dry_run)
    with _progress_bar() as progress:
        report = run_sync(catalog, options, progress=progress)
    _report(report)


def _report(report: SyncReport) -> None:
    lines = [o.summary(report.dry_run) for o in report.outcomes]
    lines.append(report.summary())
    outcomes = [
        {"subscription": o.label, "summary": o.summary(report.dry_run), "ok": o.error is None}
        for o in report.outcomes
    ]
    emit_message("\n".join(lines), dryRun=report.dry_run, subscriptions=outcomes)
    errors = report.errors()
    for error in errors[:-1]:
        click.echo(visible(f"error: {error.code}: {error.message}"), err=True)
    if errors:
        raise errors[-1]


def _on_terminal() -> bool:
    return sys.stderr.isatty()


@contextmanager
def _progress_bar() -> Iterator[Any]:
    """A Rich progress bar on stderr when it is a terminal: the subscription being read,
    and its versions read of those found."""
    if not _on_terminal():
        yield None
        return
    bar = _Bar()
    try:
        yield bar
    finally:
        bar.stop()


class _Bar:
    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.shown = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("versions"),
            console=Console(file=sys.stderr),
            transient=True,
        )
        self.task = self.shown.add_task("connecting", total=None)
        self.shown.start()

    def subscription(self, label: str, index: int, count: int) -> None:
        from rich.markup import escape

        text = escape(visible(f"{label} ({index}/{count})"))
        self.shown.reset(self.task, description=text, total=None)

    def versions(self, done: int, total: int) -> None:
        self.shown.update(self.task, completed=done, total=max(total, 1))

    def writing(self, label: str) -> None:
        from rich.markup import escape

        self.shown.update(self.task, description=escape(visible(f"{label}: writing")))

    def stop(self) -> None:
        self.shown.stop()
