"""participation: derived from mentions and events, no longer stored

Every mention of a record takes part in that record's event, in the role its own row
holds; ingest wrote that again as a participation row (a third of its rows). The table
goes; store/participations.py gives the same rows by a join. Before dropping it, the
upgrade checks that the table holds exactly what the join gives, and refuses otherwise.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 14:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS = ("person", "location", "vehicle", "phone")
_COLUMNS = ("event_id", "mention_kind", "mention_id", "role")


def _union() -> sa.CompoundSelect:
    event = sa.table("event", sa.column("id"), sa.column("record_id"))
    parts = []
    for kind in _KINDS:
        m = sa.table(f"{kind}_mention", sa.column("id"), sa.column("record_id"), sa.column("role"))
        parts.append(
            sa.select(
                event.c.id.label("event_id"),
                sa.literal(kind, sa.String(16)).label("mention_kind"),
                m.c.id.label("mention_id"),
                m.c.role.label("role"),
            ).join_from(m, event, event.c.record_id == m.c.record_id)
        )
    return sa.union_all(*parts)


def _derived() -> sa.Select:
    # A plain SELECT over the union: SQLite takes no parenthesised compound in a compound.
    d = _union().subquery("d")
    return sa.select(*(d.c[name] for name in _COLUMNS))


def _stored() -> sa.Select:
    p = sa.table("participation", *(sa.column(name) for name in _COLUMNS))
    return sa.select(*(p.c[name] for name in _COLUMNS))


def _count(conn: sa.Connection, query: sa.Selectable) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar())


def upgrade() -> None:
    conn = op.get_bind()
    # Rows in one and not the other, both ways, and the counts (ingest wrote one row per
    # mention, so equal sets of equal size are the same rows).
    missing = _count(conn, sa.except_(_derived(), _stored()))
    extra = _count(conn, sa.except_(_stored(), _derived()))
    rows, expected = _count(conn, _stored()), _count(conn, _derived())
    if missing or extra or rows != expected:
        raise RuntimeError(
            "participation rows differ from what the mentions and events give"
            f" ({missing} missing, {extra} extra, {rows} stored, {expected} derived):"
            " this store was changed outside JoinedUp; not migrating"
        )
    with op.batch_alter_table("participation", schema=None) as batch_op:
        batch_op.drop_index("ix_participation_mention")
        batch_op.drop_index("ix_participation_event")
    op.drop_table("participation")


def downgrade() -> None:
    op.create_table(
        "participation",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("mention_kind", sa.String(length=16), nullable=False),
        sa.Column("mention_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_participation_event_id_event")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participation")),
    )
    with op.batch_alter_table("participation", schema=None) as batch_op:
        batch_op.create_index("ix_participation_event", ["event_id"], unique=False)
        batch_op.create_index(
            "ix_participation_mention", ["mention_kind", "mention_id"], unique=False
        )
    derived = _derived().subquery("derived")
    p = sa.table("participation", *(sa.column(name) for name in _COLUMNS))
    op.execute(
        p.insert().from_select(
            list(_COLUMNS),
            sa.select(*(derived.c[name] for name in _COLUMNS)).order_by(
                derived.c.event_id, derived.c.mention_kind, derived.c.mention_id
            ),
        )
    )
