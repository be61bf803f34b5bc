"""Permissions as data: what each role may do, and `require` to enforce it.

Least privilege: researchers see aggregates only, auditors see the audit only, and
admins manage accounts and feeds without reading personal data.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Protocol

from joinedup.access.model import AccessError
from joinedup.pole import AuditCategory, UserRole


class Permission(StrEnum):
    read_personal = "read_personal"  # search, profiles, records: personal data
    ingest = "ingest"
    resolve = "resolve"
    decide_match = "decide_match"
    run_detection = "run_detection"
    triage_flags = "triage_flags"
    approve_flags = "approve_flags"  # approve or close a flag: supervisors only
    read_statistics = "read_statistics"  # aggregates, after disclosure control
    export = "export"  # a disclosure: logged with its recipient
    manage_users = "manage_users"
    read_audit = "read_audit"
    verify_audit = "verify_audit"
    manage_feeds = "manage_feeds"
    restrict_records = "restrict_records"  # limit a record to one unit's users
    erase_records = "erase_records"  # delete a batch's records (retention, error): admins only


P = Permission
_ANALYST = frozenset(
    {
        P.read_personal,
        P.ingest,
        P.resolve,
        P.decide_match,
        P.run_detection,
        P.triage_flags,
        P.export,
        P.read_statistics,
    }
)

ROLE_PERMISSIONS: Mapping[UserRole, frozenset[Permission]] = {
    UserRole.analyst: _ANALYST,
    UserRole.supervisor: _ANALYST | {P.approve_flags, P.restrict_records},
    UserRole.researcher: frozenset({P.read_statistics}),
    UserRole.auditor: frozenset({P.read_audit, P.verify_audit}),
    UserRole.admin: frozenset(
        {P.manage_users, P.manage_feeds, P.read_audit, P.restrict_records, P.erase_records}
    ),
}

# While a store has no users the local account sets it up: an admin who may also load
# the first files. Every audit row written in this mode says so ({"setup_mode": true}).
SETUP_PERMISSIONS: frozenset[Permission] = ROLE_PERMISSIONS[UserRole.admin] | {
    P.read_personal,
    P.ingest,
}

# The s.62 category of the processing each permission authorises; a refused attempt is
# logged under the category of what was attempted.
PERMISSION_CATEGORY: Mapping[Permission, AuditCategory] = {
    P.read_personal: AuditCategory.consultation,
    P.ingest: AuditCategory.collection,
    P.resolve: AuditCategory.combination,
    P.decide_match: AuditCategory.combination,
    P.run_detection: AuditCategory.combination,
    P.triage_flags: AuditCategory.alteration,
    P.approve_flags: AuditCategory.alteration,
    P.read_statistics: AuditCategory.consultation,
    P.export: AuditCategory.disclosure,
    P.manage_users: AuditCategory.alteration,
    P.read_audit: AuditCategory.consultation,
    P.verify_audit: AuditCategory.consultation,
    P.manage_feeds: AuditCategory.alteration,
    P.restrict_records: AuditCategory.alteration,
    P.erase_records: AuditCategory.erasure,
}


class NotAuthorised(AccessError):
    """The actor lacks a permission, is unknown or is disabled. The message says which."""

    def __init__(self, message: str, *, actor: str, permission: Permission | None = None) -> None:
        super().__init__(message)
        self.actor = actor
        self.permission = permission


class HasPermissions(Protocol):
    """Anything that acts: a CLI actor or a web session's user."""

    @property
    def name(self) -> str: ...

    @property
    def role(self) -> UserRole | None: ...

    @property
    def permissions(self) -> frozenset[Permission]: ...


def permissions_for(role: UserRole | str) -> frozenset[Permission]:
    return ROLE_PERMISSIONS[UserRole(role)]


def require(permission: Permission, actor: HasPermissions) -> None:
    """Raise NotAuthorised unless `actor` holds `permission`."""
    if permission in actor.permissions:
        return
    role = f"role {actor.role}" if actor.role else "no role"
    holders = sorted(str(r) for r, perms in ROLE_PERMISSIONS.items() if permission in perms)
    raise NotAuthorised(
        f"{actor.name!r} ({role}) lacks the permission '{permission}'; "
        f"roles that hold it: {', '.join(holders)}",
        actor=actor.name,
        permission=permission,
    )
