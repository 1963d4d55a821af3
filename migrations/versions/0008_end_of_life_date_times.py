"""end-of-life dates are date-times (REST `date-time`, SIG-EOL)

A date alone meant that day; it becomes 12:59:59 UTC of that day, the time az sends for
`--end-of-life-date YYYY-MM-DD`. Downgrading keeps the date and drops the time of day.

On SQLite the column is replaced in place (add, copy, drop, rename) rather than by
batch mode's copy of the table: versions and role assignments reference these tables,
and recreating a referenced table fails while foreign keys are enforced.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 23:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("image_definition", "image_version")
COLUMN = "end_of_life_date"
SWAP = "end_of_life_date_swap"


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _replace_sqlite_column(table: str, new_type: str, copied: str) -> None:
    """The column anew with `new_type`, its values as the SQL expression `copied`."""
    op.execute(f"ALTER TABLE {table} ADD COLUMN {SWAP} {new_type}")
    op.execute(f"UPDATE {table} SET {SWAP} = {copied} WHERE {COLUMN} IS NOT NULL")
    op.execute(f"ALTER TABLE {table} DROP COLUMN {COLUMN}")
    op.execute(f"ALTER TABLE {table} RENAME COLUMN {SWAP} TO {COLUMN}")


def upgrade() -> None:
    for table in TABLES:
        if _is_sqlite():  # stored as SQLAlchemy stores date-times on SQLite
            at_az_time = f"{COLUMN} || ' 12:59:59.000000'"  # a date alone: az's time
            copied = f"CASE WHEN length({COLUMN}) = 10 THEN {at_az_time} ELSE {COLUMN} END"
            _replace_sqlite_column(table, "DATETIME", copied)
            continue
        op.alter_column(
            table,
            COLUMN,
            existing_type=sa.Date(),
            type_=sa.DateTime(),
            existing_nullable=True,
            postgresql_using=f"{COLUMN} + TIME '12:59:59'",
        )


def downgrade() -> None:
    for table in TABLES:
        if _is_sqlite():
            _replace_sqlite_column(table, "DATE", f"substr({COLUMN}, 1, 10)")
            continue
        op.alter_column(
            table,
            COLUMN,
            existing_type=sa.DateTime(),
            type_=sa.Date(),
            existing_nullable=True,
            postgresql_using=f"{COLUMN}::date",
        )
