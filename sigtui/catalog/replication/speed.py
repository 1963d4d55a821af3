"""The replication speed factor of this process: a module of its own, so that the
command line sets it without importing the replication engine (a command's start)."""

from __future__ import annotations

import os

from sigtui.catalog.model.errors import CatalogError

ENV_SPEED = "SIGTUI_REPLICATION_SPEED"

_speed: float | None = None


def set_speed(speed: float | None) -> None:
    """The speed factor of this process (None: from SIGTUI_REPLICATION_SPEED, else 1)."""
    if speed is not None and not speed > 0:
        raise CatalogError("SIG-INPUT", f"replication speed must be positive, not {speed}")
    global _speed
    _speed = speed


def speed() -> float:
    if _speed is not None:
        return _speed
    text = os.environ.get(ENV_SPEED, "").strip()
    try:
        value = float(text) if text else 1.0
    except ValueError:
        raise CatalogError("SIG-INPUT", f"{ENV_SPEED}={text!r} is not a number") from None
    if not value > 0:
        raise CatalogError("SIG-INPUT", f"{ENV_SPEED} must be positive, not {text}")
    return value
