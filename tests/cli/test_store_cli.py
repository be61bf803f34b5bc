"""`joinedup init` and `joinedup status`, through the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from alembic import command
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from joinedup.cli import app
from joinedup.ingest.batch import ingest_file
from joinedup.store import current_revision, make_engine, migrate
from joinedup.store import tables as t
from joinedup.store.schema import alembic_config, head_revision
from joinedup.store.tables import metadata
from tests.ingest.conftest import SPECS, stop_row, write_csv

runner = CliRunner()
OLDER = "0006"


def run(store_url: str, *args: str):  # type: ignore[no-untyped-def]
    env = {"JOINEDUP_DB": None, "JOINEDUP_USER": None, "JOINEDUP_PURPOSE": None}
    return runner.invoke(app, [*args, "--db", store_url], env=env)


def said(result) -> str:  # type: ignore[no-untyped-def]
    """Everything printed, stdout and stderr, with rich's line wrapping undone."""
    return " ".join(result.output.split())


def sqlite_file(store_url: str) -> Path | None:
    parsed = make_url(store_url)
    return Path(str(parsed.database)) if parsed.get_backend_name() == "sqlite" else None


def test_init_creates_a_store_at_head_and_is_idempotent(store_url: str) -> None:
    first = run(store_url, "init", "--json")
    assert first.exit_code == 0, first.output
    info = json.loads(first.stdout)
    engine = make_engine(store_url)
    try:
        head = head_revision(engine)
        assert info["revision"] == head == current_revision(engine)
        assert set(metadata.tables) <= set(inspect(engine).get_table_names())
        path = sqlite_file(store_url)
        if path is not None:  # the file itself is in WAL mode, not only our connections
            raw = sqlite3.connect(path)
            try:
                assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            finally:
                raw.close()
        again = run(store_url, "init")
        assert again.exit_code == 0, again.output
        assert f"schema revision {head}" in said(again) and "Store ready at" in said(again)
        assert current_revision(engine) == head
    finally:
        engine.dispose()


def test_init_migrates_a_store_at_an_older_revision(store_url: str) -> None:
    engine = make_engine(store_url)
    try:
        migrate(engine)
        cfg = alembic_config(engine)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, OLDER)
        assert current_revision(engine) == OLDER
        head = head_revision(engine)
        assert head != OLDER
        before = run(store_url, "status")
        assert before.exit_code == 0, before.output
        assert f"schema {head} is available: run `joinedup init` to migrate" in said(before)
        done = run(store_url, "init", "--json")
        assert done.exit_code == 0, done.output
        assert json.loads(done.stdout)["revision"] == head == current_revision(engine)
        after = run(store_url, "status")
        assert after.exit_code == 0, after.output
        assert "is available" not in said(after)
    finally:
        engine.dispose()


def test_status_summarises_a_store_in_text_and_json(store_url: str, tmp_path: Path) -> None:
    assert run(store_url, "init").exit_code == 0
    rows = [stop_row("S1"), stop_row("S2", Occ2Name=""), stop_row("S3", StopTime="31/02/2024")]
    path = write_csv(tmp_path / "stops.csv", rows)
    engine = make_engine(store_url)
    try:
        result = ingest_file(engine, path, str(SPECS / "stops.yaml"), actor="tester")
        assert (result.stored, result.quarantined) == (2, 1)
        with engine.connect() as conn:
            stored = {
                table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for table in (t.person_mention, t.vehicle_mention, t.phone_mention)
            }
    finally:
        engine.dispose()
    assert stored["person_mention"] >= 3 and stored["vehicle_mention"] >= 2

    as_json = run(store_url, "status", "--json")
    assert as_json.exit_code == 0, as_json.output
    info = json.loads(as_json.stdout)
    assert info["initialised"] is True and info["revision"] == info["head"]
    assert info["backend"] == make_url(store_url).get_backend_name()
    counts = info["counts"]
    assert counts["record"] == 2 and counts["event"] == 2
    assert counts["ingest_batch"] == 1 and counts["quarantine"] == 1
    assert {name: counts[name] for name in stored} == stored
    assert info["open_quarantine"] == 1
    assert [(s["code"], s["records"]) for s in info["sources"]] == [("test_force", 2)]

    as_text = run(store_url, "status")
    assert as_text.exit_code == 0, as_text.output
    text = said(as_text)
    assert f"schema {info['head']}" in text
    assert "│ record │ 2 │" in text and "│ event │ 2 │" in text
    assert f"│ person_mention │ {stored['person_mention']} │" in text
    assert "│ ingest_batch │ 1 │" in text
    assert "test_force" in text and "Rows waiting in quarantine: 1" in text


def test_status_of_a_store_not_initialised_fails_alike_in_text_and_json(store_url: str) -> None:
    path = sqlite_file(store_url)
    if path is not None:  # a SQLite file that is some other database
        raw = sqlite3.connect(path)
        raw.execute("CREATE TABLE unrelated (a)")
        raw.commit()
        raw.close()
    as_text = run(store_url, "status")
    assert as_text.exit_code == 2, as_text.output
    assert "is not a JoinedUp store yet: run `joinedup init`" in said(as_text)
    as_json = run(store_url, "status", "--json")
    assert as_json.exit_code == as_text.exit_code == 2, as_json.output
    error = json.loads(as_json.stdout)
    assert list(error) == ["error"] and "run `joinedup init`" in error["error"]


def test_status_of_a_store_that_does_not_exist_fails_alike_in_text_and_json(
    store_url: str, tmp_path: Path
) -> None:
    parsed = make_url(store_url)
    if parsed.get_backend_name() == "sqlite":
        absent = str(tmp_path / "absent.db")
        expected = "no store at"
    else:  # a database the server does not hold
        absent = parsed.set(database=f"{parsed.database}_absent").render_as_string(False)
        expected = "cannot read the store at"
    as_text = run(absent, "status")
    assert as_text.exit_code == 2, as_text.output
    assert expected in said(as_text)
    as_json = run(absent, "status", "--json")
    assert as_json.exit_code == 2, as_json.output
    assert expected in json.loads(as_json.stdout)["error"]
    assert not (tmp_path / "absent.db").exists()
