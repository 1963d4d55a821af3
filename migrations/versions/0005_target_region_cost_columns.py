"""target regions carry their version's size and source region, for the cost rollup

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 01:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TARGET = sa.table(
    "target_region", sa.column("version_pk"), sa.column("size_gb"), sa.column("source_region")
)
VERSION = sa.table(
    "image_version", sa.column("pk"), sa.column("os_disk_size_gb"), sa.column("location")
)
DISK = sa.table("data_disk", sa.column("version_pk"), sa.column("size_gb"))


def upgrade() -> None:
    with op.batch_alter_table("target_region", schema=None) as batch_op:
        batch_op.add_column(sa.Column("size_gb", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("source_region", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
    data_gb = (
        sa.select(sa.func.coalesce(sa.func.sum(DISK.c.size_gb), 0))
        .where(DISK.c.version_pk == VERSION.c.pk)
        .scalar_subquery()
    )
    of_version = VERSION.c.pk == TARGET.c.version_pk
    size_gb = sa.select(VERSION.c.os_disk_size_gb + data_gb).where(of_version).scalar_subquery()
    location = sa.select(VERSION.c.location).where(of_version).scalar_subquery()
    op.execute(TARGET.update().values(size_gb=size_gb, source_region=location))
    with op.batch_alter_table("target_region", schema=None) as batch_op:
        batch_op.alter_column("size_gb", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column(
            "source_region",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=64),
            nullable=False,
        )
        batch_op.create_index(
            "ix_target_region_cost",
            ["size_gb", "storage_account_type", "region", "source_region", "replica_count"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("target_region", schema=None) as batch_op:
        batch_op.drop_index("ix_target_region_cost")
        batch_op.drop_column("source_region")
        batch_op.drop_column("size_gb")
