"""The base of sigtui's dialogs and forms: a ModalScreen that opens with one layout less
and draws the dimmed screen under it faster.

Textual lays a screen out as it is shown, then sends the screen a Resize of the size it
was just laid out at (it is "newly shown"), and the screen's Resize handler lays it out
again, and every screen under it too (the main screen, for a dialog). A form of a
hundred widgets spends about a quarter of its opening there. A Resize of the size the
screen already has is dropped here; a real one (the terminal's) still lays out all.

The screen under a dialog is drawn dimmed (twice per opening), its tint worked out
segment by segment: here once per style, the same segments (the main screen at 160x50:
620 segments, 145 styles; the tint 3.3 ms to 2.1 ms a drawing).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.color import Color
from textual.renderables.background_screen import BackgroundScreen
from textual.screen import ModalScreen

from sigtui.ui.screens.styled_once import StyledOnce

ResultType = TypeVar("ResultType")


class TintedOnce(BackgroundScreen):
    """Textual's dimmed screen, each distinct style tinted once (by Textual's own code)."""

    @classmethod
    def process_segments(cls, segments: Iterable[Segment], color: Color) -> Iterator[Segment]:
        tinted: dict[Style | None, Style | None] = {}
        for segment in segments:
            text, style, control = segment
            if control:
                yield segment
                continue
            if style not in tinted:
                probe = Segment(" ", style)
                tinted[style] = next(iter(BackgroundScreen.process_segments([probe], color))).style
            yield Segment(text, tinted[style], control)


class Modal(StyledOnce, ModalScreen[ResultType]):
    def render(self) -> RenderableType:
        drawn = super().render()
        if isinstance(drawn, BackgroundScreen):
            return TintedOnce(drawn.screen, drawn.color)
        return drawn

    async def _on_resize(self, event: events.Resize) -> None:
        """Textual calls this before Screen's own handler (a handler per class of the
        MRO); preventing the default skips Screen's, not the subclasses' `on_resize`."""
        if event.size == self.outer_size:
            event.prevent_default()
