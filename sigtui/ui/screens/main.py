"""The main screen: the catalog tree on the left, the details of the selection on the right."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header, Tree
from textual.widgets.tree import TreeNode

from sigtui.catalog import browse, services
from sigtui.catalog.db import Catalog
from sigtui.catalog.errors import CatalogError
from sigtui.ui.commands import MainCommands, ResourceCommands
from sigtui.ui.screens.confirm import ConfirmScreen, MessageScreen
from sigtui.ui.widgets.catalog_tree import CatalogTree, TreeEntry
from sigtui.ui.widgets.details_pane import DetailsPane

WRITE_ACTIONS = frozenset({"new", "edit", "delete", "import_file"})

DELETERS: dict[str, Callable[..., None]] = {
    browse.GROUP: services.delete_group,
    browse.GALLERY: services.delete_gallery,
    browse.DEFINITION: services.delete_definition,
    browse.VERSION: services.delete_version,
    browse.MANAGED_IMAGE: services.delete_managed_image,
    browse.SNAPSHOT: services.delete_snapshot,
    browse.SUBSCRIPTION: services.delete_subscription,
}

KIND_NAMES = {
    browse.TENANT: "tenant",
    browse.SUBSCRIPTION: "subscription",
    browse.GROUP: "resource group",
    browse.GALLERY: "gallery",
    browse.DEFINITION: "image definition",
    browse.VERSION: "image version",
    browse.MANAGED_IMAGE: "managed image",
    browse.SNAPSHOT: "snapshot",
    browse.IMAGES: "managed images folder",
    browse.SNAPSHOTS: "snapshots folder",
    browse.MORE: "next page",
}


class MainScreen(Screen[None]):
    COMMANDS = {MainCommands, ResourceCommands}
    BINDINGS = [
        Binding("n", "new", "New", id="main.new"),
        Binding("e", "edit", "Edit", id="main.edit"),
        Binding("d", "delete", "Delete", id="main.delete"),
        Binding("c", "copy_id", "Copy id", id="main.copy_id"),
        Binding("slash", "filter", "Filter", key_display="/", id="main.filter"),
        Binding("v", "all_versions", "All versions", id="main.all_versions"),
        Binding("r", "replication", "Replication", id="main.replication"),
        Binding("l", "limits", "Limits", show=False, id="main.limits"),
        Binding("dollar_sign", "costs", "Costs", key_display="$", show=False, id="main.costs"),
        Binding("a", "advisor", "Advisor", show=False, id="main.advisor"),
        Binding("x", "cleanup", "Cleanup", show=False, id="main.cleanup"),
        Binding("I", "import_file", "Import", show=False, id="main.import"),
        Binding("E", "export_scope", "Export", show=False, id="main.export"),
        Binding("tab", "focus_next", "Switch pane", show=False, id="main.switch_pane"),
    ]

    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self.catalog = catalog

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main-panes"):
            yield CatalogTree(self.catalog, id="tree")
            yield DetailsPane(self.catalog, id="details")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(CatalogTree).focus()

    @property
    def tree(self) -> CatalogTree:
        return self.query_one(CatalogTree)

    @property
    def details(self) -> DetailsPane:
        return self.query_one(DetailsPane)

    @on(Tree.NodeHighlighted)
    def show_details(self, event: Tree.NodeHighlighted[TreeEntry]) -> None:
        entry = event.node.data
        self.details.show(entry.node.ref if entry else None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITE_ACTIONS and self.catalog.readonly:
            return None  # shown, greyed out: the catalog is read-only
        return True

    def selected(self) -> TreeNode[TreeEntry] | None:
        node = self.tree.cursor_node
        return node if node is not None and node.data is not None else None

    def action_copy_id(self) -> None:
        node = self.selected()
        arm_id = node.data.node.arm_id if node and node.data else None
        if not arm_id:
            self.notify("This node has no ARM id.", severity="warning")
            return
        self.app.copy_to_clipboard(arm_id)
        self.notify(arm_id, title="ARM id copied")

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
        question = f"Delete {kind} [b]{entry.name}[/b]?\n\n{entry.arm_id}\n\nThis cannot be undone."

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(node, deleter, kind)

        self.app.push_screen(ConfirmScreen(f"Delete {kind}", question), answered)

    def _delete(self, node: TreeNode[TreeEntry], deleter: Callable[..., None], kind: str) -> None:
        assert node.data is not None
        entry = node.data.node
        target = entry.arm_id or ""
        if entry.ref.kind == browse.SUBSCRIPTION:
            target = target.rsplit("/", 1)[-1]
        details = self.details.details
        etag = details.etag if details and self.details.ref == entry.ref else None
        try:
            with self.catalog.write() as db:
                deleter(db, target, if_match=str(etag) if etag is not None else None)
        except CatalogError as error:
            self.app.push_screen(MessageScreen(f"Cannot delete this {kind}", f"{error}"))
            return
        self.notify(f"Deleted {kind} {entry.name}.")
        self.tree.refresh_node(node.parent)

    def action_new(self) -> None:
        from sigtui.ui.screens.forms import open_create_form

        open_create_form(self)

    def action_edit(self) -> None:
        from sigtui.ui.screens.forms import open_edit_form

        open_edit_form(self)

    def action_filter(self) -> None:
        from sigtui.ui.screens.filter import FilterScreen

        self.app.push_screen(FilterScreen(self.catalog), self.jump_to)

    def action_all_versions(self) -> None:
        from sigtui.ui.screens.all_versions import AllVersionsScreen

        self.app.push_screen(AllVersionsScreen(self.catalog), self.jump_to)

    def action_replication(self) -> None:
        from sigtui.ui.screens.replication import ReplicationScreen

        self.app.push_screen(ReplicationScreen(self.catalog), self.jump_to)

    def action_import_file(self) -> None:
        from sigtui.ui.screens.transfer import ImportScreen

        def imported(changed: bool | None) -> None:
            if changed:
                self.tree.refresh_node(None)

        self.app.push_screen(ImportScreen(self.catalog), imported)

    def action_export_scope(self) -> None:
        from sigtui.ui.screens.transfer import ExportScreen

        node = self.selected()
        scope = node.data.node.arm_id if node and node.data else None
        self.app.push_screen(ExportScreen(self.catalog, scope))

    def action_limits(self) -> None:
        from sigtui.ui.screens.limits import LimitsScreen

        self.app.push_screen(LimitsScreen(self.catalog), self.jump_to)

    def action_costs(self) -> None:
        from sigtui.ui.screens.costs import CostScreen

        self.app.push_screen(CostScreen(self.catalog), self.jump_to)

    def action_cleanup(self) -> None:
        from sigtui.ui.screens.cleanup import CleanupScreen

        self.app.push_screen(CleanupScreen(self.catalog), self.jump_to)

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

        self.app.push_screen(AdvisorScreen(self.catalog, version), done)

    def jump_to(self, arm_id: str | None) -> None:
        """Select the resource with this ARM id in the tree (expanding its ancestors)."""
        if arm_id:
            self.tree.reveal(arm_id)
