"""PostgreSQL: content hashes as their 32 bytes (bytea), not 64 hex digits

The unique index on (source_id, content_hash) of record is probed and extended by every
batch at random keys; at a million records its hex text made it 141 MB, more than the
server's default buffers, so most inserts read and wrote a page outside them. As bytea it
is about half the size (docs/ingest.md, Stored). SQLite keeps the hex text: its column
types are not enforced, and changing one would rebuild the table.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 20:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("record", "quarantine")


def upgrade() -> None:
    _retype("bytea USING decode(content_hash, 'hex')")


def downgrade() -> None:
    _retype("varchar(64) USING encode(content_hash, 'hex')")


def _retype(to: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN content_hash TYPE {to}")
