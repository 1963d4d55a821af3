"""A yes/no question, e.g. before a delete; a message the user must read.

A question is Content (sigtui.ui.text.markup) and a message plain text: what they show of
the catalog is never parsed as markup."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from sigtui.catalog.queries import deletes
from sigtui.catalog.store.db import Catalog
from sigtui.ui.screens.modal import Modal
from sigtui.ui.text import ShortId, markup, plain


class ConfirmScreen(Modal[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(
        self,
        title: str,
        question: Content,
        yes_label: str = "Delete",
        arm_id: str | None = None,
        note: str = "",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.question = question
        self.yes_label = yes_label
        self.arm_id = arm_id  # shown under the question, shortened in the middle to fit
        self.note = note  # under the ARM id

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(markup("[b]$title[/b]", title=self.title_text), id="confirm-title")
            yield Static(self.question, id="confirm-question")
            if self.arm_id:
                yield Static(ShortId(self.arm_id, style="dim"), id="confirm-id")
            if self.note:
                yield Static(plain(self.note), id="confirm-note")
            with Horizontal(id="confirm-buttons"):
                yield Button(plain(f"{self.yes_label} (y)"), variant="error", id="confirm-yes")
                yield Button("Cancel (n)", variant="primary", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class MessageScreen(Modal[None]):
    """A refusal or other message the user must read (e.g. a refused delete)."""

    BINDINGS = [Binding("escape,enter,q", "close", "Close", id="message.close")]

    def __init__(self, title: str, message: str, button: str = "OK (enter)") -> None:
        super().__init__()
        self.title_text = title
        self.message = message
        self.button = button

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="message"):
            yield Static(markup("[b]$title[/b]", title=self.title_text), id="confirm-title")
            yield Static(plain(self.message, newlines=True), id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button(self.button, variant="primary", id="message-ok")

    def on_mount(self) -> None:
        self.query_one(Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


def confirm_delete(
    app: App[object],
    catalog: Catalog,
    kind: str,
    question: Content,
    arm_id: str,
    then: Callable[[], None],
) -> None:
    """Ask before deleting the resource `arm_id` names, then run `then` on yes. When
    something blocks the delete (SIG-DELETE), say what instead of asking, with only Close:
    a yes could only be refused."""
    refusal = catalog.query(deletes.delete_refusal, arm_id)
    if refusal is not None:
        title = f"Cannot delete this {kind}"
        app.push_screen(MessageScreen(title, f"SIG-DELETE: {refusal}", button="Close (esc)"))
        return

    def answered(yes: bool | None) -> None:
        if yes:
            then()

    note = "This cannot be undone."
    app.push_screen(ConfirmScreen(f"Delete {kind}", question, arm_id=arm_id, note=note), answered)
