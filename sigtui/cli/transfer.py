"""`sigtui import FILE...` and `sigtui export arm|az-script --scope ID` (DESIGN.md section 4).

Each imported file is one transaction: a file with an invalid resource imports nothing
(and the files before it stay imported).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from sigtui.catalog.azure import exporter
from sigtui.catalog.azure.importing.reading import (
    ENV_MAX_SIZE,
    MAX_FILE_BYTES,
    parse_size,
    read_file,
)
from sigtui.catalog.azure.importing.result import ImportResult
from sigtui.catalog.azure.importing.template import Deployment
from sigtui.catalog.azure.importing.write import count_items, import_into
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.store.db import Catalog
from sigtui.cli.context import current_state
from sigtui.cli.options import common_options
from sigtui.cli.output import emit_message

PROGRESS_FROM = 50  # show a progress bar for files with at least this many resources


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-g",
    "--resource-group",
    "group_id",
    metavar="ID",
    help="ARM id of the resource group that templates without resource ids deploy to.",
)
@click.option(
    "--parameters",
    multiple=True,
    metavar="NAME=VALUE",
    help="Template parameter values (as az deployment group create --parameters).",
)
@click.option(
    "--max-size",
    metavar="SIZE",
    help="Refuse files larger than SIZE: bytes, or a number with K, M or G "
    f"(default: ${ENV_MAX_SIZE}, else {MAX_FILE_BYTES // 1024**2}M).",
)
@common_options
def import_command(
    files: tuple[Path, ...], group_id: str | None, parameters: tuple[str, ...], max_size: str | None
) -> None:
    """Import Azure CLI JSON output, ARM REST bodies or ARM templates into the catalog.

    Subscriptions and resource groups named in the ids are created when missing (under
    the tenant "Imported"); importing a file again changes nothing."""
    state = current_state()
    deployment = Deployment(group_id=group_id, parameters=_parameters(parameters))
    max_bytes = None if max_size is None else parse_size(max_size, "--max-size")
    documents = [(path, read_file(path, max_bytes)) for path in files]  # all readable first
    catalog = state.catalog(writes=True)
    results = [_import_one(catalog, path, doc, deployment) for path, doc in documents]
    summary = "\n".join(result.summary() for result in results)
    emit_message(summary, files=[result.as_json() for result in results])


def _parameters(values: tuple[str, ...]) -> dict[str, str]:
    pairs = [value.partition("=") for value in values]
    bad = [value for value, (_, equals, _) in zip(values, pairs, strict=True) if not equals]
    if bad:
        raise click.UsageError(f"--parameters takes NAME=VALUE, got {bad[0]!r}")
    return {name: value for name, _, value in pairs}


def _import_one(
    catalog: Catalog, path: Path, document: Any, deployment: Deployment
) -> ImportResult:
    total = count_items(document, deployment)
    if total < PROGRESS_FROM:
        return import_into(catalog, path, document, deployment=deployment)
    with click.progressbar(length=total, label=str(path), file=sys.stderr) as bar:
        return import_into(catalog, path, document, deployment=deployment, progress=bar.update)


@click.group("export")
def export_group() -> None:
    """Export the galleries, definitions and versions under a scope."""


@export_group.command("arm")
@click.option("--scope", required=True, metavar="ID", help="ARM id of the scope to export.")
@click.option("--file", "file", type=click.Path(path_type=Path), help="Write to FILE, not stdout.")
@common_options
def export_arm(scope: str, file: Path | None) -> None:
    """A deployable ARM template of the scope."""
    state = current_state()
    with state.catalog().read() as db:
        text = exporter.render(db, scope, "arm", state.viewer())
    _write(text, file)


@export_group.command("az-script")
@click.option("--scope", required=True, metavar="ID", help="ARM id of the scope to export.")
@click.option("--file", "file", type=click.Path(path_type=Path), help="Write to FILE, not stdout.")
@common_options
def export_az_script(scope: str, file: Path | None) -> None:
    """A shell script of az commands that recreates the scope."""
    state = current_state()
    with state.catalog().read() as db:
        text = exporter.render(db, scope, "az-script", state.viewer())
    _write(text, file)


def _write(text: str, file: Path | None) -> None:
    if file is None:
        click.echo(text, nl=False)
        return
    try:
        file.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CatalogError("SIG-INPUT", f"cannot write {file}: {exc.strerror}") from None
