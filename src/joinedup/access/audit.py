"""The DPA 2018 s.62 audit writer and reader: one hash-chained row per processing operation.

`record` writes inside the caller's transaction, so an operation and its audit row commit
or vanish together. Appends are serialised so two writers can never fork the chain.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any, Protocol

from sqlalchemy import (
    Connection,
    DateTime,
    String,
    Text,
    bindparam,
    func,
    insert,
    literal,
    select,
    text,
    update,
)

from joinedup.access.chain import GENESIS_HASH, canonical_json, row_hash
from joinedup.access.clock import as_utc
from joinedup.pole import AuditCategory
from joinedup.store.engine import is_sqlite
from joinedup.store.tables import audit_event as t

# The same key `write_transaction(engine, lock="audit")` takes on PostgreSQL.
AUDIT_LOCK_KEY = zlib.crc32(b"joinedup:audit")
# Never logged, at any depth: the audit is kept for years and read by many.
SECRET_KEYS = frozenset({"password", "password_hash", "token", "token_hash", "secret"})
# An erasure row says what was erased and why, never what the erased data said.
CONTENT_KEYS = frozenset({"raw", "data", "content", "record", "fields", "values", "before"})
REFUSED_ACTION = "refused"  # an attempt the actor was not authorised to make
_LIMITS = {"actor": 100, "action": 64, "object_type": 32, "object_id": 200, "recipient": 200}


class AuditActor(Protocol):
    """Who acts: an Actor (see actor.py) adds e.g. {"setup_mode": true} to each row."""

    @property
    def name(self) -> str: ...

    def audit_detail(self) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class AuditEvent:
    seq: int
    at: datetime
    actor: str
    category: AuditCategory
    action: str
    object_type: str | None
    object_id: str | None
    purpose: str | None
    recipient: str | None
    detail: dict[str, Any] | None
    prev_hash: str
    hash: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at.isoformat(timespec="microseconds"),
            "actor": self.actor,
            "category": str(self.category),
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "purpose": self.purpose,
            "recipient": self.recipient,
            "detail": self.detail,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


def record(
    conn: Connection,
    *,
    actor: str | AuditActor,
    category: AuditCategory | str,
    action: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    purpose: str | None = None,
    recipient: str | None = None,
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> int:
    """Append one audit row inside the caller's open transaction; returns its seq.

    On SQLite use `write_transaction` (BEGIN IMMEDIATE); under a plain `engine.begin()`
    this is still safe (seq is taken in the INSERT itself), but a transaction that read
    before another writer committed fails with "database is locked" and must be retried.
    """
    if not conn.in_transaction() or _autocommit(conn):
        raise RuntimeError(
            "audit.record must run inside the caller's transaction "
            "(write_transaction(engine) or engine.begin()), so the row commits with the work"
        )
    if not isinstance(actor, str):
        detail = {**actor.audit_detail(), **(detail or {})}
        actor = actor.name
    category = AuditCategory(category)
    values: dict[str, Any] = {
        "at": as_utc(now),
        "actor": actor,
        "category": str(category),
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "purpose": purpose,
        "recipient": recipient,
        "detail": _detail_text(category, detail),
    }
    _check_values(values, category)
    if not is_sqlite(conn):
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_LOCK_KEY})
    # seq is computed by the INSERT itself: on SQLite that statement takes the write lock
    # before it reads MAX(seq), so even a deferred transaction cannot reuse a seq; the hash
    # needs the previous row, which is stable once we hold the lock, so it is set next.
    new_id, seq = conn.execute(_APPEND, values).one()
    prev = GENESIS_HASH
    if seq > 1:
        prev = conn.execute(_HASH_OF, {"of_seq": seq - 1}).scalar_one()
    digest = row_hash(prev, SimpleNamespace(seq=seq, **values))
    conn.execute(_SEAL, {"row_id": new_id, "new_prev_hash": prev, "new_hash": digest})
    return int(seq)


_FIELDS = {
    "at": DateTime(),
    "actor": String(),
    "category": String(),
    "action": String(),
    "object_type": String(),
    "object_id": String(),
    "purpose": Text(),
    "recipient": String(),
    "detail": Text(),
}
# Built once so SQLAlchemy compiles them once: record() sits on every audited operation.
_APPEND = (
    insert(t)
    .from_select(
        ["seq", *_FIELDS, "prev_hash", "hash"],
        select(
            func.coalesce(func.max(t.c.seq), 0) + 1,
            *(bindparam(name, type_=type_) for name, type_ in _FIELDS.items()),
            literal("", String()),
            literal("", String()),
        ),
    )
    .returning(t.c.id, t.c.seq)
)
_HASH_OF = select(t.c.hash).where(t.c.seq == bindparam("of_seq"))
_SEAL = (
    update(t)
    .where(t.c.id == bindparam("row_id"))
    .values(prev_hash=bindparam("new_prev_hash"), hash=bindparam("new_hash"))
)


def _autocommit(conn: Connection) -> bool:
    """Whether statements commit one by one (no round trip, unlike get_isolation_level)."""
    if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return True
    if is_sqlite(conn):  # make_engine's begin hook always opens an explicit transaction
        return False
    return bool(getattr(conn.connection.dbapi_connection, "autocommit", False))


def _detail_text(category: AuditCategory, detail: dict[str, Any] | None) -> str | None:
    if not detail:
        return None
    _refuse_keys(detail, SECRET_KEYS, "secrets are never written to the audit")
    if category is AuditCategory.erasure:
        _refuse_keys(detail, CONTENT_KEYS, "an erasure row holds metadata, not the erased data")
        for key, value in detail.items():
            if isinstance(value, dict) or (
                isinstance(value, list | tuple) and any(isinstance(v, dict | list) for v in value)
            ):
                raise ValueError(
                    f"erasure detail {key!r} is nested; give counts, ids and reasons only"
                )
    return canonical_json(detail)


def _refuse_keys(value: Any, keys: frozenset[str], why: str) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            if str(key).lower() in keys:
                raise ValueError(f"audit detail key {key!r} refused: {why}")
            _refuse_keys(inner, keys, why)
    elif isinstance(value, list | tuple):
        for inner in value:
            _refuse_keys(inner, keys, why)


def _check_values(values: dict[str, Any], category: AuditCategory) -> None:
    if not values["actor"] or not values["action"]:
        raise ValueError("an audit row needs an actor and an action")
    for key, limit in _LIMITS.items():
        if values[key] is not None and len(values[key]) > limit:
            raise ValueError(f"audit {key} is longer than {limit} characters: {values[key]!r}")
    refused = values["action"] == REFUSED_ACTION  # nothing was disclosed, to nobody
    if category is AuditCategory.disclosure and not values["recipient"] and not refused:
        raise ValueError("a disclosure must name its recipient (s.62(3)(b))")


def list_events(
    conn: Connection,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    actor: str | None = None,
    category: AuditCategory | str | None = None,
    limit: int | None = 100,
) -> list[AuditEvent]:
    """The newest `limit` rows matching (all when None), oldest first, like `tail`.

    `since` is inclusive and `until` exclusive, both naive UTC or aware datetimes.
    """
    query = select(t)
    if since is not None:
        query = query.where(t.c.at >= as_utc(since))
    if until is not None:
        query = query.where(t.c.at < as_utc(until))
    if actor is not None:
        query = query.where(t.c.actor == actor)
    if category is not None:
        query = query.where(t.c.category == str(AuditCategory(category)))
    query = query.order_by(t.c.seq.desc())
    if limit is not None:
        query = query.limit(limit)
    rows = conn.execute(query).all()
    return [_event(row) for row in reversed(rows)]


def _event(row: Any) -> AuditEvent:
    return AuditEvent(
        seq=int(row.seq),
        at=row.at,
        actor=row.actor,
        category=AuditCategory(row.category),
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        purpose=row.purpose,
        recipient=row.recipient,
        detail=json.loads(row.detail) if row.detail else None,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )
