"""A key the footer shows greyed out says why when it is pressed (a notification), instead
of doing nothing: the catalog is read-only, the principal viewed as has no role for it
here, or the selection does not take it. The footer stays as it is (greyed out).

A screen calls `explain_unavailable_key` from its `on_key`, with its own reasons: the key
reaches the screen before the app looks up its (disabled) binding."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen

# (the action, "n (New)") -> the message, or None: the screen has nothing to say
Reasons = Callable[[str, str], str | None]


def read_only(label: str) -> str:
    return f"Read-only catalog: {label} is unavailable"


def key_label(screen: Screen[Any], key: str) -> tuple[str, str] | None:
    """The action of the disabled binding `key` stands for on `screen`, and the key as the
    footer shows it with its title ("n (New)"); None when the key is enabled or bound to
    nothing."""
    active = screen.active_bindings.get(key)
    if active is None or active.enabled:
        return None
    binding = active.binding
    return binding.action, f"{screen.app.get_key_display(binding)} ({binding.description})"


def explain_unavailable_key(screen: Screen[Any], key: str, reasons: Reasons) -> bool:
    """Notify why `key` does nothing on `screen`, when it is a disabled binding the screen
    has a reason for; whether it did."""
    found = key_label(screen, key)
    message = reasons(*found) if found is not None else None
    if message is None:
        return False
    screen.notify(message, title="Unavailable", severity="warning", markup=False)
    return True
