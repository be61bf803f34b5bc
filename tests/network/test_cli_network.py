"""`joinedup network path|around|measures|communities`: answers, refusals, audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from joinedup.access import add_user
from joinedup.cli.app import app
from joinedup.store import make_engine, migrate, write_transaction
from joinedup.store import tables as t
from tests.network.conftest import World, build_world


@pytest.fixture
def cli_world(tmp_path: Path) -> tuple[str, World]:
    db = f"sqlite:///{tmp_path / 'net.db'}"
    engine = make_engine(db)
    migrate(engine)
    world = build_world(engine)
    with write_transaction(engine) as conn:
        add_user(conn, "root", "admin", "a long enough passphrase 1", actor="setup")
        add_user(conn, "ana", "analyst", "a long enough passphrase 2", actor="root")
        add_user(conn, "rita", "researcher", "a long enough passphrase 3", actor="root")
    engine.dispose()
    return db, world


def run(db: str, *args: str, user: str = "ana", code: int = 0) -> str:
    result = CliRunner().invoke(app, ["network", *args, "--db", db, "--as", user])
    assert result.exit_code == code, result.output
    return result.stdout


def audit(db: str) -> list[tuple[str, str, str | None]]:
    engine = make_engine(db)
    a = t.audit_event
    with engine.connect() as conn:
        rows = conn.execute(select(a.c.category, a.c.action, a.c.object_id).order_by(a.c.seq))
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_around_json_with_filters(cli_world: tuple[str, World]) -> None:
    db, w = cli_world
    sub = json.loads(run(db, "around", f"E{w.C}", "--depth", "1", "--role", "missing_person",
                         "--role", "found_with", "--json"))  # fmt: skip
    assert {n["id"] for n in sub["nodes"]} == {f"E{w.C}", f"E{w.A}"}
    assert sub["edges"][0]["event_ids"] and sub["edges"][0]["record_ids"]
    dated = json.loads(run(db, "around", f"E{w.C}", "--depth", "1", "--from", "2024-04-01",
                           "--json"))  # fmt: skip
    assert {n["id"] for n in dated["nodes"]} == {f"E{w.C}", f"E{w.B}"}
    human = run(db, "around", f"E{w.C}", "--depth", "2")
    assert f"Around E{w.C}" in human and f"E{w.V2}" in human
    full = json.loads(run(db, "around", f"E{w.C}", "--depth", "2", "--json"))
    cand = [e for e in full["edges"] if not e["firm"]]
    assert cand and all(e["candidates"] == 2 and e["kind"] == "candidate_vehicle" for e in cand)
    assert ("consultation", "network_around", f"E{w.C}") in audit(db)


def test_path_plain_and_in_date_order(cli_world: tuple[str, World]) -> None:
    db, w = cli_world
    found = json.loads(run(db, "path", f"E{w.K}", f"E{w.B}", "--json"))
    assert found["entities"][0] == f"E{w.K}" and found["entities"][-1] == f"E{w.B}"
    assert all(h["links"] and h["links"][0]["evidence"] for h in found["hops"])
    # K and C meet on 10 Jan; C and B only on 1 May: in order. B and C then C and K is not.
    ordered = json.loads(run(db, "path", f"E{w.K}", f"E{w.B}", "--in-date-order", "--json",
                             "--kind", "person"))  # fmt: skip
    assert ordered["time_respecting"] and ordered["length"] >= 2
    none = run(db, "path", f"E{w.B}", f"E{w.K}", "--in-date-order", "--kind", "person", code=1)
    assert "No path in date order" in none
    assert ("consultation", "network_path", f"E{w.B} E{w.K}") in audit(db)


def test_measures_and_communities(cli_world: tuple[str, World]) -> None:
    db, w = cli_world
    ms = json.loads(run(db, "measures", "--top", "3", "--json"))
    assert len(ms) == 3 and ms[0]["betweenness"] >= ms[1]["betweenness"]
    assert "Analyst measures" in run(db, "measures", "--kind", "person")
    groups = json.loads(run(db, "communities", "--seed", "1", "--json"))
    assert groups == json.loads(run(db, "communities", "--seed", "1", "--json"))
    assert sum(g["size"] for g in groups) <= len(w.ids)
    actions = {a for _, a, _ in audit(db)}
    assert {"network_measures", "network_communities"} <= actions


def test_refusals_and_not_found(cli_world: tuple[str, World]) -> None:
    db, w = cli_world
    run(db, "around", f"E{w.C}", user="rita", code=3)
    run(db, "around", "E99999", code=4)
    run(db, "around", "person:1", code=2)
    assert ("consultation", "network_around", f"E{w.C}") not in audit(db)
