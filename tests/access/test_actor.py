import pytest
from sqlalchemy.engine import Engine

from joinedup.access.actor import Actor, authorise, load_actor, record_refusal
from joinedup.access.audit import record
from joinedup.access.model import User
from joinedup.access.roles import ROLE_PERMISSIONS, SETUP_PERMISSIONS, NotAuthorised, Permission
from joinedup.access.users import disable_user
from joinedup.pole import UserRole
from joinedup.store import write_transaction
from tests.access.helpers import add, audit_rows


def test_an_empty_store_is_in_setup_mode_and_says_so_in_the_audit(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        actor = authorise(conn, "Local.Operator", Permission.ingest)
        assert (actor.name, actor.setup_mode) == ("local.operator", True)
        assert actor.permissions == SETUP_PERMISSIONS
        assert actor.can(Permission.read_personal)
        record(conn, actor=actor, category="collection", action="file_ingested")
        with pytest.raises(NotAuthorised, match="verify_audit"):
            authorise(conn, "local.operator", Permission.verify_audit)
    assert audit_rows(engine)[-1].detail["setup_mode"] is True


def test_once_a_user_exists_only_active_users_act(engine: Engine, admin: User) -> None:
    add(engine, "rita.test", "researcher")
    add(engine, "ana.test", "analyst")
    with write_transaction(engine) as conn:
        with pytest.raises(NotAuthorised, match="'local.operator' is not a JoinedUp user"):
            authorise(conn, "local.operator", Permission.ingest)
        with pytest.raises(NotAuthorised, match="not a valid username"):
            load_actor(conn, "Local Operator")
        rita = authorise(conn, "RITA.TEST", Permission.read_statistics)
        assert (rita.role, rita.setup_mode) == (UserRole.researcher, False)
        assert rita.permissions == ROLE_PERMISSIONS[UserRole.researcher]
        with pytest.raises(NotAuthorised, match=r"\(role researcher\) lacks .*'read_personal'"):
            authorise(conn, "rita.test", Permission.read_personal)
        disable_user(conn, "ana.test", actor="ada.admin")
        with pytest.raises(NotAuthorised, match="disabled"):
            authorise(conn, "ana.test", Permission.read_personal)


@pytest.mark.parametrize(
    ("permission", "category"),
    [
        (Permission.read_personal, "consultation"),
        (Permission.export, "disclosure"),
        (Permission.ingest, "collection"),
        (Permission.resolve, "combination"),
        (Permission.manage_users, "alteration"),
    ],
)
def test_a_refusal_is_audited_under_the_category_attempted(
    engine: Engine, admin: User, permission: Permission, category: str
) -> None:
    add(engine, "rita.test", "researcher")
    with pytest.raises(NotAuthorised) as refused, write_transaction(engine) as conn:
        authorise(conn, "rita.test", permission)
    with write_transaction(engine) as conn:
        record_refusal(conn, "rita.test", refused.value, object_type="entity", object_id="42")
    last = audit_rows(engine)[-1]
    assert (last.actor, last.category, last.action, last.object_id) == (
        "rita.test",
        category,
        "refused",
        "42",
    )
    assert last.detail["permission"] == permission
    assert last.recipient is None


def test_an_actor_notes_the_os_account_when_acting_as_someone_else() -> None:
    actor = Actor("ana.test", UserRole.analyst, frozenset(), os_user="shared-terminal")
    assert actor.audit_detail() == {"os_user": "shared-terminal"}
