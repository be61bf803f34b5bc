"""`joinedup evaluate`: JSON and summary output, authorised and audited like every read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from joinedup.cli import app
from joinedup.store import make_engine
from tests.access.helpers import add, audit_rows

runner = CliRunner()


@pytest.fixture
def db_url(tiny_db: Path, tmp_path: Path) -> str:
    copy = tmp_path / "store.db"
    shutil.copy(tiny_db, copy)
    return f"sqlite:///{copy}"


def evaluate(db_url: str, truth: Path, *args: str, user: str | None = None):  # type: ignore[no-untyped-def]
    env = {"JOINEDUP_USER": user, "JOINEDUP_DB": None}
    return runner.invoke(app, ["evaluate", "--truth", str(truth), "--db", db_url, *args], env=env)


def test_json_report_and_its_audit_entry(db_url: str, tiny_city: Path) -> None:
    result = evaluate(db_url, tiny_city / "truth", "--json")
    report = json.loads(result.stdout)
    failed = [r for r in report["thresholds"] if r["status"] == "fail"]
    assert result.exit_code == (1 if failed else 0), result.output
    assert set(report) >= {"ingest", "er", "groups", "flags", "timeliness", "baselines"}
    assert report["er"]["person"] is None and report["er"]["status"] == "not_run"
    last = audit_rows(make_engine(db_url))[-1]
    assert (last.category, last.action) == ("consultation", "evaluate")
    assert last.detail["truth"] == str(tiny_city / "truth")


def test_summary_says_what_is_null_and_what_is_a_baseline(db_url: str, tiny_city: Path) -> None:
    result = evaluate(db_url, tiny_city / "truth")
    said = " ".join(result.stdout.split())
    assert "resolution has not been run" in said
    assert "NOT the pipeline" in said
    assert "Quality bars" in said


def test_a_researcher_may_not_evaluate(db_url: str, tiny_city: Path) -> None:
    engine = make_engine(db_url)
    add(engine, "ada.admin", "admin")  # the first account must be an admin
    add(engine, "rita.research", "researcher")
    result = evaluate(db_url, tiny_city / "truth", "--json", user="rita.research")
    assert result.exit_code == 3
    assert all(e.action != "evaluate" for e in audit_rows(make_engine(db_url)))


def test_a_folder_that_is_not_a_truth_folder_is_refused(db_url: str, tmp_path: Path) -> None:
    result = evaluate(db_url, tmp_path)
    assert result.exit_code == 2
    said = "".join(result.output.split())  # Rich wraps long paths anywhere
    assert "mentions.csv:missing" in said and "truthfolderofasyntheticcity" in said
