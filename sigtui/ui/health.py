"""When the catalog's database cannot be reached while the app runs: a banner on the screen
shown says so (`SIG-DB: cannot reach the catalog at <url without its password>: ...`), the
app retries by itself with a growing delay (a timer: nothing waits), and once the
database answers again the banner goes and the view is read again (DESIGN.md §3)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from sigtui import crash_report
from sigtui.catalog.store import reach
from sigtui.catalog.store.db import Catalog
from sigtui.safe_text import visible

RETRY_SECONDS = (1.0, 2.0, 4.0, 8.0, 15.0)  # then every 15 s


class DbBanner(Static):
    """The docked line saying that the catalog cannot be reached (styled in health.tcss)."""

    def __init__(self, text: str) -> None:
        super().__init__(text, id="db-banner", markup=False)


class CatalogUnreachable(Message, bubble=False):
    """A database error said the catalog cannot be reached (posted from any thread)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


def unreachable_line(catalog: Catalog, error: BaseException) -> str:
    """`SIG-DB: cannot reach the catalog at <url>: <first line>`, the password masked."""
    text = f"SIG-DB: cannot reach the catalog at {catalog.display_name}: {reach.first_line(error)}"
    return visible(crash_report.mask(text, catalog.url))


class CatalogHealth:
    """The app's view of whether its catalog can be reached, and the retries while not."""

    def __init__(self, app: App[Any], catalog: Catalog, reload: Callable[[], None]) -> None:
        self.app = app
        self.catalog = catalog
        self.reload = reload  # every screen that shows the catalog reads it again
        self.problem: str | None = None  # the SIG-DB line while the catalog is away
        self.attempts = 0  # retries failed since it went away
        self.retry_timer: Timer | None = None
        self._stop_watching = reach.watch(self.catalog, self._report)
        app.screen_change_signal.subscribe(app, self._on_screen_change)

    @property
    def down(self) -> bool:
        return self.problem is not None

    def close(self) -> None:
        self._stop_watching()

    def _report(self, error: BaseException) -> None:
        """From the engines' error hook, in any thread: tell the app's own thread."""
        if threading.get_ident() == self.app._thread_id:
            self.lost(error)
        else:
            self.app.post_message(CatalogUnreachable(error))

    def lost(self, error: BaseException) -> None:
        """The catalog cannot be reached: say so, and retry unless a retry is pending."""
        self.problem = unreachable_line(self.catalog, error)
        if self.retry_timer is None:
            self._schedule_retry()
        self._show()

    def _schedule_retry(self) -> None:
        delay = RETRY_SECONDS[min(self.attempts, len(RETRY_SECONDS) - 1)]
        self.retry_timer = self.app.set_timer(delay, self.retry, name="catalog-retry")

    def retry(self) -> None:
        """Try the catalog again now (in a thread: a connection may take its time)."""
        if self.retry_timer is not None:
            self.retry_timer.stop()
        self.app.run_worker(
            self._probe, thread=True, exclusive=True, group="catalog-retry", exit_on_error=False
        )

    def _probe(self) -> None:
        try:
            reach.probe(self.catalog)
        except Exception as error:
            self.app.call_from_thread(self._still_down, error)
        else:
            self.app.call_from_thread(self._restored)

    def _still_down(self, error: BaseException) -> None:
        self.attempts += 1
        self.problem = unreachable_line(self.catalog, error)
        self._schedule_retry()
        self._show()

    def _restored(self) -> None:
        self.problem, self.attempts, self.retry_timer = None, 0, None
        for screen in self.app.screen_stack:
            for banner in screen.query(DbBanner):
                banner.remove()
        self.reload()

    def _banner_text(self) -> str:
        delay = RETRY_SECONDS[min(self.attempts, len(RETRY_SECONDS) - 1)]
        return f"{self.problem} · retrying in {delay:g} s"

    def _show(self) -> None:
        self._show_on(self.app.screen)

    def _on_screen_change(self, screen: Screen[object]) -> None:
        if self.down:
            self._show_on(screen)

    def _show_on(self, screen: Screen[object]) -> None:
        found = screen.query(DbBanner)
        if found:
            found.first().update(self._banner_text())
        else:
            screen.mount(DbBanner(self._banner_text()))
