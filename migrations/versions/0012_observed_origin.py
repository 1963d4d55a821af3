"""observed state: where a gallery, definition or version came from, and its last sync

`origin` is 'local' (made in sigtui, the demo seed, an import) or 'azure' (read from
Azure by `sigtui sync`: observed, never moved by the replication simulator); `synced_at`
is when a sync last wrote the resource. Existing rows are local. Downgrading drops the
columns.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 03:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sigtui.catalog.model.models

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("gallery", "image_definition", "image_version")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(
            table,
            sa.Column(
                "origin",
                sqlmodel.sql.sqltypes.AutoString(length=8),
                server_default="local",
                nullable=False,
            ),
        )
        op.add_column(
            table,
            sa.Column("synced_at", sigtui.catalog.model.models.UTCDateTime(), nullable=True),
        )


def downgrade() -> None:
    # in place on SQLite too: a batch copy of a referenced table fails under foreign keys
    for table in reversed(TABLES):
        op.execute(f"ALTER TABLE {table} DROP COLUMN synced_at")
        op.execute(f"ALTER TABLE {table} DROP COLUMN origin")
