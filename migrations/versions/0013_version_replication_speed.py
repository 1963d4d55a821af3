"""a version's replication speed: the simulator's speed factor for its regions

The demo catalog's versions replicate visibly (a speed of their own); every other version
keeps realistic durations (1). Existing rows get 1. Downgrading drops the column.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 04:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "image_version",
        sa.Column("replication_speed", sa.Float(), server_default="1", nullable=False),
    )


def downgrade() -> None:
    # in place on SQLite too: a batch copy of a referenced table fails under foreign keys
    op.execute("ALTER TABLE image_version DROP COLUMN replication_speed")
