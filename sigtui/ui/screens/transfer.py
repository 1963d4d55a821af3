"""Import Azure JSON into the catalog, and export a scope as an ARM template or an az
script: the palette's "Import…" and "Export…", each asking for a file."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Label, ProgressBar, Select, Static

from sigtui.catalog.azure import exporter
from sigtui.catalog.azure.importing.reading import StreamedFile
from sigtui.catalog.azure.importing.write import import_file
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.rules.access import Visibility
from sigtui.catalog.store.db import Catalog
from sigtui.safe_text import counted, visible
from sigtui.ui.screens.forms.select import FormSelect
from sigtui.ui.screens.modal import Modal
from sigtui.ui.text import plain
from sigtui.ui.widgets.shown_input import ControlPictures

EXPORT_FORMATS = (("ARM template (JSON)", "arm"), ("az script (bash)", "az-script"))
DEFAULT_FILES = {"arm": "sigtui-export.json", "az-script": "sigtui-export.sh"}


class ImportScreen(Modal[bool]):
    """Asks for a file and imports it in one transaction, with a progress bar."""

    BINDINGS = [
        Binding("ctrl+s", "run", "Import", id="import.run"),
        Binding("escape", "close", "Close", id="import.close"),
    ]
    help_title = "Import"

    class Started(Message):
        def __init__(self, path: Path, size: int) -> None:
            super().__init__()
            self.path = path
            self.size = size  # bytes: the progress is the file read so far

    class Progressed(Message):
        def __init__(self, done: int, read: int) -> None:
            super().__init__()
            self.done = done  # resources
            self.read = read  # bytes

    class Finished(Message):
        def __init__(self, text: str, ok: bool) -> None:
            super().__init__()
            self.text = text
            self.ok = ok

    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self.catalog = catalog
        self.imported = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="transfer-box"):
            yield Static("[b]Import Azure JSON[/b]", classes="transfer-title")
            yield Static(
                "az sig / image-definition / image-version output (list or show), ARM "
                "REST bodies or ARM templates. One file is one transaction: all of it, or "
                "nothing; importing it again changes nothing.",
                classes="transfer-hint",
            )
            yield Label("File")
            yield Input(placeholder="path/to/file.json", id="import-path")
            yield ProgressBar(id="import-progress", show_eta=False)
            yield Static("", id="import-status")
            with Horizontal(classes="transfer-buttons"):
                yield Button("Import (ctrl+s)", variant="primary", id="import-run")
                yield Button("Close (esc)", id="import-close")

    def on_mount(self) -> None:
        self.query_one("#import-path", Input).focus()
        self.query_one("#import-progress", ProgressBar).display = False  # shown while importing

    @on(Input.Submitted)
    @on(Button.Pressed, "#import-run")
    def action_run(self) -> None:
        text = self.query_one("#import-path", Input).value.strip()
        if not text:
            self._status("Give the path of a JSON file.", ok=False)
            return
        path = _expanded(Path(text))
        self._status(f"Reading {path}…", ok=True)
        self.run_import(path)

    # The file is read in the worker too: a large file must not freeze the screen.
    @work(thread=True, exclusive=True, group="import")
    def run_import(self, path: Path) -> None:
        stream = StreamedFile(path)
        try:
            stream.check()
            self.post_message(self.Started(path, stream.size))
            result = import_file(
                self.catalog,
                stream,
                progress=lambda done: self.post_message(self.Progressed(done, stream.bytes_read)),
            )
        except CatalogError as error:
            self.post_message(self.Finished(str(error), ok=False))
            return
        self.post_message(self.Finished(result.summary(), ok=True))

    def on_import_screen_started(self, message: Started) -> None:
        progress = self.query_one("#import-progress", ProgressBar)
        progress.update(total=max(message.size, 1), progress=0)
        progress.display = True
        self._status(f"Importing {message.path}…", ok=True)

    def on_import_screen_progressed(self, message: Progressed) -> None:
        self.query_one("#import-progress", ProgressBar).update(progress=message.read)
        self._status(f"Importing: {counted(message.done, 'resource')} done…", ok=True)

    def on_import_screen_finished(self, message: Finished) -> None:
        self.imported = self.imported or message.ok
        self.query_one("#import-progress", ProgressBar).display = message.ok
        self._status(message.text, ok=message.ok)

    def _status(self, text: str, *, ok: bool) -> None:
        status = self.query_one("#import-status", Static)
        status.update(plain(text, newlines=True))
        status.set_class(not ok, "transfer-error")

    @on(Button.Pressed, "#import-close")
    def action_close(self) -> None:
        self.dismiss(self.imported)


def _expanded(path: Path) -> Path:
    try:
        return path.expanduser()
    except RuntimeError:  # ~user that does not exist: the read says so
        return path


class ExportScreen(Modal[None]):
    """Writes the galleries, definitions and versions under a scope to a file, in a worker
    (a subscription at Azure's limits takes seconds); the screen says so meanwhile."""

    BINDINGS = [
        Binding("ctrl+s", "run", "Export", id="export.run"),
        Binding("escape", "close", "Close", id="export.close"),
    ]
    help_title = "Export"

    class Exported(Message):
        def __init__(self, text: str, ok: bool) -> None:
            super().__init__()
            self.text = text
            self.ok = ok

    def __init__(
        self, catalog: Catalog, scope: str | None, viewer: Visibility | None = None
    ) -> None:
        super().__init__()
        self.catalog = catalog
        self.scope = scope or ""
        self.viewer = viewer  # "view as": only what this principal sees is exported
        self.exporting = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="transfer-box"):
            yield Static("[b]Export a scope[/b]", classes="transfer-title")
            yield Label("Scope (ARM id of a subscription, group, gallery, definition or version)")
            yield Input(self.scope, highlighter=ControlPictures(), id="export-scope")
            yield Label("Format")
            yield FormSelect(EXPORT_FORMATS, value="arm", allow_blank=False, id="export-format")
            yield Label("File")
            yield Input(DEFAULT_FILES["arm"], id="export-path")
            yield Static("", id="export-status")
            with Horizontal(classes="transfer-buttons"):
                yield Button("Export (ctrl+s)", variant="primary", id="export-run")
                yield Button("Close (esc)", id="export-close")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(Select.Changed, "#export-format")
    def format_changed(self, event: Select.Changed) -> None:
        path = self.query_one("#export-path", Input)
        if path.value in DEFAULT_FILES.values():
            path.value = DEFAULT_FILES[str(event.value)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run" and self.exporting:
            return None  # shown, greyed, until the export under way is written
        return super().check_action(action, parameters)

    @on(Input.Submitted)
    @on(Button.Pressed, "#export-run")
    def action_run(self) -> None:
        if self.exporting:
            return
        path = _expanded(Path(self.query_one("#export-path", Input).value.strip()))
        if path.is_file():
            self.app.push_screen(OverwriteScreen(path), lambda choice: self._answered(choice, path))
            return
        self._write(path)

    def _answered(self, choice: str | None, path: Path) -> None:
        """The question before writing over `path`: overwrite, another name, or cancel."""
        if choice == OVERWRITE:
            self._write(path)
        elif choice == RENAME:
            box = self.query_one("#export-path", Input)
            box.value = str(free_name(path))
            box.focus()
            box.select_all()
            self._status("Choose another name, then export (ctrl+s).", ok=True)
        else:
            self._status(f"Not exported: {path} is kept as it was.", ok=True)

    def _write(self, path: Path) -> None:
        scope = self.query_one("#export-scope", Input).value.strip()
        kind = str(self.query_one("#export-format", Select).value)
        self._exporting(True)
        self._status(f"Exporting to {path}…", ok=True)
        self.run_export(scope, kind, path, self.app)

    @work(thread=True, exclusive=True, group="export")
    def run_export(self, scope: str, kind: str, path: Path, app: App[object]) -> None:
        try:
            path.write_text(self._export_text(scope, kind), encoding="utf-8")
        except CatalogError as error:
            self._tell(app, str(error), ok=False)
        except OSError as error:
            self._tell(app, f"SIG-INPUT: cannot write {path}: {error.strerror}", ok=False)
        else:
            self._tell(app, f"Wrote {path.resolve()}", ok=True)

    def _tell(self, app: App[object], text: str, *, ok: bool) -> None:
        """How the export ended, on the screen; in a notification of the `app` (given by
        the UI thread: a closed screen has none) when the screen was closed meanwhile (the
        export goes on to its end)."""
        if not self.post_message(self.Exported(text, ok)):
            app.notify(visible(text), severity="information" if ok else "error", markup=False)

    def _export_text(self, scope: str, kind: str) -> str:
        return self.catalog.query(exporter.render, scope, kind, self.viewer)

    def on_export_screen_exported(self, message: Exported) -> None:
        self._exporting(False)
        self._status(message.text, ok=message.ok)

    def _exporting(self, running: bool) -> None:
        self.exporting = running
        self.query_one("#export-run", Button).disabled = running
        self.refresh_bindings()

    def _status(self, text: str, *, ok: bool) -> None:
        status = self.query_one("#export-status", Static)
        status.update(plain(text, newlines=True))
        status.set_class(not ok, "transfer-error")

    @on(Button.Pressed, "#export-close")
    def action_close(self) -> None:
        self.dismiss(None)


OVERWRITE, RENAME = "overwrite", "rename"


def free_name(path: Path) -> Path:
    """`path` with the first number that no file takes: sigtui-export-1.json, -2, ..."""
    number = 1
    while (found := path.with_name(f"{path.stem}-{number}{path.suffix}")).exists():
        number += 1
    return found


class OverwriteScreen(Modal[str]):
    """The export's file exists: overwrite it, choose another name, or cancel."""

    BINDINGS = [
        Binding("o", "choose('overwrite')", "Overwrite", id="overwrite.yes"),
        Binding("a", "choose('rename')", "Another name", id="overwrite.rename"),
        Binding("escape,n", "choose('cancel')", "Cancel", id="overwrite.cancel"),
    ]

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="message"):
            yield Static(Content.from_markup("[b]Overwrite the file?[/b]"), id="confirm-title")
            yield Static(
                plain(f"{self.path} already exists. Write the export over it?"),
                id="confirm-question",
            )
            with Horizontal(id="confirm-buttons"):
                yield Button("Overwrite (o)", variant="error", id=OVERWRITE)
                yield Button("Another name (a)", variant="primary", id=RENAME)
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one(f"#{RENAME}", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "cancel")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
