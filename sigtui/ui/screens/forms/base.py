"""The base of every create and edit form.

A form is a modal screen over the main screen: its fields, one per schema field, each
with its error beside it; ctrl+s saves, escape cancels. Nothing reaches the catalog until
save, and a save is one service in a transaction of its own (`catalog.apply`). When the
service refuses (a CatalogError), the error shows under its field as `CODE: message` (at
the top when it names no field) and the form stays open with what was typed. On success
the form is dismissed with the ARM id of the resource. On save every field is checked
first, and what they refuse shows all at once, each beside its field. Escape closes an
untouched form at once, and asks before it drops changes.

An edit refused with SIG-CONFLICT (someone else saved the resource since the form read
it) is never a silent overwrite: the form loads the resource as it is now (its new etag),
lists what the other session changed beside what the user typed, and offers "Re-apply my
changes" (the fields the user edited, saved on top of the current values) or "Reload"
(the current values, the user's edits dropped). A re-apply that conflicts again repeats.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Static

from sigtui.catalog.model.errors import CatalogError, FieldErrors
from sigtui.catalog.queries import usage
from sigtui.catalog.store.db import Catalog
from sigtui.safe_text import visible
from sigtui.ui.screens.confirm import ConfirmScreen
from sigtui.ui.screens.forms.controls import FormButton
from sigtui.ui.screens.forms.fields import FormField, error_text
from sigtui.ui.screens.modal import Modal
from sigtui.ui.text import markup, plain
from sigtui.ui.widgets.header_footer import AppFooter

FORM_CHROME_ROWS = 10  # footer, the box's borders, the error banner, the buttons
MIN_FIELD_ROWS = 6
CONFLICT_ACTIONS = frozenset({"reapply", "reload"})

Snapshot = dict[str, tuple[object, str]]  # field key -> (raw value, how it reads)


@dataclass(frozen=True)
class Conflict:
    """The user's edits kept through a SIG-CONFLICT: field key -> the value to save
    (parsed, as `collect` gave it) and how it reads."""

    values: dict[str, Any]
    texts: dict[str, str]


class DiscardChanges(ConfirmScreen):
    """Escape on a form with unsaved changes: discard them (y), or keep editing (n, esc)."""

    def __init__(self, noun: str, changed: list[str]) -> None:
        fields = ", ".join(changed)
        question = markup(
            "You changed [b]$fields[/b]. Close the $noun form and lose these changes?",
            fields=fields,
            noun=noun,
        )
        super().__init__("Discard unsaved changes?", question, yes_label="Discard")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#confirm-no", Button).label = "Keep editing (n)"


class ConflictPanel(Vertical):
    """What someone else saved, and the way on (re-apply or reload): mounted the first
    time an edit conflicts (most forms never show it; each widget a form holds is styled
    and laid out as it opens), then shown and hidden."""

    def __init__(self) -> None:
        super().__init__(id="form-conflict", classes="-shown")

    def compose(self) -> ComposeResult:
        yield Static("", id="form-conflict-text", markup=False)
        with Horizontal(id="form-conflict-buttons"):
            yield FormButton(
                "Re-apply my changes (ctrl+r)", variant="warning", compact=True, id="form-reapply"
            )
            yield FormButton("Reload (ctrl+l)", compact=True, id="form-reload")


class FormScreen(Modal[str | None]):
    """Subclasses give `form_title`, compose their fields in `compose_fields` and save
    in `write` (one service through `catalog.apply`; returns the saved resource's ARM
    id)."""

    AUTO_FOCUS = "#form-fields *"  # never the conflict panel's hidden buttons
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="form.save"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+r", "reapply", "Re-apply my changes", id="form.reapply"),
        Binding("ctrl+l", "reload", "Reload", id="form.reload"),
        Binding("question_mark,f1", "app.help", "Help", id="form.help"),
    ]

    form_title = "Form"
    noun = "resource"
    save_label = "Save"
    limit_kind: str | None = None  # the SIG-LIMIT-* a new one counts against, if any

    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self.catalog = catalog
        self.saved_id: str | None = None
        self.form_error = ""
        self.loaded: Snapshot = {}  # the editable fields as read from the catalog
        self.conflict: Conflict | None = None

    @property
    def help_title(self) -> str:
        """The name of this screen for the help screen (`?`)."""
        return self.form_title

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box") as box:
            box.border_title = plain(self.form_title)
            yield Static("", id="form-error", markup=False)
            with VerticalScroll(id="form-fields", can_focus=False):
                yield from self.compose_fields()
            with Horizontal(id="form-buttons"):
                yield Static("* required", id="form-legend")
                yield FormButton(
                    f"{self.save_label} (ctrl+s)", variant="primary", compact=True, id="form-save"
                )
                yield FormButton("Cancel (esc)", compact=True, id="form-cancel")
        yield AppFooter()

    def compose_fields(self) -> ComposeResult:
        raise NotImplementedError

    def on_mount(self) -> None:
        self.query_one("#form-error", Static).display = False
        self.call_after_refresh(self._take_loaded)  # once the fields' controls are there
        self.query_one("#form-legend").display = any(
            f.required and not f.disabled for f in self.fields
        )
        self.fit_to_terminal()
        self.focus_first_field()
        self.call_after_refresh(self._show_from_top)
        self.warn_about_limit()

    def _take_loaded(self) -> None:
        self.loaded = self.snapshot()
        self.prefill()

    def prefill(self) -> None:
        """Values the form proposes over the resource's own (they count as the user's
        edits). Forms that propose some override it."""

    def warn_about_limit(self) -> None:
        """A create form near or at a limit says so before it is filled in."""
        place = getattr(self, "place", None)
        creating = getattr(self, "state", None) is None
        if self.limit_kind is None or not creating or place is None:
            return
        if place.subscription_pk is None or not place.location:
            return
        room = self.catalog.query(
            usage.headroom, place.subscription_pk, place.location, self.limit_kind
        )
        if room.level != usage.OK:
            self.show_form_error(room.message)

    def _show_from_top(self) -> None:
        """The form opens at its top, scrolled only as far as the focused field needs."""
        self.query_one("#form-fields", VerticalScroll).scroll_home(animate=False)
        if self.focused is not None:
            self.focused.scroll_visible(animate=False)

    def on_resize(self) -> None:
        self.fit_to_terminal()

    def fit_to_terminal(self) -> None:
        """The fields scroll inside what the terminal leaves to them (CSS cannot say
        "the box's auto height, at most the screen's")."""
        rows = max(MIN_FIELD_ROWS, self.size.height - FORM_CHROME_ROWS)
        box = self.query_one("#form-fields")
        box.styles.max_height = rows
        # Fields that need more rows than that scroll for sure: their scrollbar and its
        # room are in the first layout, not added by a second one that narrows every
        # field and draws them all again (Textual shows a scrollbar once a layout has
        # measured what scrolls: a second layout of the whole form, a frame later).
        scrolls = sum(form_field.least_rows for form_field in self.fields) > rows
        box.styles.scrollbar_gutter = "stable" if scrolls else "auto"
        box.show_vertical_scrollbar = scrolls

    def focus_first_field(self) -> None:
        for form_field in self.fields:
            if not form_field.disabled:
                form_field.focus_control()
                if self.focused is not None:
                    return

    # --- fields and errors --------------------------------------------------------------

    @property
    def fields(self) -> list[FormField]:
        return list(self.query(FormField))

    def field(self, key: str) -> FormField:
        return self.query_one(f"#field-{key}", FormField)

    def value(self, key: str) -> Any:
        return self.field(key).value

    def values(self, *keys: str) -> dict[str, Any]:
        return {key: self.value(key) for key in keys}

    def field_for(self, name: str | None) -> FormField | None:
        """The field a rule's field name (`target_regions.0.replica_count`...) points at."""
        parts = (name or "").split(".")
        while parts:
            wanted = ".".join(parts)
            for form_field in self.fields:
                if wanted in form_field.names:
                    return form_field
            parts.pop()
        return None

    def show_error(self, error: CatalogError) -> None:
        """The refusal beside its field (or at the top), and what live checks still find.
        A refusal of several fields at once (`FieldErrors`) shows each beside its own."""
        if isinstance(error, FieldErrors):
            self.show_errors(error.errors)
            return
        form_field = self.field_for(error.field)
        for other in self.fields:
            if other is not form_field and not other.disabled:
                other.recheck()
        if form_field is None:
            self.show_form_error(error_text(error))
            return
        form_field.show_error(error_text(error))
        form_field.focus_control()
        form_field.scroll_visible(animate=False)

    def show_errors(self, errors: list[CatalogError]) -> None:
        """Every refusal at once, each beside its field (the first a field gets wins; those
        naming no field at the top), the focus on the first field refused."""
        shown: dict[str, str] = {}
        banner: list[str] = []
        for error in errors:
            form_field = self.field_for(error.field)
            if form_field is None:
                banner.append(error_text(error))
            else:
                shown.setdefault(form_field.key, error_text(error))
        if banner:
            self.show_form_error("\n".join(dict.fromkeys(banner)))
        refused = [f for f in self.fields if f.key in shown]
        for form_field in refused:
            form_field.show_error(shown[form_field.key])
        if refused:
            refused[0].focus_control()
            refused[0].scroll_visible(animate=False)

    def show_form_error(self, text: str) -> None:
        self.form_error = text
        banner = self.query_one("#form-error", Static)
        banner.update(visible(text, newlines=True))
        banner.display = bool(text)

    def clear_errors(self) -> None:
        self.show_form_error("")
        for form_field in self.fields:
            form_field.clear_error()

    @property
    def errors(self) -> dict[str, str]:
        """Every error shown: field key -> text ("" for the form's own banner)."""
        shown = {f.key: f.error for f in self.fields if f.error}
        if self.form_error:
            shown[""] = self.form_error
        return shown

    # --- saving -------------------------------------------------------------------------

    def collect(self) -> Any:
        """What was typed, parsed (may raise CatalogError naming the field)."""
        raise NotImplementedError

    def write(self, values: Any) -> str:
        """Call the service (in one write transaction); return the ARM id it saved."""
        raise NotImplementedError

    async def action_save(self) -> None:
        await self.save()

    async def save(self, edits: Conflict | None = None) -> None:
        """Check every field, then collect and write; `edits` (a re-apply) go over what
        the fields hold. What the fields' own rules refuse shows all at once, beside each
        field, and the service is not asked."""
        self.clear_errors()
        problems = await self.problems()
        if problems:
            self.show_errors(problems)
            return
        values: Any = None
        try:
            values = self.collect()
            if edits is not None:
                values.update(edits.values)
            arm_id = self.write(values)
        except CatalogError as error:
            if error.code == "SIG-CONFLICT" and values is not None:
                await self.conflicted(error, edits, values)
            else:
                self.show_error(error)
            return
        self.saved_id = arm_id
        self.dismiss(arm_id)

    async def problems(self) -> list[CatalogError]:
        """What every enabled field refuses, in the form's order, then what the fields
        refuse together (`cross_problems`, once each field is fine on its own)."""
        found: list[CatalogError] = []
        for form_field in self.fields:
            if form_field.disabled:
                continue
            try:
                await form_field.commit_pending()
            except CatalogError as error:
                found.append(error)
                continue
            found.extend(form_field.problems())
        return found or self.cross_problems()

    def cross_problems(self) -> list[CatalogError]:
        """Rules over several fields that need no catalog (e.g. min ≤ max); forms that
        have some override it."""
        return []

    async def conflicted(self, error: CatalogError, edits: Conflict | None, values: Any) -> None:
        """Someone else saved the resource first: show it as it is now (an edit form)."""
        try:
            reloaded = self.reload_state()
        except CatalogError as gone:  # deleted meanwhile: nothing to re-apply onto
            self.show_error(gone)
            return
        if not reloaded:
            self.show_error(error)
            return
        await self.show_conflict(error, edits or self.my_edits(values))

    # --- concurrent edits (SIG-CONFLICT) -------------------------------------------------

    def reload_state(self) -> bool:
        """Read the edited resource again (its current values and etag); False when the
        form edits nothing (a create form). Edit forms override it."""
        return False

    def snapshot(self) -> Snapshot:
        return {f.key: (f.raw, f.raw_text) for f in self.fields if not f.disabled}

    def my_edits(self, values: dict[str, Any]) -> Conflict:
        """The fields the user changed since the form read the resource."""
        now = self.snapshot()
        edited = [k for k, (raw, _) in now.items() if k in values and raw != self.loaded[k][0]]
        return Conflict({k: values[k] for k in edited}, {k: now[k][1] for k in edited})

    async def show_conflict(self, error: CatalogError, edits: Conflict) -> None:
        """The form now shows the resource as it is, and what differs from the user's."""
        before = self.loaded
        await self.recompose_fields()
        self.loaded = self.snapshot()
        self.conflict = edits
        self.show_form_error(error_text(error))
        lines = [
            f"Someone else saved this {self.noun} since you opened it; it now holds:",
            *self.conflict_lines(before, edits),
        ]
        if edits.values:
            names = ", ".join(self.field(k).label for k in edits.values)
            lines.append(f"Re-apply saves your {names} over these; Reload drops your changes.")
        else:
            lines.append("You changed nothing: Reload takes these values.")
        panels = self.query(ConflictPanel)
        if panels:
            panels.first().add_class("-shown")
        else:
            await self.query_one("#form-box").mount(ConflictPanel(), after="#form-error")
        self.query_one("#form-conflict-text", Static).update(
            visible("\n".join(lines), newlines=True)
        )
        self.query_one("#form-reapply", Button).focus()
        self.refresh_bindings()

    def conflict_lines(self, before: Snapshot, edits: Conflict) -> list[str]:
        """`field: now X (you: Y)` for each field they or the user changed."""
        lines = []
        for key, (raw, text) in self.loaded.items():
            theirs = raw != before.get(key, (raw, ""))[0]
            if not theirs and key not in edits.values:
                continue
            label = self.field(key).label
            yours = edits.texts.get(key)
            if theirs:
                mine = f"you: {yours}" if yours is not None else f"was {before[key][1]}"
                lines.append(f"  {label}: now {text} ({mine})")
            else:
                lines.append(f"  {label}: {text} (you: {yours})")
        return lines

    async def recompose_fields(self) -> None:
        """Compose the fields again from the (reloaded) state."""
        box = self.query_one("#form-fields", VerticalScroll)
        await box.remove_children()
        await box.mount_all(list(self.compose_fields()))

    def hide_conflict(self) -> None:
        self.conflict = None
        self.query(ConflictPanel).remove_class("-shown")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in CONFLICT_ACTIONS:
            return self.conflict is not None
        return True

    async def action_reapply(self) -> None:
        edits = self.conflict
        if edits is None:
            return
        self.hide_conflict()
        await self.save(edits)

    def action_reload(self) -> None:
        """Keep the current values the form shows; the user's edits are dropped."""
        self.hide_conflict()
        self.clear_errors()
        self.focus_first_field()

    def changed_labels(self) -> list[str]:
        """The labels of the fields whose value differs from what the form opened with."""
        if not self.loaded:
            return []  # escape before the form finished opening: nothing typed yet
        now = self.snapshot()
        return [
            self.field(key).label
            for key, (raw, _) in now.items()
            if key in self.loaded and raw != self.loaded[key][0]
        ]

    def action_cancel(self) -> None:
        """Close at once when nothing changed; else ask whether to keep editing."""
        changed = self.changed_labels()
        if not changed:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(DiscardChanges(self.noun, changed), answered)

    @on(Button.Pressed, "#form-save")
    async def _save_pressed(self) -> None:
        await self.action_save()

    @on(Button.Pressed, "#form-reapply")
    async def _reapply_pressed(self) -> None:
        await self.action_reapply()

    @on(Button.Pressed, "#form-reload")
    def _reload_pressed(self) -> None:
        self.action_reload()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
