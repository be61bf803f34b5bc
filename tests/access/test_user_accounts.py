from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, text, update
from sqlalchemy.engine import Engine

from joinedup.access.model import DuplicateUser, PasswordPolicyError, UnknownUser, User, UserError
from joinedup.access.sessions import create_session, lookup
from joinedup.access.users import (
    LOCKOUT,
    add_user,
    authenticate,
    disable_user,
    enable_user,
    get_user,
    list_users,
    set_password,
    set_role,
)
from joinedup.pole import UserRole
from joinedup.store import write_transaction
from joinedup.store.tables import app_user
from tests.access.helpers import ADMIN_PASSWORD, PW, T0, add, audit_rows


def test_add_user_stores_an_argon2_hash_and_audits_without_the_password(
    engine: Engine, admin: User
) -> None:
    ana = add(engine, "Ana.Test", "analyst", PW)
    assert (ana.username, ana.role, ana.active) == ("ana.test", UserRole.analyst, True)
    with engine.connect() as conn:
        stored = conn.execute(select(app_user.c.password_hash).where(app_user.c.id == ana.id))
        assert stored.scalar_one().startswith("$argon2id$")
        assert get_user(conn, "ANA.TEST") == ana
        assert [u.username for u in list_users(conn)] == ["ada.admin", "ana.test"]
        everything = conn.execute(text("SELECT * FROM audit_event")).all()
    assert PW not in repr(everything) and ADMIN_PASSWORD not in repr(everything)
    last = audit_rows(engine)[-1]
    assert (last.category, last.action, last.object_id, last.actor) == (
        "alteration",
        "user_added",
        "ana.test",
        "ada.admin",
    )
    assert last.detail == {"role": "analyst", "display_name": None, "unit": None}


def test_bad_requests_are_refused_and_write_nothing(engine: Engine, admin: User) -> None:
    before = len(audit_rows(engine))
    for call, error in [
        (lambda c: add_user(c, "ada.admin", "analyst", PW, actor="x"), DuplicateUser),
        (lambda c: add_user(c, "ben.test", "superuser", PW, actor="x"), UserError),
        (lambda c: add_user(c, "ben test", "analyst", PW, actor="x"), UserError),
        (lambda c: add_user(c, "ben.test", "analyst", "short", actor="x"), PasswordPolicyError),
        (lambda c: add_user(c, "ben.test", "analyst", "ben.test", actor="x"), PasswordPolicyError),
        (lambda c: disable_user(c, "nobody", actor="x"), UnknownUser),
    ]:
        with pytest.raises(error), write_transaction(engine) as conn:
            call(conn)
    assert len(audit_rows(engine)) == before


def test_first_user_must_be_an_admin(engine: Engine) -> None:
    with pytest.raises(UserError, match="first account must be an admin"):
        add(engine, "ana.test", "analyst")


def test_the_last_active_admin_cannot_be_disabled_or_demoted(engine: Engine, admin: User) -> None:
    with pytest.raises(UserError, match="last active admin"), write_transaction(engine) as conn:
        disable_user(conn, "ada.admin", actor="ada.admin")
    with pytest.raises(UserError, match="last active admin"), write_transaction(engine) as conn:
        set_role(conn, "ada.admin", "analyst", actor="ada.admin")
    add(engine, "adam.second", "admin")
    with write_transaction(engine) as conn:
        assert set_role(conn, "ada.admin", "auditor", actor="adam.second").role == "auditor"


def test_disable_ends_sessions_and_enable_restores_login(engine: Engine, admin: User) -> None:
    ana = add(engine, "ana.test", "analyst", PW)
    with write_transaction(engine) as conn:
        token = create_session(conn, ana, now=T0)
        disabled = disable_user(conn, "ana.test", actor="ada.admin", reason="left", now=T0)
    assert not disabled.active
    with write_transaction(engine) as conn:
        assert lookup(conn, token, now=T0) is None
        assert authenticate(conn, "ana.test", PW, now=T0).reason == "disabled"
        assert (
            authenticate(conn, "ana.test", "wrong password x", now=T0).reason == "bad_credentials"
        )
        enable_user(conn, "ana.test", actor="ada.admin", now=T0)
        assert authenticate(conn, "ana.test", PW, now=T0).ok
    actions = [(e.action, e.object_id) for e in audit_rows(engine)][-6:]
    assert actions == [
        ("session_opened", str(_session_id(engine))),
        ("user_disabled", "ana.test"),
        ("login_failed", "ana.test"),
        ("login_failed", "ana.test"),
        ("user_enabled", "ana.test"),
        ("login", "ana.test"),
    ]
    assert audit_rows(engine)[-5].detail == {"reason": "left", "sessions": 1}


def _session_id(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT max(id) FROM user_session")).scalar_one()


def login(engine: Engine, username: str, password: str, minutes: float = 0):  # type: ignore[no-untyped-def]
    with write_transaction(engine) as conn:
        return authenticate(conn, username, password, now=T0 + timedelta(minutes=minutes))


def test_five_failures_lock_the_account_for_fifteen_minutes(engine: Engine, admin: User) -> None:
    add(engine, "ana.test", "analyst", PW)
    for attempt in range(1, 5):
        result = login(engine, "ana.test", "not the password", attempt)
        assert (result.ok, result.reason) == (False, "bad_credentials")
    fifth = login(engine, "ana.test", "not the password", 5)
    assert fifth.reason == "locked"
    assert fifth.locked_until == T0 + timedelta(minutes=5) + LOCKOUT
    assert "locked until 09:20 UTC" in fifth.message
    # Locked: even the right password is refused, and the lock is not extended.
    assert login(engine, "ana.test", PW, 10).reason == "locked"
    assert login(engine, "ana.test", PW, 19.9).reason == "locked"
    assert login(engine, "ana.test", PW, 20).ok
    with engine.connect() as conn:
        user = get_user(conn, "ana.test")
    assert user is not None and (user.failed_logins, user.locked_until) == (0, None)


def test_after_a_lock_runs_out_the_count_starts_again(engine: Engine, admin: User) -> None:
    add(engine, "ana.test", "analyst", PW)
    for attempt in range(5):
        login(engine, "ana.test", "not the password", attempt)
    for attempt in range(4):
        assert login(engine, "ana.test", "not the password", 30 + attempt).reason == (
            "bad_credentials"
        )
    assert login(engine, "ana.test", "not the password", 40).reason == "locked"


def test_unknown_user_login_is_audited_without_the_name_typed(engine: Engine, admin: User) -> None:
    result = login(engine, "my secret passphrase", "whatever")
    assert (result.ok, result.reason) == (False, "bad_credentials")
    assert result.message == "unknown username or wrong password"
    last = audit_rows(engine)[-1]
    assert (last.actor, last.action, last.object_id) == ("anonymous", "login_failed", None)
    assert "my secret passphrase" not in repr(last)


def test_set_password_changes_login_lifts_lock_and_ends_sessions(
    engine: Engine, admin: User
) -> None:
    ana = add(engine, "ana.test", "analyst", PW)
    for attempt in range(5):
        login(engine, "ana.test", "not the password", attempt)
    with write_transaction(engine) as conn:
        token = create_session(conn, ana, now=T0)
        with pytest.raises(PasswordPolicyError):
            set_password(conn, "ana.test", "ana.test", actor="ada.admin")
        set_password(conn, "ana.test", "meadow copper rain 19", actor="ada.admin", now=T0)
        assert lookup(conn, token, now=T0) is None
    assert not login(engine, "ana.test", PW, 6).ok
    assert login(engine, "ana.test", "meadow copper rain 19", 7).ok
    changed = [e for e in audit_rows(engine) if e.action == "password_set"]
    assert changed[0].detail == {"sessions": 1}


def test_a_weak_stored_hash_is_upgraded_at_login(engine: Engine, admin: User) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(ADMIN_PASSWORD)
    with write_transaction(engine) as conn:
        conn.execute(update(app_user).values(password_hash=weak))
    result = login(engine, "ada.admin", ADMIN_PASSWORD)
    assert result.ok
    with engine.connect() as conn:
        assert conn.execute(select(app_user.c.password_hash)).scalar_one() != weak
    assert audit_rows(engine)[-1].detail == {"rehashed": True}
    assert login(engine, "ada.admin", ADMIN_PASSWORD, 1).ok
