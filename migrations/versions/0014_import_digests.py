"""import digests: the text an import last wrote a gallery resource from, while it holds

`import_digest` of a gallery, an image definition and an image version is the digest of
an import file's text for that one resource (its item of az's list, byte for byte), set
when an import writes the resource from that text. A re-import of the same text finds the
resource by its digest and knows it unchanged without reading the item. Anything else
that changes the resource clears it, here in the database so that no writer can forget:
an update of its row (other than setting the digest) and, for a version, an update or
delete of one of its target regions. A region is only ever added to a version that
exists by the update services, which update the version's row too (the etag moves), so
inserts need no trigger: bulk loads pay nothing. Existing rows get none (their next
re-import compares them as before). Downgrading drops it all.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 04:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("gallery", "image_definition", "image_version")


def _sqlite_row_changed(table: str) -> str:
    return f"""CREATE TRIGGER {table}_import_digest_stale AFTER UPDATE ON {table}
    WHEN OLD.import_digest IS NOT NULL AND NEW.import_digest IS OLD.import_digest
    BEGIN UPDATE {table} SET import_digest = NULL WHERE pk = NEW.pk; END"""


SQLITE_TARGET_TRIGGERS = (
    """CREATE TRIGGER target_region_update_import_digest_stale AFTER UPDATE ON target_region
    BEGIN UPDATE image_version SET import_digest = NULL
    WHERE pk IN (OLD.version_pk, NEW.version_pk) AND import_digest IS NOT NULL; END""",
    """CREATE TRIGGER target_region_delete_import_digest_stale AFTER DELETE ON target_region
    BEGIN UPDATE image_version SET import_digest = NULL
    WHERE pk = OLD.version_pk AND import_digest IS NOT NULL; END""",
)

POSTGRESQL_FUNCTIONS = (
    """CREATE FUNCTION import_digest_row_changed() RETURNS trigger AS $$
    BEGIN
        IF NEW.import_digest IS NOT DISTINCT FROM OLD.import_digest THEN
            NEW.import_digest := NULL;
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE FUNCTION import_digest_target_changed() RETURNS trigger AS $$
    BEGIN
        UPDATE image_version SET import_digest = NULL
        WHERE pk = OLD.version_pk AND import_digest IS NOT NULL;
        IF TG_OP = 'UPDATE' AND NEW.version_pk IS DISTINCT FROM OLD.version_pk THEN
            UPDATE image_version SET import_digest = NULL
            WHERE pk = NEW.version_pk AND import_digest IS NOT NULL;
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
)


def _postgresql_row_changed(table: str) -> str:
    return f"""CREATE TRIGGER {table}_import_digest_stale BEFORE UPDATE ON {table}
    FOR EACH ROW WHEN (OLD.import_digest IS NOT NULL)
    EXECUTE FUNCTION import_digest_row_changed()"""


POSTGRESQL_TARGET_TRIGGER = """CREATE TRIGGER target_region_import_digest_stale
    AFTER UPDATE OR DELETE ON target_region
    FOR EACH ROW EXECUTE FUNCTION import_digest_target_changed()"""


def _on_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    present = sa.column("import_digest").is_not(None)
    for table in TABLES:
        op.add_column(table, sa.Column("import_digest", sa.String(32), nullable=True))
        op.create_index(
            f"ix_{table}_import_digest",
            table,
            ["import_digest"],
            sqlite_where=present,
            postgresql_where=present,
        )
    if _on_sqlite():
        for statement in (*map(_sqlite_row_changed, TABLES), *SQLITE_TARGET_TRIGGERS):
            op.execute(statement)
        return
    for statement in (
        *POSTGRESQL_FUNCTIONS,
        *map(_postgresql_row_changed, TABLES),
        POSTGRESQL_TARGET_TRIGGER,
    ):
        op.execute(statement)


def downgrade() -> None:
    if _on_sqlite():
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_import_digest_stale")
        op.execute("DROP TRIGGER target_region_update_import_digest_stale")
        op.execute("DROP TRIGGER target_region_delete_import_digest_stale")
    else:
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_import_digest_stale ON {table}")
        op.execute("DROP TRIGGER target_region_import_digest_stale ON target_region")
        op.execute("DROP FUNCTION import_digest_target_changed()")
        op.execute("DROP FUNCTION import_digest_row_changed()")
    for table in reversed(TABLES):
        op.drop_index(f"ix_{table}_import_digest", table)
        # in place on SQLite too: a batch copy of a referenced table fails under foreign keys
        op.execute(f"ALTER TABLE {table} DROP COLUMN import_digest")
