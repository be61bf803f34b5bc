"""Access: users, roles and permissions, sessions, and the hash-chained s.62 audit log.

Import from here; the modules behind this facade may move. Nothing here knows about HTTP.
"""

from joinedup.access.actor import Actor, actor_for_user, actor_name, authorise, record_refusal
from joinedup.access.audit import AuditEvent, list_events, record
from joinedup.access.chain import GENESIS_HASH, VerifyResult, head, verify
from joinedup.access.model import (
    AccessError,
    DuplicateUser,
    PasswordPolicyError,
    SessionInfo,
    UnknownUser,
    User,
    UserError,
)
from joinedup.access.passwords import check_policy, hash_password, needs_rehash, verify_password
from joinedup.access.roles import (
    ROLE_PERMISSIONS,
    SETUP_PERMISSIONS,
    NotAuthorised,
    Permission,
    permissions_for,
    require,
)
from joinedup.access.sessions import create_session, lookup, revoke, revoke_all_for_user
from joinedup.access.users import (
    LoginResult,
    add_user,
    authenticate,
    disable_user,
    enable_user,
    get_user,
    list_users,
    set_password,
    set_role,
)

__all__ = [
    "GENESIS_HASH",
    "ROLE_PERMISSIONS",
    "SETUP_PERMISSIONS",
    "AccessError",
    "Actor",
    "AuditEvent",
    "DuplicateUser",
    "LoginResult",
    "NotAuthorised",
    "PasswordPolicyError",
    "Permission",
    "SessionInfo",
    "UnknownUser",
    "User",
    "UserError",
    "VerifyResult",
    "actor_for_user",
    "actor_name",
    "add_user",
    "authenticate",
    "authorise",
    "check_policy",
    "create_session",
    "disable_user",
    "enable_user",
    "get_user",
    "hash_password",
    "head",
    "list_events",
    "list_users",
    "lookup",
    "needs_rehash",
    "permissions_for",
    "record",
    "record_refusal",
    "require",
    "revoke",
    "revoke_all_for_user",
    "set_password",
    "set_role",
    "verify",
    "verify_password",
]
