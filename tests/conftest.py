"""Shared fixtures: a fresh store on SQLite and on PostgreSQL (never a mock)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

# The CLI's Rich consoles take their width when created, from COLUMNS when the output is
# not a terminal (else 80): the same wide tables in every run, whatever the temporary
# paths' lengths (pytest-xdist's are longer), before anything imports joinedup.cli.
os.environ["COLUMNS"] = "200"

import pytest  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402

from joinedup.access import passwords  # noqa: E402
from joinedup.store import make_engine, migrate  # noqa: E402

PG_ADMIN_URL = os.environ.get("JOINEDUP_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_available() -> str | None:
    try:
        eng = create_engine(PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1))
        with eng.connect() as conn:
            conn.execute(text("SELECT 1"))
        eng.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"{type(exc).__name__}: {exc}"


_PG_PROBLEM = _pg_available()


def _require_pg() -> None:
    if _PG_PROBLEM is None:
        return
    if os.environ.get("CI") or os.environ.get("JOINEDUP_REQUIRE_PG"):
        pytest.fail(f"PostgreSQL must be reachable in CI ({PG_ADMIN_URL}): {_PG_PROBLEM}")
    pytest.skip(f"PostgreSQL not reachable: {_PG_PROBLEM}")


def new_pg_database() -> str:
    """A new, empty PostgreSQL database for one test; returns its URL."""
    _require_pg()
    name = f"jut_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(
        PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty (unmigrated) store: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'joinedup.db'}"
    else:
        url = new_pg_database()
        try:
            yield url
        finally:
            drop_pg_database(url)


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    """A migrated store's engine, on each backend."""
    eng = make_engine(store_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def cheap_hashing() -> Iterator[None]:
    """argon2's cheapest profile, so that adding and signing in users is fast (the access
    tests' own test_passwords checks the real one)."""
    from argon2 import PasswordHasher, profiles

    previous = passwords.use_hasher(PasswordHasher.from_parameters(profiles.CHEAPEST))
    yield
    passwords.use_hasher(previous)


@pytest.fixture
def store_with_users(engine: Engine, store_url: str) -> str:
    """A migrated store's URL, with an admin (ada.admin) and an analyst (ana.test, who may
    ingest, read and export), for tests that run the CLI as them."""
    from joinedup.access.users import add_user
    from joinedup.store import write_transaction

    with write_transaction(engine) as conn:
        add_user(conn, "ada.admin", "admin", "granite kettle orchard 42", actor="setup")
        add_user(conn, "ana.test", "analyst", "violet harbour lantern 7", actor="ada.admin")
    return store_url
