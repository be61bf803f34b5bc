"""User accounts: create, list, disable/enable, passwords, roles, and login with lockout.

Every change is an audited `alteration` of the account (never the password). Usernames
are case-insensitive and stored lower-case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from joinedup.access import audit, passwords
from joinedup.access.clock import as_utc
from joinedup.access.model import DuplicateUser, UnknownUser, User, UserError
from joinedup.access.sessions import end_sessions
from joinedup.pole import AuditCategory, UserRole
from joinedup.store.tables import app_user

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._@-]{0,99}")
ANONYMOUS = "anonymous"  # the actor of a login attempt naming no known user
Actor = str | audit.AuditActor


def normalise_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME_RE.fullmatch(name):
        raise UserError(
            f"{username!r} is not a valid username: use 1-100 letters, digits, '.', '_', "
            "'-' or '@', starting with a letter or digit"
        )
    return name


def add_user(
    conn: Connection,
    username: str,
    role: UserRole | str,
    password: str,
    display_name: str | None = None,
    unit: str | None = None,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> User:
    """Create an active account; raises DuplicateUser, UserError or PasswordPolicyError."""
    name = normalise_username(username)
    role = _role(role)
    passwords.check_policy(password, name)
    if get_user(conn, name) is not None:
        raise DuplicateUser(name)
    if role is not UserRole.admin and count_users(conn) == 0:
        raise UserError(
            "the first account must be an admin: once any user exists only users can act, "
            "and without an admin nobody could add or manage accounts"
        )
    now = as_utc(now)
    conn.execute(
        insert(app_user).values(
            username=name,
            display_name=display_name,
            role=str(role),
            unit=unit,
            password_hash=passwords.hash_password(password),
            active=True,
            failed_logins=0,
            created_at=now,
            password_changed_at=now,
        )
    )
    detail = {"role": role, "display_name": display_name, "unit": unit}
    _audit(conn, actor, "user_added", name, now, detail)
    return _require(conn, name)


def get_user(conn: Connection, username: str) -> User | None:
    row = conn.execute(select(app_user).where(app_user.c.username == username.lower())).first()
    return User.from_row(row) if row else None


def list_users(conn: Connection) -> list[User]:
    rows = conn.execute(select(app_user).order_by(app_user.c.username))
    return [User.from_row(row) for row in rows]


def count_users(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(app_user)).scalar_one())


def disable_user(
    conn: Connection,
    username: str,
    *,
    actor: Actor,
    reason: str | None = None,
    now: datetime | None = None,
) -> User:
    """Stop an account acting anywhere and end its sessions; the row stays for the audit."""
    user = _require(conn, username)
    if user.role is UserRole.admin:
        _keep_an_admin(conn, user, "disable")
    now = as_utc(now)
    _set(conn, user, active=False)
    ended = end_sessions(conn, user.id, now)
    _audit(conn, actor, "user_disabled", user.username, now, {"reason": reason, "sessions": ended})
    return _require(conn, user.username)


def enable_user(
    conn: Connection, username: str, *, actor: Actor, now: datetime | None = None
) -> User:
    """Re-activate an account and lift any lockout."""
    user = _require(conn, username)
    now = as_utc(now)
    _set(conn, user, active=True, failed_logins=0, locked_until=None)
    _audit(conn, actor, "user_enabled", user.username, now)
    return _require(conn, user.username)


def set_password(
    conn: Connection, username: str, password: str, *, actor: Actor, now: datetime | None = None
) -> User:
    """Replace a password (policy checked), lift any lockout and end the user's sessions."""
    user = _require(conn, username)
    passwords.check_policy(password, user.username)
    now = as_utc(now)
    _set(
        conn,
        user,
        password_hash=passwords.hash_password(password),
        password_changed_at=now,
        failed_logins=0,
        locked_until=None,
    )
    ended = end_sessions(conn, user.id, now)
    _audit(conn, actor, "password_set", user.username, now, {"sessions": ended})
    return _require(conn, user.username)


def set_role(
    conn: Connection,
    username: str,
    role: UserRole | str,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> User:
    """Give a user another role; the last active admin cannot be demoted."""
    user, role = _require(conn, username), _role(role)
    if user.role is UserRole.admin and role is not UserRole.admin:
        _keep_an_admin(conn, user, "demote")
    now = as_utc(now)
    _set(conn, user, role=str(role))
    _audit(conn, actor, "role_changed", user.username, now, {"from": user.role, "to": role})
    return _require(conn, user.username)


@dataclass(frozen=True, slots=True)
class LoginResult:
    """The outcome of a login. Returned, not raised, so the caller commits the audit row
    and the failure count even when the login fails."""

    ok: bool
    user: User | None = None
    reason: str | None = None  # bad_credentials | locked | disabled
    locked_until: datetime | None = None

    @property
    def message(self) -> str:
        if self.ok:
            return "signed in"
        if self.reason == "locked" and self.locked_until:
            return (
                f"too many failed logins: the account is locked until "
                f"{self.locked_until:%H:%M} UTC; try again then or ask an admin"
            )
        if self.reason == "disabled":
            return "this account is disabled; ask an admin"
        return "unknown username or wrong password"


def authenticate(
    conn: Connection, username: str, password: str, *, now: datetime | None = None
) -> LoginResult:
    """Check a password, counting failures: 5 in a row lock the account for 15 minutes."""
    now = as_utc(now)
    user = get_user(conn, username.strip())
    if user is None:
        passwords.verify_dummy(password)  # same time as a wrong password
        # The attempted name is not logged: people type their password into it.
        _audit(conn, ANONYMOUS, "login_failed", None, now, {"reason": "unknown_user"})
        return LoginResult(False, reason="bad_credentials")
    if user.is_locked(now):
        _audit(conn, user.username, "login_failed", user.username, now, {"reason": "locked"})
        return LoginResult(False, user, "locked", user.locked_until)
    stored_hash = conn.execute(
        select(app_user.c.password_hash).where(app_user.c.id == user.id)
    ).scalar_one()
    if not passwords.verify_password(stored_hash, password):
        return _count_failure(conn, user, now)
    if not user.active:
        _audit(conn, user.username, "login_failed", user.username, now, {"reason": "disabled"})
        return LoginResult(False, user, "disabled")
    changes: dict[str, Any] = {"failed_logins": 0, "locked_until": None}
    if passwords.needs_rehash(stored_hash):
        changes["password_hash"] = passwords.hash_password(password)
    _set(conn, user, **changes)
    _audit(
        conn, user.username, "login", user.username, now, {"rehashed": "password_hash" in changes}
    )
    return LoginResult(True, _require(conn, user.username))


def _count_failure(conn: Connection, user: User, now: datetime) -> LoginResult:
    expired_lock = user.locked_until is not None  # a lock that has run out starts a new count
    failures = 1 if expired_lock else user.failed_logins + 1
    locked_until = now + LOCKOUT if failures >= MAX_FAILED_LOGINS else None
    _set(conn, user, failed_logins=failures, locked_until=locked_until)
    detail = {"reason": "wrong_password", "failed_logins": failures, "locked_until": locked_until}
    _audit(conn, user.username, "login_failed", user.username, now, detail)
    if locked_until:
        return LoginResult(False, user, "locked", locked_until)
    return LoginResult(False, user, "bad_credentials")


def _audit(
    conn: Connection,
    actor: Actor,
    action: str,
    username: str | None,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    audit.record(
        conn,
        actor=actor,
        category=AuditCategory.alteration,
        action=action,
        object_type="app_user",
        object_id=username,
        detail=detail,
        now=now,
    )


def _require(conn: Connection, username: str) -> User:
    user = get_user(conn, username)
    if user is None:
        raise UnknownUser(username)
    return user


def _set(conn: Connection, user: User, **values: Any) -> None:
    conn.execute(update(app_user).where(app_user.c.id == user.id).values(**values))


def _role(role: UserRole | str) -> UserRole:
    try:
        return UserRole(role)
    except ValueError:
        choices = ", ".join(r.value for r in UserRole)
        raise UserError(f"{role!r} is not a role; choose one of {choices}") from None


def _keep_an_admin(conn: Connection, user: User, what: str) -> None:
    others = conn.execute(
        select(func.count())
        .select_from(app_user)
        .where(app_user.c.role == str(UserRole.admin), app_user.c.active.is_(True))
        .where(app_user.c.id != user.id)
    ).scalar_one()
    if not others:
        raise UserError(
            f"cannot {what} {user.username!r}: it is the last active admin, and without one "
            "nobody can manage accounts; add or enable another admin first"
        )
