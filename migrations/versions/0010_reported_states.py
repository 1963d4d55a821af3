"""imported resources keep their provisioning state and disks' host caching as Azure
reported them

`provisioningState` of galleries, definitions and versions, and `hostCaching` of a
version's OS disk and each data disk, were printed as constants. They become columns whose
server defaults are those constants (Succeeded; ReadWrite for an OS disk, None for a data
disk), so existing rows and resources made in sigtui show what they showed before.
Downgrading drops the columns.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 01:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, the value of existing rows)
COLUMNS = (
    ("gallery", "provisioning_state", "Succeeded"),
    ("image_definition", "provisioning_state", "Succeeded"),
    ("image_version", "provisioning_state", "Succeeded"),
    ("image_version", "os_host_caching", "ReadWrite"),
    ("data_disk", "host_caching", "None"),
)


def upgrade() -> None:
    for table, column, default in COLUMNS:
        op.add_column(
            table,
            sa.Column(
                column,
                sqlmodel.sql.sqltypes.AutoString(length=16),
                server_default=default,
                nullable=False,
            ),
        )


def downgrade() -> None:
    # in place on SQLite too: a batch copy of a referenced table fails under foreign keys
    for table, column, _ in reversed(COLUMNS):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
