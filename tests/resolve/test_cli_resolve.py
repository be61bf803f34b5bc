"""The CLI: resolve --json, review, decide and explain, each authorised and audited."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from joinedup.access import add_user
from joinedup.cli.app import app
from joinedup.store import make_engine, migrate, write_transaction
from joinedup.store import tables as t
from tests.resolve.conftest import ingest_city


def test_resolve_review_decide_explain(tmp_path: Path, tiny_city: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(db)
    migrate(engine)
    ingest_city(engine, tiny_city)
    with write_transaction(engine) as conn:
        add_user(conn, "root", "admin", "a long enough passphrase 1", actor="setup")
        add_user(conn, "ana", "analyst", "a long enough passphrase 2", actor="root")
    runner = CliRunner()

    def run(*args: str) -> dict:  # type: ignore[type-arg]
        result = runner.invoke(app, [*args, "--db", db, "--as", "ana", "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    summary = run("resolve")
    assert summary["mode"] == "full" and summary["kinds"]["person"]["entities"] > 0
    pairs = run("review", "--limit", "3")
    with engine.connect() as conn:
        eid = conn.execute(select(t.entity.c.id).order_by(t.entity.c.size.desc())).scalar()
    entity = run("explain", f"E{eid}")
    assert entity["members"]
    if pairs:
        a, b = pairs[0]["a"], pairs[0]["b"]
        decided = run("decide", a, b, "different", "--reason", "different dates of birth")
        assert decided["decision"] == "different"
        why = run("explain", a, b)
        assert why["decision"] == "different" and why["comparisons"]
        assert not any(p["a"] == a and p["b"] == b for p in run("review", "--limit", "50"))
    with engine.connect() as conn:
        logged = {
            (r.category, r.action)
            for r in conn.execute(select(t.audit_event.c.category, t.audit_event.c.action))
        }
    assert ("combination", "resolve") in logged
    assert ("consultation", "explain") in logged
    if pairs:
        assert ("alteration", "match_decision") in logged
