"""flag_member: an index on entity_id (the groups a profile or a chart node belongs to)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 12:35:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_flag_member_entity", "flag_member", ["entity_id"])


def downgrade() -> None:
    op.drop_index("ix_flag_member_entity", table_name="flag_member")
