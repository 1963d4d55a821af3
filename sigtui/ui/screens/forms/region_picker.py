"""A region picker: type any of a region's names, pick from the regions that match.

The text may be a programmatic name (`westeurope`), an English display name (`West
Europe`) or the source document's French name (`Europe Ouest`); the suggestions come from
`regions.search_regions`, limited to the regions the field allows (e.g. the regions of the
subscription's cloud). up/down move in the suggestions, enter picks, escape closes
them; the focus stays in the text, so tab moves on as in any other field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.rules.regions import Region, find_region, search_regions
from sigtui.ui.screens.forms.controls import FormInput
from sigtui.ui.screens.forms.fields import VALID, Check, FormField, error_text

RegionFilter = Callable[[Region], bool]
MAX_SUGGESTIONS = 8


def any_region(region: Region) -> bool:
    return True


def in_cloud(cloud: str) -> RegionFilter:
    return lambda region: region.cloud == cloud


def source_region_in(cloud: str) -> RegionFilter:
    """Where galleries, definitions and versions may live (SIG-SOURCE-REGIONS, SIG-CLOUD)."""
    return in_cloud(cloud)  # today every region of the cloud can hold them


def region_text(name: str | None) -> str:
    """What the picker shows for a stored region name: its display name."""
    if not name:
        return ""
    region = find_region(name)
    return region.display_name if region else name


def suggestion_label(region: Region) -> Text:
    label = Text(region.display_name, style="bold")
    label.append(f"  {region.name}", style="dim")
    if region.french_name:
        label.append(f" · {region.french_name}", style="dim italic")
    return label


class Suggestions(OptionList, can_focus=False):
    """The matches under the text (an overlay: it covers, not pushes, what is below)."""


class RegionPicker(Vertical):
    BINDINGS = [
        Binding("down", "move(1)", "Next region", show=False, id="region.next"),
        Binding("up", "move(-1)", "Previous region", show=False, id="region.previous"),
        Binding("escape", "close", "Close the list", id="region.close"),
    ]

    class Changed(Message):
        """The text now names `region` (None: no allowed region by that name)."""

        def __init__(self, picker: RegionPicker, region: Region | None) -> None:
            super().__init__()
            self.picker = picker
            self.region = region

        @property
        def control(self) -> RegionPicker:
            return self.picker

    def __init__(
        self,
        value: str | None = None,
        *,
        allowed: RegionFilter = any_region,
        placeholder: str = "type a region: westeurope, West Europe, Europe Ouest…",
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(id=id, classes=classes, disabled=disabled)
        self.allowed = allowed
        self.initial = region_text(value)
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        yield FormInput(self.initial, placeholder=self.placeholder, compact=True, classes=VALID)

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @property
    def suggestions(self) -> Suggestions:
        """The list of matches, mounted the first time it is asked for: most pickers of a
        form never show one, and a hidden list is still styled as the form opens."""
        found = self.query(Suggestions)
        if found:
            return found.first()
        suggestions = Suggestions(classes="region-suggestions")
        self.mount(suggestions)
        return suggestions

    @property
    def text(self) -> str:
        return self.input.value.strip()

    @property
    def chosen_region(self) -> Region | None:
        """The allowed region the text names, if any."""
        region = find_region(self.text) if self.text else None
        return region if region is not None and self.allowed(region) else None

    @property
    def value(self) -> str | None:
        """The programmatic name of the region, or the text as typed (the service judges)."""
        region = self.chosen_region
        return region.name if region else (self.text or None)

    def set_region(self, name: str | None) -> None:
        self.input.value = region_text(name)
        self._close()

    def set_allowed(self, allowed: RegionFilter) -> None:
        self.allowed = allowed
        self.post_message(self.Changed(self, self.chosen_region))

    def matches(self, text: str) -> list[Region]:
        found = search_regions(text) if text else []
        return [region for region in found if self.allowed(region)][:MAX_SUGGESTIONS]

    def focus(self, scroll_visible: bool = True) -> RegionPicker:
        self.input.focus(scroll_visible)
        return self

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self.input.has_focus:
            self._suggest(event.value.strip())
        self.post_message(self.Changed(self, self.chosen_region))

    def _suggest(self, text: str) -> None:
        regions = self.matches(text)
        exact = find_region(text)
        suggestions = self.suggestions
        suggestions.clear_options()
        if not regions or (len(regions) == 1 and exact is regions[0]):
            self._close()
            return
        suggestions.add_options([Option(suggestion_label(r), id=r.name) for r in regions])
        suggestions.highlighted = 0
        suggestions.display = True
        self.refresh_bindings()

    def _close(self) -> None:
        for suggestions in self.query(Suggestions):
            suggestions.display = False
        self.refresh_bindings()

    @property
    def is_open(self) -> bool:
        return any(suggestions.display for suggestions in self.query(Suggestions))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """up, down and escape belong to the suggestions only while they show (else the
        form's escape cancels, and shows in the footer)."""
        if action in ("move", "close"):
            return self.is_open
        return True

    def action_move(self, delta: int) -> None:
        suggestions = self.suggestions
        if delta > 0:
            suggestions.action_cursor_down()
        else:
            suggestions.action_cursor_up()

    def action_close(self) -> None:
        self._close()

    @on(Input.Submitted)
    def _pick_highlighted(self, event: Input.Submitted) -> None:
        if not self.is_open:
            return
        event.stop()
        option = self.suggestions.highlighted_option
        if option is not None and option.id:
            self._pick(option.id)

    @on(OptionList.OptionSelected)
    def _pick_clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self._pick(event.option.id)
            self.input.focus()

    def _pick(self, name: str) -> None:
        self.input.value = region_text(name)
        self.input.cursor_position = len(self.input.value)
        self._close()

    @on(Input.Blurred)
    def _tidy(self, event: Input.Blurred) -> None:
        self._close()
        region = find_region(self.text) if self.text else None
        if region is not None and self.input.value != region.display_name:
            self.input.value = region.display_name


class RegionField(FormField):
    """A form field holding a region picker; `check` is the rule the service applies
    to it (e.g. rules.check_source_location), run live when the text is left."""

    def __init__(
        self,
        key: str,
        label: str,
        value: str | None = None,
        *,
        allowed: RegionFilter = any_region,
        check: Check | None = None,
        **options: Any,
    ) -> None:
        super().__init__(key, label, **options)
        self.initial = value
        self.allowed = allowed
        self.check = check
        self.fixed = self.disabled  # disabled from the start: it stays so (an edit's)

    def compose_control(self) -> ComposeResult:
        if self.fixed:
            self.shown_value = region_text(self.initial)
            return
        yield RegionPicker(self.initial, allowed=self.allowed, id=f"region-{self.key}")

    @property
    def picker(self) -> RegionPicker:
        return self.query_one(f"#region-{self.key}", RegionPicker)

    @property
    def text(self) -> str:
        return (self.initial or "") if self.fixed else self.picker.text

    @property
    def value(self) -> str | None:
        chosen = self.initial if self.fixed else self.picker.value
        return chosen or ("" if self.required else None)

    def set_rules(self, allowed: RegionFilter, check: Check | None) -> None:
        self.allowed = allowed
        self.check = check
        if not self.fixed:
            self.picker.set_allowed(allowed)

    @on(RegionPicker.Changed)
    def _clear_when_known(self, event: RegionPicker.Changed) -> None:
        if event.region is not None or not event.picker.text:
            self.clear_error()

    @on(Input.Blurred)
    def _check_when_left(self, event: Input.Blurred) -> None:
        self.recheck()

    def recheck(self) -> None:
        if self.text:  # a blank one is refused on save, not as it is left
            for error in self.problems()[:1]:
                self.show_error(error_text(error))

    def problems(self) -> list[CatalogError]:
        text = self.text
        if self.check is None or not (text or self.required):
            return []
        try:
            self.check(text)
        except CatalogError as error:
            if not text:  # the rule's code, in words that fit a blank field
                return [CatalogError(error.code, f"{self.label} is required", field=self.key)]
            return [error]
        return []
