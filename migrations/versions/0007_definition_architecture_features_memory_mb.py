"""image definitions carry their architecture and features; recommended memory in MB

Azure's `architecture` (x64 unless given) and `features` (name=value pairs) are new
columns. Recommended memory was kept in GB; REST's `recommended.memory` and az's
`--minimum-memory`/`--maximum-memory` count MB, so the columns are renamed and their
values converted (x 1024; a value too big for an int32 in MB becomes the int32 maximum).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 23:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INT32_MAX = 2**31 - 1
MB_PER_GB = 1024
RENAMED = (("min_memory_gb", "min_memory_mb"), ("max_memory_gb", "max_memory_mb"))


def _convert(columns: Sequence[str], to_mb: bool) -> None:
    table = sa.table("image_definition", *(sa.column(c, sa.Integer) for c in columns))
    values = {}
    for name in columns:
        column = table.c[name]
        if to_mb:
            values[name] = sa.case(
                (column > INT32_MAX // MB_PER_GB, INT32_MAX), else_=column * MB_PER_GB
            )
        else:  # rounded up: a positive amount stays positive
            values[name] = (column + MB_PER_GB - 1) / MB_PER_GB
    op.execute(table.update().values(values))


def _rename(old: str, new: str) -> None:
    """In place, on SQLite and PostgreSQL alike: a batch operation would copy the table,
    which SQLite refuses while versions and role assignments refer to it."""
    op.execute(f"ALTER TABLE image_definition RENAME COLUMN {old} TO {new}")


def upgrade() -> None:
    op.add_column(
        "image_definition",
        sa.Column(
            "architecture",
            sqlmodel.sql.sqltypes.AutoString(length=8),
            server_default="x64",
            nullable=False,
        ),
    )
    op.add_column(
        "image_definition",
        sa.Column("features", sa.JSON(), server_default=sa.text("'{}'"), nullable=False),
    )
    for old, new in RENAMED:
        _rename(old, new)
    _convert([new for _, new in RENAMED], to_mb=True)


def downgrade() -> None:
    _convert([new for _, new in RENAMED], to_mb=False)
    for old, new in RENAMED:
        _rename(new, old)
    for column in ("features", "architecture"):  # in place too (SQLite 3.35 and later)
        op.execute(f"ALTER TABLE image_definition DROP COLUMN {column}")
