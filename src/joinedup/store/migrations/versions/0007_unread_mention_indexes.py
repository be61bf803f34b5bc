"""Drop two indexes no query reads: person_mention.surname and event.start_at

Every index is paid for on every row an ingest writes. Search finds names through its own
index of entities (search/index.py), and every reader of event times takes the events of
records, entities or a whole store it has already chosen, never a range of times, so these
two only slowed ingest (on PostgreSQL most; docs/ingest.md, Stored).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 17:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_person_mention_surname", table_name="person_mention")
    op.drop_index("ix_event_start", table_name="event")


def downgrade() -> None:
    op.create_index("ix_event_start", "event", ["start_at"])
    op.create_index("ix_person_mention_surname", "person_mention", ["surname"])
