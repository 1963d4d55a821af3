"""change marker: one row whose serial moves on with every committed change

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 20:10:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sigtui.catalog.model.models

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    marker = op.create_table(
        "catalog_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sigtui.catalog.model.models.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_change")),
    )
    # the one row; writers only ever UPDATE it, so they never race to create it
    op.bulk_insert(marker, [{"id": 1, "serial": 0, "changed_at": None}])


def downgrade() -> None:
    op.drop_table("catalog_change")
