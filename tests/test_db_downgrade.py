"""`sigtui db downgrade` (DESIGN.md §3, own catalogs only): it says what it drops and does
it only with --yes; with --as only the catalog's owner (Owner at every gallery) may; a
refused downgrade leaves the catalog untouched. On SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cli_runner import G, Sigtui, build_estate
from click.testing import Result
from conftest import ENGINES, CopyOfBuilt

from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import known_revisions

OWNER = "owner@contoso.com"
READER = "reader@contoso.com"
SIGTUI_TABLES = {
    "catalog_change", "catalog_event", "data_disk", "gallery", "image_definition", "image_version",
    "managed_image", "principal", "region_allowlist", "resource_group", "role_assignment",
    "snapshot", "subscription", "target_region", "tenant",
}  # fmt: skip


def _counts(url: str) -> dict[str, Any]:
    """Every table with its columns and row count, and the schema revision."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            state: dict[str, Any] = {
                name: (
                    sorted(c["name"] for c in inspector.get_columns(name)),
                    conn.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar(),
                )
                for name in inspector.get_table_names()
            }
            if "alembic_version" in state:
                version = sa.text("SELECT version_num FROM alembic_version")
                state["revision"] = conn.execute(version).scalar()
    finally:
        engine.dispose()
    return state


def _fingerprint(url: str) -> Any:
    """What must not change: tables, columns, rows and revision; for SQLite, also the
    file's bytes once its WAL is checkpointed into it."""
    state = _counts(url)
    if not url.startswith("sqlite"):
        return state
    path = Path(sa.make_url(url).database or "")
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return state, hashlib.sha256(path.read_bytes()).hexdigest()


def _owned_estate(url: str, clock: FixedClock) -> None:
    estate = build_estate(Sigtui(url, clock))
    gallery = estate.ok("sig", "show", *G)["id"]
    for name, role in ((OWNER, "Owner"), (READER, "Reader")):
        estate.ok(
            "account", "principal", "create", "--name", name, "--type", "User",
            "--tenant", "Contoso",
        )  # fmt: skip
        estate.ok("role", "assignment", "create", "--assignee", name, "--role", role,
                  "--scope", gallery)  # fmt: skip


@pytest.fixture(params=ENGINES)
def owned(request: pytest.FixtureRequest, copy_of_built: CopyOfBuilt, clock: FixedClock) -> Sigtui:
    """The estate, with an owner (Owner at its one gallery) and a reader (built once per
    session, copied per test)."""
    return Sigtui(copy_of_built(request.param, _owned_estate, clock).url, clock)


def _refused(result: Result, code: str) -> str:
    assert result.exit_code == 1, result.output
    *_, last = result.stderr.splitlines()
    assert last.startswith(f"error: {code}: "), result.stderr
    assert "Traceback" not in result.output
    return result.stderr


def test_without_yes_it_says_what_it_drops_and_changes_nothing(owned: Sigtui) -> None:
    counts = _counts(owned.url)
    before = _fingerprint(owned.url)
    result = owned("db", "downgrade", "base")
    stderr = _refused(result, "SIG-INPUT")
    assert len(stderr.splitlines()) == 1 and "--yes" in stderr
    listed = result.stdout
    revisions, _ = known_revisions()
    assert all(f"  {revision}  " in listed for revision in revisions)
    assert "0001  initial catalog schema" in listed
    for table in SIGTUI_TABLES:
        rows = counts[table][1]
        assert f"  {table.ljust(16)}  {rows} row" in listed, table
    assert "  gallery           1 row\n" in listed
    assert _fingerprint(owned.url) == before


def test_a_refused_downgrade_leaves_the_catalog_untouched(owned: Sigtui) -> None:
    before = _fingerprint(owned.url)
    for argv, why in (
        (["db", "downgrade", "base", "--yes", "--as", READER], f"{READER} may not downgrade"),
        (["--readonly", "db", "downgrade", "base", "--yes"], "open read-only (--readonly)"),
    ):
        stderr = _refused(owned(*argv), "SIG-ACCESS")
        assert why in stderr
        assert len(stderr.splitlines()) == 1, argv  # nothing of what the catalog holds
        assert _fingerprint(owned.url) == before, argv


def test_only_an_owner_of_every_gallery_may_downgrade(owned: Sigtui) -> None:
    owned.ok("sig", "create", "-g", "rg1", "-r", "gallery2")
    before = _fingerprint(owned.url)
    stderr = _refused(owned("db", "downgrade", "base", "--yes", "--as", OWNER), "SIG-ACCESS")
    assert f"{OWNER} holds it at 1 of 2" in stderr
    result = owned("db", "downgrade", "base", "--as", OWNER)
    _refused(result, "SIG-ACCESS")
    assert "tenant" not in result.output  # the owner check comes before the listing
    assert _fingerprint(owned.url) == before
    gallery2 = owned.ok("sig", "show", "-g", "rg1", "-r", "gallery2")["id"]
    owned.ok("role", "assignment", "create", "--assignee", OWNER, "--role", "Owner",
             "--scope", gallery2)  # fmt: skip
    _refused(owned("db", "downgrade", "base", "--as", OWNER), "SIG-INPUT")  # still needs --yes
    counts = _counts(owned.url)
    done = owned.ok("db", "downgrade", "base", "--yes", "--as", OWNER, "-o", "json")
    assert done["revision"] is None
    assert {t["name"]: t["rows"] for t in done["droppedTables"]} == {
        table: counts[table][1] for table in SIGTUI_TABLES
    }
    assert [u["revision"] for u in done["undone"]] == list(reversed(known_revisions()[0]))
    after = _counts(owned.url)
    assert set(after) == {"alembic_version", "revision"} and after["revision"] is None
    again = owned("db", "downgrade", "base")  # nothing left to drop: no --yes needed
    assert again.exit_code == 0 and "schema at base already; nothing to drop" in again.stdout


def test_the_credential_holder_downgrades_and_is_told_what_was_dropped(owned: Sigtui) -> None:
    """Without --as the database's credentials make the owner. Going to 0004 drops two
    columns of target_region and keeps its rows."""
    target_rows = _counts(owned.url)["target_region"][1]
    result = owned("db", "downgrade", "0004", "--yes", "-o", "table")
    assert result.exit_code == 0, result.output
    assert f"schema at 0004 (was {known_revisions()[1]}); dropped:" in result.stdout
    assert "0005  target regions carry their version's size" in result.stdout
    # 0007 renamed the memory columns (GB to MB) and added architecture and features;
    # 0009 added the VHD blobs' storage accounts; 0010 the provisioning states and host
    # caching Azure reports; 0012 where a resource came from; 0013 the replication speed;
    # 0014 the import digests
    assert (
        "columns dropped (23): data_disk.storage_account_id, data_disk.host_caching, "
        "gallery.provisioning_state, gallery.origin, gallery.synced_at, gallery.import_digest, "
        "image_definition.min_memory_mb, image_definition.max_memory_mb, "
        "image_definition.architecture, image_definition.features, "
        "image_definition.provisioning_state, image_definition.origin, "
        "image_definition.synced_at, image_definition.import_digest, "
        "image_version.source_storage_account_id, image_version.provisioning_state, "
        "image_version.os_host_caching, image_version.origin, image_version.synced_at, "
        "image_version.replication_speed, image_version.import_digest, "
        "target_region.size_gb, target_region.source_region"
    ) in result.stdout
    after = _counts(owned.url)
    assert after["revision"] == "0004"
    assert after["target_region"][1] == target_rows
    assert "size_gb" not in after["target_region"][0]
    made_later = {"catalog_event"}  # by 0011
    assert set(after) - {"revision"} == SIGTUI_TABLES - made_later | {"alembic_version"}
    stderr = _refused(owned("db", "downgrade", "0005", "--yes"), "SIG-INPUT")  # up, not down
    assert "from 0004 to '0005'" in stderr
    assert _counts(owned.url) == after


def test_a_downgrade_that_undoes_nothing_or_names_no_revision_changes_nothing(
    sigtui: Sigtui,
) -> None:
    before = _fingerprint(sigtui.url)
    same = sigtui("db", "downgrade", "head")  # nothing to drop: no --yes needed
    assert same.exit_code == 0 and "nothing to drop" in same.stdout
    for revision in ("nope", "0999"):  # no such revision
        stderr = _refused(sigtui("db", "downgrade", revision, "--yes"), "SIG-INPUT")
        assert len(stderr.splitlines()) == 1
    assert _fingerprint(sigtui.url) == before


def test_another_applications_file_is_refused_untouched(tmp_path: Path, clock: FixedClock) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()
    data = path.read_bytes()
    result = Sigtui(str(path), clock)("db", "downgrade", "base", "--yes")
    assert _refused(result, "SIG-DB").endswith("is not a sigtui catalog (it holds other tables "
                                               "and no sigtui schema); sigtui opens only its "
                                               "own catalogs\n")  # fmt: skip
    assert path.read_bytes() == data
