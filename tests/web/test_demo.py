"""`joinedup demo --no-serve` builds a served-ready store: resolved, detected, one account
per role whose printed password signs in."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from joinedup.cli import app
from joinedup.pole import UserRole
from joinedup.store import make_engine
from joinedup.store import tables as t
from joinedup.web import WebSettings, create_app
from tests.web.helpers import sign_in


@pytest.mark.slow
def test_demo_builds_a_store_with_an_account_per_role(tmp_path) -> None:
    result = CliRunner().invoke(
        app, ["demo", "--dir", str(tmp_path / "demo"), "--children", "20", "--months", "2",
              "--no-serve"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    accounts = dict(re.findall(r"(demo\.\w+)\s+password (\S+)", result.output))
    assert {f"demo.{r.value}" for r in UserRole} == set(accounts)
    url = f"sqlite:///{tmp_path / 'demo' / 'joinedup.db'}"
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.entity)).scalar_one() > 0
        assert conn.execute(select(func.count()).select_from(t.flag)).scalar_one() > 0
    client = TestClient(create_app(WebSettings(url), engine))
    response = sign_in(client, "demo.analyst", accounts["demo.analyst"])
    assert response.status_code == 303 and response.headers["location"] == "/dashboard"
    assert client.get("/api/dashboard").json()["detection"] is True


@pytest.mark.slow
def test_demo_json_reports_what_it_built(tmp_path) -> None:
    result = CliRunner().invoke(
        app, ["demo", "--dir", str(tmp_path / "demo"), "--children", "20", "--months", "2",
              "--no-serve", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    files = report["files"]
    assert files and all(
        f["read"] == f["stored"] + f["duplicates"] + f["quarantined"] for f in files
    )
    assert sum(f["stored"] for f in files) == report["summary"]["counts"]["record"]
    assert report["entities"]["person"] > 0 and sum(report["leads"].values()) > 0
    assert {a["role"] for a in report["accounts"]} == {r.value for r in UserRole}
    assert report["city_stats"]["records"] == sum(f["read"] for f in files)
