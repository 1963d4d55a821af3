"""A Select whose current value is drawn by one widget, not three.

Textual's SelectCurrent composes three Statics: the value, and two arrows (one hidden):
with the Select and its overlay, six widgets a select, each styled, laid out and drawn
as a form opens. `FormSelect` draws the value and the arrow in one Static, in the place
and with the CSS of Textual's value Static (`#label`), so that it looks the same.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.color import Color
from textual.content import Content
from textual.geometry import Size
from textual.style import Style
from textual.widgets import Select, Static
from textual.widgets._select import NoSelection, SelectCurrent, SelectOverlay

from sigtui.ui.screens.forms.controls import StyledWhenAttached

ARROW_DOWN, ARROW_UP = "▼", "▲"
ARROW_ALPHA = 0.5  # Textual's arrows: `color: $foreground 50%`


class CurrentLine(Static):
    """The value (or the prompt) and, at the right end, the arrow."""

    ALLOW_SELECT = False

    def __init__(self, current: SelectCurrent) -> None:
        super().__init__(id="label")
        self.current = current

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """One line: the value is cut to fit, never wrapped (measured with the width of
        the last layout, a wider one after a resize, it would wrap to two)."""
        return 1

    def render(self) -> Content:
        label = self.current.label
        shown = self.current.placeholder if isinstance(label, NoSelection) else label
        text = shown.plain if isinstance(shown, Text) else str(shown)
        # not content_size: it looks the widget up in the screen's map, rebuilt if stale
        room = max(0, self.outer_size.width - self.styles.gutter.width - 1)
        # the value's own span keeps it a segment apart from the gap, as Textual's
        # Statics draw it (the same colour as the widget's)
        value = Content(text).truncate(room).stylize(Style(foreground=self.visual_style.foreground))
        gap = Content(" " * (room - value.cell_length))
        return value + gap + Content.styled(self._arrow(), self._arrow_style())

    def _arrow(self) -> str:
        select = self.current.parent
        return ARROW_UP if select is not None and select.has_class("-expanded") else ARROW_DOWN

    def _arrow_style(self) -> Style:
        foreground = Color.parse(self.app.theme_variables["foreground"])
        return Style(foreground=foreground.multiply_alpha(ARROW_ALPHA))


class OneLineCurrent(SelectCurrent):
    """Textual's SelectCurrent, its three Statics drawn as one (`CurrentLine`)."""

    def compose(self) -> ComposeResult:
        yield CurrentLine(self)

    def update(self, label: RenderableType | NoSelection) -> None:
        self.label = label
        self.has_value = not isinstance(label, NoSelection)
        self.query_one(CurrentLine).refresh()


class FormSelect(StyledWhenAttached, Select[str]):
    """A Select whose current value is `OneLineCurrent`."""

    def compose(self) -> ComposeResult:
        yield OneLineCurrent(self.prompt)
        yield SelectOverlay(type_to_search=self._type_to_search).data_bind(compact=Select.compact)

    def _watch_expanded(self, expanded: bool) -> None:
        super()._watch_expanded(expanded)
        for line in self.query(CurrentLine):
            line.refresh()  # its arrow
