"""Textual's Header and Footer, doing only the work that shows and letting go of what
they no longer show.

Both keep themselves up to date by watching a reactive value: a header, the app's title
and sub-title; each key of a footer, the footer's `compact`. Textual forgets the watcher
of a removed widget only when the watched value next changes, and in sigtui none of these
ever changes. So every header of every screen opened, and every key of every footer
(a footer composes its keys again each time its bindings change), stayed in memory with
its styles and caches: after a few dozen screens at Azure's limits, 90,000 objects, and
full collections of the cycle collector that grew from 11 to 74 ms. A forced update
(`mutate_reactive`) makes Textual drop the watchers of closed widgets.

A footer also composed its keys again whenever its screen's bindings were refreshed: three
times as a screen opened, and again for the screen underneath (covered, not shown) and
for the screen closing, each key styled twice over. It now composes only for the screen
shown, and only when the keys it would show differ from those it shows.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.screen import Screen
from textual.widgets import Footer, Header


class AppHeader(Header):
    def on_unmount(self) -> None:
        # this header is closing: the forced update drops its watchers
        self.app.mutate_reactive(App.title)
        self.app.mutate_reactive(App.sub_title)


class AppFooter(Footer):
    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple[Any, ...] | None = None  # what the composed keys show

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if screen is self.app.screen:
            super().bindings_changed(screen)
        else:  # covered or closing: its bindings are refreshed when it is shown again
            self._bindings_ready = True

    async def recompose(self) -> None:
        keys = self._keys()
        if keys == self._shown:
            return
        self._shown = keys
        await super().recompose()
        # the keys composed before are removed by now: the forced update drops them
        self.mutate_reactive(Footer.compact)

    def _keys(self) -> tuple[Any, ...]:
        """What `Footer.compose` shows: the screen's active bindings, as displayed."""
        if not self._bindings_ready or not self.is_attached:
            return ()
        return tuple(
            (
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                binding.show,
                binding.group,
                binding.tooltip,
                enabled,
                tooltip,
            )
            for _, binding, enabled, tooltip in self.screen.active_bindings.values()
        )
