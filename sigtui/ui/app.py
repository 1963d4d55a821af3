"""The sigtui Textual app."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from sigtui.catalog.db import Catalog
from sigtui.ui.screens.help import HelpScreen
from sigtui.ui.screens.main import MainScreen
from sigtui.ui.settings import keymap, load_settings, save_setting


class SigtuiApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "sigtui"
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(self, catalog: Catalog, *, remember_theme: bool = True) -> None:
        super().__init__()
        self.catalog = catalog
        self.remember_theme = remember_theme
        mode = " · read-only" if catalog.readonly else ""
        self.sub_title = f"{catalog.display_name}{mode}"

    def on_mount(self) -> None:
        if self.remember_theme:
            theme = load_settings().get("theme")
            if isinstance(theme, str) and theme in self.available_themes:
                self.theme = theme
            self.theme_changed_signal.subscribe(self, self._remember_theme)
        self.set_keymap(keymap())
        self.push_screen(MainScreen(self.catalog))

    def _remember_theme(self, theme: object) -> None:
        save_setting("theme", self.theme)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(
            HelpScreen(self.screen, self.screen.__class__.__name__.removesuffix("Screen"))
        )


def run_app(catalog: Catalog) -> None:
    SigtuiApp(catalog).run()
