"""Secrets never show (DESIGN.md §3): a database URL's password masked in any text, and an
unexpected exception reported as one coded line, its full traceback (masked) in a log file
in the user's state directory."""

from __future__ import annotations

import os
import re
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote

import sqlalchemy as sa

from sigtui.safe_text import visible

INTERNAL = "SIG-INTERNAL"
MASK = "***"
# user:password@ in any URL-like text, whatever the URL (a password we were not told of)
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)(?P<password>[^@\s]+)(?=@)")
_QUERY_PASSWORD = re.compile(r"(?P<head>[?&]password=)(?P<password>[^&\s'\"]+)", re.IGNORECASE)


def url_secrets(url: str | None) -> list[str]:
    """The password of a database URL in every form it may be printed in (plain, quoted)."""
    if not url:
        return []
    try:
        parsed = sa.make_url(url)
    except (sa.exc.ArgumentError, ValueError):
        return _raw_passwords(url)
    given = parsed.query.get("password")  # libpq's `?password=` form
    found = [parsed.password, *([given] if isinstance(given, str) else given or ())]
    return _forms(str(p) for p in found if p)


def _raw_passwords(text: str) -> list[str]:
    found = [m["password"] for m in _URL_PASSWORD.finditer(text)]
    found += [m["password"] for m in _QUERY_PASSWORD.finditer(text)]
    return _forms(found)


def _forms(passwords: Iterable[str]) -> list[str]:
    forms: set[str] = set()
    for raw in passwords:
        plain = unquote(raw)
        quoted = quote(plain, safe="")
        forms |= {raw, plain, quoted, quoted.replace("%20", "+")}
    return sorted((f for f in forms if f), key=len, reverse=True)


def mask(text: str, url: str | None = None) -> str:
    """`text` with the password of `url`, and the password of any URL in it, as ***."""
    for secret in url_secrets(url):
        text = text.replace(secret, MASK)
    text = _URL_PASSWORD.sub(lambda m: m["head"] + MASK, text)
    return _QUERY_PASSWORD.sub(lambda m: m["head"] + MASK, text)


def log_file() -> Path:
    import platformdirs  # imported here: only a crash needs it

    return platformdirs.user_state_path("sigtui") / "sigtui.log"


def record(exc: BaseException, url: str | None) -> Path | None:
    """Append `exc`'s traceback, masked, to the log file; its path (None if unwritable)."""
    path = log_file()
    text = "".join(traceback.format_exception(exc))
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as log:
            log.write(f"--- {stamp}\n{mask(text, url)}\n")
    except OSError:
        return None
    return path


def one_line(exc: BaseException, url: str | None, log: Path | None) -> str:
    """`SIG-INTERNAL: <type>: <first line of the message>` masked, with where the traceback is."""
    message = str(exc).strip().splitlines()
    first = f": {message[0]}" if message else ""
    where = f" (traceback in {log})" if log else ""
    return visible(mask(f"{INTERNAL}: {type(exc).__name__}{first}{where}", url))


def report(exc: BaseException, url: str | None) -> str:
    """Record `exc` in the log and return the one line to show."""
    return one_line(exc, url, record(exc, url))
