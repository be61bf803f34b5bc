"""Who is asking, and may they? Sessions (cookie or bearer token), role checks, purpose.

Every route depends on `need(permission)` or `signed_in` (or is listed in PUBLIC_ROUTES);
tests walk app.routes and fail on a route with neither. Checks run on the server for
every page and endpoint; the templates only hide what a role could not open anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine, select

from joinedup.access import audit
from joinedup.access.actor import Actor, actor_for_user
from joinedup.access.clock import as_utc
from joinedup.access.model import SessionInfo
from joinedup.access.roles import PERMISSION_CATEGORY, NotAuthorised, Permission, require
from joinedup.access.sessions import TOUCH_INTERVAL, lookup, token_hash
from joinedup.pole import AuditCategory
from joinedup.store import write_transaction
from joinedup.store.engine import is_sqlite
from joinedup.store.tables import user_session
from joinedup.web.csrf import SESSION_COOKIE

# Routes anyone may reach: signing in, the token endpoint for scripts, health.
PUBLIC_ROUTES = frozenset(
    {("GET", "/signin"), ("POST", "/signin"), ("POST", "/api/token"), ("GET", "/healthz")}
)


class NotSignedIn(Exception):
    """No live session: never signed in, expired, idle, revoked or disabled."""


class PurposeNeeded(Exception):
    """Personal data asked for before the session has a purpose (reason or case ref)."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in user behind one request, with the session it came through."""

    session: SessionInfo
    token: str
    actor: Actor
    via: str  # web | api

    @property
    def name(self) -> str:
        return self.actor.name

    @property
    def role(self) -> str:
        return str(self.session.user.role)

    @property
    def unit(self) -> str | None:
        return self.session.user.unit

    @property
    def purpose(self) -> str | None:
        return self.session.purpose

    def can(self, permission: Permission | str) -> bool:
        return Permission(permission) in self.actor.permissions


def engine_of(request: Request) -> Engine:
    return request.app.state.engine


@contextmanager
def short_write(engine: Engine) -> Iterator[Connection]:
    """A short write (session touch, audit row): SQLite needs the write lock up front, or a
    read-then-write transaction fails when another request wrote in between."""
    if is_sqlite(engine):
        with write_transaction(engine, lock="audit") as conn:
            yield conn
    else:
        with engine.begin() as conn:
            yield conn


def _token(request: Request) -> tuple[str | None, str]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None, "api"
    return request.cookies.get(SESSION_COOKIE), "web"


def signed_in(request: Request) -> Viewer:
    """The live session behind this request, or NotSignedIn."""
    cached = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached
    token, via = _token(request)
    if not token:
        raise NotSignedIn("sign in first")
    settings = request.app.state.settings
    engine = engine_of(request)
    # Most requests come within a minute of the last touch and need no write: look the
    # session up on a plain read, at a fixed `now`, and take the writers' lock only when
    # the session's last-seen time is due for a touch (once a minute per session).
    now = as_utc(None)
    s = user_session.c
    with engine.connect() as conn:
        seen = conn.execute(select(s.last_seen_at).where(s.token_hash == token_hash(token)))
        last_seen = seen.scalar()
        due = last_seen is not None and now - last_seen >= TOUCH_INTERVAL
        info = None if due else lookup(conn, token, idle_timeout=settings.idle_timeout, now=now)
    if due:
        with short_write(engine) as conn:
            info = lookup(conn, token, idle_timeout=settings.idle_timeout, now=now)
    if info is None or info.kind != via:
        raise NotSignedIn("your session has ended (expired, idle or signed out): sign in again")
    viewer = Viewer(info, token, actor_for_user(info.user), via)
    request.state.viewer = viewer
    return viewer


signed_in.permission = None  # type: ignore[attr-defined]
signed_in.purpose = False  # type: ignore[attr-defined]


def need(permission: Permission, *, purpose: bool = False) -> Callable[..., Viewer]:
    """A dependency: the viewer if their role holds `permission` (and, for personal data,
    the session has a purpose); otherwise NotAuthorised / PurposeNeeded."""

    # async: no store access here, so no trip through the thread pool for it.
    async def check(request: Request, viewer: Viewer = Depends(signed_in)) -> Viewer:
        require(permission, viewer.actor)
        if purpose and not viewer.purpose:
            raise PurposeNeeded("give a reason or case reference before opening personal data")
        return viewer

    check.permission = permission  # type: ignore[attr-defined]
    check.purpose = purpose  # type: ignore[attr-defined]
    return check


personal = need(Permission.read_personal, purpose=True)


def log(
    request: Request,
    viewer: Viewer,
    category: AuditCategory,
    action: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    detail: dict[str, Any] | None = None,
    *,
    recipient: str | None = None,
    conn: Connection | None = None,
) -> int:
    """Write one audit row for this request with the session's purpose; returns its seq."""
    full = {"via": viewer.via, "session": viewer.session.id, **(detail or {})}
    kwargs = dict(
        actor=viewer.actor, category=category, action=action, object_type=object_type,
        object_id=object_id, purpose=viewer.purpose, recipient=recipient, detail=full,
    )  # fmt: skip
    if conn is not None:
        return audit.record(conn, **kwargs)  # type: ignore[arg-type]
    with short_write(engine_of(request)) as fresh:
        return audit.record(fresh, **kwargs)  # type: ignore[arg-type]


def log_refusal(request: Request, refusal: NotAuthorised) -> None:
    """A refused attempt is itself audited, under the category of what was attempted."""
    viewer = getattr(request.state, "viewer", None)
    permission = refusal.permission
    category = PERMISSION_CATEGORY[permission] if permission else AuditCategory.consultation
    detail = {"permission": permission, "reason": str(refusal), "path": request.url.path}
    with short_write(engine_of(request)) as conn:
        audit.record(
            conn,
            actor=viewer.actor if viewer else (refusal.actor or "anonymous"),
            category=category,
            action=audit.REFUSED_ACTION,
            object_type="route",
            object_id=request.url.path[:200],
            purpose=viewer.purpose if viewer else None,
            detail=detail,
        )
