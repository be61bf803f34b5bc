"""The store: SQLAlchemy Core tables, engines (SQLite default, PostgreSQL by URL), migrations.

The names below are imported when first asked for, so that a module that needs only the
tables (an ingest worker: store.tables) does not import Alembic with them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from joinedup.store.engine import make_engine, wait_for_checkpoints, write_transaction
    from joinedup.store.schema import current_revision, migrate

_WHERE = {
    "current_revision": "joinedup.store.schema",
    "make_engine": "joinedup.store.engine",
    "migrate": "joinedup.store.schema",
    "wait_for_checkpoints": "joinedup.store.engine",
    "write_transaction": "joinedup.store.engine",
}

__all__ = [
    "current_revision",
    "make_engine",
    "migrate",
    "wait_for_checkpoints",
    "write_transaction",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
