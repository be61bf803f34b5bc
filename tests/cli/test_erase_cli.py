"""`joinedup erase batch`: admins only, a reason always, --dry-run changes nothing, and the
real one erases and says what; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from joinedup.cli import app
from joinedup.ingest.batch import ingest_file
from joinedup.store import tables as t
from tests.access.helpers import add
from tests.ingest.conftest import SPECS, stop_row, write_csv

runner = CliRunner()


def _run(store_url: str, *args: str, user: str = "ada.admin", input: str | None = None):  # type: ignore[no-untyped-def]
    env = {"JOINEDUP_USER": user, "JOINEDUP_DB": None, "JOINEDUP_PURPOSE": "retention RR-7"}
    return runner.invoke(app, [*args, "--db", store_url], input=input, env=env)


def _records(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(t.record)).scalar_one()


def _store(engine: Engine, tmp_path) -> int:  # type: ignore[no-untyped-def]
    add(engine, "ada.admin", "admin")
    add(engine, "ana.analyst", "analyst")
    path = write_csv(tmp_path / "s.csv", [stop_row("S1"), stop_row("S2", StopTime="31/02/2024")])
    return ingest_file(engine, path, str(SPECS / "stops.yaml"), actor="ana.analyst").batch_id


def test_erase_batch_from_the_command_line(store_url: str, engine: Engine, tmp_path) -> None:
    batch = _store(engine, tmp_path)
    refused = _run(store_url, "erase", "batch", str(batch), "--reason", "r", "--yes",
                   user="ana.analyst")  # fmt: skip
    assert refused.exit_code == 3, refused.output  # analysts may not erase
    no_reason = _run(store_url, "erase", "batch", str(batch), "--yes")
    assert no_reason.exit_code == 2 and "--reason" in no_reason.output
    unknown = _run(store_url, "erase", "batch", "999", "--reason", "r", "--yes")
    assert unknown.exit_code == 4, unknown.output
    unconfirmed = _run(store_url, "erase", "batch", str(batch), "--reason", "r", "--json")
    assert unconfirmed.exit_code == 2 and "--yes" in unconfirmed.output
    assert _records(engine) == 1

    dry = _run(store_url, "erase", "batch", str(batch), "--reason", "review", "--dry-run",
               "--json")  # fmt: skip
    assert dry.exit_code == 0, dry.output
    report = json.loads(dry.stdout)
    assert report["dry_run"] is True and report["erased"]["record"] == 1
    assert report["erased"]["quarantine"] == 1 and report["resolution_run"] is None
    assert _records(engine) == 1  # rolled back
    with engine.connect() as conn:
        assert conn.execute(
            select(func.count()).select_from(t.audit_event).where(
                t.audit_event.c.action == "batch_erased"
            )
        ).scalar_one() == 0  # fmt: skip
        refusal = conn.execute(
            select(t.audit_event).where(
                t.audit_event.c.actor == "ana.analyst",
                t.audit_event.c.category == "erasure",
            )
        ).one()  # the attempt, refused, logged under what it attempted
        assert "refused" in refusal.action  # fmt: skip

    done = _run(store_url, "erase", "batch", str(batch), "--reason", "retention review",
                "--yes")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "Erased batch" in done.output and "record" in done.output
    assert _records(engine) == 0
    with engine.connect() as conn:
        row = conn.execute(
            select(t.audit_event).where(t.audit_event.c.action == "batch_erased")
        ).one()
    assert (row.actor, row.purpose) == ("ada.admin", "retention RR-7")
    again = _run(store_url, "erase", "batch", str(batch), "--reason", "r", "--yes")
    assert again.exit_code == 2 and "was erased on" in again.output
    listed = _run(store_url, "batches", "--json")
    assert listed.exit_code == 0, listed.output
    (row,) = json.loads(listed.stdout)["batches"]
    assert (row["id"], row["rows_read"], row["rows_stored"], row["rows_quarantined"]) == (
        batch,
        2,
        1,
        1,
    )  # the batch's own counts are kept as metadata
    assert (row["erased_by"], row["erasure_reason"]) == ("ada.admin", "retention review")
    text = _run(store_url, "batches")
    assert text.exit_code == 0 and "s.csv" in text.output
    assert f"{datetime.now(UTC):%Y-%m-%d}" in text.output


def test_erase_records_from_the_command_line(store_url: str, engine: Engine, tmp_path) -> None:
    _store(engine, tmp_path)
    with engine.connect() as conn:
        (record_id,) = conn.execute(select(t.record.c.id)).scalars()
    dry = _run(store_url, "erase", "records", str(record_id), "--reason", "court order",
               "--dry-run", "--json")  # fmt: skip
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout)["erased"]["record"] == 1 and _records(engine) == 1
    unknown = _run(store_url, "erase", "records", "424242", "--reason", "r", "--yes")
    assert unknown.exit_code == 2 and "no record 424242" in unknown.output
    done = _run(store_url, "erase", "records", str(record_id), "--reason", "court order",
                "--yes", "--json")  # fmt: skip
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert report["erased"]["record"] == 1 and report["batch"] is None
    assert _records(engine) == 0
    with engine.connect() as conn:
        row = conn.execute(
            select(t.audit_event).where(t.audit_event.c.action == "records_erased")
        ).one()
        quarantined = conn.execute(select(func.count()).select_from(t.quarantine)).scalar()
    assert (row.object_type, row.object_id, row.actor) == ("record", str(record_id), "ada.admin")
    assert quarantined == 1  # the batch's quarantined row is not one of the records
