"""`sigtui import FILE...` (DESIGN.md section 4; `sigtui export` is in export.py).

Each imported file is one transaction: a file with an invalid resource imports nothing
(and the files before it stay imported).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from sigtui.catalog.azure.importing.reading import (
    ENV_MAX_SIZE,
    MAX_FILE_BYTES,
    StreamedFile,
    parse_size,
)
from sigtui.catalog.azure.importing.result import ImportResult
from sigtui.catalog.azure.importing.template import Deployment
from sigtui.catalog.azure.importing.write import Progress, import_file
from sigtui.catalog.store.db import Catalog
from sigtui.cli.context import current_state
from sigtui.cli.options import common_options
from sigtui.cli.output import emit_message
from sigtui.safe_text import visible

PROGRESS_AFTER = 1.0  # seconds: an import that takes longer shows a progress bar


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
    streams = [StreamedFile(path, max_bytes) for path in files]
    for stream in streams:  # every file a readable one before any is imported
        stream.check()
    for stream in streams[1:]:  # the first is read as it is imported, in its transaction
        stream.read_through()
    catalog = state.catalog(writes=True)
    results = [_import_one(catalog, stream, deployment) for stream in streams]
    summary = "\n".join(result.summary() for result in results)
    emit_message(summary, files=[result.as_json() for result in results])


def _parameters(values: tuple[str, ...]) -> dict[str, str]:
    pairs = [value.partition("=") for value in values]
    bad = [value for value, (_, equals, _) in zip(values, pairs, strict=True) if not equals]
    if bad:
        raise click.UsageError(f"--parameters takes NAME=VALUE, got {bad[0]!r}")
    return {name: value for name, _, value in pairs}


def _import_one(catalog: Catalog, stream: StreamedFile, deployment: Deployment) -> ImportResult:
    with _progress_bar(stream) as progress:
        return import_file(catalog, stream, deployment=deployment, progress=progress)


def _on_terminal() -> bool:
    return sys.stderr.isatty()


@contextmanager
def _progress_bar(stream: StreamedFile) -> Iterator[Progress | None]:
    """A progress bar on stderr when it is a terminal, once the import takes longer than
    PROGRESS_AFTER: the file read so far, and the resources done."""
    if not _on_terminal():
        yield None
        return
    bar = _LazyBar(stream)
    try:
        yield bar.update
    finally:
        bar.stop()


class _LazyBar:
    def __init__(self, stream: StreamedFile) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.done = 0
        self.shown: Any = None  # rich.progress.Progress, once shown

    def update(self, done: int) -> None:
        self.done = done
        if self.shown is None:
            if time.monotonic() - self.started < PROGRESS_AFTER:
                return
            self._show()
        self.shown.update(self.task, completed=self.stream.bytes_read, done=done)

    def _show(self) -> None:
        from rich.console import Console  # only an import that takes a while needs it
        from rich.markup import escape
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.shown = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}% read, {task.fields[done]:,} resources done"),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr),
        )
        label = escape(visible(str(self.stream.path)))
        self.task = self.shown.add_task(label, total=max(self.stream.size, 1), done=0)
        self.shown.start()

    def stop(self) -> None:
        if self.shown is not None:
            self.shown.update(self.task, completed=self.stream.bytes_read, done=self.done)
            self.shown.stop()
