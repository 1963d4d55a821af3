"""catalog events: who changed what and when, one row per change or batch

A `catalog_event` row is written in the same transaction as each change (create, update,
delete, a bulk edit or an import as one row), indexed by time for the events pane.
Downgrading drops the table.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 02:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sigtui.catalog.model.models

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalog_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sigtui.catalog.model.models.UTCDateTime(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("arm_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_event")),
    )
    op.create_index(op.f("ix_catalog_event_at"), "catalog_event", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_catalog_event_at"), table_name="catalog_event")
    op.drop_table("catalog_event")
