"""A Select of one widget, not six, its list made the first time it opens.

Textual's Select composes its current value (a SelectCurrent of three Statics: the value,
and two arrows, one hidden) and its list (a SelectOverlay, an OptionList of every option,
hidden until it opens): six widgets, each styled, laid out and drawn as a form opens,
and a list of options made for a list most forms never open. `FormSelect` draws its
current value itself, as SelectCurrent looks (its box, from SelectCurrent's styles) and
as Textual's Statics draw it (the value, then the arrow), and mounts its list as it
first opens, placed where Textual's is: under the value, as wide as the select. What it
shows is Textual's, cell for cell (`tests/ui/test_form_select.py`), but for a disabled
select: Textual fades a disabled widget's own background twice (its colours, then its
lines), a child's once, so the value of a disabled FormSelect sits on a background a
shade darker (#171717 for #1a1a1a in the dark theme).
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.color import Color
from textual.content import Content
from textual.geometry import Size
from textual.style import Style
from textual.widget import AwaitMount
from textual.widgets import Select
from textual.widgets._select import NoSelection, SelectOverlay

from sigtui.ui.screens.forms.controls import StyledWhenAttached

ARROW_DOWN, ARROW_UP = "▼", "▲"
ARROW_ALPHA = 0.5  # Textual's arrows: `color: $foreground 50%`
PROMPT_ALPHA = 0.5  # Textual's prompt (no value): `color: $foreground 50%`


class FormSelectOverlay(SelectOverlay):
    """Textual's list of a select's options, drawn over what is under the select, as
    Textual's is (its Select draws nothing): not over the select's own background."""

    @property
    def background_colors(self) -> tuple[Color, Color]:
        select = self.parent
        assert isinstance(select, FormSelect)  # only a FormSelect mounts one
        under, _ = select.background_colors
        styles = self.styles
        return under, under + styles.background.tint(styles.background_tint)


class FormSelect(StyledWhenAttached, Select[str]):
    """Textual's Select drawing its current value itself, its list (`SelectOverlay`)
    mounted as it first opens."""

    # SelectCurrent's box, and Select's rules for it (`Select > SelectCurrent`), on the
    # select itself: Textual 8.2.8's, as they are
    DEFAULT_CSS = """
    FormSelect {
        border: tall $border-blurred;
        color: $foreground;
        background: $surface;
        padding: 0 2;
        pointer: pointer;

        &:ansi {
            border: tall $border-blurred;
            color: ansi_default;
            background: ansi_default;
            &:focus {
                border: tall $border;
            }
        }

        &.-textual-compact {
            padding: 0 1 0 0;
            border: none !important;
        }

        &:focus {
            border: tall $border;
            background-tint: $foreground 5%;
        }
    }
    """

    _overlay_mounted: AwaitMount | None = None
    label: RenderableType | NoSelection = Select.NULL
    has_value = False  # drawn as a value (else as the prompt)

    def compose(self) -> ComposeResult:
        return iter(())

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """One line: the value is cut to fit, never wrapped (the list, when open, lies
        over what is under it)."""
        return 1

    def render(self) -> Content:
        label = self.label
        shown = self.prompt if isinstance(label, NoSelection) else label
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
        return ARROW_UP if self.has_class("-expanded") else ARROW_DOWN

    def _arrow_style(self) -> Style:
        foreground = Color.parse(self.app.theme_variables["foreground"])
        return Style(foreground=foreground.multiply_alpha(ARROW_ALPHA))

    def _show(self, label: RenderableType | NoSelection, has_value: bool) -> None:
        self.label, self.has_value = label, has_value
        self.refresh()

    def _overlay(self) -> SelectOverlay | None:
        overlays = self.query_children(SelectOverlay)
        return overlays.first() if overlays else None

    async def _with_overlay(self) -> SelectOverlay:
        """The list, mounted and filled with the options, once."""
        if self._overlay_mounted is None:
            overlay = FormSelectOverlay(type_to_search=self._type_to_search)
            overlay.compact = self.compact  # (Textual binds it: the select's never changes)
            self._overlay_mounted = self.mount(overlay)
            await self._overlay_mounted
            super()._setup_options_renderables()
        else:
            await self._overlay_mounted
        mounted = self._overlay()
        assert mounted is not None
        return mounted

    def _setup_options_renderables(self) -> None:
        """The list's options, once there is a list (`_with_overlay` fills it)."""
        if self._overlay() is not None:
            super()._setup_options_renderables()

    def _watch_value(self, value: str | NoSelection) -> None:
        """Textual's, the list's highlight moved only when there is a list."""
        self._value = value
        if value == self.NULL:
            self._show(self.NULL, False)
        else:
            for index, (prompt, option) in enumerate(self._options):
                if option == value:
                    overlay = self._overlay()
                    if overlay is not None:
                        overlay.highlighted = index
                    self._show(prompt, True)
                    break
        self.post_message(self.Changed(self, value))

    def _watch_prompt(self, prompt: str) -> None:
        self.refresh()  # the prompt, if it shows
        overlay = self._overlay()
        if overlay is not None and self._allow_blank:
            overlay.replace_option_prompt_at_index(0, Text(prompt, style="dim"))

    def _watch_expanded(self, expanded: bool) -> None:
        """Textual's: the list shown (under the value, as wide as the select) or hidden."""
        overlay = self._overlay()
        if overlay is None:
            return
        self.set_class(expanded, "-expanded")
        if expanded:
            self._place(overlay)
            overlay.focus(scroll_visible=False)
            if self.value is self.NULL:
                overlay.select(None)
                self._show(self.label, False)
            else:
                for index, (_prompt, option) in enumerate(self._options):
                    if self.value == option:
                        overlay.select(index)
                        break
                self._show(self.label, True)
        else:
            self.refresh()  # its arrow

    def _place(self, overlay: SelectOverlay) -> None:
        """The list under the value, as wide as the select (laid out in the select's
        content, inside its border and padding)."""
        gutter = self.styles.gutter
        overlay.styles.offset = (-gutter.left, self.outer_size.height - gutter.top)
        overlay.styles.width = self.outer_size.width

    def on_resize(self) -> None:
        overlay = self._overlay()
        if overlay is not None and self.expanded:
            self._place(overlay)

    async def _on_click(self, event: events.Click) -> None:
        """A click on the value (not in its list): open or close the list, as Textual's
        SelectCurrent asks its Select to."""
        if event.widget is not self:
            return
        event.stop()
        await self._with_overlay()
        self.expanded = not self.expanded

    async def action_show_overlay(self) -> None:  # type: ignore[override]
        overlay = await self._with_overlay()
        self._show(self.label, True)
        self.expanded = True
        if overlay.highlighted is None:  # the list's first opening: its first option
            overlay.action_first()
