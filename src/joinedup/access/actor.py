"""Who is acting, and may they? The actor model used by every CLI command (and the web).

A store with no users is in setup mode: the local account acts as an admin who may also
ingest and read, and every audit row says so. Once a user exists, the actor must be an
active user and holds exactly its role's permissions.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from joinedup.access import audit
from joinedup.access.model import User, UserError
from joinedup.access.roles import (
    PERMISSION_CATEGORY,
    SETUP_PERMISSIONS,
    NotAuthorised,
    Permission,
    permissions_for,
    require,
)
from joinedup.access.users import count_users, get_user, normalise_username
from joinedup.pole import UserRole


@dataclass(frozen=True, slots=True)
class Actor:
    """A person acting through JoinedUp, with the permissions they hold right now."""

    name: str
    role: UserRole | None
    permissions: frozenset[Permission]
    setup_mode: bool = False
    user_id: int | None = None
    os_user: str | None = None  # the operating-system account, when it is not `name`

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def audit_detail(self) -> dict[str, Any]:
        """What every audit row written on this actor's behalf adds to its detail."""
        detail: dict[str, Any] = {}
        if self.setup_mode:
            detail["setup_mode"] = True
        if self.os_user:
            detail["os_user"] = self.os_user
        return detail


def os_account() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no USER/LOGNAME and no passwd entry (some containers)
        return "unknown"


def actor_name(as_user: str | None = None) -> str:
    """`--as USER`, else $JOINEDUP_USER, else the operating-system account."""
    return as_user or os.environ.get("JOINEDUP_USER") or os_account()


def actor_for_user(user: User, *, os_user: str | None = None) -> Actor:
    """The actor behind an authenticated user (e.g. a web session)."""
    return Actor(
        user.username, user.role, permissions_for(user.role), user_id=user.id, os_user=os_user
    )


def load_actor(conn: Connection, name: str) -> Actor:
    """The actor called `name`; raises NotAuthorised when it is unknown or disabled."""
    os_user = os_account()
    if count_users(conn) == 0:
        setup_name = name.strip().lower()[:100] or "unknown"
        other = os_user if os_user.lower() != setup_name else None
        return Actor(setup_name, UserRole.admin, SETUP_PERMISSIONS, setup_mode=True, os_user=other)
    try:
        username = normalise_username(name)
    except UserError as exc:
        raise NotAuthorised(str(exc), actor=name) from None
    user = get_user(conn, username)
    if user is None:
        raise NotAuthorised(
            f"{username!r} is not a JoinedUp user; an admin can add it with "
            f"`joinedup user add {username} --role ROLE`, or act as another user with --as",
            actor=username,
        )
    if not user.active:
        raise NotAuthorised(f"user {username!r} is disabled; ask an admin", actor=username)
    return actor_for_user(user, os_user=os_user if os_user.lower() != username else None)


def authorise(conn: Connection, name: str, permission: Permission) -> Actor:
    """The actor called `name` if it holds `permission`; raises NotAuthorised otherwise."""
    try:
        actor = load_actor(conn, name)
    except NotAuthorised as exc:
        exc.permission = permission
        raise
    require(permission, actor)
    return actor


def record_refusal(
    conn: Connection,
    name: str,
    refusal: NotAuthorised,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    now: datetime | None = None,
) -> int:
    """Audit a refused attempt, in its own transaction (the refused one rolled back)."""
    permission = refusal.permission
    category = PERMISSION_CATEGORY[permission] if permission else "consultation"
    os_user = os_account()
    detail: dict[str, Any] = {"permission": permission, "reason": str(refusal)}
    if os_user.lower() != name.strip().lower():
        detail["os_user"] = os_user
    return audit.record(
        conn,
        actor=name.strip().lower()[:100] or "unknown",
        category=category,
        action=audit.REFUSED_ACTION,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
        now=now,
    )
