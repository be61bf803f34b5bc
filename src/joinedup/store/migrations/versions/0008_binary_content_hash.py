"""Content hashes as their 32 bytes, not 64 hex digits

The unique index on (source_id, content_hash) of record is probed and extended by every
batch at random keys; at a million records its hex text made it 141 MB on PostgreSQL,
more than the server's default buffers, so most inserts read and wrote a page outside
them. As bytes it is about half the size (docs/ingest.md, Duplicates). PostgreSQL's
column becomes bytea. SQLite's keeps its declared type (SQLite does not enforce one, and
changing it would rebuild the table): its values become blobs.

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

TABLES = ("record", "quarantine")  # fixed names: the only text formatted into SQL here


def upgrade() -> None:
    if _sqlite():
        _unhex_function()
        _rewrite_sqlite("joinedup_unhex(content_hash)", held_as="text")
    else:
        _retype("bytea USING decode(content_hash, 'hex')")


def downgrade() -> None:
    if _sqlite():
        _rewrite_sqlite("lower(hex(content_hash))", held_as="blob")
    else:
        _retype("varchar(64) USING encode(content_hash, 'hex')")


def _rewrite_sqlite(value: str, *, held_as: str) -> None:
    for table in TABLES:
        op.execute(
            f"UPDATE {table} SET content_hash = {value}"  # noqa: S608
            f" WHERE typeof(content_hash) = '{held_as}'"
        )


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _unhex_function() -> None:
    # SQLite 3.40 has no unhex(): the conversion is Python's, on this connection
    raw = op.get_bind().connection.driver_connection
    raw.create_function("joinedup_unhex", 1, bytes.fromhex, deterministic=True)


def _retype(to: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN content_hash TYPE {to}")
