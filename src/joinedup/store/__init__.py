"""The store: SQLAlchemy Core tables, engines (SQLite default, PostgreSQL by URL), migrations."""

from joinedup.store.engine import make_engine, wait_for_checkpoints, write_transaction
from joinedup.store.migrate import current_revision, migrate

__all__ = [
    "current_revision",
    "make_engine",
    "migrate",
    "wait_for_checkpoints",
    "write_transaction",
]
