"""A new screen's widgets styled once, not twice, and laid out once, not twice, as it opens.

Textual styles each widget as it mounts, then restyles the whole screen as it is first
shown (its ScreenResume): every widget again, though nothing changed in between but the
screen itself (styled before its stack and its CSS were in place) and the focus (whose
change restyles what it touches on its own). For a form of a hundred widgets that second
pass is about a sixth of its opening. On its first resume a screen restyles itself alone;
every later resume (back from a dialog) does as Textual does.

Textual also lays a screen out as it is shown, then sends it a Resize of the size it was
just laid out at (it is "newly shown"), and the screen's Resize handler lays it out again,
and every screen under it too (the main screen, for a dialog). A Resize of the size the
screen already has is dropped here; a real one (the terminal's) still lays out all.
(Textual's handler also sets its breakpoint classes, which sigtui does not use.)
"""

from __future__ import annotations

from typing import Any, cast

from textual import events
from textual.screen import Screen


class StyledOnce:
    """Put before Textual's Screen or ModalScreen in a screen's bases. Not a DOMNode:
    Textual takes a widget's CSS type names and default CSS from its first DOMNode base."""

    _resumed = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """Textual calls this before Screen's own handler (a handler per class of the MRO),
        with the same event: Screen's then restyles nothing."""
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False
            screen = cast(Screen[Any], self)
            screen.app.stylesheet.apply(screen)

    async def _on_resize(self, event: events.Resize) -> None:
        """Textual calls this before Screen's own handler (a handler per class of the
        MRO); preventing the default skips Screen's, not the subclasses' `on_resize`."""
        if event.size == cast(Screen[Any], self).outer_size:
            event.prevent_default()
