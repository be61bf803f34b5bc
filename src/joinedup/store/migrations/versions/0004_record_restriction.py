"""record restriction

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 07:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "record_restriction",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("restricted_by", sa.String(length=100), nullable=False),
        sa.Column("restricted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"], ["record.id"], name=op.f("fk_record_restriction_record_id_record")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_restriction")),
        sa.UniqueConstraint("record_id", name=op.f("uq_record_restriction_record_id")),
    )


def downgrade() -> None:
    op.drop_table("record_restriction")
