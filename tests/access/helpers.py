"""Shared constants and helpers of the access tests (fixtures live in conftest.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from joinedup.access import audit
from joinedup.access.model import User
from joinedup.access.users import add_user
from joinedup.store import write_transaction

T0 = datetime(2025, 3, 1, 9, 0, 0)
ADMIN_PASSWORD = "granite kettle orchard 42"
PW = "violet harbour lantern 7"


def add(engine: Engine, username: str, role: str, password: str = PW) -> User:
    with write_transaction(engine) as conn:
        return add_user(conn, username, role, password, actor="ada.admin", now=T0)


def audit_rows(engine: Engine) -> list[audit.AuditEvent]:
    with engine.connect() as conn:
        return audit.list_events(conn, limit=None)
