"""Index the references that point back at a row, where they are set

Deleting a row makes the database look for rows that still refer to it: SQLite for each
foreign key, PostgreSQL in the trigger behind each one. Without an index on the
referring column that look-up reads the whole table for every row deleted, and erasing
the 1M city's ANPR batch (643,029 records, as many camera mentions) did not finish in
ten minutes (ingest/erasure.py). Each index holds only the rows where the reference is
set, so most ingested rows add nothing to it, and the ids it holds grow as rows are
added: new entries go at its end.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 02:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_record_supersedes", "record", "supersedes_id"),
    ("ix_vehicle_mention_person", "vehicle_mention", "person_mention_id"),
    ("ix_phone_mention_person", "phone_mention", "person_mention_id"),
    ("ix_location_mention_person", "location_mention", "person_mention_id"),
    ("ix_event_location", "event", "location_mention_id"),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        condition = sa.text(f"{column} IS NOT NULL")
        op.create_index(name, table, [column], sqlite_where=condition, postgresql_where=condition)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
