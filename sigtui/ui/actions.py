"""The main screen's actions, declared once: each one's key binding (its id, key and
title, which the footer and the help screen `?` show), its command-palette entry and
whether it writes. MainScreen's BINDINGS and the palette's commands are made from
MAIN_ACTIONS, in its order. Users remap a key by its binding id (the "keymap" setting):
an id never changes.

`MainView` is what the forms and the palette use of the main screen: they cannot import
the screen, which opens them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from textual.binding import Binding, BindingType

if TYPE_CHECKING:
    from textual.app import App
    from textual.notifications import SeverityLevel
    from textual.widgets.tree import TreeNode

    from sigtui.catalog.rules.access import Visibility
    from sigtui.catalog.store.db import Catalog
    from sigtui.ui.widgets.catalog_tree import CatalogTree, TreeEntry


@dataclass(frozen=True)
class Action:
    action: str  # what runs: the main screen's action_<action>, or "app.<action>"
    title: str  # the binding's description, in the footer and the help screen
    binding_id: str | None = None  # None: no key of the main screen's own
    key: str | None = None
    key_display: str | None = None
    show: bool = True  # in the footer
    palette: str | None = None  # the command palette's title (None: not offered there)
    help: str = ""  # the palette's line under the title
    writes: bool = False  # greyed out when the catalog is read-only

    def binding(self) -> Binding:
        assert self.key is not None and self.binding_id is not None
        return Binding(
            self.key,
            self.action,
            self.title,
            show=self.show,
            key_display=self.key_display,
            id=self.binding_id,
        )


MAIN_ACTIONS = (
    Action(
        "new",
        "New",
        "main.new",
        "n",
        palette="New resource",
        help="Create a resource under the selected node",
        writes=True,
    ),
    Action(
        "edit",
        "Edit",
        "main.edit",
        "e",
        palette="Edit",
        help="Edit the selected resource",
        writes=True,
    ),
    Action(
        "delete",
        "Delete",
        "main.delete",
        "d",
        palette="Delete",
        help="Delete the selected resource (asks first)",
        writes=True,
    ),
    Action(
        "share",
        "Share",
        "main.share",
        "s",
        palette="Share…",
        help="Who has access to the selected resource; add, remove (SIG-ACCESS)",
        writes=True,
    ),
    Action(
        "view_as",
        "View as",
        palette="View as principal…",
        help="Show the tree as a user, group or service principal sees it; writes need its role",
    ),
    Action(
        "stop_view_as",
        "Stop viewing as",
        palette="Stop viewing as",
        help="Show the whole catalog again; writes as yourself",
    ),
    Action(
        "copy_id",
        "Copy id",
        "main.copy_id",
        "c",
        palette="Copy ARM id",
        help="Copy the selected resource's ARM id (OSC 52, and a file)",
    ),
    Action(
        "filter",
        "Filter",
        "main.filter",
        "slash",
        key_display="/",
        palette="Filter the tree",
        help="Narrow the tree as you type: name, publisher, offer, SKU or region; esc clears",
    ),
    Action(
        "clear_filter",
        "Clear filter",
        "main.clear_filter",
        "escape",
        key_display="esc",
        palette="Clear the tree filter",
        help="The whole tree again, the cursor where it was",
    ),
    Action(
        "jump",
        "Jump",
        "main.jump",
        "colon",
        key_display=":",
        show=False,
        palette="Jump to…",
        help="Go to a resource by name (completed as you type) or by ARM id",
    ),
    Action(
        "find",
        "Find",
        "main.find",
        "f",
        show=False,
        palette="Find across subscriptions",
        help="Every resource matching a name, publisher, offer, SKU or region, in a list",
    ),
    Action(
        "json",
        "JSON",
        "main.json",
        "j",
        show=False,
        palette="Show JSON",
        help="The selected resource as `sigtui … show -o json` (az show) prints it",
    ),
    Action(
        "copy_az",
        "Copy az command",
        "main.copy_az",
        "C",
        show=False,
        palette="Copy as az command",
        help="The az command that creates the selected resource, to the clipboard",
    ),
    Action(
        "all_versions",
        "All versions",
        "main.all_versions",
        "v",
        palette="All versions",
        help="Every image version across subscriptions, sortable",
    ),
    Action(
        "replication",
        "Replication",
        "main.replication",
        "r",
        palette="Replication",
        help="Every version x region in flight or failed, live; retry failures",
    ),
    Action(
        "limits",
        "Limits",
        "main.limits",
        "l",
        show=False,
        palette="Limits",
        help="Galleries, definitions and versions per subscription x region",
    ),
    Action(
        "costs",
        "Costs",
        "main.costs",
        "dollar_sign",
        key_display="$",
        show=False,
        palette="Costs",
        help="Monthly storage and one-time egress; a what-if calculator",
    ),
    Action(
        "advisor",
        "Advisor",
        "main.advisor",
        "a",
        show=False,
        palette="Replica advisor",
        help="Replicas for a deployment; checks the selected version",
    ),
    Action(
        "cleanup",
        "Cleanup",
        "main.cleanup",
        "x",
        show=False,
        palette="Cleanup",
        help="Versions and definitions past end of life; delete them",
    ),
    Action(
        "events",
        "Events",
        "main.events",
        "h",
        show=False,
        palette="Events",
        help="Who changed what and when, and each region's replication; newest first, live",
    ),
    Action(
        "import_file",
        "Import",
        "main.import",
        "I",
        show=False,
        palette="Import…",
        help="Import az or ARM JSON from a file (one transaction)",
        writes=True,
    ),
    Action(
        "sync_azure",
        "Sync from Azure",
        palette="Sync from Azure",
        help="Read galleries, definitions and versions from Azure (sigtui[azure]); "
        "the selected subscription, or every one",
        writes=True,
    ),
    Action(
        "export_scope",
        "Export",
        "main.export",
        "E",
        show=False,
        palette="Export…",
        help="Write the selected scope as an ARM template or az script",
    ),
    # its key is the tree's own binding (tree.reload)
    Action(
        "reload",
        "Reload",
        palette="Reload",
        help="Reload the selected node and its siblings from the catalog",
    ),
    Action("app.focus_next", "Switch pane", "main.switch_pane", "tab", show=False),
)

MAIN_BINDINGS: list[BindingType] = [
    action.binding() for action in MAIN_ACTIONS if action.key is not None
]
PALETTE_ACTIONS = tuple(action for action in MAIN_ACTIONS if action.palette is not None)
WRITE_ACTIONS = frozenset(action.action for action in MAIN_ACTIONS if action.writes)


@runtime_checkable
class MainView(Protocol):
    """The main screen, as the forms and the palette use it."""

    catalog: Catalog
    viewer: Visibility | None  # "view as": the principal whose view the tree shows

    @property
    def app(self) -> App[object]: ...

    @property
    def tree(self) -> CatalogTree: ...

    def selected(self) -> TreeNode[TreeEntry] | None: ...

    def jump_to(self, arm_id: str | None) -> None: ...

    def show_saved(self, arm_id: str) -> None: ...

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        markup: bool = True,
    ) -> None: ...
