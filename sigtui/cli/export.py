"""`sigtui export arm|az-script --scope ID` (DESIGN.md section 4): a scope's galleries,
definitions and versions as a deployable ARM template or a script of az commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from sigtui.catalog.azure import exporter
from sigtui.catalog.model.errors import CatalogError
from sigtui.cli.context import current_state
from sigtui.cli.options import common_options


@click.group("export")
def export_group() -> None:
    """Export the galleries, definitions and versions under a scope."""


def _scope_and_file(command: Callable[..., None]) -> Callable[..., None]:
    """The options every export takes: the scope, and a file to write."""
    scope = click.option("--scope", required=True, metavar="ID", help=_SCOPE_HELP)
    file = click.option("--file", "file", type=click.Path(path_type=Path), help=_FILE_HELP)
    return scope(file(common_options(command)))


_SCOPE_HELP = "ARM id of the scope to export."
_FILE_HELP = "Write to FILE, not stdout."


@export_group.command("arm")
@_scope_and_file
def export_arm(scope: str, file: Path | None) -> None:
    """A deployable ARM template of the scope."""
    _export(scope, file, "arm")


@export_group.command("az-script")
@_scope_and_file
def export_az_script(scope: str, file: Path | None) -> None:
    """A shell script of az commands that recreates the scope."""
    _export(scope, file, "az-script")


def _export(scope: str, file: Path | None, form: str) -> None:
    state = current_state()
    with state.catalog().read() as db:
        text = exporter.render(db, scope, form, state.viewer())
    _write(text, file)


def _write(text: str, file: Path | None) -> None:
    if file is None:
        click.echo(text, nl=False)
        return
    try:
        file.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CatalogError("SIG-INPUT", f"cannot write {file}: {exc.strerror}") from None
