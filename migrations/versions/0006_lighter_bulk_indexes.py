"""lighter indexes for bulk loads: target regions by region no more, by state only those
in flight, and source keys only where set

Bulk loads paid for each index on every row. No query reads target regions by region
alone (per version, the unique (version_pk, region) index serves); the replication clock
reads only the regions still replicating; a version or data disk has one kind of source,
so its other source keys are empty, and lookups by a key never look for an empty one.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 08:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REPLICATING_ONLY = sa.column("state") == sa.literal("Replicating")
SOURCE_KEYS = (
    ("image_version", "ix_image_version_managed_image_pk", "managed_image_pk"),
    ("image_version", "ix_image_version_os_snapshot_pk", "os_snapshot_pk"),
    ("data_disk", "ix_data_disk_snapshot_pk", "snapshot_pk"),
)


def upgrade() -> None:
    with op.batch_alter_table("target_region", schema=None) as batch_op:
        batch_op.drop_index("ix_target_region_region")
        batch_op.drop_index("ix_target_region_state")
        batch_op.create_index(
            "ix_target_region_replicating",
            ["state"],
            unique=False,
            sqlite_where=REPLICATING_ONLY,
            postgresql_where=REPLICATING_ONLY,
        )
    for table, index, column in SOURCE_KEYS:
        present = sa.column(column).is_not(None)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(index)
            batch_op.create_index(
                index, [column], unique=False, sqlite_where=present, postgresql_where=present
            )


def downgrade() -> None:
    for table, index, column in SOURCE_KEYS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(index)
            batch_op.create_index(index, [column], unique=False)
    with op.batch_alter_table("target_region", schema=None) as batch_op:
        batch_op.drop_index("ix_target_region_replicating")
        batch_op.create_index("ix_target_region_state", ["state"], unique=False)
        batch_op.create_index("ix_target_region_region", ["region"], unique=False)
