"""Server-side sessions for the web workbench and API: random tokens, stored only as SHA-256.

A session ends at the first of: its absolute lifetime, an idle gap, revocation, or its
user being disabled. Opening, re-purposing and revoking a session are audited.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from joinedup.access import audit
from joinedup.access.clock import as_utc
from joinedup.access.model import SessionInfo, User, UserError
from joinedup.pole import AuditCategory
from joinedup.store.tables import app_user, user_session

ABSOLUTE_TTL = timedelta(hours=12)
IDLE_TIMEOUT = timedelta(minutes=30)
# last_seen_at is refreshed at most this often, so reading a page is not always a write.
TOUCH_INTERVAL = timedelta(seconds=60)
KINDS = ("web", "api")


def token_hash(token: str) -> str:
    """What the store keeps instead of the token: a leaked table opens no session."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_session(
    conn: Connection,
    user: User,
    *,
    kind: str = "web",
    ttl: timedelta = ABSOLUTE_TTL,
    purpose: str | None = None,
    actor: str | audit.AuditActor | None = None,
    now: datetime | None = None,
) -> str:
    """Open a session for an active user; returns the token (shown once, never stored)."""
    if kind not in KINDS:
        raise UserError(f"session kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if not user.active:
        raise UserError(f"user {user.username!r} is disabled and cannot open a session")
    if ttl <= timedelta(0):
        raise UserError("a session's lifetime must be positive")
    now = as_utc(now)
    token = secrets.token_urlsafe(32)
    session_id = conn.execute(
        insert(user_session)
        .values(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + ttl,
            purpose=purpose,
            kind=kind,
        )
        .returning(user_session.c.id)
    ).scalar_one()
    _audit(
        conn,
        actor or user.username,
        "session_opened",
        session_id,
        now,
        purpose=purpose,
        detail={"user": user.username, "kind": kind, "expires_at": now + ttl},
    )
    return token


def lookup(
    conn: Connection,
    token: str,
    *,
    idle_timeout: timedelta = IDLE_TIMEOUT,
    now: datetime | None = None,
) -> SessionInfo | None:
    """The live session for `token`, or None when unknown, expired, idle, revoked or disabled."""
    now = as_utc(now)
    s = user_session.c
    session_columns = [c.label(f"s_{c.name}") for c in user_session.c]
    row = conn.execute(
        select(*session_columns, *app_user.c)
        .join_from(user_session, app_user, app_user.c.id == s.user_id)
        .where(s.token_hash == token_hash(token))
    ).first()
    if row is None or row.s_revoked_at is not None or not row.active:
        return None
    if now >= row.s_expires_at or now - row.s_last_seen_at > idle_timeout:
        return None
    last_seen = row.s_last_seen_at
    if now - last_seen >= TOUCH_INTERVAL:
        conn.execute(update(user_session).where(s.id == row.s_id).values(last_seen_at=now))
        last_seen = now
    return SessionInfo(
        id=row.s_id,
        user=User.from_row(row),
        kind=row.s_kind,
        purpose=row.s_purpose,
        created_at=row.s_created_at,
        last_seen_at=last_seen,
        expires_at=row.s_expires_at,
    )


def set_purpose(conn: Connection, token: str, purpose: str, *, now: datetime | None = None) -> bool:
    """Record why the user is working now (a reason or case reference); False if not live."""
    now = as_utc(now)
    live = lookup(conn, token, now=now)
    if live is None:
        return False
    conn.execute(update(user_session).where(user_session.c.id == live.id).values(purpose=purpose))
    _audit(conn, live.user.username, "session_purpose_set", live.id, now, purpose=purpose)
    return True


def revoke(
    conn: Connection,
    token: str,
    *,
    actor: str | audit.AuditActor,
    reason: str = "logout",
    now: datetime | None = None,
) -> bool:
    """End one session; False when the token is unknown or already revoked."""
    now = as_utc(now)
    session_id = conn.execute(
        update(user_session)
        .where(user_session.c.token_hash == token_hash(token), user_session.c.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(user_session.c.id)
    ).scalar_one_or_none()
    if session_id is None:
        return False
    _audit(conn, actor, "session_revoked", session_id, now, detail={"reason": reason})
    return True


def revoke_all_for_user(
    conn: Connection,
    user: User,
    *,
    actor: str | audit.AuditActor,
    reason: str,
    now: datetime | None = None,
) -> int:
    """End every live session of `user` (e.g. a stolen laptop); returns how many ended."""
    now = as_utc(now)
    ended = end_sessions(conn, user.id, now)
    audit.record(
        conn,
        actor=actor,
        category=AuditCategory.alteration,
        action="sessions_revoked",
        object_type="app_user",
        object_id=user.username,
        detail={"reason": reason, "sessions": ended},
        now=now,
    )
    return ended


def end_sessions(conn: Connection, user_id: int, now: datetime) -> int:
    """Revoke a user's live sessions without an audit row of its own: the caller logs why."""
    result = conn.execute(
        update(user_session)
        .where(user_session.c.user_id == user_id, user_session.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(result.rowcount or 0)


def _audit(
    conn: Connection,
    actor: str | audit.AuditActor,
    action: str,
    session_id: int,
    now: datetime,
    *,
    purpose: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    audit.record(
        conn,
        actor=actor,
        category=AuditCategory.alteration,
        action=action,
        object_type="user_session",
        object_id=session_id,
        purpose=purpose,
        detail=detail,
        now=now,
    )
