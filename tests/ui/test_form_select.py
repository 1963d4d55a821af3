"""A FormSelect is Textual's Select in what it shows and does, one widget until its list
first opens (`sigtui/ui/screens/forms/select.py`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widgets import Input, Select
from textual.widgets._select import SelectOverlay

from sigtui.ui.screens.forms.select import FormSelect

OPTIONS = [("Standard_LRS", "Standard_LRS"), ("Standard_ZRS", "Standard_ZRS"), ("Premium", "P")]


class _OneSelect(App[None]):
    """An input, then a select of OPTIONS (Textual's or sigtui's)."""

    CSS = "Select { width: 30; }"

    def __init__(self, kind: type[Select[str]], **options: Any) -> None:
        super().__init__()
        self.kind = kind
        self.options = options
        self.changes: list[object] = []

    def compose(self) -> ComposeResult:
        yield Input(id="before")
        yield self.kind(OPTIONS, id="select", **self.options)

    def on_select_changed(self, event: Select.Changed) -> None:
        self.changes.append(event.value)


Steps = Callable[[Pilot[Any]], Awaitable[None]]


async def _nothing(pilot: Pilot[Any]) -> None:
    await pilot.pause()


Cell = tuple[str, object, object, bool, bool, bool]


def _cells(lines: list[Strip]) -> list[list[Cell]]:
    """What the terminal shows, cell by cell: the character, its background, its colour
    (a blank has none to show), reverse, bold, dim; not how the line is cut in segments."""
    shown = []
    for line in lines:
        cells = []
        for text, style, _ in line:
            for character in text:
                cells.append(
                    (
                        character,
                        style.bgcolor if style else None,
                        style.color if style and character.strip() else None,
                        bool(style and style.reverse),
                        bool(style and style.bold),
                        bool(style and style.dim),
                    )
                )
        shown.append(cells)
    return shown


def _run(kind: type[Select[str]], steps: Steps, **options: Any) -> tuple[Any, ...]:
    """After `steps`: the app's cells, the select's value, and the changes it posted."""

    async def flow() -> tuple[Any, ...]:
        app = _OneSelect(kind, **options)
        async with app.run_test(size=(40, 16)) as pilot:
            await pilot.pause()
            await steps(pilot)
            await pilot.pause()
            cells = _cells(app.screen._compositor.render_strips())
            return cells, app.query_one("#select", Select).value, app.changes

    return asyncio.run(flow())


async def _open_with_enter(pilot: Pilot[Any]) -> None:
    await pilot.press("tab", "enter")


async def _choose_the_next(pilot: Pilot[Any]) -> None:
    await pilot.press("tab", "enter", "down", "enter")


async def _click_open(pilot: Pilot[Any]) -> None:
    await pilot.click("#select")


async def _options_changed_then_opened(pilot: Pilot[Any]) -> None:
    pilot.app.query_one("#select", Select).set_options([("West", "w"), ("East", "e")])
    await pilot.pause()
    await pilot.press("tab", "enter")


async def _opened_then_widened(pilot: Pilot[Any]) -> None:
    await pilot.press("tab", "enter")
    pilot.app.query_one("#select", Select).styles.width = 36
    await pilot.pause()


@pytest.mark.parametrize(
    "steps",
    [
        _nothing,
        _open_with_enter,
        _choose_the_next,
        _click_open,
        _options_changed_then_opened,
        _opened_then_widened,
    ],
)
@pytest.mark.parametrize(
    "options",
    [
        {"value": "Standard_ZRS", "allow_blank": False},
        {"prompt": "Storage type"},
        {"compact": True, "prompt": "Select"},
    ],
)
def test_a_form_select_shows_and_does_what_textuals_select_does(
    steps: Steps, options: dict[str, Any]
) -> None:
    assert _run(FormSelect, steps, **options) == _run(Select, steps, **options)


def test_a_form_select_has_no_list_until_it_opens_then_keeps_it() -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        select = pilot.app.query_one(FormSelect)
        assert list(select.walk_children()) == []  # its current value: drawn by itself
        assert not select.query(SelectOverlay)
        await pilot.press("tab", "enter")
        await pilot.pause()
        (overlay,) = select.query(SelectOverlay)
        assert overlay.option_count == len(OPTIONS)
        assert overlay.highlighted == 1  # the value's option
        await pilot.press("escape", "enter")
        await pilot.pause()
        assert list(select.query(SelectOverlay)) == [overlay]  # mounted once

    _run(FormSelect, steps, value="Standard_ZRS", allow_blank=False)
