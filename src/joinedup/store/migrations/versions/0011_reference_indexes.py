"""Index the references that point back at a row, where they are set (PostgreSQL)

Deleting a row makes PostgreSQL look for rows that still refer to it, in the trigger
behind each foreign key. Without an index on the referring column that look-up reads
the whole table for every row deleted, and erasing the 1M city's ANPR batch (640,427
records, as many camera mentions) did not finish in ten minutes (ingest/erasure.py).
Each index holds only the rows where the reference is set, and the ids it holds grow as
rows are added: new entries go at its end.

On PostgreSQL only. SQLite makes the same look-ups per row, but an erasure there turns
them off for its transaction and checks the references itself, once per table, so
SQLite stores are spared the entries every ingest would write (about 4 CPU-s of the
ingest process's at 1M).

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
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, table, column in INDEXES:
        condition = sa.text(f"{column} IS NOT NULL")
        op.create_index(name, table, [column], postgresql_where=condition)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
