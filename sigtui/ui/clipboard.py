"""Copying to the clipboard: OSC 52 (`App.copy_to_clipboard`), which many terminals
ignore (and tmux passes on only when told to), so the text is written to a file in the
state directory too, and the notification names that file."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from textual.app import App

from sigtui.safe_text import visible

CLIPBOARD_FILE = "clipboard.txt"
PREVIEW_WIDTH = 120  # characters of the copied text the notification shows


def clipboard_path() -> Path:
    """The file the last copied text is written to ($XDG_STATE_HOME/sigtui on Linux)."""
    return platformdirs.user_state_path("sigtui") / CLIPBOARD_FILE


def preview(text: str, width: int = PREVIEW_WIDTH) -> str:
    """The copied text's first line as text, cut to `width` characters."""
    first = visible(text.strip().splitlines()[0] if text.strip() else "")
    return first if len(first) <= width else first[: width - 1] + "…"


def copy_out(app: App[object], text: str, what: str) -> None:
    """Copy `text` (what it is: `what`, e.g. "ARM id") and say where it went."""
    app.copy_to_clipboard(text)
    path = clipboard_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as error:
        app.notify(
            f"Sent to the terminal's clipboard (OSC 52); {path} could not be written: "
            f"{visible(error)}",
            title=f"{what} copied",
            severity="warning",
            markup=False,
        )
        return
    app.notify(
        f"{preview(text)}\nSent to the terminal's clipboard (OSC 52), and written to "
        f"{visible(path)} (for terminals that ignore OSC 52).",
        title=f"{what} copied",
        markup=False,
    )
