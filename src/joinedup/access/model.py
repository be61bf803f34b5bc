"""The access layer's value types (a user, a live session) and its errors.

Kept apart from the modules that read and write them so users, sessions and the actor
model can share them without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from joinedup.pole import UserRole


class AccessError(Exception):
    """Base of every error the access layer raises; the message is meant for people."""


class PasswordPolicyError(AccessError, ValueError):
    """A new password breaks the policy; the message says which rule and how to fix it."""


class UserError(AccessError):
    """A user-management request that cannot be carried out as asked."""


class UnknownUser(UserError):
    def __init__(self, username: str) -> None:
        super().__init__(f"no user called {username!r}; `joinedup user list` shows who exists")
        self.username = username


class DuplicateUser(UserError):
    def __init__(self, username: str) -> None:
        super().__init__(f"a user called {username!r} already exists")
        self.username = username


@dataclass(frozen=True, slots=True)
class User:
    """An account as the rest of JoinedUp sees it: never carries the password hash."""

    id: int
    username: str
    role: UserRole
    display_name: str | None
    unit: str | None
    active: bool
    failed_logins: int
    locked_until: datetime | None
    created_at: datetime
    password_changed_at: datetime | None

    @classmethod
    def from_row(cls, row: Any) -> User:
        """From a result row holding app_user's columns under their own names."""
        return cls(
            id=int(row.id),
            username=row.username,
            role=UserRole(row.role),
            display_name=row.display_name,
            unit=row.unit,
            active=bool(row.active),
            failed_logins=int(row.failed_logins or 0),
            locked_until=row.locked_until,
            created_at=row.created_at,
            password_changed_at=row.password_changed_at,
        )

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    def as_dict(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "role": str(self.role),
            "display_name": self.display_name,
            "unit": self.unit,
            "active": self.active,
            "failed_logins": self.failed_logins,
            "locked_until": self.locked_until.isoformat() if self.locked_until else None,
            "created_at": self.created_at.isoformat(),
            "password_changed_at": (
                self.password_changed_at.isoformat() if self.password_changed_at else None
            ),
        }


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A live server-side session found by its token: whose it is, why it was opened."""

    id: int
    user: User
    kind: str  # web | api
    purpose: str | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
