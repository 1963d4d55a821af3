"""The main screen: the catalog tree on the left, the details of the selection on the right."""

from __future__ import annotations

from collections.abc import Callable

from textual import events, on, work
from textual.app import ComposeResult
from textual.command import SimpleCommand
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Input, Static, Tree
from textual.widgets.tree import TreeNode

from sigtui.catalog import services
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.queries import browse, sharing, tree_filter, view_as
from sigtui.catalog.rules import access
from sigtui.catalog.rules.access import Capability, Visibility
from sigtui.catalog.store.db import Catalog
from sigtui.safe_text import visible
from sigtui.ui.actions import MAIN_BINDINGS, WRITE_ACTIONS
from sigtui.ui.clipboard import copy_out
from sigtui.ui.commands import MainCommands, ResourceCommands, search_principals
from sigtui.ui.messages import CatalogChanged
from sigtui.ui.screens.confirm import MessageScreen, confirm_delete
from sigtui.ui.screens.styled_once import StyledOnce
from sigtui.ui.text import markup
from sigtui.ui.unavailable import explain_unavailable_key, read_only
from sigtui.ui.widgets.catalog_tree import KIND_NAMES, CatalogTree, TreeEntry
from sigtui.ui.widgets.details_pane import DetailsPane
from sigtui.ui.widgets.header_footer import AppFooter, AppHeader
from sigtui.ui.widgets.tree_prompt import NameSuggester, TreePrompt

SHAREABLE = frozenset({browse.GALLERY, browse.DEFINITION, browse.VERSION})
# what the principal viewed as needs at the selected node for each write (SIG-ACCESS);
# importing creates galleries and sources, which no gallery role allows
NEEDED = {
    "new": Capability.PUBLISH,
    "edit": Capability.PUBLISH,
    "delete": Capability.PUBLISH,
    "share": Capability.SHARE,
}
VIEWING = " · viewing as "

DELETERS: dict[str, Callable[..., None]] = {
    browse.GROUP: services.delete_group,
    browse.GALLERY: services.delete_gallery,
    browse.DEFINITION: services.delete_definition,
    browse.VERSION: services.delete_version,
    browse.MANAGED_IMAGE: services.delete_managed_image,
    browse.SNAPSHOT: services.delete_snapshot,
    browse.SUBSCRIPTION: services.delete_subscription,
}


HELP_NOTE = (
    "Filter (/): the tree narrows to what matches as you type (name, publisher, offer, SKU "
    "or region) and their ancestors; enter or down goes to the tree, esc clears. Jump (:): a "
    "name (→ completes it) or an ARM id, enter selects it. Find (f): the matches across "
    "subscriptions as a list. JSON (j) and copy as az command (C): the selected resource as "
    "the CLI shows it, the command that creates it; copies go to the terminal (OSC 52) and "
    "to a file, which the notification names.\n"
    "Share (s): who has access to the selected gallery, definition or version, direct or "
    "inherited from the gallery; give a principal a role there or take a direct one away.\n"
    'View as (ctrl+p, "View as principal…", or sigtui --as PRINCIPAL): the tree, the '
    "filter (/) and the palette's go-to show only what that principal's roles reach; "
    "new, edit, delete and share work only where its role allows (publish, share). "
    "The details pane, limits, costs, replication, cleanup and the advisor show and count "
    "only what it sees too; all versions still shows the whole catalog. "
    '"Stop viewing as" in the palette leaves the mode.'
)


def _successor(node: TreeNode[TreeEntry]) -> str | None:
    """The ARM id of the sibling that takes a deleted node's place: the next one, else the
    one before (None: it has none; its parent gets the cursor)."""
    siblings = list(node.parent.children) if node.parent is not None else [node]
    at = siblings.index(node)
    near = siblings[at + 1 : at + 2] + siblings[max(at - 1, 0) : at]
    return next((n.data.node.arm_id for n in near if n.data and n.data.node.arm_id), None)


class MainScreen(StyledOnce, Screen[None]):
    """Its actions (MAIN_ACTIONS) import the screens they open as they open them: those
    modules load when first used, not at start-up."""

    COMMANDS = {MainCommands, ResourceCommands}
    help_note = HELP_NOTE
    BINDINGS = MAIN_BINDINGS

    def __init__(self, catalog: Catalog, viewer: Visibility | None = None) -> None:
        super().__init__()
        self.catalog = catalog
        self.viewer = viewer  # "view as": the principal whose view the tree shows
        self.capabilities: frozenset[Capability] = frozenset()  # its, at the selection

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static("", id="view-as-banner", markup=False)
        yield TreePrompt(NameSuggester(self.catalog, lambda: self.viewer), id="tree-prompt")
        with Horizontal(id="main-panes"):
            yield CatalogTree(self.catalog, self.viewer, id="tree")
            yield DetailsPane(self.catalog, self.viewer, id="details")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one(CatalogTree).focus()
        self._show_viewer()

    @property  # shadows DOMNode.tree (a Rich rendering of the DOM, for debugging)
    def tree(self) -> CatalogTree:  # type: ignore[override]
        return self.query_one(CatalogTree)

    @property
    def details(self) -> DetailsPane:
        return self.query_one(DetailsPane)

    def on_catalog_changed(self, _message: CatalogChanged) -> None:
        """Someone changed the catalog: show it as it is now, in place."""
        self.show_changes()

    def show_changes(self, select: str | None = None) -> None:
        """After a write, this app's own (which the change-marker polling does not report)
        or another session's: every open level of the tree (labels, counts, children) read
        again, in place, then the resource `select` (an ARM id) selected; the details
        follow the cursor of the rebuilt tree."""
        if select is not None and not self._sees(select):
            select = None
        self.tree.reload_all(select)

    def show_saved(self, arm_id: str) -> None:
        """After this app's own save: the catalog as it is now, the saved resource selected,
        and its new etag held at once (a delete right after must not send the old one)."""
        etag = self.catalog.query(browse.etag_of, arm_id)
        if etag is not None:
            self.details.hold_etag(arm_id, etag)
        self.show_changes(arm_id)

    def _after_writes(self, wrote: bool, arm_id: str | None) -> None:
        """A screen that may write closed, naming the resource to select (or None)."""
        if wrote:
            self.show_changes(arm_id)
        else:
            self.jump_to(arm_id)

    @on(Tree.NodeHighlighted)
    def show_details(self, event: Tree.NodeHighlighted[TreeEntry]) -> None:
        entry = event.node.data
        self.details.show(entry.node.ref if entry else None)
        self.capabilities = frozenset()  # until they are known, writes stay greyed out
        if self.viewer is not None and entry is not None:
            self.load_capabilities(entry.node, self.viewer)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop_view_as":
            return self.viewer is not None
        if action == "clear_filter":  # escape: free for others when nothing is to clear
            return self.prompt.mode is not None or bool(self.tree.filter_text)
        if action not in WRITE_ACTIONS:
            return True
        if self.catalog.readonly:
            return None  # shown, greyed out: the catalog is read-only
        if action == "share" and self.selected_kind() not in SHAREABLE:
            return None
        if self.viewer is not None and NEEDED.get(action) not in self.capabilities:
            return None  # the principal viewed as may not do it here
        return True

    def on_key(self, event: events.Key) -> None:
        explain_unavailable_key(self, event.key, self._why_unavailable)

    def _why_unavailable(self, action: str, label: str) -> str | None:
        """What a user pressing the greyed-out key of `action` is told (check_action)."""
        if action not in WRITE_ACTIONS:
            return None
        if self.catalog.readonly:
            return read_only(label)
        if action == "share" and self.selected_kind() not in SHAREABLE:
            return f"{label} works on a gallery, definition or version: select one"
        if self.viewer is None:
            return None
        viewing = f"Viewing as {visible(self.viewer.principal)}"
        needed = NEEDED.get(action)
        if needed is None:  # importing creates galleries and sources
            return f"{viewing}: {label} is unavailable (no gallery role allows it)"
        return f"{viewing}: {label} needs a role that allows {needed} here"

    def selected_kind(self) -> str | None:
        node = self.selected()
        return node.data.node.ref.kind if node is not None and node.data is not None else None

    # --- view as (SIG-ACCESS) ----------------------------------------------------------

    @work(thread=True, exclusive=True, group="capabilities")
    def load_capabilities(self, node: browse.Node, viewer: Visibility) -> None:
        """What the viewed-as principal may do at the node: its roles reaching it."""
        found: frozenset[Capability] = frozenset()
        if node.ref.kind in SHAREABLE and node.arm_id:
            found = self.catalog.query(view_as.capabilities_at, node.arm_id, viewer)
        self.app.call_from_thread(self._set_capabilities, node.ref, found)

    def _set_capabilities(self, ref: browse.NodeRef, found: frozenset[Capability]) -> None:
        node = self.selected()
        if node is not None and node.data is not None and node.data.node.ref == ref:
            self.capabilities = found
            self.refresh_bindings()

    def action_view_as(self) -> None:
        """Pick a principal (a palette of them) and show the tree as it sees it."""
        commands = [
            SimpleCommand(
                p.name,
                lambda ref=p.object_id: self.view_as(ref),
                f"{p.principal_type} · {p.tenant}",
            )
            for p in self.catalog.query(sharing.principal_choices)
        ]
        search_principals(self.app, commands, placeholder="View as which principal?")

    def action_stop_view_as(self) -> None:
        self.view_as(None)

    def view_as(self, principal_ref: str | None) -> None:
        """Show the tree as `principal_ref` (name or object id) sees it; writes then
        answer to its roles. None: the whole catalog again."""
        viewer = None
        if principal_ref:
            try:
                viewer = self.catalog.query(access.visibility, principal_ref)
            except CatalogError as error:
                self.notify(visible(error), title="Cannot view as", severity="error", markup=False)
                return
        self.viewer = viewer
        self.capabilities = frozenset()
        self.prompt.close()
        self.tree.show_as(viewer)
        self._show_viewer()

    def _show_viewer(self) -> None:
        """The banner, the header, the details and the write guard follow the viewed-as
        principal."""
        viewer = self.viewer
        self.catalog.acting_as = viewer.principal_pk if viewer else None
        self.details.viewer = viewer
        banner = self.query_one("#view-as-banner", Static)
        banner.display = viewer is not None
        base = self.app.sub_title.split(VIEWING)[0]
        self.app.sub_title = f"{base}{VIEWING}{visible(viewer.principal)}" if viewer else base
        if viewer is not None:
            banner.update(
                f"Viewing as {visible(viewer.principal)}: what its roles reach, writes its roles "
                "allow · ctrl+p › Stop viewing as"
            )
        self.refresh_bindings()

    def action_share(self) -> None:
        from sigtui.ui.screens.share import ShareScreen

        node = self.selected()
        if node is None or node.data is None or node.data.node.ref.kind not in SHAREABLE:
            self.notify("Select a gallery, definition or version to share.", severity="warning")
            return
        try:
            target = self.catalog.query(sharing.share_target, node.data.node.arm_id or "")
        except CatalogError as error:
            self.notify(visible(error), title="Cannot share", severity="error", markup=False)
            return

        def closed(changed: str | None) -> None:
            if changed:
                # the Access details; and what a principal viewed as sees, may do there
                self.show_changes()

        self.app.push_screen(ShareScreen(self.catalog, target), closed)

    def selected(self) -> TreeNode[TreeEntry] | None:
        node = self.tree.cursor_node
        return node if node is not None and node.data is not None else None

    def action_copy_id(self) -> None:
        arm_id = self._selected_arm_id()
        if arm_id is not None:
            copy_out(self.app, arm_id, "ARM id")

    def _selected_arm_id(self) -> str | None:
        """The selected resource's ARM id; None (and says so): the node has none."""
        node = self.selected()
        arm_id = node.data.node.arm_id if node and node.data else None
        if not arm_id:
            self.notify("This node has no ARM id: select a resource.", severity="warning")
        return arm_id or None

    def action_json(self) -> None:
        from sigtui.ui.screens.json_view import JsonScreen

        arm_id = self._selected_arm_id()
        kind = self.selected_kind()
        if arm_id is not None and kind is not None:
            self.app.push_screen(JsonScreen(self.catalog, arm_id, KIND_NAMES[kind], self.viewer))

    def action_copy_az(self) -> None:
        arm_id = self._selected_arm_id()
        if arm_id is not None:
            self._read_az_command(arm_id)

    @work(thread=True, exclusive=True, group="az-command")
    def _read_az_command(self, arm_id: str) -> None:
        from sigtui.catalog.azure import show

        try:
            command = self.catalog.query(show.create_command, arm_id, self.viewer)
        except CatalogError as error:
            self.app.call_from_thread(
                self.notify, visible(error), title="No az command", severity="warning", markup=False
            )
            return
        self.app.call_from_thread(copy_out, self.app, command, "az command")

    def action_delete(self) -> None:
        node = self.selected()
        if node is None or node.data is None:
            return
        entry = node.data.node
        deleter = DELETERS.get(entry.ref.kind)
        kind = KIND_NAMES[entry.ref.kind]
        if deleter is None or entry.arm_id is None:
            self.notify(f"A {kind} cannot be deleted here.", severity="warning")
            return
        question = markup(f"Delete {kind} [b]$name[/b]?", name=entry.name)
        successor = _successor(node)  # now: the tree may be rebuilt before the answer
        confirm_delete(
            self.app,
            self.catalog,
            kind,
            question,
            entry.arm_id,
            lambda: self._delete(entry, deleter, successor),
        )

    def _delete(
        self, entry: browse.Node, deleter: Callable[..., None], successor: str | None
    ) -> None:
        """Delete, sending the etag held for the resource; then select `successor`."""
        kind = KIND_NAMES[entry.ref.kind]
        target = entry.arm_id or ""
        if entry.ref.kind == browse.SUBSCRIPTION:
            target = target.rsplit("/", 1)[-1]
        etag = self.details.etag_of(entry.arm_id)
        try:
            self.catalog.apply(deleter, target, if_match=str(etag) if etag is not None else None)
        except CatalogError as error:
            self.app.push_screen(MessageScreen(f"Cannot delete this {kind}", f"{error}"))
            return
        self.notify(f"Deleted {kind} {visible(entry.name)}.", markup=False)
        self.show_changes(successor)

    def action_reload(self) -> None:
        self.tree.action_reload()

    def action_new(self) -> None:
        from sigtui.ui.screens.forms import open_create_form

        open_create_form(self)

    def action_edit(self) -> None:
        from sigtui.ui.screens.forms import open_edit_form

        open_edit_form(self)

    # --- the filter (`/`) and the jump (`:`) ----------------------------------------------

    @property
    def prompt(self) -> TreePrompt:
        return self.query_one(TreePrompt)

    def action_filter(self) -> None:
        """Narrow the tree as the user types (the prompt over it)."""
        self.prompt.open("filter", self.tree.filter_text)
        self.refresh_bindings()

    def action_jump(self) -> None:
        self.prompt.open("jump")
        self.refresh_bindings()

    def action_clear_filter(self) -> None:
        """Escape: close the prompt; the whole tree again, the cursor where it was."""
        self.prompt.close()
        if self.tree.filter_text:
            self.tree.clear_filter()
        self.tree.focus()
        self.refresh_bindings()

    def action_find(self) -> None:
        from sigtui.ui.screens.filter import FilterScreen

        self.app.push_screen(FilterScreen(self.catalog, viewer=self.viewer), self.jump_to)

    @on(Input.Changed, "#prompt-input")
    def prompt_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.prompt.mode != "filter":
            return
        text = event.value.strip()
        if text:
            self.prompt.say("filtering…")
            self.tree.narrow(text)
        elif self.tree.filter_text:
            self.tree.clear_filter()

    @on(Input.Submitted, "#prompt-input")
    def prompt_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.prompt.mode == "jump":
            self.prompt.say("looking…")
            self._find_jump(event.value)
        else:
            self.tree.focus()  # the filter stays: esc clears it

    @work(thread=True, exclusive=True, group="jump")
    def _find_jump(self, text: str) -> None:
        jump = self.catalog.query(tree_filter.jump_target, text, self.viewer)
        self.app.call_from_thread(self._jump_found, text, jump)

    def _jump_found(self, text: str, jump: tree_filter.Jump) -> None:
        if self.prompt.mode != "jump" or self.prompt.input.value != text:
            return  # typed on, or closed, meanwhile
        if jump.arm_id is None:
            self.prompt.say(visible(jump.message))
            self.notify(visible(jump.message), title="Not found", severity="warning", markup=False)
            return
        self.prompt.close()
        self.tree.focus()
        self.refresh_bindings()
        if jump.message:
            self.notify(visible(jump.message), markup=False)
        self.jump_to(jump.arm_id)

    def on_catalog_tree_filter_shown(self, message: CatalogTree.FilterShown) -> None:
        if not message.text:  # cleared: by the user emptying the prompt, or by the tree
            if self.prompt.mode == "filter" and self.prompt.text:
                self.prompt.close()  # a resource just saved is not a match: the tree shows it
            self.refresh_bindings()
            return
        if message.count == 0:
            self.details.show(None)
            status = f"no match for {message.text!r}"
        elif message.more:
            status = f"the first {message.count} matches · esc clears"
        else:
            status = f"{message.count} match{'' if message.count == 1 else 'es'} · esc clears"
        if self.prompt.mode != "filter":  # the filter was left on, its prompt closed
            self.prompt.open("filter", message.text)
            self.tree.focus()
        self.prompt.say(visible(status))
        self.refresh_bindings()

    def action_all_versions(self) -> None:
        from sigtui.ui.screens.all_versions import AllVersionsScreen

        screen = AllVersionsScreen(self.catalog, self.viewer)
        self.app.push_screen(screen, lambda arm_id: self._after_writes(screen.wrote, arm_id))

    def action_replication(self) -> None:
        from sigtui.ui.screens.replication import ReplicationScreen

        screen = ReplicationScreen(self.catalog, self.viewer)
        self.app.push_screen(screen, lambda arm_id: self._after_writes(screen.wrote, arm_id))

    def action_events(self) -> None:
        from sigtui.ui.screens.events import EventsScreen

        self.app.push_screen(EventsScreen(self.catalog, self.viewer), self.jump_to)

    def action_import_file(self) -> None:
        from sigtui.ui.screens.transfer import ImportScreen

        def imported(changed: bool | None) -> None:
            if changed:
                self.show_changes()

        self.app.push_screen(ImportScreen(self.catalog), imported)

    def action_sync_azure(self) -> None:
        from sigtui.catalog.azure.sync import azure_sdk_missing
        from sigtui.ui.screens.sync import SyncScreen

        missing = azure_sdk_missing()
        if missing is not None:
            self.notify(f"SIG-AZURE: {missing}", severity="error", markup=False)
            return
        node = self.selected()
        entry = node.data.node if node and node.data else None
        subscription = None
        if entry is not None and entry.ref.kind == browse.SUBSCRIPTION and entry.arm_id:
            subscription = entry.arm_id.rstrip("/").split("/")[-1]

        def synced(changed: bool | None) -> None:
            if changed:
                self.show_changes()

        self.app.push_screen(SyncScreen(self.catalog, subscription), synced)

    def action_export_scope(self) -> None:
        from sigtui.ui.screens.transfer import ExportScreen

        node = self.selected()
        scope = node.data.node.arm_id if node and node.data else None
        self.app.push_screen(ExportScreen(self.catalog, scope, self.viewer))

    def action_limits(self) -> None:
        from sigtui.ui.screens.limits import LimitsScreen

        self.app.push_screen(LimitsScreen(self.catalog, self.viewer), self.jump_to)

    def action_costs(self) -> None:
        from sigtui.ui.screens.costs import CostScreen

        self.app.push_screen(CostScreen(self.catalog, self.viewer), self.jump_to)

    def action_cleanup(self) -> None:
        from sigtui.ui.screens.cleanup import CleanupScreen

        screen = CleanupScreen(self.catalog, self.viewer)
        self.app.push_screen(screen, lambda arm_id: self._after_writes(screen.deleted, arm_id))

    def action_advisor(self) -> None:
        from sigtui.ui.screens.advisor import AdvisedVersion, AdvisorResult, AdvisorScreen
        from sigtui.ui.screens.costs import version_label

        node = self.selected()
        entry = node.data.node if node and node.data else None
        version = None
        if entry is not None and entry.ref.kind == browse.VERSION and entry.arm_id:
            version = AdvisedVersion(entry.ref.pk, entry.arm_id, version_label(entry.arm_id))

        def done(result: AdvisorResult | None) -> None:
            if result is None:
                return
            self.jump_to(result.arm_id)
            if result.edit:
                from sigtui.ui.screens.forms import open_edit_form

                open_edit_form(self, prefill_replicas=result.replicas)

        self.app.push_screen(AdvisorScreen(self.catalog, version, self.viewer), done)

    def jump_to(self, arm_id: str | None) -> None:
        """Select the resource with this ARM id in the tree (expanding its ancestors); a
        filter on the tree goes, as the resource may not match it."""
        if arm_id and self._sees(arm_id):
            if self.tree.filter_text:
                self.prompt.close()
                self.tree.clear_filter(arm_id)
            else:
                self.tree.reveal(arm_id)

    def _sees(self, arm_id: str) -> bool:
        """Whether the tree shows the resource (it exists, and the principal viewed as
        reaches it); if not, says why."""
        try:
            if self.catalog.query(view_as.sees, arm_id, self.viewer):
                return True
        except CatalogError as error:  # deleted meanwhile by someone else
            self.notify(visible(error), severity="warning", markup=False)
            return False
        assert self.viewer is not None
        self.notify(
            f"{visible(self.viewer.principal)} has no role that reaches it.",
            severity="warning",
            markup=False,
        )
        return False
