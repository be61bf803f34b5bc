import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from joinedup.access.model import User, UserError
from joinedup.access.sessions import (
    create_session,
    lookup,
    revoke,
    revoke_all_for_user,
    set_purpose,
)
from joinedup.access.users import disable_user
from joinedup.store import write_transaction
from joinedup.store.tables import user_session
from tests.access.helpers import T0, add, audit_rows

MIN = timedelta(minutes=1)


@pytest.fixture
def ana(engine: Engine, admin: User) -> User:
    return add(engine, "ana.test", "analyst")


def open_session(engine: Engine, user: User, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with write_transaction(engine) as conn:
        return create_session(conn, user, now=T0, **kwargs)


def look(engine: Engine, token: str, minutes: float, **kwargs):  # type: ignore[no-untyped-def]
    with write_transaction(engine) as conn:
        return lookup(conn, token, now=T0 + minutes * MIN, **kwargs)


def test_token_is_random_and_only_its_sha256_is_stored(engine: Engine, ana: User) -> None:
    token = open_session(engine, ana, purpose="case OP-TEST-1")
    other = open_session(engine, ana)
    assert token != other and len(token) >= 43
    with engine.connect() as conn:
        rows = conn.execute(select(user_session)).all()
    assert token not in repr(rows) and other not in repr(rows)
    assert rows[0].token_hash == hashlib.sha256(token.encode()).hexdigest()
    live = look(engine, token, 1)
    assert (live.user.username, live.kind, live.purpose) == ("ana.test", "web", "case OP-TEST-1")
    assert live.expires_at == T0 + timedelta(hours=12)
    opened = [e for e in audit_rows(engine) if e.action == "session_opened"][0]
    assert (opened.actor, opened.purpose, opened.object_type) == (
        "ana.test",
        "case OP-TEST-1",
        "user_session",
    )
    assert look(engine, "not-a-token", 1) is None


def test_idle_timeout_ends_a_quiet_session_but_use_keeps_it_alive(
    engine: Engine, ana: User
) -> None:
    token = open_session(engine, ana)
    assert look(engine, token, 29) is not None  # touches last_seen_at
    assert look(engine, token, 58) is not None
    assert look(engine, token, 88.5) is None  # 30.5 minutes of silence


def test_absolute_lifetime_ends_even_a_busy_session(engine: Engine, ana: User) -> None:
    token = open_session(engine, ana)
    for minutes in range(20, 12 * 60, 20):
        assert look(engine, token, minutes) is not None
    assert look(engine, token, 12 * 60) is None


def test_lifetime_and_idle_timeout_are_configurable(engine: Engine, ana: User) -> None:
    token = open_session(engine, ana, kind="api", ttl=timedelta(hours=1))
    assert look(engine, token, 50, idle_timeout=timedelta(hours=2)).kind == "api"
    assert look(engine, token, 60, idle_timeout=timedelta(hours=2)) is None
    quick = open_session(engine, ana)
    assert look(engine, quick, 6, idle_timeout=timedelta(minutes=5)) is None
    with pytest.raises(UserError, match="kind"), write_transaction(engine) as conn:
        create_session(conn, ana, kind="cookie")


def test_revoke_one_and_revoke_all(engine: Engine, ana: User) -> None:
    first, second, third = (open_session(engine, ana) for _ in range(3))
    with write_transaction(engine) as conn:
        assert revoke(conn, first, actor="ana.test", now=T0 + MIN)
        assert not revoke(conn, first, actor="ana.test", now=T0 + MIN)
        assert lookup(conn, first, now=T0 + MIN) is None
        assert lookup(conn, second, now=T0 + MIN) is not None
        ended = revoke_all_for_user(conn, ana, actor="ada.admin", reason="lost laptop")
        assert ended == 2
        assert lookup(conn, third, now=T0 + MIN) is None
    last = audit_rows(engine)[-1]
    assert (last.actor, last.action, last.detail) == (
        "ada.admin",
        "sessions_revoked",
        {"reason": "lost laptop", "sessions": 2},
    )


def test_purpose_can_change_and_is_audited(engine: Engine, ana: User) -> None:
    token = open_session(engine, ana)
    with write_transaction(engine) as conn:
        assert set_purpose(conn, token, "strategy meeting TEST-7", now=T0 + MIN)
        assert lookup(conn, token, now=T0 + MIN).purpose == "strategy meeting TEST-7"
        assert not set_purpose(conn, "unknown", "x", now=T0 + MIN)
    assert audit_rows(engine)[-1].purpose == "strategy meeting TEST-7"


def test_a_disabled_user_cannot_open_a_session(engine: Engine, ana: User) -> None:
    with write_transaction(engine) as conn:
        disabled = disable_user(conn, "ana.test", actor="ada.admin")
        with pytest.raises(UserError, match="disabled"):
            create_session(conn, disabled)
