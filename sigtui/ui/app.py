"""The sigtui Textual app."""

from __future__ import annotations

from collections.abc import Iterable

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from sigtui.catalog.rules import access
from sigtui.catalog.store.db import Catalog
from sigtui.safe_text import visible
from sigtui.ui.messages import CatalogChanged
from sigtui.ui.screens.help import HelpScreen
from sigtui.ui.screens.main import MainScreen
from sigtui.ui.settings import keymap, load_settings, save_setting

CHANGE_POLL_SECONDS = 2.0  # how soon a change made by another session shows


class SigtuiApp(App[None]):
    CSS_PATH = ["app.tcss", "screens.tcss"]
    TITLE = "sigtui"
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding(
            "ctrl+p",
            "command_palette",
            "Palette",
            show=False,
            priority=True,
            id="app.command_palette",
        ),
    ]

    def __init__(
        self, catalog: Catalog, *, remember_theme: bool = True, view_as: str | None = None
    ) -> None:
        """`view_as`: a principal's name or object id, to start in its view ("view as");
        an unknown one raises CatalogError (SIG-NOT-FOUND) before anything is shown."""
        super().__init__()
        self.catalog = catalog
        self.remember_theme = remember_theme
        self.viewer: access.Visibility | None = None
        if view_as:
            self.viewer = catalog.query(access.visibility, view_as)
        self.seen_change = catalog.change_marker()
        mode = " · read-only" if catalog.readonly else ""
        self.sub_title = f"{visible(catalog.display_name)}{mode}"

    def on_mount(self) -> None:
        if self.remember_theme:
            theme = load_settings().get("theme")
            if isinstance(theme, str) and theme in self.available_themes:
                self.theme = theme
            self.theme_changed_signal.subscribe(self, self._remember_theme)
        self.set_keymap(keymap())
        self.push_screen(MainScreen(self.catalog, self.viewer))
        self.set_interval(CHANGE_POLL_SECONDS, self.watch_catalog)

    @work(thread=True, exclusive=True, group="catalog-watch", exit_on_error=False)
    def watch_catalog(self) -> None:
        """Notice a change of the catalog by another session (the change marker moved on,
        and not only by this app's own saves, which show where they are made)."""
        marker, by_others = self.catalog.changed_since(self.seen_change)
        self.seen_change = marker
        if by_others:
            self.call_from_thread(self.announce_change)

    def announce_change(self) -> None:
        for screen in self.screen_stack:
            screen.post_message(CatalogChanged())

    def _remember_theme(self, theme: object) -> None:
        save_setting("theme", self.theme)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Help", "The keys of this screen and their binding ids (?)", self.action_help
        )

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        default = self.screen.__class__.__name__.removesuffix("Screen")
        self.push_screen(HelpScreen(self.screen, getattr(self.screen, "help_title", default)))


def run_app(catalog: Catalog, *, view_as: str | None = None) -> None:
    SigtuiApp(catalog, view_as=view_as).run()
