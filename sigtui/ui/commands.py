"""The command palette (ctrl+p) of the main screen: every action, and "go to" any resource
by name, publisher, offer, SKU or region (the same search as `/`).

The app's own commands (help, theme, quit) come from `SigtuiApp.get_system_commands`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Sequence
from functools import partial
from typing import cast

from textual.app import App
from textual.command import (
    CommandPalette,
    DiscoveryHit,
    Hit,
    Hits,
    Provider,
    SimpleCommand,
    SimpleProvider,
)
from textual.content import Content
from textual.fuzzy import Matcher
from textual.screen import Screen

from sigtui.catalog.queries import search, view_as
from sigtui.safe_text import visible
from sigtui.ui.actions import PALETTE_ACTIONS, MainView
from sigtui.ui.text import plain
from sigtui.ui.widgets.catalog_tree import KIND_NAMES

RESOURCE_HITS = 20  # resources offered for one query


def _main_view(provider: Provider) -> MainView:
    """The screen the palette was opened on: these providers are the main screen's."""
    screen = provider.screen
    assert isinstance(screen, MainView), type(screen).__name__
    return screen


def highlighted(matcher: Matcher, value: str) -> Content:
    """`value` as text with the letters the query matched highlighted (Textual's own
    `Matcher.highlight` parses its candidate as markup)."""
    shown = visible(value)
    content = Content(shown)
    score, offsets = matcher.fuzzy_search.match(matcher.query, shown)
    if not score:
        return content
    for offset in offsets:
        if not shown[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def help_text(value: str) -> str:
    """A hit's help line from data, as text: Textual parses a hit's help as markup but
    takes a Content as it is (typed `str` only)."""
    return cast(str, plain(value))


class DataCommands(SimpleProvider):
    """`SimpleProvider` for commands named by data (principals): names and help as text."""

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_line in self._commands:
            if (score := matcher.match(visible(name))) > 0:
                yield Hit(
                    score,
                    highlighted(matcher, name),
                    callback,
                    text=visible(name),
                    help=help_text(help_line or ""),
                )

    async def discover(self) -> Hits:
        for name, callback, help_line in self._commands:
            yield DiscoveryHit(
                plain(name), callback, text=visible(name), help=help_text(help_line or "")
            )


def search_principals(
    app: App[object], commands: Sequence[SimpleCommand], placeholder: str
) -> None:
    """`App.search_commands` for commands named by data."""
    provider = DataCommands(app.screen, list(commands))
    # as App.search_commands does: a SimpleProvider instance is its own factory
    app.push_screen(CommandPalette(providers=[provider], placeholder=placeholder))  # type: ignore[list-item]


def _key_of(screen: Screen[object], action: str) -> str:
    for active in screen.active_bindings.values():
        if active.binding.action == action:
            return screen.app.get_key_display(active.binding)
    return ""


def _available(screen: Screen[object], action: str) -> bool:
    """False where the screen lacks or disables the action (e.g. writes when read-only)."""
    return hasattr(screen, f"action_{action}") and bool(screen.check_action(action, ()))


class MainCommands(Provider):
    """The main screen's actions, with their keys; writes are left out when read-only."""

    def _commands(self) -> Iterator[tuple[str, Callable[[], Awaitable[None]], str]]:
        screen = self.screen
        for command in PALETTE_ACTIONS:
            if not _available(screen, command.action):
                continue
            key = _key_of(screen, command.action)
            help_text = f"{command.help} ({key})" if key else command.help
            assert command.palette is not None
            yield command.palette, partial(self._run, command.action), help_text

    async def _run(self, action: str) -> None:
        await self.screen.run_action(action)

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
        screen = _main_view(self)
        viewer = screen.viewer  # "view as": what it sees only
        return screen.catalog.query(view_as.visible_matches, text, RESOURCE_HITS, viewer)

    async def search(self, query: str) -> Hits:
        text = query.strip()
        if not text:
            return
        matches = await asyncio.to_thread(self._find, text)
        matcher = self.matcher(text)
        jump_to = _main_view(self).jump_to
        for match in matches:
            kind = KIND_NAMES.get(match.kind, match.kind)
            display = Content.assemble(
                "Go to ", highlighted(matcher, match.name), (f"  {kind}", "dim")
            )
            yield Hit(
                _hit_score(match, matcher.match(match.name)),
                display,
                partial(jump_to, match.arm_id),
                text=f"Go to {visible(match.name)}",
                help=help_text(f"{match.parent_path} · {match.matched}"),
            )
