"""versions from VHD blobs keep the storage account of each blob

Azure's `storageProfile.osDiskImage.source` and `dataDiskImages[].source` name a VHD
blob by `uri` and the `storageAccountId` holding it. The blob's URI stays in
`external_source_id`; its storage account gets a column beside it, on the version (its OS
disk) and on each data disk. Downgrading drops the columns (the URIs stay).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 00:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("image_version", "source_storage_account_id"),
    ("data_disk", "storage_account_id"),
)


def upgrade() -> None:
    for table, column in COLUMNS:
        op.add_column(table, sa.Column(column, sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    # in place on SQLite too: a batch copy of a referenced table fails under foreign keys
    for table, column in COLUMNS:
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
