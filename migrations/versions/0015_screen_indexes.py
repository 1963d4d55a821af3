"""screen indexes: the target regions not Completed, the copies completed by their
completion time, and each version's replicas by storage and size

The replication screen lists the regions in flight, failed or unknown (a few among
hundreds of thousands) and the copies completed within the last day. It found them by
computing every region's state (900,000 rows at Azure's limits, every second); two
partial indexes hand it those rows alone. The source region of a version (Completed
from the start, never listed) is left out of the second, so loads pay for two regions in
three there and for none of the others in the first. The cost screen ranks the versions
by their monthly storage: summed per version from the third alone, in version order,
without reading the table. Downgrading drops them.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 06:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNFINISHED = sa.column("state") != sa.literal("Completed")
COMPLETED_COPY = sa.and_(
    sa.column("state") == sa.literal("Completed"),
    sa.column("region") != sa.column("source_region"),
)


def upgrade() -> None:
    op.create_index(
        "ix_target_region_version_cost",
        "target_region",
        ["version_pk", "size_gb", "storage_account_type", "replica_count"],
    )
    op.create_index(
        "ix_target_region_unfinished",
        "target_region",
        ["state"],
        sqlite_where=UNFINISHED,
        postgresql_where=UNFINISHED,
    )
    op.create_index(
        "ix_target_region_completed",
        "target_region",
        ["completed_at"],
        sqlite_where=COMPLETED_COPY,
        postgresql_where=COMPLETED_COPY,
    )


def downgrade() -> None:
    op.drop_index("ix_target_region_completed", "target_region")
    op.drop_index("ix_target_region_unfinished", "target_region")
    op.drop_index("ix_target_region_version_cost", "target_region")
