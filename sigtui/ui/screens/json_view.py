"""`j`: the selected resource's JSON exactly as `sigtui ... show -o json` prints it (az's
`show`: sorted keys, two-space indent), scrollable both ways, with copy (`c`).

The JSON is read in a thread worker; every control character in it is a JSON escape
(sigtui.safe_text.json_text), and it is shown as text, never parsed as markup."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.screen import Screen
from textual.widgets import Static

from sigtui.catalog.azure import show
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.rules.access import Visibility
from sigtui.catalog.store.db import Catalog
from sigtui.safe_text import visible
from sigtui.ui.clipboard import copy_out
from sigtui.ui.screens.styled_once import StyledOnce
from sigtui.ui.text import ShortId, markup, plain
from sigtui.ui.widgets.header_footer import AppFooter, AppHeader


class JsonScreen(StyledOnce, Screen[None]):
    BINDINGS = [
        Binding("escape,q", "close", "Close", id="json.close"),
        Binding("c", "copy", "Copy JSON", id="json.copy"),
    ]

    def __init__(
        self, catalog: Catalog, arm_id: str, kind: str, viewer: Visibility | None = None
    ) -> None:
        super().__init__()
        self.catalog = catalog
        self.arm_id = arm_id
        self.kind = kind  # what the resource is, for the title ("image version")
        self.viewer = viewer
        self.document: str | None = None  # the JSON, once read

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(
            markup(
                "[b]JSON of the $kind[/b] · as [i]sigtui … show -o json[/i] (az show) prints it",
                kind=self.kind,
            ),
            id="json-title",
        )
        yield Static(ShortId(self.arm_id), id="json-id")
        with ScrollableContainer(id="json-scroll"):
            yield Static("loading…", id="json-text", markup=False)
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#json-scroll").focus()
        self.load()

    @work(thread=True, exclusive=True, group="json")
    def load(self) -> None:
        try:
            document = self.catalog.query(show.json_document, self.arm_id, self.viewer)
        except CatalogError as error:
            self.app.call_from_thread(self._failed, error)
            return
        self.app.call_from_thread(self._show, document)

    def _show(self, document: str) -> None:
        self.document = document
        self.query_one("#json-text", Static).update(plain(document, newlines=True))

    def _failed(self, error: CatalogError) -> None:
        self.query_one("#json-text", Static).update(plain(f"error: {error}"))
        self.notify(visible(error), title="No JSON", severity="error", markup=False)

    def action_copy(self) -> None:
        if self.document is None:
            self.notify("The JSON is not read yet.", severity="warning")
            return
        copy_out(self.app, self.document, "JSON")

    def action_close(self) -> None:
        self.dismiss(None)
