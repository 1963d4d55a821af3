"""The fields of a form: a label, a control, a hint and the error beside the control.

Every field has a `key`: the name of the schema field it fills, which is also the name a
CatalogError carries in `.field`; `aliases` are the other names a rule may use for it
(e.g. `vcpus_min` for `min_vcpus`). `value` is what the form passes to `schemas.build`:
raw text for numbers (pydantic turns "30" into 30, and anything else into SIG-INPUT),
parsed values for dates and tags (their parsers raise CatalogError with the field).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal

from rich.segment import Segment
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, SelectionList, Static, Switch
from textual.widgets import Select as TextualSelect

from sigtui.catalog.model.eol import eol_text
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.rules import checks
from sigtui.safe_text import visible
from sigtui.ui.screens.forms.controls import FormInput
from sigtui.ui.screens.forms.select import FormSelect
from sigtui.ui.widgets.data_table import cell
from sigtui.ui.widgets.shown_input import ControlPictures

Check = Callable[[str], object]
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
InputType = Literal["integer", "number", "text"]  # what Input's `type` takes
# An Input gets `-valid` as it mounts (it validates its first value), which restyles it:
# given from the start, that restyle is spared (an invalid value still swaps the class).
# (Not so `-textual-compact`: Textual's `compact` starts False, removing it first.)
VALID = "-valid"
LABEL_CELLS = 23  # a field's left padding (forms.tcss), less the gap before the control


def error_text(error: CatalogError) -> str:
    """How a refusal reads beside its field: `CODE: message`."""
    return f"{error.code}: {error.message}"


class RuleValidator(Validator):
    """Live validation by a domain rule: the failure reads `CODE: message`."""

    def __init__(self, check: Check) -> None:
        super().__init__()
        self.check = check

    def validate(self, value: str) -> ValidationResult:
        try:
            self.check(value)
        except CatalogError as error:
            return self.failure(error_text(error))
        return self.success()


def parse_tags(text: str, field: str = "tags") -> dict[str, str]:
    """`env=prod, team=images` -> {"env": "prod", "team": "images"}; blank -> {}."""
    tags: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise CatalogError("SIG-INPUT", f"tag {part.strip()!r} is not key=value", field=field)
        tags[key.strip()] = value.strip()
    return checks.check_tags(tags)


def tags_text(tags: dict[str, str] | None) -> str:
    return ", ".join(f"{key}={value}" for key, value in (tags or {}).items())


def parse_number_list(text: str, field: str) -> list[str]:
    """`100, 200` -> ["100", "200"] (schemas.build makes them ints)."""
    parts = [p.strip() for p in (text or "").split(",")]
    if not any(parts):
        return []
    for part in parts:
        if not checks.is_whole_number(part):
            raise CatalogError(
                "SIG-INPUT", f"{part!r} is not a whole number (a list like 100, 200)", field=field
            )
    return parts


@lru_cache(maxsize=256)
def wrapped(text: str, width: int) -> tuple[Content, ...]:
    """`text` cut into lines of `width` cells at most, as a Static wraps it."""
    return tuple(Content(text).wrap(width)) if text and width > 0 else ()


def overlaid(line: Strip, crop: Region, x: int, strip: Strip) -> Strip:
    """`line` (the cells `crop` takes of a row) with `strip` drawn from the row's cell `x`."""
    left, right = max(crop.x, x), min(crop.right, x + strip.cell_length)
    if left >= right:
        return line
    return Strip.join(
        [
            line.crop(0, left - crop.x),
            strip.crop(left - x, right - x),
            line.crop(right - crop.x, crop.width),
        ]
    )


class FormField(Vertical):
    """One row of a form. Subclasses compose the control and read its value.

    The control stacks in the field, right of its label; the field draws the label in
    its left padding (forms.tcss), the note under the control (the hint, or the error in
    its place) and, for a value that cannot change here, the value itself in place of a
    control (`shown_value`): no label, note or text widget and no row or column
    containers, since every widget a form holds is styled, laid out and drawn again and
    again as the form opens."""

    COMPONENT_CLASSES = {"form-field--label", "form-field--value", "form-field--note"}

    def __init__(
        self,
        key: str,
        label: str,
        *,
        hint: str = "",
        aliases: Iterable[str] = (),
        required: bool = False,
        disabled: bool = False,
        classes: str = "",
    ) -> None:
        no_note = "" if hint else " -no-note"
        super().__init__(
            id=f"field-{key}", classes=f"form-field{no_note} {classes}", disabled=disabled
        )
        self.key = key
        self.required = required
        self.names = frozenset({key, *aliases})
        self.label_text = f"{label} *" if required and not disabled else label
        self.hint = hint
        self.error = ""
        self.shown_value: str | None = None  # a value drawn as text, in place of a control

    def compose(self) -> ComposeResult:
        yield from self.compose_control()

    @property
    def note(self) -> str:
        """What the field draws under its control: the error, else the hint."""
        return self.error or self.hint

    def _show_note(self) -> None:
        """The note drawn anew. A field without a hint starts without a note (most have
        none): its empty row is a margin (forms.tcss) until one comes; from then on the
        note keeps a row, empty or not."""
        if self.note:
            self.remove_class("-no-note")
        self.refresh(layout=True)

    def compose_control(self) -> ComposeResult:
        raise NotImplementedError

    @on(events.DescendantFocus)
    @on(events.DescendantBlur)
    def _follow_focus(self) -> None:
        """Highlight the label while the focus is in the field: the field's own styles
        (its label's) change, not its children's, so only the field is styled again."""
        if self.has_class("-focus-within") != self.has_focus_within:
            self.set_class(self.has_focus_within, "-focus-within", update=False)
            self.app.stylesheet.apply(self)

    def _value_lines(self, width: int) -> tuple[Content, ...]:
        return () if self.shown_value is None else wrapped(visible(self.shown_value), width)

    def _note_lines(self, width: int) -> tuple[Content, ...]:
        if self.has_class("-no-note"):
            return ()
        return wrapped(visible(self.note, newlines=True), width) or (Content(""),)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """The control's rows, then the value's and the note's the field draws."""
        rows = super().get_content_height(container, viewport, width)
        return rows + len(self._value_lines(width)) + len(self._note_lines(width))

    def render_lines(self, crop: Region) -> list[Strip]:
        """The field's lines (its background, under its control) with what it draws
        itself written over them: its label, its value and its note."""
        lines = super().render_lines(crop)
        for y, x, strip in self._drawn_texts():
            if crop.y <= y < crop.bottom:
                lines[y - crop.y] = overlaid(lines[y - crop.y], crop, x, strip)
        return lines

    def _drawn_texts(self) -> list[tuple[int, int, Strip]]:
        """(row, cell, strip) of each text the field draws."""
        label_style = self.get_visual_style("form-field--label").rich_style
        texts = [(0, 0, Strip([Segment(self.label_text[:LABEL_CELLS], label_style)]))]
        left, width = self.styles.gutter.left, self.size.width  # the content's
        values = self._value_lines(width)
        for row, line in enumerate(values):
            texts.append((row, left, self._strip(line, "form-field--value")))
        notes = self._note_lines(width)
        first_note = self.size.height - len(notes)
        for row, line in enumerate(notes, start=first_note):
            texts.append((row, left, self._strip(line, "form-field--note")))
        return texts

    def _strip(self, line: Content, component: str) -> Strip:
        return Strip(line.render_segments(self.get_visual_style(component)))

    @property
    def value(self) -> Any:
        raise NotImplementedError

    @property
    def raw(self) -> object:
        """What the control holds, unparsed: compared to tell what someone changed."""
        return self.value

    @property
    def raw_text(self) -> str:
        """`raw` as a conflict panel shows it."""
        return str(self.raw)

    @property
    def label(self) -> str:
        return self.label_text.removesuffix(" *")

    @property
    def least_rows(self) -> int:
        """The rows the field takes at least: its control's and its note's."""
        return 2

    def set_hint(self, text: str) -> None:
        if text == self.hint:
            return
        self.hint = text
        if not self.error:
            self._show_note()

    def show_error(self, text: str) -> None:
        """Show `text` (`CODE: message`) under the control, in place of the hint."""
        if text == self.error:
            return  # each update lays the whole form out again
        note = self.note
        self.error = text
        if self.note != note:
            self._show_note()
        self.set_class(bool(text), "-error")

    def clear_error(self) -> None:
        self.show_error("")

    def recheck(self) -> None:
        """Show again what live validation finds wrong (after a save cleared it)."""

    def problems(self) -> list[CatalogError]:
        """What the field's own rules refuse in what it holds (run on save, every field at
        once, before the service sees anything)."""
        try:
            self.value  # noqa: B018 - reading the value parses it
        except CatalogError as error:
            return [error]
        return []

    async def commit_pending(self) -> None:
        """Take in what was typed but not yet entered (raises CatalogError if malformed)."""

    def focus_control(self) -> None:
        for widget in self.query("*"):
            if widget.focusable:
                widget.focus()
                return


def fixed_text(text: str, classes: str) -> Static:
    """A cell of a row that cannot change here (an existing target region's region and
    storage type), shown as text: a disabled control is 2 to 4 widgets, each styled,
    laid out and drawn as the form opens."""
    return Static(visible(text), classes=f"{classes} -fixed", markup=False)


class StaticField(FormField):
    """A fact of the context (the parent resource): shown, never edited."""

    def __init__(self, key: str, label: str, text: str) -> None:
        super().__init__(key, label, classes="-static")
        self.text = text
        self.shown_value = text

    def compose_control(self) -> ComposeResult:
        yield from ()

    @property
    def value(self) -> str:
        return self.text


class TextInputField(FormField):
    """A line of text; `check` validates it live (the service still decides). Its
    subclasses say what the text means (`value`)."""

    def __init__(
        self,
        key: str,
        label: str,
        value: str | None = "",
        *,
        placeholder: str = "",
        check: Check | None = None,
        input_type: InputType = "text",
        **options: Any,
    ) -> None:
        super().__init__(key, label, **options)
        self.initial = value or ""
        self.placeholder = placeholder
        self.check = check
        self.input_type = input_type
        self.fixed = self.disabled  # disabled from the start: it stays so (an edit's)

    def compose_control(self) -> ComposeResult:
        if self.fixed:
            self.shown_value = self.initial or "—"
            return
        yield FormInput(
            self.initial,
            placeholder=self.placeholder,
            validators=[RuleValidator(self.check)] if self.check else None,
            valid_empty=True,
            type=self.input_type,
            compact=True,
            highlighter=ControlPictures(),
            id=f"input-{self.key}",
            classes=VALID,
        )

    @property
    def input(self) -> Input:
        return self.query_one(f"#input-{self.key}", Input)

    @property
    def typed(self) -> str:
        """What the field holds as typed (a fixed field, the value it was given)."""
        return self.initial if self.fixed else self.input.value

    @property
    def text(self) -> str:
        return self.typed.strip()

    @property
    def raw(self) -> str:
        return self.text

    @property
    def raw_text(self) -> str:
        return repr(self.text) if self.text else "blank"

    def recheck(self) -> None:
        if self.fixed:
            return
        result = self.input.validate(self.input.value)
        if result is not None and not result.is_valid:
            self.show_error(result.failure_descriptions[0])

    def problems(self) -> list[CatalogError]:
        """The rule's refusal; a required field left blank is refused by its rule too."""
        if self.check is not None and (self.typed.strip() or self.required):
            try:
                self.check(self.typed)
            except CatalogError as error:
                if not self.typed.strip():  # the rule's code, in words for a blank
                    return [CatalogError(error.code, f"{self.label} is required", field=self.key)]
                return [error]
        return super().problems()

    # a number is checked as it is typed; words only once left (half a name is no mistake)
    live = False

    @on(Input.Changed)
    def _clear_when_valid(self, event: Input.Changed) -> None:
        result = event.validation_result
        if event.input is not self.input:
            return
        if result is None or result.is_valid:
            self.clear_error()
        elif self.live:
            self.show_error(result.failure_descriptions[0])

    @on(Input.Blurred)
    @on(Input.Submitted)
    def _show_when_invalid(self, event: Input.Blurred | Input.Submitted) -> None:
        result = event.validation_result
        if event.input is self.input and result is not None and not result.is_valid:
            self.show_error(result.failure_descriptions[0])


class TextField(TextInputField):
    """A line of text, as is."""

    @property
    def value(self) -> str | None:
        """The text; blank is None, or "" for a required field (its rule then names it)."""
        return self.text or ("" if self.required else None)


def parse_whole_number(text: str, what: str, field: str, rule: str = "SIG-INPUT") -> int:
    """`42` -> 42; anything else (`1_`, `abc`, `1.5`) refused with `rule`, in words. A sign
    is read (`-5` is a number), so that its range rule can say why it is refused."""
    stripped = text.strip()
    if not WHOLE_NUMBER.fullmatch(stripped):
        raise CatalogError(rule, f"{what} must be a whole number, not {stripped!r}", field=field)
    return int(stripped)


class IntField(TextInputField):
    """A whole number; blank means "not given". What is typed stays as typed: a mistake
    (`1_`, `-5`, `abc`) shows beside the field as it is typed, with `rule` (the code of
    the rule the number is for), and `bound` (a domain check taking the number) says
    what range it must lie in."""

    live = True

    def __init__(
        self,
        key: str,
        label: str,
        value: int | None = None,
        *,
        rule: str = "SIG-INPUT",
        bound: Callable[[int], object] | None = None,
        **options: Any,
    ) -> None:
        options.setdefault("placeholder", "a whole number")
        options.setdefault("classes", "-short")
        self.what = label
        self.rule = rule
        self.bound = bound
        super().__init__(
            key, label, "" if value is None else str(value), check=self._parse, **options
        )

    def _parse(self, text: str) -> int | None:
        if not text.strip():
            if self.required:
                raise CatalogError(self.rule, f"{self.what} is required", field=self.key)
            return None
        number = parse_whole_number(text, self.what, self.key, self.rule)
        if self.bound is not None:
            self.bound(number)
        return number

    @property
    def value(self) -> int | None:
        """The number (its rules checked); blank is None."""
        return self._parse(self.text)


class DateField(TextInputField):
    """An end-of-life date as YYYY-MM-DD, or a date-time (checks.parse_date); blank means
    none. Given `now`, a date set or changed must lie in the future (SIG-EOL), checked
    live."""

    def __init__(
        self,
        key: str,
        label: str,
        value: datetime | None = None,
        *,
        now: datetime | None = None,
        **options: Any,
    ) -> None:
        options.setdefault("placeholder", "YYYY-MM-DD")
        options.setdefault("classes", "-short")
        super().__init__(key, label, eol_text(value), check=self._check, **options)
        self.initial_date = value
        self.now = now

    def _check(self, text: str) -> None:
        parsed = checks.parse_date(text, field=self.key)
        if self.now is not None and parsed != self.initial_date:
            checks.check_future_eol(parsed, self.now, field=self.key)

    @property
    def value(self) -> datetime | None:
        return checks.parse_date(self.text, field=self.key)


class TagsField(TextInputField):
    """Tags as `key=value, key=value`."""

    def __init__(
        self, key: str = "tags", label: str = "Tags", value: dict[str, str] | None = None, **kw: Any
    ) -> None:
        kw.setdefault("placeholder", "key=value, key=value")
        super().__init__(key, label, tags_text(value), check=parse_tags, **kw)

    @property
    def value(self) -> dict[str, str]:
        return parse_tags(self.text, self.key)


class NumberListField(TextInputField):
    """Whole numbers separated by commas, e.g. data disk sizes `100, 200`."""

    def __init__(self, key: str, label: str, value: Sequence[int] = (), **options: Any) -> None:
        options.setdefault("placeholder", "e.g. 100, 200")
        super().__init__(
            key,
            label,
            ", ".join(str(v) for v in value),
            check=lambda text: parse_number_list(text, key),
            **options,
        )

    @property
    def value(self) -> list[str]:
        return parse_number_list(self.text, self.key)


class ChoiceField(FormField):
    """One of a few values (an enumeration)."""

    def __init__(
        self,
        key: str,
        label: str,
        options: Sequence[tuple[str, str]],
        value: str | None = None,
        *,
        blank: str | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(key, label, **kw)
        self.options = list(options)
        self.initial = value
        self.blank = blank
        self.fixed = self.disabled  # disabled from the start: it stays so (an edit's)

    def compose_control(self) -> ComposeResult:
        if self.fixed:
            self.shown_value = self._prompt_of(self.initial)
            return
        yield FormSelect(
            [(cell(prompt), value) for prompt, value in self.options],
            value=self.initial if self.initial is not None else TextualSelect.NULL,
            allow_blank=self.blank is not None,
            prompt=self.blank or "Select",
            compact=True,
            id=f"select-{self.key}",
        )

    def _prompt_of(self, value: str | None) -> str:
        prompt = next((prompt for prompt, option in self.options if option == value), value)
        return prompt or self.blank or "—"

    @property
    def select(self) -> TextualSelect[str]:
        return self.query_one(f"#select-{self.key}", TextualSelect)

    @property
    def value(self) -> str | None:
        return self.initial if self.fixed else self.select.selection

    @property
    def raw_text(self) -> str:
        return self.value or "none"

    def problems(self) -> list[CatalogError]:
        if self.required and self.value is None:
            return [CatalogError("SIG-INPUT", f"choose the {self.label.lower()}", field=self.key)]
        return []

    def set_options(self, options: Sequence[tuple[str, str]], keep: str | None) -> None:
        self.options = list(options)
        self.select.set_options(self.options)
        if keep is not None and any(v == keep for _, v in self.options):
            self.select.value = keep

    @on(TextualSelect.Changed)
    def _changed(self) -> None:
        self.clear_error()


def selected(event: TextualSelect.Changed) -> str | None:
    """What a ChoiceField's select changed to (its options are strings); None when blank."""
    selection = event.select.selection
    return selection if isinstance(selection, str) else None


def enum_options(values: Iterable[str]) -> list[tuple[str, str]]:
    return [(value, value) for value in values]


class SwitchField(FormField):
    def __init__(self, key: str, label: str, value: bool = False, **kw: Any) -> None:
        super().__init__(key, label, **kw)
        self.initial = value

    def compose_control(self) -> ComposeResult:
        yield Switch(self.initial, id=f"switch-{self.key}")

    @property
    def value(self) -> bool:
        return self.query_one(Switch).value

    @property
    def raw_text(self) -> str:
        return "yes" if self.value else "no"


class Choices(SelectionList[str]):
    """A selection list whose first option is highlighted when it gets the focus, so
    that space toggles something at once."""

    def on_focus(self) -> None:
        if self.highlighted is None and self.option_count:
            self.highlighted = 0


class MultiChoiceField(FormField):
    """Any number of values from a short list (space toggles one)."""

    def __init__(
        self,
        key: str,
        label: str,
        options: Sequence[tuple[str, str]],
        chosen: Iterable[str] = (),
        **kw: Any,
    ) -> None:
        super().__init__(key, label, **kw)
        self.options = list(options)
        self.chosen = set(chosen)

    def compose_control(self) -> ComposeResult:
        yield Choices(
            *[(label, value, value in self.chosen) for label, value in self.options],
            compact=True,
            id=f"choices-{self.key}",
        )

    def on_mount(self) -> None:
        self.selection_list.display = bool(self.options)  # nothing to choose: the hint says so

    @property
    def least_rows(self) -> int:
        return 2 if self.options else 1

    @property
    def selection_list(self) -> SelectionList[str]:
        return self.query_one(f"#choices-{self.key}", SelectionList)

    @property
    def value(self) -> list[str]:
        return list(self.selection_list.selected)

    @property
    def raw(self) -> tuple[str, ...]:
        return tuple(sorted(self.value))

    @property
    def raw_text(self) -> str:
        return ", ".join(self.raw) or "none"

    def set_options(self, options: Sequence[tuple[str, str]]) -> None:
        kept = set(self.value)
        self.options = list(options)
        selections = self.selection_list
        selections.clear_options()
        selections.add_options([(label, value, value in kept) for label, value in options])
        selections.display = bool(options)
