"""What an Input shows of its value: control characters as visible symbols, one cell for
one character, so the value stays exact (a save writes back what the catalog held) and
the cursor still lands where it should (DESIGN.md §3, output is text, never control).

Textual draws an Input's value raw; its `highlighter` is the one hook between the value
and the screen. ESC shows as ␛, BEL as ␇, CR as ␍, DEL as ␡, and the C1 controls and the
invisible characters that reorder text (bidi overrides) as �."""

from __future__ import annotations

import re

from rich.highlighter import Highlighter
from rich.text import Text

_UNSAFE_CHAR = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def _symbol(match: re.Match[str]) -> str:
    code = ord(match[0])
    if code < 0x20:
        return chr(0x2400 + code)
    return "\u2421" if code == 0x7F else "\ufffd"


class ControlPictures(Highlighter):
    """A highlighter that swaps each control character for its picture, one for one."""

    def __call__(self, text: str | Text) -> Text:
        shown = text.copy() if isinstance(text, Text) else Text(text)
        if _UNSAFE_CHAR.search(shown.plain):
            # same length: the spans and the cursor's offsets still fit
            shown.plain = _UNSAFE_CHAR.sub(_symbol, shown.plain)
        return shown

    def highlight(self, text: Text) -> None:
        """Nothing to colour: `__call__` does the work."""
