"""The sigtui Textual app."""

from __future__ import annotations

from collections.abc import Iterable

from textual import work
from textual._context import active_message_pump
from textual.app import App, SystemCommand
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen
from textual.worker import WorkerFailed

from sigtui import crash_report
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.rules import access
from sigtui.catalog.store import reach
from sigtui.catalog.store.db import Catalog
from sigtui.safe_text import visible
from sigtui.ui import textual_fixes
from sigtui.ui.collector import collect_at_rest
from sigtui.ui.health import CatalogHealth, CatalogUnreachable, unreachable_line
from sigtui.ui.messages import CatalogChanged
from sigtui.ui.screens import forms
from sigtui.ui.screens.help import HelpScreen
from sigtui.ui.screens.main import MainScreen
from sigtui.ui.settings import keymap, load_settings, save_setting

textual_fixes.apply()

CHANGE_POLL_SECONDS = 2.0  # how soon a change made by another session shows


class SigtuiApp(App[None]):
    # Every screen's styles, parsed once at start: a screen of its own CSS_PATH makes
    # Textual parse every source again and restyle every screen as it first opens
    # (20 ms, and the screen under a dialog drawn anew to be dimmed).
    CSS_PATH = [
        "app.tcss",
        "screens.tcss",
        "health.tcss",
        "insights.tcss",
        "replication.tcss",
        "transfer.tcss",
        "forms.tcss",
    ]
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
        self.failure: str | None = None  # the one coded line the app ended on, if it failed
        self.health: CatalogHealth | None = None
        mode = " · read-only" if catalog.readonly else ""
        self.sub_title = f"{visible(catalog.display_name)}{mode}"

    def on_mount(self) -> None:
        if self.remember_theme:
            theme = load_settings().get("theme")
            if isinstance(theme, str) and theme in self.available_themes:
                self.theme = theme
            self.theme_changed_signal.subscribe(self, self._remember_theme)
        self.set_keymap(keymap())
        self.health = CatalogHealth(self, self.catalog, self.announce_change)
        self.push_screen(MainScreen(self.catalog, self.viewer))
        self.set_interval(CHANGE_POLL_SECONDS, self.watch_catalog)
        self.call_after_refresh(self._style_form_kinds)

    def _style_form_kinds(self) -> None:
        """The own styles of the kinds of widget forms are made of (Textual's DEFAULT_CSS,
        added to the app's stylesheet as the first of a kind mounts) parsed once the main
        screen is drawn, not as the first form opens: 10 ms of its opening."""
        for kind in forms.FORM_KINDS:
            sample = kind.__new__(kind)  # a class's styles; no widget made
            for read_from, css, tie_breaker, scope in sample._get_default_css():
                self.stylesheet.add_source(
                    css,
                    read_from=read_from,
                    is_default_css=True,
                    tie_breaker=tie_breaker,
                    scope=scope,
                )
        self.stylesheet.parse()

    def pop_screen(self) -> AwaitComplete:
        popped = super().pop_screen()
        self.call_after_refresh(collect_at_rest)  # the closed screen's objects, now
        return popped

    @work(thread=True, exclusive=True, group="catalog-watch")
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

    def on_unmount(self) -> None:
        if self.health is not None:
            self.health.close()

    def on_catalog_unreachable(self, message: CatalogUnreachable) -> None:
        if self.health is not None:
            self.health.lost(message.error)

    # --- failures: never Textual's traceback (it shows locals: the URL, its password) ------

    def _handle_exception(self, error: Exception) -> None:
        """Textual's hook for any exception a handler, a worker or a render let through.
        The catalog out of reach: the banner, and the app goes on where it can. A rule's
        refusal in a worker: a notification. Anything else: the app ends on one coded line,
        the traceback (masked) in the log file."""
        failure = error.error if isinstance(error, WorkerFailed) else error
        if not isinstance(failure, Exception):
            failure = error
        if reach.unreachable(failure) is not None and self._outlive_unreachable(error, failure):
            return
        if isinstance(error, WorkerFailed) and reach.vanished(failure):
            return  # a load raced a delete; the change that deleted it reloads the view
        if isinstance(error, WorkerFailed) and isinstance(failure, CatalogError):
            self.notify(visible(failure), severity="warning", markup=False)
            return
        self._end_on(crash_report.report(failure, self.catalog.url), failure)

    def _outlive_unreachable(self, error: Exception, failure: Exception) -> bool:
        """Whether the app can go on after the catalog was out of reach: a worker just
        did not finish; a handler's failure stopped the message loop of its screen or
        widget, and a screen pushed over the main one is closed, the main one cannot be."""
        if self.health is None:
            return False
        if not isinstance(error, WorkerFailed):
            stopped = _screen_of(active_message_pump.get(None))
            if stopped is None or stopped is not self.screen or isinstance(stopped, MainScreen):
                self._end_on(unreachable_line(self.catalog, failure), error)
                return True
            self.pop_screen()
        self.health.lost(failure)
        return True

    def _end_on(self, line: str, error: Exception) -> None:
        """Exit with `line` as the one thing said (by `sigtui`, on stderr), code 1."""
        if self.failure is None:
            self.failure = line
        self._return_code = 1
        if self._exception is None:  # what `run_test` raises again, for test frameworks
            self._exception = error
            self._exception_event.set()
        self._close_messages_no_wait()

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


def _screen_of(pump: object) -> Screen[object] | None:
    """The screen a message pump (a screen, a widget on one, the app) belongs to."""
    if isinstance(pump, Screen):
        return pump
    if isinstance(pump, DOMNode) and not isinstance(pump, App):
        node: DOMNode | None = pump
        while node is not None and not isinstance(node, Screen):
            node = node.parent if isinstance(node.parent, DOMNode) else None
        return node
    return None


def run_app(catalog: Catalog, *, view_as: str | None = None) -> str | None:
    """Run the app until it is quit; the one coded line it failed on (None: no failure)."""
    app = SigtuiApp(catalog, view_as=view_as)
    app.run()
    return app.failure
