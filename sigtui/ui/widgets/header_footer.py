"""Textual's Header and Footer, letting go of what they no longer show.

Both keep themselves up to date by watching a reactive value: a header, the app's title
and sub-title; each key of a footer, the footer's `compact`. Textual forgets the watcher
of a removed widget only when the watched value next changes, and in sigtui none of these
ever changes. So every header of every screen opened, and every key of every footer
(the main screen's footer composes its keys again each time its bindings change), stayed
in memory with its styles and caches: after a few dozen screens at Azure's limits,
90,000 objects, and full collections of the cycle collector that grew from 11 to 74 ms.
A forced update (`mutate_reactive`) makes Textual drop the watchers of closed widgets.
"""

from __future__ import annotations

from textual.app import App
from textual.widgets import Footer, Header


class AppHeader(Header):
    def on_unmount(self) -> None:
        # this header is closing: the forced update drops its watchers
        self.app.mutate_reactive(App.title)
        self.app.mutate_reactive(App.sub_title)


class AppFooter(Footer):
    async def recompose(self) -> None:
        await super().recompose()
        # the keys composed before are removed by now: the forced update drops them
        self.mutate_reactive(Footer.compact)
