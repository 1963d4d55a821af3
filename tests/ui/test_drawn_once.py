"""A renderable drawn once per width: kept per instance, or under a key for later ones."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from sigtui.ui.widgets.drawn_once import DrawnOnce


class CountedTable(Table):
    drawings = 0

    def __rich_console__(self, console, options):  # type: ignore[no-untyped-def]
        CountedTable.drawings += 1
        yield from super().__rich_console__(console, options)


def _table(*rows: str) -> CountedTable:
    table = CountedTable("Key", "Action")
    for row in rows:
        table.add_row(row, f"does {row}")
    return table


def _shown(renderable: object, width: int = 60) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def test_a_keyed_drawing_is_kept_for_the_next_one_of_its_key_and_width() -> None:
    CountedTable.drawings = 0
    made: list[str] = []

    def make(*rows: str) -> CountedTable:
        made.append(rows[0])
        return _table(*rows)

    first = _shown(DrawnOnce(lambda: make("a", "b"), key=("test", "a b")))
    again = _shown(DrawnOnce(lambda: make("a", "b"), key=("test", "a b")))
    assert first == again == _shown(_table("a", "b"))
    assert CountedTable.drawings == 2  # the first drawing, and `_table` drawn plainly
    assert made == ["a"]  # the kept drawing is not even made again
    other = _shown(DrawnOnce(lambda: make("c"), key=("test", "c")))
    assert "does c" in other and "does a" not in other
    _shown(DrawnOnce(lambda: make("a", "b"), key=("test", "a b")), width=40)
    assert CountedTable.drawings == 4  # another key, another width: drawn anew
    assert made == ["a", "c", "a"]


def test_without_a_key_each_drawing_is_its_own() -> None:
    CountedTable.drawings = 0
    drawn = DrawnOnce(_table("x"))
    assert _shown(drawn) == _shown(drawn)
    assert CountedTable.drawings == 1
    assert "does y" in _shown(DrawnOnce(_table("y")))
    assert CountedTable.drawings == 2


def test_the_drawing_made_to_measure_is_the_one_shown_at_any_height() -> None:
    """Textual measures a Static's content with no height, then draws it with the
    widget's: a table draws the same lines either way, so it is drawn once."""
    console = Console(width=60, file=io.StringIO())
    drawn = DrawnOnce(_table("a", "b", "c"))
    CountedTable.drawings = 0
    measured = list(console.render(drawn, console.options.update(height=None)))
    shown = list(console.render(drawn, console.options.update(height=2)))
    plain = list(console.render(_table("a", "b", "c"), console.options.update(height=2)))
    assert measured == shown == plain
    assert CountedTable.drawings == 2  # the DrawnOnce once, and the plain table
