"""scale indexes: image versions by name, for the `/` filter at Azure's limits

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 20:30:00.000000

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("image_version", schema=None) as batch_op:
        batch_op.create_index("ix_image_version_name_location", ["name", "location"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("image_version", schema=None) as batch_op:
        batch_op.drop_index("ix_image_version_name_location")
