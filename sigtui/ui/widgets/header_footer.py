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
shown, and only when the keys it would show differ from those it shows; keys that differ
only in how they show (enabled or not, `f1` for help in a text field) are updated in place,
at once. Its keys are composed with it, so the screen's first frame shows them: Textual's
footer waited for the screen's bindings to be refreshed, then for a frame, and composed
them then, which laid the whole screen out again a frame later.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header
from textual.widgets._footer import FooterKey


class AppHeader(Header):
    def on_unmount(self) -> None:
        # this header is closing: the forced update drops its watchers
        self.app.mutate_reactive(App.title)
        self.app.mutate_reactive(App.sub_title)


class AppFooterKey(FooterKey):
    """Textual's key, born as its footer is (not compact): Textual's is born compact, so
    each key bound to the footer was styled three times as it mounted (as it came,
    compact, then not)."""

    compact = reactive(False)


class AppFooter(Footer):
    """Textual's footer, fitted to its width: when the keys do not fit, the screen's last
    keys drop first; `?` (help, which lists them all) and `q` stay, and so does ctrl+p."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple[Any, ...] | None = None  # what the composed keys show

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if screen is not self.app.screen:  # covered or closing: refreshed when shown again
            self._bindings_ready = True
        elif not (self._ready_for(screen) and self._updated_in_place()):
            super().bindings_changed(screen)  # composed again after the next frame

    def _ready_for(self, screen: Screen[Any]) -> bool:
        return self._bindings_ready and self.app.app_focus and screen is self.screen

    def on_resize(self) -> None:
        if self._bindings_ready and self.is_attached:
            self.call_after_refresh(self.recompose)

    async def recompose(self) -> None:
        if self._updated_in_place():
            return
        self._shown = self._keys()
        await super().recompose()
        # the keys composed before are removed by now: the forced update drops them
        self.mutate_reactive(Footer.compact)

    def _updated_in_place(self) -> bool:
        """Whether the keys shown are those to show, brought up to date if they are the
        same actions in the same order (a key enabled or not, `f1` shown for help in a
        text field): each key widget takes its new values, none composed again."""
        keys, shown = self._keys(), self._shown or ()
        if keys == shown:
            return True
        widgets = list(self.query_children(FooterKey))
        same_actions = [old[3] for old in shown] == [new[3] for new in keys]
        if not same_actions or len(widgets) != len(keys):
            return False
        for widget, old, new in zip(widgets, shown, keys, strict=True):
            if old != new:
                _show_key(widget, new, resized=old[1:3] != new[1:3])
        self._shown = keys
        return True

    def compose(self) -> ComposeResult:
        if not self._bindings_ready and self.screen is self.app.screen:
            self._bindings_ready = True  # the keys in the screen's first frame
            self._shown = self._keys()
        if not self._bindings_ready:
            return
        for binding, enabled, tooltip in self._fitted():
            yield AppFooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            ).data_bind(compact=Footer.compact)
        palette = self._palette_key()
        if palette is not None:
            binding, enabled, tooltip = palette
            yield FooterKey(  # compact, not bound to the footer's `compact`: as Textual's
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not enabled,
                tooltip=tooltip or binding.description,
            )

    def _fitted(self) -> list[Shown]:
        return fitted_keys(self._shown_bindings(), self._room(), self.app.get_key_display)

    def _shown_bindings(self) -> list[Shown]:
        """The bindings Textual's footer would show, one per action, in its order."""
        by_action: dict[str, Shown] = {}
        for _, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show:
                by_action.setdefault(binding.action, (binding, enabled, tooltip))
        return list(by_action.values())

    def _palette_key(self) -> Shown | None:
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            return None
        active = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if active is None:
            return None
        return active.binding, active.enabled, active.tooltip

    def _room(self) -> int:
        """The cells for the keys: the footer's width less the palette key's."""
        width = self.size.width or self.app.size.width
        palette = self._palette_key()
        if palette is not None:
            width -= key_width(self.app.get_key_display(palette[0]), palette[0].description) + 2
        return width

    def _keys(self) -> tuple[Any, ...]:
        """What `compose` shows: the keys that fit, as displayed."""
        if not self._bindings_ready or not self.is_attached:
            return ()
        palette = self._palette_key()
        return tuple(
            (
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                binding.id,
                enabled,
                tooltip,
            )
            for binding, enabled, tooltip in [
                *self._fitted(),
                *([palette] if palette else []),
            ]
        )


Shown = tuple[Binding, bool, str]  # a binding, whether it is enabled, its tooltip
KEPT_IDS = ("app.help", "app.quit")  # never dropped: help lists every key dropped


def _show_key(widget: FooterKey, key: tuple[Any, ...], resized: bool) -> None:
    """`widget` showing `key` (as `AppFooter._keys` gives it; the palette's key has its
    description for a tooltip when it has none, as `AppFooter.compose` gives it)."""
    widget.key, widget.key_display, widget.description, widget.action, _, enabled, tip = key
    widget._disabled = not enabled
    widget.set_class(not enabled, "-disabled")
    palette = widget.has_class("-command-palette")
    widget.tooltip = tip or (widget.description if palette else None)
    widget.refresh(layout=resized)


def key_width(key_display: str, description: str) -> int:
    """A footer key's cells: ` k ` then `Description `."""
    return len(key_display) + 2 + (len(description) + 1 if description else 0)


def fitted_keys(keys: list[Shown], room: int, display: Callable[[Binding], str]) -> list[Shown]:
    """`keys` without the last ones that do not fit in `room` cells (the kept ones never
    go), in their order; `display` shows a binding's key."""
    widths = [key_width(display(binding), binding.description) for binding, _, _ in keys]
    shown = list(range(len(keys)))
    droppable = [i for i in shown if keys[i][0].id not in KEPT_IDS]
    while sum(widths[i] for i in shown) > room and droppable:
        shown.remove(droppable.pop())
    return [keys[i] for i in shown]
