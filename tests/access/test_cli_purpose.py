"""s.62: the CLI's own consultations (user list, audit list, audit verify) record why,
from $JOINEDUP_PURPOSE, as every other CLI consultation does."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from joinedup.access.model import User
from joinedup.cli import app
from tests.access.helpers import add, audit_rows

runner = CliRunner()
WHY = "case NV-2025-0142: joint review with the CSE hub"


def run(store_url: str, *args: str, purpose: str | None):  # type: ignore[no-untyped-def]
    env = {"JOINEDUP_USER": None, "JOINEDUP_DB": None, "JOINEDUP_PURPOSE": purpose}
    return runner.invoke(app, [*args, "--db", store_url], env=env)


@pytest.fixture
def staffed(engine: Engine, admin: User) -> Engine:
    add(engine, "audrey.test", "auditor")
    return engine


@pytest.mark.parametrize(
    ("args", "action"),
    [
        (["user", "list", "--as", "ada.admin"], "users_listed"),
        (["user", "list", "--json", "--as", "ada.admin"], "users_listed"),
        (["audit", "list", "--as", "audrey.test"], "audit_listed"),
        (["audit", "list", "--json", "--as", "ada.admin"], "audit_listed"),
        (["audit", "verify", "--as", "audrey.test"], "audit_verified"),
    ],
)
def test_a_consultation_records_the_purpose_given(
    store_url: str, staffed: Engine, args: list[str], action: str
) -> None:
    result = run(store_url, *args, purpose=WHY)
    assert result.exit_code == 0, result.output
    logged = audit_rows(staffed)[-1]
    assert (logged.category, logged.action, logged.actor) == ("consultation", action, args[-1])
    assert logged.purpose == WHY
    assert "purpose" not in (logged.detail or {})  # in its own column, not the detail


def test_without_a_purpose_none_is_recorded_and_audit_list_shows_the_purpose(
    store_url: str, staffed: Engine
) -> None:
    unsaid = run(store_url, "user", "list", "--as", "ada.admin", purpose=None)
    assert unsaid.exit_code == 0, unsaid.output
    assert audit_rows(staffed)[-1].purpose is None
    said = run(store_url, "user", "list", "--as", "ada.admin", purpose=WHY)
    assert said.exit_code == 0, said.output
    listed = run(
        store_url, "audit", "list", "--json", "--as", "audrey.test", purpose="annual audit"
    )
    rows = json.loads(listed.stdout)
    assert [(r["action"], r["purpose"]) for r in rows if r["category"] == "consultation"] == [
        ("users_listed", None),
        ("users_listed", WHY),
    ]
    assert audit_rows(staffed)[-1].purpose == "annual audit"
