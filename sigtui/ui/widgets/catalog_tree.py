"""The catalog tree: Tenant > Subscription > Resource group > Gallery > Definition > Version,
plus "Managed images" and "Snapshots" under each group. Children load on expand, in a
thread worker, so the UI never waits on the database. `reload_all` reads every open
level again (after a change made elsewhere) and keeps what is expanded and the cursor."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.cache import LRUCache
from textual.message import Message
from textual.strip import Strip
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.queries import browse, tree_filter, view_as
from sigtui.catalog.rules.access import Visibility
from sigtui.catalog.store.db import Catalog
from sigtui.safe_text import visible
from sigtui.ui.first_frame import first_level_shown

LOADING_HINT_SECONDS = 0.15

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

BADGE_STYLES = {
    "latest": "bold green",
    "excluded from latest": "yellow",
    "expired": "bold red",
}
STATE_STYLES = {"Failed": "bold red", "InProgress": "cyan", "Completed": "green", "Unknown": "dim"}
BUSY_RETRY_SECONDS = 0.5  # a reload asked for while the tree walks to a node waits this long
DRAWN_LINES = 1024  # lines kept drawn (`CatalogTree._render_line`): many screens of the tree


@dataclass
class TreeEntry:
    """What a tree node holds: the catalog node and whether its children are loaded."""

    node: browse.Node
    loaded: bool = False
    loading: bool = False  # a load is under way: never start a second one


def node_label(node: browse.Node) -> Text:
    """Name, then the flags a user scans for (latest, expired...), then the facts."""
    label = Text(visible(node.name), style="bold")
    for badge in node.badges:
        label.append(f" [{visible(badge)}]", style=BADGE_STYLES.get(badge, "italic"))
    if node.detail:
        label.append("  ")
        for i, part in enumerate(node.detail.split(" · ")):
            if i:
                label.append(" · ", style="dim")
            state = part.split(" ")[0]
            label.append(visible(part), style=STATE_STYLES.get(state, "dim"))
    return label


DETAIL_GAP = "  "  # between a node's name and badges and its facts
DETAIL_SEPARATOR = " · "  # between two facts


def _cuts(plain: str) -> list[int]:
    """Where a label may end: before its facts, and before each fact after the first."""
    cuts = [m.start() for m in re.finditer(re.escape(DETAIL_SEPARATOR), plain)]
    gap = plain.find(DETAIL_GAP)
    if gap > 0:
        cuts = [gap, *(c for c in cuts if c > gap)]
    return cuts


def fit_label(label: Text, room: int) -> Text:
    """`label` in `room` cells, never cut inside a word: its last facts go first (whole),
    then all of them; a name that still does not fit ends in an ellipsis."""
    if label.cell_len <= room:
        return label
    cuts = _cuts(label.plain)
    fitted = label
    while fitted.cell_len > room and cuts:
        fitted = label[: cuts.pop()]
    if fitted.cell_len > room:
        fitted = fitted.copy()
        fitted.truncate(max(1, room), overflow="ellipsis")
    return fitted


class CatalogTree(Tree[TreeEntry]):
    """A lazy tree over the catalog."""

    _measured: object = None  # the lines `_measured_width` was read for
    _measured_width = 0

    BINDINGS = [
        Binding("enter", "select_cursor", "Expand", show=False, id="tree.toggle"),
        Binding("R", "reload", "Reload", show=False, id="tree.reload"),
    ]

    class ChildrenLoaded(Message):
        def __init__(
            self,
            parent: TreeNode[TreeEntry],
            nodes: list[browse.Node],
            more: TreeNode[TreeEntry] | None = None,
        ) -> None:
            super().__init__()
            self.parent = parent
            self.nodes = nodes
            self.more = more  # the "more" node these children follow (a next page)

    class Reloaded(Message):
        def __init__(
            self,
            levels: view_as.Levels | None,
            opened: list[tuple[browse.NodeRef, int]],
            jumps: int,
        ) -> None:
            super().__init__()
            self.levels = levels  # None: the catalog could not be read
            self.opened = opened  # the nodes expanded when the reload began, and their sizes
            self.jumps = jumps  # how many jumps had begun by then

    class Narrowed(Message):
        def __init__(self, text: str, narrowed: tree_filter.Narrowed | None, jumps: int) -> None:
            super().__init__()
            self.text = text
            self.narrowed = narrowed  # None: the catalog could not be read
            self.jumps = jumps

    class FilterShown(Message):
        """The tree shows the matches of the filter `text` (or the whole catalog again)."""

        def __init__(self, text: str, count: int = 0, more: bool = False) -> None:
            super().__init__()
            self.text = text  # "": the filter was cleared
            self.count = count
            self.more = more  # more matched than the tree shows

    def __init__(self, catalog: Catalog, viewer: Visibility | None = None, **kwargs: Any) -> None:
        super().__init__("Catalog", **kwargs)
        self.filter_text = ""  # `/`: the tree shows what matches it, and their ancestors
        self._select_after_filter: str | None = None  # the ARM id a narrowing ends on
        self._narrowing = False  # a narrowing read is under way (one at a time)
        self.catalog = catalog
        self.viewer = viewer  # "view as": the tree as this principal sees it
        self._reveal_path: list[browse.NodeRef] = []
        self._revealed: TreeNode[TreeEntry] | None = None  # gets the cursor at the next refresh
        self._jumps = 0  # reveals and view switches begun: a reload begun before one is stale
        self._reloading = False
        self._read_again = False  # a change came while a reload read: what it read is stale
        self._select_after_reload: str | None = None  # the ARM id a reload ends on
        self.show_root = False
        self.guide_depth = 3
        self._drawn: LRUCache[tuple[Any, ...], Strip] = LRUCache(DRAWN_LINES)

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        """A line as Textual draws it, drawn again only when what it shows changed.
        Textual draws every line of the tree again whenever one node changes (expanded,
        its children added, collapsed): half a millisecond a line, 25 to 35 ms a frame
        at 160x50, two or three frames an expand. Here a line is kept by what it shows:
        its place; its node (its count of changes, which Textual moves on every change
        of its label, expansion, hover or selection); the nodes above it as its guides
        draw them (whether each is last of its siblings, hovered, selected: an
        ancestor's expansion does not move its children's lines); the cursor and hover,
        the width and the styles (all kept lines go when the styles change)."""
        lines = self._tree_lines
        if y >= len(lines):
            return super()._render_line(y, x1, x2, base_style)
        line = lines[y]
        key = (
            y,
            x1,
            x2,
            self.size.width,
            self.virtual_size.width,
            base_style,
            self._pseudo_class_state,
            self.cursor_line == y,
            self.hover_line == y,
            self.hover_line >= 0 and any(node._hover for node in line.path),
            line.last,
            line.node._id,
            line.node._updates,
            tuple((node._id, node.is_last, node._hover, node._selected) for node in line.path),
        )
        drawn = self._drawn.get(key)
        if drawn is None:
            drawn = self._drawn[key] = super()._render_line(y, x1, x2, base_style)
        return drawn

    def notify_style_update(self) -> None:
        self._drawn.clear()
        super().notify_style_update()

    def clear(self) -> Self:
        self._drawn.clear()  # node ids start again from 0
        return super().clear()

    def render_label(self, node: TreeNode[TreeEntry], base_style: Style, style: Style) -> Text:
        label = super().render_label(node, base_style, style)
        room = self.scrollable_content_region.width - self.guide_depth * _depth(node)
        return fit_label(label, room) if room > 0 else label

    def get_label_width(self, node: TreeNode[TreeEntry]) -> int:
        """The room of the node's label: `render_label` fits every label to its room, so
        the tree's lines are never wider than its content and nothing scrolls sideways.
        Textual measures every line it holds each time one changes, only to size that
        scroll (and the label's region, which it scrolls to vertically only): the room
        is the answer without measuring every label (a build of 900 lines took 11 to 14
        ms at Azure's limits, 5 ms without). Where there is no room, the label is drawn
        whole."""
        room = self._measured_content_width() - self.guide_depth * _depth(node)
        if room > 0:
            return room
        icon = self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE
        label = node.label
        plain = label.plain if isinstance(label, Text) else label
        return cell_len((icon if node.allow_expand else "") + plain)

    def _measured_content_width(self) -> int:
        """The width of the tree's content, read once per measure of all its lines (the
        tree keeps the list of lines it measures: a new one each time)."""
        lines = getattr(self, "_tree_lines_cached", None)
        if lines is None or self._measured is not lines:
            self._measured, self._measured_width = lines, self.scrollable_content_region.width
        return self._measured_width

    def on_mount(self) -> None:
        self.load_children(self.root)

    def load_children(self, parent: TreeNode[TreeEntry]) -> None:
        if parent.data is not None:
            parent.data.loading = True
        self._load_children(parent)

    @work(thread=True, group="tree")
    def _load_children(self, parent: TreeNode[TreeEntry]) -> None:
        if parent is self.root:
            nodes = self.catalog.query(view_as.roots, self.viewer)
        else:
            assert parent.data is not None
            now = self.catalog.clock.now()
            nodes = self.catalog.query(view_as.children, parent.data.node.ref, now, self.viewer)
        self.post_message(self.ChildrenLoaded(parent, nodes))

    def load_more(self, parent: TreeNode[TreeEntry], more: TreeNode[TreeEntry]) -> None:
        """Load the page of children behind a "more" node (browse.MORE)."""
        if more.data is not None and not more.data.loading:
            more.data.loading = True
            self._load_more(parent, more)

    @work(thread=True, group="tree")
    def _load_more(self, parent: TreeNode[TreeEntry], more: TreeNode[TreeEntry]) -> None:
        assert parent.data is not None and more.data is not None
        now = self.catalog.clock.now()
        nodes = self.catalog.query(
            browse.children, parent.data.node.ref, now, more.data.node.ref.after
        )
        self.post_message(self.ChildrenLoaded(parent, nodes, more))

    def on_tree_node_selected(self, event: Tree.NodeSelected[TreeEntry]) -> None:
        if _is_more(event.node) and event.node.parent:
            self.load_more(event.node.parent, event.node)

    def on_catalog_tree_children_loaded(self, message: ChildrenLoaded) -> None:
        parent = message.parent
        if message.more is not None:
            self._add_page(parent, message)
            return
        kept = self._cursor_ref_under(parent)
        if kept is not None:
            self._revealed = None  # the cursor goes to the new node with its ref
        parent.remove_children()
        for node in message.nodes:
            child = parent.add(node_label(node), TreeEntry(node), allow_expand=node.has_children)
            if node.ref == kept:
                self.call_after_refresh(self._put_cursor, child)
        if parent.data is not None:
            parent.data.loaded = True
            parent.data.loading = False
        if self._reveal_path:
            self._continue_reveal(parent)
        elif parent is self.root and self.cursor_node is None and parent.children:
            self.move_cursor(parent.children[0])
        if parent is self.root:
            self.app.call_after_refresh(first_level_shown, self.app)

    def _add_page(self, parent: TreeNode[TreeEntry], message: ChildrenLoaded) -> None:
        """A next page of children: in place of its "more" node, the cursor on its first."""
        more = message.more
        if more is None or more.parent is not parent:
            return  # the parent was reloaded meanwhile
        had_cursor = self.cursor_node is more
        more.remove()
        added = [
            parent.add(node_label(node), TreeEntry(node), allow_expand=node.has_children)
            for node in message.nodes
        ]
        if had_cursor and added:
            self.call_after_refresh(self._put_cursor, added[0])
        if self._reveal_path:
            self._continue_reveal(parent)

    def _cursor_ref_under(self, parent: TreeNode[TreeEntry]) -> browse.NodeRef | None:
        """The cursor's node when it is a child of `parent` (kept across a reload)."""
        cursor = self._cursor_target()
        if cursor is None or cursor.parent is not parent or cursor.data is None:
            return None
        return cursor.data.node.ref

    def reveal(self, arm_id: str) -> None:
        """Expand the tree down to the resource with this ARM id and select it."""
        self._select_after_reload = None  # this jump is the later one
        self._reveal_path = self.catalog.query(view_as.visible_path, arm_id, self.viewer)
        self._jumps += 1
        self._continue_reveal(self.root)

    def _continue_reveal(self, parent: TreeNode[TreeEntry]) -> None:
        """Walk the pending path as far as loaded children allow; load the next level."""
        node = parent
        while self._reveal_path:
            wanted = self._reveal_path[0]
            match = next((c for c in node.children if c.data and c.data.node.ref == wanted), None)
            if match is None:
                more = node.children[-1] if node.children else None
                if more is not None and _is_more(more):
                    self.load_more(node, more)  # on a later page: we continue when it comes
                elif node.data is None or node.data.loaded:
                    self._reveal_path = []  # not in the tree (deleted meanwhile)
                return
            self._reveal_path.pop(0)
            node = match
            if not self._reveal_path:
                # nodes just added get their line numbers at the next refresh
                self._revealed = node
                self.call_after_refresh(self._select_revealed, node)
                return
            if node.data is not None and not node.data.loaded:
                node.expand()  # its children load; we continue when they arrive
                return
            node.expand()

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[TreeEntry]) -> None:
        entry = event.node.data
        if entry is not None and not entry.loaded and not entry.loading:
            self.load_children(event.node)
            # only a slow load shows "loading…": a quick one would draw a frame for nothing
            self.set_timer(LOADING_HINT_SECONDS, lambda: self._show_loading(event.node))

    def _show_loading(self, node: TreeNode[TreeEntry]) -> None:
        if node.data is not None and node.data.loading and not node.children:
            node.add_leaf(Text("loading…", style="dim italic"))

    @property
    def selected_entry(self) -> TreeEntry | None:
        node = self.cursor_node
        return node.data if node is not None else None

    def refresh_node(self, node: TreeNode[TreeEntry] | None) -> None:
        """Reload a node's children (after a write under it)."""
        if node is None or node is self.root:
            self.load_children(self.root)
            return
        if node.data is not None:
            node.data.loaded = False
        self.load_children(node)

    def show_as(self, viewer: Visibility | None) -> None:
        """Show the tree as `viewer` sees it (None: the whole catalog), from the top."""
        self.viewer = viewer
        self.filter_text = ""
        self._reveal_path = []
        self._revealed = None
        self._select_after_reload = None
        self._jumps += 1
        self.clear()
        self.cursor_line = -1  # the first node of the new tree gets the cursor
        self.load_children(self.root)

    def _select_revealed(self, node: TreeNode[TreeEntry]) -> None:
        if node is not self._revealed:
            return  # a reload rebuilt the tree meanwhile, with the cursor on this node
        self._revealed = None
        self._put_cursor(node)
        self.scroll_to_node(node)

    # --- reloading every open level -------------------------------------------------------

    def reload_all(self, select: str | None = None) -> None:
        """Read the roots and the children of every expanded node again, then rebuild the
        tree with the same nodes expanded and the cursor where it was (or on its nearest
        ancestor still there), or on the resource with the ARM id `select` (one just
        saved: its ancestors are expanded as needed)."""
        if self.filter_text:
            self.narrow(self.filter_text, select)  # the matches as they are now
            return
        if select is not None:
            self._select_after_reload = select
        if self._reloading:
            self._read_again = True
            return
        if self._reveal_path:
            self.set_timer(BUSY_RETRY_SECONDS, self.reload_all)
            return
        self._reloading = True
        self._read_again = False
        self._read_levels(self._opened(), self._jumps)

    def _opened(self) -> list[tuple[browse.NodeRef, int]]:
        """The expanded nodes, each with how many children it shows (its "more" node
        not counted): how many pages were brought in."""
        return [
            (n.data.node.ref, sum(1 for c in n.children if not _is_more(c)))
            for n in self._expanded_nodes()
            if n.data is not None
        ]

    def _expanded_nodes(self) -> list[TreeNode[TreeEntry]]:
        found: list[TreeNode[TreeEntry]] = []
        pending = list(self.root.children)
        while pending:
            node = pending.pop()
            if node.is_expanded and node.data is not None and node.data.loaded:
                found.append(node)
                pending.extend(node.children)
        return found

    def _cursor_target(self) -> TreeNode[TreeEntry] | None:
        """The cursor's node, or the node a reveal is about to put the cursor on."""
        return self._revealed or self.cursor_node

    def _cursor_path(self) -> list[browse.NodeRef]:
        """The refs from the top of the tree down to the cursor's target."""
        path: list[browse.NodeRef] = []
        node = self._cursor_target()
        while node is not None and node.data is not None:
            path.insert(0, node.data.node.ref)
            node = node.parent
        return path

    @work(thread=True, group="tree")
    def _read_levels(self, opened: list[tuple[browse.NodeRef, int]], jumps: int) -> None:
        self.post_message(self.Reloaded(self.read_levels(opened), opened, jumps))

    def read_levels(self, opened: list[tuple[browse.NodeRef, int]]) -> view_as.Levels | None:
        """The roots and the children of each opened node, read again (None: the database
        is away for a moment, and the next change retries)."""
        try:
            now = self.catalog.clock.now()
            return self.catalog.query(view_as.levels, opened, now, self.viewer)
        except Exception:
            return None

    def on_catalog_tree_reloaded(self, message: Reloaded) -> None:
        self._reloading = False
        if self._read_again:
            self.reload_all()  # the catalog changed again while this read: stale
            return
        if message.levels is None:
            return
        if message.jumps != self._jumps or self._opened() != message.opened:
            self.reload_all()  # the user moved on meanwhile (a jump, a page): read again
            return
        cursor_path = self._cursor_path()
        self._revealed = None
        self.root.remove_children()
        self._add_levels(self.root, None, message.levels)
        select, self._select_after_reload = self._select_after_reload, None
        if select is None or not self._reveal_if_there(select):
            self._move_cursor_along(cursor_path)

    def _reveal_if_there(self, arm_id: str) -> bool:
        try:
            self.reveal(arm_id)
        except CatalogError:
            return False  # deleted meanwhile by someone else
        return True

    def _move_cursor_along(self, cursor_path: list[browse.NodeRef]) -> None:
        """The cursor on the node at the end of the path, or its nearest ancestor there."""
        target = self.root
        for ref in cursor_path:
            found = next((c for c in target.children if c.data and c.data.node.ref == ref), None)
            if found is None:
                break
            target = found
        if target is not self.root:
            self.call_after_refresh(self._put_cursor, target)
        elif self.root.children:
            self.call_after_refresh(self._put_cursor, self.root.children[0])

    def _put_cursor(self, node: TreeNode[TreeEntry]) -> None:
        """Move the cursor to `node`, and say it is highlighted even when it lands on the
        line it was on: after a rebuild that line holds a new node (the one saved, the
        sibling in a deleted one's place, the next page's first), which the details show."""
        line = self.cursor_line
        self.move_cursor(node)
        if self.cursor_line == line:
            self.post_message(self.NodeHighlighted(node))

    def _add_levels(
        self,
        parent: TreeNode[TreeEntry],
        ref: browse.NodeRef | None,
        levels: view_as.Levels,
        label: Callable[[browse.Node], Text] = node_label,
    ) -> None:
        for node in levels[ref]:
            child = parent.add(label(node), TreeEntry(node), allow_expand=node.has_children)
            if node.ref in levels and child.data is not None:
                child.data.loaded = True
                self._add_levels(child, node.ref, levels, label)
                child.expand()

    def action_reload(self) -> None:
        if self.filter_text:
            self.narrow(self.filter_text)
            return
        self.refresh_node(self.cursor_node.parent if self.cursor_node else None)

    # --- the filter (`/`) -----------------------------------------------------------------

    def narrow(self, text: str, select: str | None = None) -> None:
        """Show only what matches `text` (as the search finds it) and its ancestors, read
        in a worker; then the cursor on `select` (an ARM id), else where it was if that is
        still shown, else on the first match."""
        self.filter_text = text
        self._select_after_filter = select or self._select_after_filter
        self._reveal_path = []
        self._jumps += 1
        if not self._narrowing:  # else the text is read when the read under way ends
            self._narrowing = True
            self._read_narrowed(text, self._jumps)

    @work(thread=True, group="tree-filter")
    def _read_narrowed(self, text: str, jumps: int) -> None:
        try:
            now = self.catalog.clock.now()
            found = self.catalog.query(tree_filter.narrowed, text, now, self.viewer)
        except Exception:  # the database is away for a moment: the next keystroke retries
            found = None
        self.post_message(self.Narrowed(text, found, jumps))

    def on_catalog_tree_narrowed(self, message: Narrowed) -> None:
        self._narrowing = False
        found = message.narrowed
        if message.jumps != self._jumps and self.filter_text:
            self.narrow(self.filter_text)  # typed on meanwhile: read what is typed now
            return
        if found is None or message.text != self.filter_text or message.jumps != self._jumps:
            return  # stale: cleared, or jumped, meanwhile
        select, self._select_after_filter = self._select_after_filter, None
        keep = select or self._cursor_arm_id()
        self._revealed = None
        self.root.remove_children()
        self._add_levels(self.root, None, found.levels, _match_label(message.text, found.matched))
        target = self._shown(keep) or self._first_match(found.matched)
        if select is not None and self._shown(select) is None:
            self.clear_filter(select)  # just saved, and not a match: show it in the whole tree
            return
        if target is not None:
            self.call_after_refresh(self._put_cursor, target)
            self.call_after_refresh(self.scroll_to_node, target)
        self.post_message(self.FilterShown(message.text, found.count, found.more))

    def clear_filter(self, select: str | None = None) -> None:
        """The whole tree again, the cursor on `select` (an ARM id; by default the node it
        is on), its ancestors expanded."""
        select = select or self._cursor_arm_id()
        self.filter_text = ""
        self._select_after_filter = None
        self._reveal_path = []
        self._revealed = None
        self._jumps += 1
        self.clear()
        self.reload_all(select)
        self.post_message(self.FilterShown(""))

    def _cursor_arm_id(self) -> str | None:
        node = self.cursor_node
        return node.data.node.arm_id if node is not None and node.data is not None else None

    def _shown(self, arm_id: str | None) -> TreeNode[TreeEntry] | None:
        """The node of the resource with this ARM id, among those the tree shows."""
        if arm_id is None:
            return None
        folded = arm_id.casefold()
        return next(
            (n for n in self._nodes_in_order() if (n.data.node.arm_id or "").casefold() == folded),
            None,
        )

    def _first_match(self, matched: frozenset[browse.NodeRef]) -> TreeNode[TreeEntry] | None:
        return next((n for n in self._nodes_in_order() if n.data.node.ref in matched), None)

    def _nodes_in_order(self) -> list[Any]:
        """Every node added (top down, as shown): a narrowed tree holds at most its
        matches and their ancestors."""
        found: list[TreeNode[TreeEntry]] = []
        pending = list(reversed(self.root.children))
        while pending:
            node = pending.pop()
            if node.data is not None:
                found.append(node)
            pending.extend(reversed(node.children))
        return found


def _match_label(text: str, matched: frozenset[browse.NodeRef]) -> Callable[[browse.Node], Text]:
    """Labels of a narrowed tree: in a match's, the text underlined where it occurs."""
    pattern = re.compile(re.escape(visible(text)), re.IGNORECASE)

    def label(node: browse.Node) -> Text:
        shown = node_label(node)
        if node.ref in matched:
            shown.highlight_regex(pattern, style="underline reverse")
        return shown

    return label


def _is_more(node: TreeNode[TreeEntry]) -> bool:
    return node.data is not None and node.data.node.ref.kind == browse.MORE


def _depth(node: TreeNode[TreeEntry]) -> int:
    """How many levels above `node` are drawn as guides (the root is not shown)."""
    depth = 0
    parent = node.parent
    while parent is not None and parent.parent is not None:
        depth, parent = depth + 1, parent.parent
    return depth
