"""`s`: who has access to the selected gallery, definition or version (SIG-ACCESS), and
the form that gives a principal a role there or takes a direct assignment away.

Access flows down (the source document's sharing matrix): a role given at the gallery
reaches its definitions and versions. Those inherited assignments are listed too, with
where they are given, but are removed at that scope, not here. Adding is one
`services.give_role`; the form stays open so the list shows the change, and the
warnings it answers with (a single version shared, a principal of another tenant) show
under the buttons. The screen is dismissed
with the resource's ARM id when anything changed (the main screen then reloads its
details), else None.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, DataTable, Select, Static

from sigtui.catalog import services
from sigtui.catalog.model import schemas
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.queries import sharing
from sigtui.catalog.queries.sharing import ShareTarget
from sigtui.catalog.rules import access
from sigtui.catalog.rules.access import AccessEntry
from sigtui.catalog.store.db import Catalog
from sigtui.safe_text import visible
from sigtui.ui.screens.confirm import ConfirmScreen
from sigtui.ui.screens.forms.base import FormScreen
from sigtui.ui.screens.forms.fields import ChoiceField, StaticField, error_text
from sigtui.ui.text import markup
from sigtui.ui.widgets.data_table import MeasuredDataTable, cell

ENTRY_COLUMNS = ("Principal", "Role", "Given at", "Tenant")  # what each role allows: below
VERSION_SCOPE_HINT = (
    "Sharing a single image version is discouraged (SIG-ACCESS): share the gallery "
    "(recommended) or the image definition instead."
)


def role_label(role: str) -> str:
    allows = ", ".join(c.value for c in access.Capability if c in access.capabilities_of(role))
    return f"{role} — {allows or 'nothing here'}"


def role_hint(role: str | None) -> str:
    definition = access.role_definitions().get(role or "")
    if definition is None:
        return "Read: see and deploy. Publish: create and change definitions and versions."
    return definition.description


def given_at(entry: AccessEntry) -> Text:
    if entry.inherited:
        return cell(f"inherited: {entry.scope_kind} {entry.scope_name}", style="dim italic")
    return Text("direct", style="bold")


def tenant_cell(entry: AccessEntry) -> Text:
    if entry.cross_tenant:
        return cell(f"{entry.principal_tenant} (cross-tenant)", style="bold yellow")
    return cell(entry.principal_tenant)


class ShareScreen(FormScreen):
    """The assignments reaching one resource; add one, remove a direct one."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Add", id="share.add"),
        Binding("delete", "remove", "Remove", key_display="del", id="share.remove"),
        Binding("escape", "cancel", "Close", id="share.close"),
        Binding("question_mark,f1", "app.help", "Help", id="share.help"),
    ]

    # the principal's dropdown stays in the dialog: one line per principal, cut with an
    # ellipsis, and no taller than the room a 24-line terminal leaves under the field
    DEFAULT_CSS = """
    ShareScreen Select > SelectOverlay {
        max-height: 8;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    noun = "role assignment"
    save_label = "Add"

    def __init__(self, catalog: Catalog, target: ShareTarget) -> None:
        super().__init__(catalog)
        self.target = target
        self.form_title = f"Access to {target.label}"
        self.entries: list[AccessEntry] = []
        self.changed = False
        self.warnings: list[str] = []

    def compose_fields(self) -> ComposeResult:
        yield Static("Who has access", classes="share-section")
        yield MeasuredDataTable(id="share-entries", cursor_type="row", zebra_stripes=True)
        yield Static(
            "del removes the highlighted direct assignment; an inherited one is removed "
            "where it is given.",
            classes="share-entries-hint",
        )
        yield Static("Give access", classes="share-section")
        yield ChoiceField(
            "assignee",
            "Principal",
            [(p.label, p.object_id) for p in self.target.principals],
            blank="choose a principal",
            hint="a user, group or service principal, with its tenant",
            required=True,
            classes="-wide",
        )
        yield ChoiceField(
            "role",
            "Role",
            [(role_label(role), role) for role in access.ROLES],
            blank="choose a role",
            hint=role_hint(None),
            required=True,
            classes="-wide",
        )
        yield StaticField("scope", "Scope", self.target.label)
        yield Static("", id="share-warnings", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#form-cancel", Button).label = "Close (esc)"
        table = self.query_one("#share-entries", DataTable)
        table.add_columns(*ENTRY_COLUMNS)
        if self.target.kind == "version":
            self.field("scope").set_hint(VERSION_SCOPE_HINT)
        self.show_warnings([])
        self.reload_entries()

    # --- the list -----------------------------------------------------------------------

    def reload_entries(self) -> None:
        self.entries = self.catalog.query(sharing.access_entries, self.target.arm_id)
        table = self.query_one("#share-entries", DataTable)
        table.clear()
        for entry in self.entries:
            table.add_row(
                entry.principal,
                entry.role,
                given_at(entry),
                tenant_cell(entry),
            )
        if not self.entries:
            table.add_row(Text("nobody has a role here yet", style="dim"), "", "", "")
        self.refresh_bindings()

    def highlighted_entry(self) -> AccessEntry | None:
        row = self.query_one("#share-entries", DataTable).cursor_row
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "remove" and not self.entries:
            return None
        return super().check_action(action, parameters)

    # --- hints --------------------------------------------------------------------------

    @on(Select.Changed, "#select-assignee")
    def principal_chosen(self, event: Select.Changed) -> None:
        chosen = next((p for p in self.target.principals if p.object_id == event.value), None)
        hint = "a user, group or service principal, with its tenant"
        if chosen is not None and chosen.cross_tenant:
            hint = (
                f"cross-tenant: {chosen.name} is in {chosen.tenant}, the "
                f"{self.target.kind} in {self.target.tenant}"
            )
        self.field("assignee").set_hint(hint)

    @on(Select.Changed, "#select-role")
    def role_chosen(self, event: Select.Changed) -> None:
        value = event.value if isinstance(event.value, str) else None
        self.field("role").set_hint(role_hint(value))

    def show_warnings(self, warnings: list[str]) -> None:
        self.warnings = warnings
        banner = self.query_one("#share-warnings", Static)
        banner.update(visible("\n".join(warnings), newlines=True))
        banner.display = bool(warnings)

    # --- adding -------------------------------------------------------------------------

    async def action_save(self) -> None:
        self.clear_errors()
        self.show_warnings([])
        assignee, role = self.value("assignee"), self.value("role")
        try:
            if not assignee:
                raise CatalogError("SIG-INPUT", "choose a principal", field="assignee")
            if not role:
                raise CatalogError("SIG-INPUT", "choose a role", field="role")
            data = schemas.build(
                schemas.RoleAssignmentCreate, assignee=assignee, role=role, scope=self.target.arm_id
            )
            warnings = self.catalog.apply(services.give_role, data, self.catalog.clock)
        except CatalogError as error:
            self.show_error(error)
            return
        self.changed = True
        self.reload_entries()
        self.show_warnings(warnings)
        name = next(p.name for p in self.target.principals if p.object_id == assignee)
        self.notify(
            visible(f"{role} given to {name} at {self.target.label}."),
            title="Access added",
            markup=False,
        )

    # --- removing -----------------------------------------------------------------------

    def action_remove(self) -> None:
        entry = self.highlighted_entry()
        if entry is None:
            self.notify("Highlight an assignment in the list first.", severity="warning")
            return
        if entry.inherited:
            self.notify(
                visible(
                    f"{entry.principal}'s {entry.role} is given at {entry.scope_kind} "
                    f"{entry.scope_name}: select it in the tree and remove it there."
                ),
                severity="warning",
                markup=False,
            )
            return
        question = markup(
            "Take [b]$role[/b] at $scope away from [b]$principal[/b]?",
            role=entry.role,
            scope=f"{entry.scope_kind} {entry.scope_name}",
            principal=entry.principal,
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.remove_entry(entry)

        self.app.push_screen(ConfirmScreen("Remove access", question, "Remove"), answered)

    def remove_entry(self, entry: AccessEntry) -> None:
        self.clear_errors()
        self.show_warnings([])
        try:
            self.catalog.apply(
                services.delete_role_assignment,
                entry.assignment_pk,
                if_match=str(entry.assignment_etag),
            )
        except CatalogError as error:
            self.show_form_error(error_text(error))
            return
        self.changed = True
        self.reload_entries()
        self.notify(
            visible(f"{entry.role} taken away from {entry.principal}."),
            title="Access removed",
            markup=False,
        )

    def action_cancel(self) -> None:
        self.dismiss(self.target.arm_id if self.changed else None)
