import json

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from joinedup.access.model import User
from joinedup.cli import app
from tests.access.helpers import ADMIN_PASSWORD, PW, add, audit_rows

runner = CliRunner()


def run(store_url: str, *args: str, input: str | None = None, **env: str | None):  # type: ignore[no-untyped-def]
    environment = {"JOINEDUP_USER": None, "JOINEDUP_DB": None} | env
    return runner.invoke(app, [*args, "--db", store_url], input=input, env=environment)


@pytest.mark.parametrize(
    "args",
    [
        ["user", "list"],
        ["user", "add", "ada.admin", "--role", "admin", "--password-stdin"],
        ["audit", "list"],
        ["audit", "verify"],
    ],
)
def test_an_uninitialised_store_is_refused_with_a_hint(store_url: str, args: list[str]) -> None:
    result = run(store_url, *args, input=PW + "\n")
    assert result.exit_code == 2, result.output
    assert "joinedup init" in result.output


def test_setup_then_user_management(store_url: str, engine: Engine) -> None:
    first = run(
        store_url,
        "user",
        "add",
        "Ada.Admin",
        "--role",
        "admin",
        "--password-stdin",
        "--as",
        "local.operator",
        input=ADMIN_PASSWORD + "\n",
    )
    assert first.exit_code == 0, first.output
    assert "Added ada.admin (admin)" in first.output and "Setup mode is over" in first.output
    assert audit_rows(engine)[-1].detail["setup_mode"] is True

    as_admin = {"JOINEDUP_USER": "ada.admin"}
    added = run(
        store_url,
        "user",
        "add",
        "ana.test",
        "--role",
        "analyst",
        "--display-name",
        "Ana Testperson",
        "--unit",
        "CSE hub",
        "--password-stdin",
        input=PW + "\n",
        **as_admin,
    )
    assert added.exit_code == 0, added.output
    prompted = run(
        store_url,
        "user",
        "add",
        "audrey.test",
        "--role",
        "auditor",
        input="quartz meadow signal 5\nquartz meadow signal 5\n",
        **as_admin,
    )
    assert prompted.exit_code == 0, prompted.output

    listed = run(store_url, "user", "list", "--json", **as_admin)
    assert listed.exit_code == 0, listed.output
    users = {u["username"]: u for u in json.loads(listed.stdout)}
    assert set(users) == {"ada.admin", "ana.test", "audrey.test"}
    assert users["ana.test"]["unit"] == "CSE hub"
    assert "password_hash" not in users["ana.test"]
    assert run(store_url, "user", "list", **as_admin).exit_code == 0

    refused = run(
        store_url,
        "user",
        "add",
        "bob.test",
        "--role",
        "analyst",
        "--password-stdin",
        "--as",
        "ana.test",
        input=PW + "\n",
    )
    assert refused.exit_code == 3
    assert "'ana.test' (role analyst) lacks the permission 'manage_users'" in refused.output
    assert (audit_rows(engine)[-1].action, audit_rows(engine)[-1].actor) == ("refused", "ana.test")

    own = run(
        store_url,
        "user",
        "passwd",
        "ana.test",
        "--password-stdin",
        "--as",
        "ana.test",
        input="amber tide window 31\n",
    )
    assert own.exit_code == 0, own.output
    other = run(
        store_url,
        "user",
        "passwd",
        "ada.admin",
        "--password-stdin",
        "--as",
        "ana.test",
        input="amber tide window 31\n",
    )
    assert other.exit_code == 3
    weak = run(
        store_url, "user", "passwd", "ana.test", "--password-stdin", input="short\n", **as_admin
    )
    assert weak.exit_code == 2 and "at least 12" in weak.output

    assert (
        run(store_url, "user", "disable", "ana.test", "--reason", "left", **as_admin).exit_code == 0
    )
    gone = run(store_url, "user", "list", "--as", "ana.test")
    assert gone.exit_code == 3 and "disabled" in gone.output
    assert run(store_url, "user", "enable", "ana.test", **as_admin).exit_code == 0
    promoted = run(store_url, "user", "role", "ana.test", "supervisor", **as_admin)
    assert promoted.exit_code == 0 and "ana.test is now supervisor" in promoted.output
    assert run(store_url, "user", "disable", "nobody.test", **as_admin).exit_code == 4
    last_admin = run(store_url, "user", "disable", "ada.admin", **as_admin)
    assert last_admin.exit_code == 2 and "last active admin" in last_admin.output
    stranger = run(store_url, "user", "list", "--as", "local.operator")
    assert stranger.exit_code == 3 and "not a JoinedUp user" in stranger.output


@pytest.fixture
def staffed(engine: Engine, admin: User) -> Engine:
    add(engine, "audrey.test", "auditor")
    add(engine, "rita.test", "researcher")
    return engine


def test_audit_list_is_filtered_permissioned_and_itself_audited(
    store_url: str, staffed: Engine
) -> None:
    listed = run(store_url, "audit", "list", "--json", "--as", "ada.admin")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [r["object_id"] for r in rows] == ["ada.admin", "audrey.test", "rita.test"]
    logged = audit_rows(staffed)[-1]
    assert (logged.category, logged.action, logged.actor) == (
        "consultation",
        "audit_listed",
        "ada.admin",
    )
    os_user = logged.detail.pop("os_user")  # the OS account is not ada.admin: it is noted
    assert os_user and logged.detail == {"filters": {}, "rows": 3, "first_seq": 1, "last_seq": 3}

    some = run(
        store_url,
        "audit",
        "list",
        "--json",
        "--category",
        "consultation",
        "--actor",
        "ADA.ADMIN",
        "--since",
        "2000-01-01",
        "--limit",
        "5",
        "--as",
        "audrey.test",
    )
    assert [r["action"] for r in json.loads(some.stdout)] == ["audit_listed"]
    table = run(store_url, "audit", "list", "--limit", "0", "--as", "audrey.test")
    assert table.exit_code == 0 and "audit_" in table.stdout  # folded to the width
    assert run(store_url, "audit", "list", "--as", "rita.test").exit_code == 3
    bad = run(store_url, "audit", "list", "--since", "last tuesday", "--as", "audrey.test")
    assert bad.exit_code == 2 and "--since" in bad.output


def test_audit_verify_exit_codes(store_url: str, staffed: Engine) -> None:
    intact = run(store_url, "audit", "verify", "--as", "audrey.test")
    assert intact.exit_code == 0 and "intact" in intact.stdout
    assert run(store_url, "audit", "verify", "--as", "ada.admin").exit_code == 3
    report = json.loads(run(store_url, "audit", "verify", "--json", "--as", "audrey.test").stdout)
    assert report["ok"] is True and report["first_bad_seq"] is None
    anchor = f"{report['head_seq']}:{report['head_hash']}"
    with_anchor = run(store_url, "audit", "verify", "--expect-head", anchor, "--as", "audrey.test")
    assert with_anchor.exit_code == 0, with_anchor.output
    with staffed.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM audit_event WHERE seq >= {report['head_seq']}")
    truncated = run(store_url, "audit", "verify", "--expect-head", anchor, "--as", "audrey.test")
    assert truncated.exit_code == 1 and "truncated" in truncated.stdout
    with staffed.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_event SET action = 'nothing' WHERE seq = 2")
    broken = run(store_url, "audit", "verify", "--json", "--as", "audrey.test")
    assert broken.exit_code == 1
    assert json.loads(broken.stdout)["first_bad_seq"] == 2
    shown = run(store_url, "audit", "verify", "--as", "audrey.test")
    assert shown.exit_code == 1 and "seq 2 (edited)" in shown.stdout
    nonsense = run(store_url, "audit", "verify", "--expect-head", "12", "--as", "audrey.test")
    assert nonsense.exit_code == 2
