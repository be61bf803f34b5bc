"""Say on a batch when, by whom and why it was erased

An erased batch's records and all that was derived from them are deleted
(ingest/erasure.py); the batch row stays as metadata (file name, hash, counts, who
ingested it), and these columns say that it was erased.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


COLUMNS = (
    ("erased_at", sa.DateTime),
    ("erased_by", lambda: sa.String(100)),
    ("erasure_reason", sa.Text),
)


def upgrade() -> None:
    for name, kind in COLUMNS:  # ALTER TABLE ... ADD COLUMN on both: no table is rebuilt
        op.add_column("ingest_batch", sa.Column(name, kind(), nullable=True))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN on both (SQLite 3.35 or later): rebuilding the table, as
    # Alembic's batch mode would on SQLite, fails while records refer to its rows.
    for name, _ in reversed(COLUMNS):
        op.execute(f"ALTER TABLE ingest_batch DROP COLUMN {name}")
