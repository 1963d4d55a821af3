"""replication timeline: planned duration, state index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 17:22:29.983426

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("target_region", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duration_seconds", sa.Float(), nullable=True))
        batch_op.create_index(batch_op.f("ix_target_region_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("target_region", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_target_region_state"))
        batch_op.drop_column("duration_seconds")
