"""Hostile catalogs for the tests of DESIGN.md §3 (output is text, never control): a copy of
a catalog whose free-text columns are overwritten in SQL, as an import from elsewhere could
fill them (rules may refuse some of these values on a save: what is shown must be safe
whatever is stored), and a Hypothesis strategy for such text."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import strategies as st

# (table, column): free text a catalog holds; the tenant, subscription and principal
# names are display names (their `name_key` keeps them unique and is what a lookup by
# name reads, so commands naming them still find them)
TEXT_COLUMNS = (
    ("tenant", "name"),
    ("subscription", "name"),
    ("principal", "name"),
    ("gallery", "description"),
    ("image_definition", "description"),
    ("image_definition", "eula"),
    ("image_definition", "privacy_statement_uri"),
    ("image_definition", "release_note_uri"),
    ("image_definition", "publisher"),
    ("image_definition", "offer"),
    ("image_definition", "sku"),
    ("target_region", "details"),
)
TAGGED = ("resource_group", "gallery", "image_definition", "image_version", "managed_image")
TAGGED += ("snapshot",)

# what no output may hold raw: C0 but TAB and LF (layout), DEL, C1, the bidi controls, the
# Unicode line separators and the byte-order mark
RAW_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]"
)


def make_hostile(path: Path, text: str) -> None:
    """Overwrite every free-text column of the SQLite catalog at `path` with `text`
    (numbered per row, `<column>-<pk><text>`: display names stay apart), and give every
    resource a tag `text`=`text`."""
    with sqlite3.connect(path) as db:
        for table, column in TEXT_COLUMNS:
            db.execute(f"UPDATE {table} SET {column} = ? || pk || ?", (f"{column}-", text))
        for table in TAGGED:
            db.execute(f"UPDATE {table} SET tags = ?", (json.dumps({text: text}),))
        for column in ("actor", "summary"):  # the events: who, and what they say
            db.execute(f"UPDATE catalog_event SET {column} = ? || id || ?", (f"{column}-", text))
    db.close()


# one piece at a time: terminal escapes, markup and backslashes mixed with any character
ESCAPES = ["\x1b", "\x1b]0;t\x07", "\x1b]8;;x\x1b\\", "\x1b[2J", "\x9b2J", "\x07", "\r"]
MARKUP = ["[/]", "[bold]", "[link=x]", "[$accent]", "[@click=app.quit]", "[", "]", "\\", "$"]
_PIECES = st.one_of(
    st.sampled_from([*ESCAPES, *MARKUP]),
    st.characters(max_codepoint=0x9F),  # C0, ASCII, DEL, C1
    st.sampled_from("\u202e\u2066\u200f\u061c\u2028\u2029\ufeff"),
    st.characters(exclude_categories=["Cs"]),  # anything UTF-8 can hold
)
HOSTILE_TEXT = st.builds(
    lambda pieces, backslash: "".join(pieces) + ("\\" if backslash else ""),
    st.lists(_PIECES, min_size=1, max_size=12),
    st.booleans(),
)


def write_demo_file(path: Path, now: datetime) -> Path:
    """The demo seed loaded into the SQLite file `path` at `now`, checkpointed so that the
    file alone holds it (tests copy it)."""
    from sigtui.catalog.services.seed import load_demo
    from sigtui.catalog.store.clock import FixedClock
    from sigtui.catalog.store.db import open_catalog

    catalog = open_catalog(f"sqlite:///{path}", clock=FixedClock(now))
    load_demo(catalog)
    with catalog.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    catalog.close()
    return path


def shell_arguments(script: str) -> list[str]:
    """The arguments bash gives `az` when it runs `script` (an `export az-script`)."""
    output = subprocess.run(
        ["bash", "-c", 'az() { printf "%s\\0" "$@"; }; eval "$(cat)"'],
        input=script.encode(),
        capture_output=True,
        check=True,
    ).stdout.decode()
    return output.split("\0")


SECRET = "Hunter2-s3cr"  # the password of the URL in break_sig_list's error


def break_sig_list(monkeypatch: pytest.MonkeyPatch, state_home: Path, tail: str) -> None:
    """Make `sig list` fail unexpectedly with an error naming a database URL with SECRET
    as its password (then `tail`), the log going under `state_home`."""
    from sigtui.cli import app as cli_app

    monkeypatch.setenv("XDG_STATE_HOME", str(state_home))
    monkeypatch.delenv(cli_app.DEBUG_ENV, raising=False)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError(f"lost postgresql://bob:{SECRET}@db.example/x{tail}")

    monkeypatch.setattr("sigtui.cli.sig.azure_json.galleries", broken)
