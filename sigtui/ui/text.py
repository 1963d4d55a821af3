"""Values from the catalog on screen: always Textual content built from safe text, never
markup parsed from data (DESIGN.md §3, output is text, never control).

`plain(value)` is a value alone; `markup(template, **values)` fills a markup template's
`$name` variables with values, which Textual inserts as text (a `[/]` or `[$accent]` in a
description stays text, a trailing backslash escapes nothing). `ShortId` draws an ARM id
in the room it has, shortened in the middle."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text
from textual.content import Content

from sigtui.safe_text import short_id, visible


def plain(value: object, *, newlines: bool = False) -> Content:
    """`value` as content, with control characters shown as escapes."""
    return Content(visible(value, newlines=newlines))


def markup(template: str, /, **values: object) -> Content:
    """`template` (markup written in sigtui's code) with `$name` filled by `values` as text."""
    return Content.from_markup(template, **{name: visible(v) for name, v in values.items()})


MIN_ID_WIDTH = 24  # an ARM id never narrower: `/subscriptions/…/1.0.0` and a little
ID_START = "/subscriptions/"


class ShortId:
    """An ARM id drawn in the width it is given, shortened in the middle so that the
    resource's name stays at the end (safe_text.short_id): for a details field, a table
    cell, a dialog. Never wrapped, never cut at its end. Words before the id (`managed
    image /subscriptions/…`) stay whole."""

    def __init__(self, value: str, style: str = "") -> None:
        text = visible(value)
        at = text.find(ID_START)
        self.prefix, self.arm_id = (text[:at], text[at:]) if at > 0 else ("", text)
        self.style = style

    @staticmethod
    def holds_id(value: str) -> bool:
        """Whether `value` ends with an ARM id (words before it, none after)."""
        at = value.find(ID_START)
        return at >= 0 and " " not in value[at:] and "\n" not in value

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        room = max(1, options.max_width - len(self.prefix))
        shown = self.prefix + short_id(self.arm_id, room)
        yield Text(shown, style=self.style, no_wrap=True, overflow="ellipsis")

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        least = len(self.prefix) + min(len(self.arm_id), MIN_ID_WIDTH)
        return Measurement(least, len(self.prefix) + len(self.arm_id))
