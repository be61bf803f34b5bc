import pytest

from joinedup.access.actor import Actor
from joinedup.access.roles import (
    PERMISSION_CATEGORY,
    ROLE_PERMISSIONS,
    SETUP_PERMISSIONS,
    NotAuthorised,
    Permission,
    require,
)
from joinedup.pole import UserRole

# The permission table, written out by hand: changing a role's rights must change this.
EXPECTED = {
    "admin": {"manage_users", "manage_feeds", "read_audit", "restrict_records", "erase_records"},
    "analyst": {
        "read_personal", "ingest", "resolve", "decide_match", "run_detection",
        "triage_flags", "export", "read_statistics",
    },
    "supervisor": {
        "read_personal", "ingest", "resolve", "decide_match", "run_detection",
        "triage_flags", "export", "read_statistics", "approve_flags", "restrict_records",
    },
    "researcher": {"read_statistics"},
    "auditor": {"read_audit", "verify_audit"},
}  # fmt: skip

# Anything that reveals or changes personal data.
PERSONAL = {
    Permission.read_personal,
    Permission.ingest,
    Permission.resolve,
    Permission.decide_match,
    Permission.run_detection,
    Permission.triage_flags,
    Permission.approve_flags,
    Permission.export,
}


def test_role_permission_table_is_exactly_as_written() -> None:
    actual = {str(role): {str(p) for p in perms} for role, perms in ROLE_PERMISSIONS.items()}
    assert actual == EXPECTED
    assert set(ROLE_PERMISSIONS) == set(UserRole)


@pytest.mark.parametrize("role", ["researcher", "auditor", "admin"])
def test_roles_without_personal_data(role: str) -> None:
    assert not ROLE_PERMISSIONS[UserRole(role)] & PERSONAL


def test_every_permission_is_held_by_a_role_and_has_an_audit_category() -> None:
    held = set().union(*ROLE_PERMISSIONS.values())
    assert held == set(Permission)
    assert set(PERMISSION_CATEGORY) == set(Permission)


def test_setup_mode_is_admin_plus_ingest_and_read() -> None:
    assert SETUP_PERMISSIONS == ROLE_PERMISSIONS[UserRole.admin] | {
        Permission.read_personal,
        Permission.ingest,
    }


def test_require_names_the_role_and_the_missing_permission() -> None:
    researcher = Actor("rita.test", UserRole.researcher, ROLE_PERMISSIONS[UserRole.researcher])
    require(Permission.read_statistics, researcher)
    with pytest.raises(NotAuthorised) as refused:
        require(Permission.read_personal, researcher)
    message = str(refused.value)
    assert "'rita.test' (role researcher)" in message
    assert "'read_personal'" in message
    assert "analyst, supervisor" in message
    assert refused.value.permission is Permission.read_personal
