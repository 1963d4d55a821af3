"""User settings of the dashboard (theme, keymap), kept in the user config dir."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import platformdirs

ENV_CONFIG = "SIGTUI_CONFIG_DIR"


def settings_path() -> Path:
    folder = os.environ.get(ENV_CONFIG) or platformdirs.user_config_dir("sigtui")
    return Path(folder) / "settings.json"


def load_settings() -> dict[str, Any]:
    try:
        data = json.loads(settings_path().read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_setting(key: str, value: Any) -> None:
    settings = load_settings()
    settings[key] = value
    path = settings_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings, indent=2, sort_keys=True), "utf-8")
    except OSError:
        pass  # settings are a convenience: never fail the app over them


def keymap() -> dict[str, str]:
    """Binding id -> key(s), e.g. {"main.new": "insert"}: lets users remap any binding."""
    value = load_settings().get("keymap", {})
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}
