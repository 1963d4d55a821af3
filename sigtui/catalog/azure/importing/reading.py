"""Reading an import file: its size limit and its JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sigtui.catalog.model.errors import CatalogError

MAX_FILE_BYTES = 50 * 1024 * 1024  # 50 MB: larger files are refused (SIG-INPUT)


def read_file(path: Path) -> Any:
    """The JSON document in `path`, or SIG-INPUT (missing, too large, not JSON)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CatalogError("SIG-INPUT", f"cannot read {path}: {exc.strerror}") from None
    if size > MAX_FILE_BYTES:
        raise CatalogError(
            "SIG-INPUT",
            f"{path} is {size:,} bytes; import takes files of at most {MAX_FILE_BYTES:,} bytes "
            "(split it)",
        )
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogError("SIG-INPUT", f"{path} is not JSON: {exc}") from None
