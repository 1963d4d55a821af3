"""A Select of two widgets, not six, its list made the first time it opens.

Textual's Select composes its current value (a SelectCurrent of three Statics: the value,
and two arrows, one hidden) and its list (a SelectOverlay, an OptionList of every option,
hidden until it opens): six widgets, each styled, laid out and drawn as a form opens,
and a list of options made for a list most forms never open. `FormSelect` composes only
its current value, drawn by the SelectCurrent itself (the value and the arrow, as
Textual's Statics draw them), and mounts its list as it first opens.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.color import Color
from textual.content import Content
from textual.geometry import Size
from textual.style import Style
from textual.widget import AwaitMount
from textual.widgets import Select
from textual.widgets._select import NoSelection, SelectCurrent, SelectOverlay

from sigtui.ui.screens.forms.controls import StyledWhenAttached

ARROW_DOWN, ARROW_UP = "▼", "▲"
ARROW_ALPHA = 0.5  # Textual's arrows: `color: $foreground 50%`
PROMPT_ALPHA = 0.5  # Textual's prompt (no value): `color: $foreground 50%`


class OneLineCurrent(SelectCurrent):
    """Textual's SelectCurrent, drawing its value (or the prompt) and, at the right end,
    the arrow itself: no Statics."""

    def compose(self) -> ComposeResult:
        return iter(())

    def update(self, label: RenderableType | NoSelection) -> None:
        self.label = label
        self.has_value = not isinstance(label, NoSelection)
        self.refresh()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """One line: the value is cut to fit, never wrapped."""
        return 1

    def render(self) -> Content:
        label = self.label
        shown = self.placeholder if isinstance(label, NoSelection) else label
        text = shown.plain if isinstance(shown, Text) else str(shown)
        room = max(0, self.content_region.width - 1)
        # the value's own span keeps it a segment apart from the gap, as Textual's
        # Statics draw it
        foreground = self.visual_style.foreground
        if foreground is not None and not self.has_value:
            foreground = foreground.multiply_alpha(PROMPT_ALPHA)
        value = Content(text).truncate(room).stylize(Style(foreground=foreground))
        gap = Content(" " * (room - value.cell_length))
        return value + gap + Content.styled(self._arrow(), self._arrow_style())

    def _arrow(self) -> str:
        select = self.parent
        return ARROW_UP if select is not None and select.has_class("-expanded") else ARROW_DOWN

    def _arrow_style(self) -> Style:
        foreground = Color.parse(self.app.theme_variables["foreground"])
        return Style(foreground=foreground.multiply_alpha(ARROW_ALPHA))


class FormSelect(StyledWhenAttached, Select[str]):
    """A Select of `OneLineCurrent`, its list (`SelectOverlay`) mounted as it opens."""

    _overlay_mounted: AwaitMount | None = None

    def compose(self) -> ComposeResult:
        yield OneLineCurrent(self.prompt)

    def _overlay(self) -> SelectOverlay | None:
        overlays = self.query_children(SelectOverlay)
        return overlays.first() if overlays else None

    async def _with_overlay(self) -> None:
        """The list, mounted and filled with the options, once."""
        if self._overlay_mounted is None:
            overlay = SelectOverlay(type_to_search=self._type_to_search)
            overlay.compact = self.compact  # (Textual binds it: the select's never changes)
            self._overlay_mounted = self.mount(overlay)
            await self._overlay_mounted
            super()._setup_options_renderables()
            return
        await self._overlay_mounted

    def _setup_options_renderables(self) -> None:
        """The list's options, once there is a list (`_with_overlay` fills it)."""
        if self._overlay() is not None:
            super()._setup_options_renderables()

    def _watch_value(self, value: str | NoSelection) -> None:
        """Textual's, the list's highlight moved only when there is a list."""
        self._value = value
        currents = self.query_children(SelectCurrent)
        if not currents:
            return
        current = currents.first()
        if value == self.NULL:
            current.update(self.NULL)
        else:
            for index, (prompt, option) in enumerate(self._options):
                if option == value:
                    overlay = self._overlay()
                    if overlay is not None:
                        overlay.highlighted = index
                    current.update(prompt)
                    break
        self.post_message(self.Changed(self, value))

    def _watch_prompt(self, prompt: str) -> None:
        if self._overlay() is not None:
            super()._watch_prompt(prompt)
        elif self.is_mounted:
            current = self.query_one(SelectCurrent)
            current.placeholder = prompt
            if self._allow_blank and self.value == self.NULL:
                current.update(self.NULL)

    def _watch_expanded(self, expanded: bool) -> None:
        super()._watch_expanded(expanded)
        for current in self.query_children(OneLineCurrent):
            current.refresh()  # its arrow

    @on(SelectCurrent.Toggle)
    async def _toggle_with_overlay(self, event: SelectCurrent.Toggle) -> None:
        """A click on the value: Textual's toggle, the list mounted first."""
        event.stop()
        event.prevent_default()  # not Select's own handler: it needs the list there
        await self._with_overlay()
        self.expanded = not self.expanded

    async def action_show_overlay(self) -> None:  # type: ignore[override]
        await self._with_overlay()
        super().action_show_overlay()
