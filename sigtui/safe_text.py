"""Output is text, never control (DESIGN.md §3): the one place that makes a value from a
catalog or an import file safe to show.

- `visible` turns every control character (C0 but the layout ones a caller allows, DEL,
  C1) and the invisible characters that reorder or split lines (bidi overrides, Unicode
  line separators) into a visible escape such as `\\x1b`: no ESC, CSI, OSC, BEL or CR
  reaches a terminal.
- `json_text` writes JSON with values kept exact, and every such character written as a
  JSON escape (`\\u009b`), so printing JSON to a terminal is safe too.
- `shell_word` quotes a value for a POSIX shell script: exact for the shell, with no raw
  control character in the script's text.

Two wordings every message shares: `counted` ("1 version", "3 versions") and
`short_id` (an ARM id shortened in the middle, its resource's name kept at the end).

Markup is the UI's business: sigtui/ui/text.py builds Textual content from these values
without ever parsing them as markup.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from typing import Any

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
# C0, DEL, C1; the bidi embeddings, overrides and isolates; the Unicode line and paragraph
# separators; the byte-order mark. Each can hide, reorder or move text on a terminal.
_UNSAFE = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff"
_UNSAFE_CHAR = re.compile(f"[{_UNSAFE}]")
_JSON_UNSAFE_CHAR = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(value: object, *, newlines: bool = False, tabs: bool = False) -> str:
    """`value` as text with every unsafe character shown as an escape (`\\x1b`, `\\r`).

    `newlines` / `tabs` keep LF / TAB as they are, where the layout has room for them."""
    text = value if isinstance(value, str) else str(value)
    if not _UNSAFE_CHAR.search(text):
        return text

    def replace(match: re.Match[str]) -> str:
        char = match[0]
        if (char == "\n" and newlines) or (char == "\t" and tabs):
            return char
        return _escape(char)

    return _UNSAFE_CHAR.sub(replace, text)


def json_text(
    document: Any,
    *,
    indent: int | None = 2,
    sort_keys: bool = True,
    default: Callable[[Any], Any] | None = None,
) -> str:
    """`document` as JSON (az's layout by default) with values exact and every control or
    invisible character written as a JSON escape, C1 and DEL included."""
    text = json.dumps(
        document, indent=indent, sort_keys=sort_keys, ensure_ascii=False, default=default
    )
    # Outside strings JSON holds only ASCII punctuation, digits and letters: every match is
    # inside a string, where a \\u escape means the same character.
    return _JSON_UNSAFE_CHAR.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def shell_word(value: object) -> str:
    """`value` quoted as one word of a POSIX shell (bash) script, exact for the shell:
    '...' when it holds no unsafe character, else bash's $'...' with escapes."""
    text = value if isinstance(value, str) else str(value)
    if not _UNSAFE_CHAR.search(text):
        return shlex.quote(text)
    body = text.replace("\\", "\\\\").replace("'", "\\'")
    return "$'" + _UNSAFE_CHAR.sub(_ansi_c_escape, body) + "'"


def _ansi_c_escape(match: re.Match[str]) -> str:
    # Byte escapes of the UTF-8 encoding: exact whatever the locale bash runs in.
    return "".join(f"\\x{byte:02x}" for byte in match[0].encode("utf-8"))


def counted(count: int, noun: str, nouns: str | None = None) -> str:
    """`count` and its noun, singular for 1: "1 version", "1,200 versions"
    (`nouns`: an irregular plural, e.g. "galleries")."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


ELLIPSIS = "…"


def short_id(arm_id: str, width: int) -> str:
    """`arm_id` in at most `width` characters, shortened in the middle so that the
    resource's name stays at the end: `/subscriptions/…/versions/1.0.0`. The name comes
    first, then the id's first segment (`/subscriptions/`), then as many whole trailing
    segments as fit; the start fills what room is left."""
    if len(arm_id) <= width:
        return arm_id
    if width <= 1:
        return ELLIPSIS[:width]
    cut = arm_id.rfind("/")  # the tail shown starts at a "/"
    if cut < 0 or len(arm_id) - cut + 1 > width:  # not even the name fits whole: its end
        return ELLIPSIS + arm_id[len(arm_id) - width + 1 :]
    first = arm_id.find("/", 1) + 1  # "/subscriptions/": kept before more of the tail
    while (previous := arm_id.rfind("/", 0, cut)) > first:
        if first + 1 + len(arm_id) - previous > width:
            break
        cut = previous
    return arm_id[: width - 1 - (len(arm_id) - cut)] + ELLIPSIS + arm_id[cut:]
