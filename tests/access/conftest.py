"""Fixtures for the access tests: cheap Argon2 parameters, a fixed clock, a first admin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher, profiles
from sqlalchemy.engine import Engine

from joinedup.access import passwords
from joinedup.access.model import User
from joinedup.access.users import add_user
from joinedup.store import write_transaction
from tests.access.helpers import ADMIN_PASSWORD, T0


@pytest.fixture(autouse=True)
def cheap_hashing() -> Iterator[None]:
    """argon2's CHEAPEST profile keeps login tests fast; test_passwords uses the real one."""
    previous = passwords.use_hasher(PasswordHasher.from_parameters(profiles.CHEAPEST))
    yield
    passwords.use_hasher(previous)


@pytest.fixture
def admin(engine: Engine) -> User:
    """The store's first user (an admin), added in setup mode."""
    with write_transaction(engine) as conn:
        return add_user(
            conn, "ada.admin", "admin", ADMIN_PASSWORD, "Ada Testadmin", actor="setup", now=T0
        )
