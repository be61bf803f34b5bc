"""Index only the location mentions that have a postcode

Most location mentions have none: every ANPR read names its camera, by name and place,
never by postcode, and at a million records 907,000 of 1,412,000 location mentions held
NULL there. Each was an entry in the postcode index, written by the ingest that stored
it, that no query reads: search looks postcodes up by value or by district (a range),
which imply a postcode, and both SQLite and PostgreSQL use a partial index for such a
query. So the index now holds only rows with a postcode (docs/ingest.md, Stored).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 05:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HAS_POSTCODE = "postcode IS NOT NULL"


def upgrade() -> None:
    op.drop_index("ix_location_mention_postcode", table_name="location_mention")
    op.create_index(
        "ix_location_mention_postcode",
        "location_mention",
        ["postcode"],
        sqlite_where=sa.text(HAS_POSTCODE),
        postgresql_where=sa.text(HAS_POSTCODE),
    )


def downgrade() -> None:
    op.drop_index("ix_location_mention_postcode", table_name="location_mention")
    op.create_index("ix_location_mention_postcode", "location_mention", ["postcode"])
