"""Values from the catalog on screen: always Textual content built from safe text, never
markup parsed from data (DESIGN.md §3, output is text, never control).

`plain(value)` is a value alone; `markup(template, **values)` fills a markup template's
`$name` variables with values, which Textual inserts as text (a `[/]` or `[$accent]` in a
description stays text, a trailing backslash escapes nothing)."""

from __future__ import annotations

from textual.content import Content

from sigtui.safe_text import visible


def plain(value: object, *, newlines: bool = False) -> Content:
    """`value` as content, with control characters shown as escapes."""
    return Content(visible(value, newlines=newlines))


def markup(template: str, /, **values: object) -> Content:
    """`template` (markup written in sigtui's code) with `$name` filled by `values` as text."""
    return Content.from_markup(template, **{name: visible(v) for name, v in values.items()})
