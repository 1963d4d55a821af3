"""The palette's "Sync from Azure": `sigtui sync` in the app, run in a worker thread with
a progress bar; refused with one clear line when the Azure SDKs are not installed."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Label, ProgressBar, Select, Static

from sigtui.catalog.azure.sync import CREDENTIAL_KINDS, SyncOptions, SyncReport, run_sync
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.store.db import Catalog
from sigtui.ui.screens.styled_once import StyledOnce
from sigtui.ui.text import plain

CREDENTIAL_CHOICES = [
    ("default (DefaultAzureCredential)", "default"),
    ("cli (az login)", "cli"),
    ("environment (AZURE_CLIENT_ID, ...)", "environment"),
    ("managed-identity", "managed-identity"),
]
assert [value for _, value in CREDENTIAL_CHOICES] == list(CREDENTIAL_KINDS)


class SyncScreen(StyledOnce, ModalScreen[bool]):
    """Reads the subscriptions the credential sees (or the selected one) from Azure."""

    BINDINGS = [
        Binding("ctrl+s", "run", "Sync", id="sync.run"),
        Binding("escape", "close", "Close", id="sync.close"),
    ]
    help_title = "Sync from Azure"

    class Subscription(Message):
        def __init__(self, label: str, index: int, count: int) -> None:
            super().__init__()
            self.label, self.index, self.count = label, index, count

    class Versions(Message):
        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done, self.total = done, total

    class Writing(Message):
        def __init__(self, label: str) -> None:
            super().__init__()
            self.label = label

    class Finished(Message):
        def __init__(self, text: str, ok: bool, changed: bool) -> None:
            super().__init__()
            self.text, self.ok, self.changed = text, ok, changed

    def __init__(self, catalog: Catalog, subscription: str | None = None) -> None:
        super().__init__()
        self.catalog = catalog
        self.subscription_id = subscription  # the selected subscription's, or every one
        self.changed = False

    def compose(self) -> ComposeResult:
        named = self.subscription_id
        scope = f"subscription {named}" if named else "every subscription"
        with Vertical(classes="sync-box dialog"):
            yield Static("[b]Sync from Azure[/b]")
            yield Static(
                plain(
                    f"Reads {scope} the credential can see: galleries, definitions and "
                    "versions with their replication state. What Azure no longer has is "
                    "removed, within that scope only. sigtui stores no token."
                ),
                classes="sync-hint",
            )
            yield Label("Credential")
            yield Select(CREDENTIAL_CHOICES, value="default", allow_blank=False, id="sync-cred")
            yield ProgressBar(id="sync-progress", show_eta=False)
            yield Static("", id="sync-status")
            with Horizontal(classes="sync-buttons"):
                yield Button("Sync (ctrl+s)", variant="primary", id="sync-run")
                yield Button("Close (esc)", id="sync-close")

    def on_mount(self) -> None:
        self.query_one("#sync-progress", ProgressBar).display = False

    @on(Button.Pressed, "#sync-run")
    def action_run(self) -> None:
        credential = str(self.query_one("#sync-cred", Select).value)
        self.query_one("#sync-progress", ProgressBar).display = True
        self._status("Connecting to Azure…", ok=True)
        self.run_sync(SyncOptions(self._named(), credential=credential))

    def _named(self) -> tuple[str, ...]:
        return (self.subscription_id,) if self.subscription_id else ()

    @work(thread=True, exclusive=True, group="sync")
    def run_sync(self, options: SyncOptions) -> None:
        try:
            report = run_sync(self.catalog, options, progress=self)
        except CatalogError as error:
            self.post_message(self.Finished(f"{error.code}: {error.message}", False, False))
            return
        self.post_message(self.Finished(_text(report), not report.failed, report.changed))

    # the worker's progress (SyncProgress), said to the screen as messages
    def subscription(self, label: str, index: int, count: int) -> None:
        self.post_message(self.Subscription(label, index, count))

    def versions(self, done: int, total: int) -> None:
        self.post_message(self.Versions(done, total))

    def writing(self, label: str) -> None:
        self.post_message(self.Writing(label))

    def on_sync_screen_writing(self, message: Writing) -> None:
        self._status(f"Writing {message.label} (one transaction)…", ok=True)

    def on_sync_screen_subscription(self, message: Subscription) -> None:
        self._status(f"Reading {message.label} ({message.index}/{message.count})…", ok=True)
        self.query_one("#sync-progress", ProgressBar).update(total=None, progress=0)

    def on_sync_screen_versions(self, message: Versions) -> None:
        bar = self.query_one("#sync-progress", ProgressBar)
        bar.update(total=max(message.total, 1), progress=message.done)

    def on_sync_screen_finished(self, message: Finished) -> None:
        self.changed = self.changed or message.changed
        self.query_one("#sync-progress", ProgressBar).display = False
        self._status(message.text, ok=message.ok)

    def _status(self, text: str, *, ok: bool) -> None:
        status = self.query_one("#sync-status", Static)
        status.update(plain(text, newlines=True))
        status.set_class(not ok, "sync-error")

    @on(Button.Pressed, "#sync-close")
    def action_close(self) -> None:
        self.dismiss(self.changed)


def _text(report: SyncReport) -> str:
    lines = [o.summary(report.dry_run) for o in report.outcomes]
    lines += [f"{e.code}: {e.message}" for e in report.errors()]
    return "\n".join([*lines, report.summary()])
