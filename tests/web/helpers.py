"""Helpers for web tests: accounts for each role, signing in through the real form."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from joinedup.access.users import add_user
from joinedup.store import write_transaction

PASSWORD = "correct horse battery staple"
# One account per role, invented names; analysts in two units for restricted records.
ACCOUNTS = {
    "ada.admin": ("admin", None),
    "ann.analyst": ("analyst", "cse-north"),
    "oscar.other": ("analyst", "cse-south"),
    "sue.supervisor": ("supervisor", "cse-north"),
    "rex.researcher": ("researcher", None),
    "aud.auditor": ("auditor", None),
    "lou.lockout": ("analyst", "cse-north"),  # the lockout tests lock this one
}
ROLE_USER = {
    "admin": "ada.admin",
    "analyst": "ann.analyst",
    "supervisor": "sue.supervisor",
    "researcher": "rex.researcher",
    "auditor": "aud.auditor",
}


def add_accounts(engine: Engine) -> None:
    with write_transaction(engine, lock="audit") as conn:
        for name, (role, unit) in ACCOUNTS.items():
            add_user(conn, name, role, PASSWORD, unit=unit, actor="setup")


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def sign_in(
    client: TestClient, username: str, password: str = PASSWORD, purpose: str | None = None
):
    page = client.get("/signin")
    response = client.post(
        "/signin",
        data={"username": username, "password": password, "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    if purpose and response.status_code == 303:
        set_purpose(client, purpose)
    return response


def set_purpose(client: TestClient, purpose: str) -> None:
    page = client.get("/purpose")
    r = client.post(
        "/purpose", data={"purpose": purpose, "csrf": csrf_of(page.text)}, follow_redirects=False
    )
    assert r.status_code == 303, r.text


def csrf(client: TestClient) -> str:
    return csrf_of(client.get("/purpose").text)
