"""The command palette (ctrl+p) of the main screen: every action, and "go to" any resource
by name, publisher, offer, SKU or region (the same search as `/`).

The app's own commands (help, theme, quit) come from `SigtuiApp.get_system_commands`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from sigtui.catalog.queries import search

if TYPE_CHECKING:
    from sigtui.ui.screens.main import MainScreen

RESOURCE_HITS = 20  # resources offered for one query


@dataclass(frozen=True)
class Command:
    title: str
    action: str  # an action of the main screen
    help: str


MAIN_COMMANDS = (
    Command("New resource", "new", "Create a resource under the selected node"),
    Command("Edit", "edit", "Edit the selected resource"),
    Command("Delete", "delete", "Delete the selected resource (asks first)"),
    Command("Share…", "share", "Who has access to the selected resource; add, remove (SIG-ACCESS)"),
    Command(
        "View as principal…",
        "view_as",
        "Show the tree as a user, group or service principal sees it; writes need its role",
    ),
    Command("Stop viewing as", "stop_view_as", "Show the whole catalog again; writes as yourself"),
    Command("Copy ARM id", "copy_id", "Copy the selected resource's ARM id"),
    Command(
        "Filter",
        "filter",
        "Find resources across all subscriptions by name, publisher, offer, SKU or region",
    ),
    Command("All versions", "all_versions", "Every image version across subscriptions, sortable"),
    Command(
        "Replication",
        "replication",
        "Every version x region in flight or failed, live; retry failures",
    ),
    Command("Limits", "limits", "Galleries, definitions and versions per subscription x region"),
    Command("Costs", "costs", "Monthly storage and one-time egress; a what-if calculator"),
    Command("Replica advisor", "advisor", "Replicas for a deployment; checks the selected version"),
    Command("Cleanup", "cleanup", "Versions and definitions past end of life; delete them"),
    Command("Import…", "import_file", "Import az or ARM JSON from a file (one transaction)"),
    Command("Export…", "export_scope", "Write the selected scope as an ARM template or az script"),
    Command("Reload", "reload", "Reload the selected node and its siblings from the catalog"),
)


def _main_screen(provider: Provider) -> MainScreen:
    """The screen the palette was opened on: these providers are the main screen's."""
    from sigtui.ui.screens.main import MainScreen  # it imports this module

    screen = provider.screen
    assert isinstance(screen, MainScreen), type(screen).__name__
    return screen


def _key_of(screen: MainScreen, action: str) -> str:
    for active in screen.active_bindings.values():
        if active.binding.action == action:
            return screen.app.get_key_display(active.binding)
    return ""


def _available(screen: MainScreen, action: str) -> bool:
    """False where the screen lacks or disables the action (e.g. writes when read-only)."""
    exists = action == "reload" or hasattr(screen, f"action_{action}")
    return exists and bool(screen.check_action(action, ()))


class MainCommands(Provider):
    """The main screen's actions, with their keys; writes are left out when read-only."""

    def _commands(self) -> Iterator[tuple[str, Callable[[], Awaitable[None]], str]]:
        screen = _main_screen(self)
        for command in MAIN_COMMANDS:
            if not _available(screen, command.action):
                continue
            key = _key_of(screen, command.action)
            help_text = f"{command.help} ({key})" if key else command.help
            yield command.title, partial(self._run, command.action), help_text

    async def _run(self, action: str) -> None:
        screen = _main_screen(self)
        if action == "reload":
            screen.tree.action_reload()
        else:
            await screen.run_action(action)

    async def discover(self) -> Hits:
        for title, run, help_text in self._commands():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, run, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, text=title, help=help_text)


def _hit_score(match: search.Match, name_score: float) -> float:
    """Fuzzy score of the name; resources found by another field (publisher, region...)
    come after those whose name matches."""
    if name_score > 0:
        return name_score
    return 0.2 if match.rank < search.OTHER else 0.1


class ResourceCommands(Provider):
    """Go to a resource: the catalog search, run in a thread, best matches first."""

    def _find(self, text: str) -> list[search.Match]:
        from sigtui.ui.screens.filter import visible_matches

        screen = _main_screen(self)
        catalog = screen.catalog
        viewer = screen.viewer  # "view as": what it sees only
        with catalog.read() as db:
            return visible_matches(db, text, RESOURCE_HITS, viewer)

    async def search(self, query: str) -> Hits:
        from sigtui.ui.screens.main import KIND_NAMES

        text = query.strip()
        if not text:
            return
        matches = await asyncio.to_thread(self._find, text)
        matcher = self.matcher(text)
        jump_to = _main_screen(self).jump_to
        for match in matches:
            kind = KIND_NAMES.get(match.kind, match.kind)
            display = Content.assemble(
                "Go to ", matcher.highlight(match.name), (f"  {kind}", "dim")
            )
            yield Hit(
                _hit_score(match, matcher.match(match.name)),
                display,
                partial(jump_to, match.arm_id),
                text=f"Go to {match.name}",
                help=f"{match.parent_path} · {match.matched}",
            )
