"""Fixtures for the access tests: cheap Argon2 parameters, a fixed clock, a first admin."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from joinedup.access.model import User
from joinedup.access.users import add_user
from joinedup.store import write_transaction
from tests.access.helpers import ADMIN_PASSWORD, T0


@pytest.fixture(autouse=True)
def cheap_hashing(cheap_hashing: None) -> None:
    """Every access test: argon2's cheapest profile (tests/conftest.py)."""


@pytest.fixture
def admin(engine: Engine) -> User:
    """The store's first user (an admin), added in setup mode."""
    with write_transaction(engine) as conn:
        return add_user(
            conn, "ada.admin", "admin", ADMIN_PASSWORD, "Ada Testadmin", actor="setup", now=T0
        )
