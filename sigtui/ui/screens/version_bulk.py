"""Marked versions and what is done to them at once, for the version lists (all versions,
cleanup): space marks a row (a mark column shows it), and delete, exclude from latest, set
the end of life or add a target region apply to the marked rows, or to the selected row
when none is marked.

Each action asks once: a dry run of the whole batch first (`version_batch`, the
single-version rules for each) says how many versions take it and which are refused and
why; yes applies it to the others in one transaction. The dry run and the change run in
thread workers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static

from sigtui.catalog import services
from sigtui.catalog.model.eol import eol_datetime
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.services.version_batch import (
    EditKind,
    VersionsEdit,
    VersionsOutcome,
    edit_versions,
    preview_versions_edit,
)
from sigtui.catalog.store.db import Catalog
from sigtui.safe_text import visible
from sigtui.ui.screens.confirm import ConfirmScreen, MessageScreen
from sigtui.ui.screens.events import resource_name
from sigtui.ui.screens.styled_once import StyledOnce
from sigtui.ui.text import markup, plain

MARK = "✓"  # of neutral width: one cell in every terminal
MARK_COLUMN = "mark"
SHOWN_REFUSALS = 5  # refused versions named in the question; the rest counted

ACTIONS = {  # each bulk action: its key, the footer's title, the question's title
    EditKind.DELETE: ("d", "Delete", "Delete"),
    EditKind.EXCLUDE: ("x", "Exclude", "Exclude from latest"),
    EditKind.END_OF_LIFE: ("e", "End of life", "Set the end of life of"),
    EditKind.ADD_REGION: ("a", "Add region", "Add a target region to"),
}
BULK_ACTION = "bulk"  # the screens' action_bulk(kind)


def is_bulk(action: str) -> bool:
    """Whether a binding's action (as `check_action` or a binding names it) is a bulk one."""
    return action == BULK_ACTION or action.startswith(f"{BULK_ACTION}(")


def bulk_bindings(prefix: str, *, besides: frozenset[EditKind] = frozenset()) -> list[BindingType]:
    """The mark key and the bulk actions' keys of a version list, with ids under `prefix`;
    not those `besides` (a screen's own binding does them)."""
    bindings: list[BindingType] = [
        Binding("space", "toggle_mark", "Mark", id=f"{prefix}.mark"),
    ]
    for kind, (key, title, _) in ACTIONS.items():
        if kind in besides:
            continue
        action = f"{BULK_ACTION}('{kind.value}')"
        shown = kind == EditKind.DELETE  # the others: in help, and the hint once marked
        bindings.append(Binding(key, action, title, show=shown, id=f"{prefix}.{kind.value}"))
    return bindings


MARKED_HINT = "d x e a: delete, exclude from latest, end of life, add a region"


class PromptScreen(StyledOnce, ModalScreen[str | None]):
    """One line of input (an end of life, a region); enter answers, escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, title: str, question: str, placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.question = question
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(markup("[b]$title[/b]", title=self.title_text), id="confirm-title")
            yield Static(markup("$question", question=self.question), id="confirm-question")
            yield Input(placeholder=self.placeholder, id="prompt-input")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


def mark_cell(marked: bool) -> str:
    return MARK if marked else " "


def question_of(outcome: VersionsOutcome) -> str:
    """The confirmation's text: the count, what they get, and every refusal (the first
    few by name)."""
    lines = [outcome.summary() + "."]
    for arm_id, error in outcome.refused[:SHOWN_REFUSALS]:
        lines.append(f"• {resource_name(arm_id)}: {error.code}: {error.message}")
    if len(outcome.refused) > SHOWN_REFUSALS:
        lines.append(f"• and {len(outcome.refused) - SHOWN_REFUSALS} more refused")
    return "\n".join(lines)


class BulkEditor:
    """Runs a bulk action for a version list: asks what it needs (a date, a region), dry
    runs it, asks once, applies it; `done` runs after a change was applied."""

    def __init__(self, screen: Screen[Any], catalog: Catalog, done: Callable[[], None]):
        self.screen = screen
        self.catalog = catalog
        self.done = done

    def start(self, kind: EditKind, arm_ids: list[str]) -> None:
        if not arm_ids:
            self.screen.notify("Mark versions with space first.", severity="warning")
            return
        if kind == EditKind.END_OF_LIFE:
            self._ask(
                "End of life",
                f"End of life for {_versions(len(arm_ids))} (YYYY-MM-DD, or empty to clear):",
                "2027-06-30",
                lambda text: self._end_of_life(text, arm_ids),
            )
        elif kind == EditKind.ADD_REGION:
            self._ask(
                "Add a target region",
                f"Region to add to {_versions(len(arm_ids))} (name[=replicas]):",
                "westeurope=1",
                lambda text: self._add_region(text, arm_ids),
            )
        else:
            self.preview(VersionsEdit(kind), arm_ids)

    def _ask(self, title: str, question: str, example: str, then: Callable[[str], None]) -> None:
        def answered(text: str | None) -> None:
            if text is not None:
                then(text)

        self.screen.app.push_screen(PromptScreen(title, question, example), answered)

    def _end_of_life(self, text: str, arm_ids: list[str]) -> None:
        when: datetime | None = None
        if text.strip():
            try:
                when = eol_datetime(text)
            except ValueError:
                self._refused("End of life", f"SIG-INPUT: not a date: {visible(text)}")
                return
        self.preview(VersionsEdit(EditKind.END_OF_LIFE, end_of_life=when), arm_ids)

    def _add_region(self, text: str, arm_ids: list[str]) -> None:
        try:
            spec = services.parse_target_region(text)
        except CatalogError as error:
            self._refused("Add a target region", str(error))
            return
        self.preview(VersionsEdit(EditKind.ADD_REGION, region=spec), arm_ids)

    def _refused(self, title: str, message: str) -> None:
        self.screen.app.push_screen(MessageScreen(title, message))

    # --- the dry run, the question, the change ------------------------------------------

    def preview(self, edit: VersionsEdit, arm_ids: list[str]) -> None:
        def dry_run() -> None:
            try:
                outcome = self.catalog.preview(
                    preview_versions_edit, arm_ids, edit, self.catalog.clock
                )
            except CatalogError as error:
                self.screen.app.call_from_thread(self._refused, "Cannot do that", str(error))
                return
            self.screen.app.call_from_thread(self.confirm, outcome)

        self.screen.run_worker(dry_run, thread=True, group="bulk", exclusive=True)

    def confirm(self, outcome: VersionsOutcome) -> None:
        title = f"{ACTIONS[outcome.edit.kind][2]} {_versions(outcome.total)}"
        if not outcome.applied:
            self._refused(title, "Nothing to do: " + question_of(outcome))
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.apply(outcome.edit, outcome.applied)

        yes = f"{ACTIONS[outcome.edit.kind][1]} {len(outcome.applied)}"
        note = "This cannot be undone." if outcome.edit.kind == EditKind.DELETE else ""
        question = plain(question_of(outcome), newlines=True)
        self.screen.app.push_screen(ConfirmScreen(title, question, yes, note=note), answered)

    def apply(self, edit: VersionsEdit, arm_ids: list[str]) -> None:
        def change() -> None:
            try:
                outcome = self.catalog.apply(edit_versions, arm_ids, edit, self.catalog.clock)
            except CatalogError as error:
                self.screen.app.call_from_thread(self._refused, "Nothing changed", str(error))
                return
            self.screen.app.call_from_thread(self._applied, outcome)

        self.screen.run_worker(change, thread=True, group="bulk", exclusive=True)

    def _applied(self, outcome: VersionsOutcome) -> None:
        self.screen.notify(outcome.edit.done(len(outcome.applied)) + ".", markup=False)
        self.done()


def _versions(count: int) -> str:
    return f"{count} version{'' if count == 1 else 's'}"
