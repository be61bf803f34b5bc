"""A killed ingest leaves no half batch; two ingests racing into one store both land whole."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, func, select

from joinedup.store import make_engine, migrate
from joinedup.store import tables as t

from .conftest import SPECS, stop_row, write_csv

SPEC = str(SPECS / "stops.yaml")
TABLES = (t.ingest_batch, t.record, t.person_mention, t.vehicle_mention, t.phone_mention,
          t.location_mention, t.event, t.quarantine, t.audit_event)  # fmt: skip


def big_file(path: Path, n: int, prefix: str = "S") -> Path:
    rows = []
    for i in range(n):
        row = stop_row(
            f"{prefix}{i}", Occ1Name=f"Person{i % 997} Surname{i % 389}", VRM=f"FD{i % 90 + 10}KXT"
        )
        if i % 500 == 7:
            row["StopTime"] = "31/02/2024"  # quarantined
        rows.append(row)
    return write_csv(path, rows)


def cli(url: str, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "JOINEDUP_DB": url, "JOINEDUP_USER": "tester", "JOINEDUP_LOG": "INFO"}
    return subprocess.Popen(
        [sys.executable, "-m", "joinedup", *args], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def snapshot(engine: Engine) -> dict[str, object]:
    """Everything a batch writes, minus clocks and the batch's own id."""
    with engine.connect() as conn:
        snap: dict[str, object] = {
            tb.name: conn.execute(select(func.count()).select_from(tb)).scalar_one()
            for tb in TABLES
        }
        snap["records"] = conn.execute(
            select(
                t.record.c.id, t.record.c.source_ref, t.record.c.content_hash, t.record.c.row_number
            ).order_by(t.record.c.id)
        ).all()
        snap["people"] = conn.execute(
            select(
                t.person_mention.c.id,
                t.person_mention.c.record_id,
                t.person_mention.c.slot,
                t.person_mention.c.surname,
            ).order_by(t.person_mention.c.id)
        ).all()
        snap["quarantine_rows"] = conn.execute(
            select(t.quarantine.c.row_number, t.quarantine.c.reason).order_by(t.quarantine.c.id)
        ).all()
    return snap


def test_sigkill_mid_batch_then_rerun_equals_one_clean_run(store_url: str, tmp_path: Path) -> None:
    path = big_file(tmp_path / "stops.csv", 20_000)
    engine = make_engine(store_url)
    migrate(engine)
    proc = cli(store_url, "ingest", str(path), "--spec", SPEC, "--json")
    assert proc.stderr is not None
    while True:  # kill once several chunks are written inside the open transaction
        line = proc.stderr.readline().decode()
        assert line, "the ingest ended before it could be killed"
        if "rows read" in line and int(line.split(": ")[-1].split()[0]) >= 4000:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert snapshot(engine)["record"] == 0 and snapshot(engine)["ingest_batch"] == 0
    proc = cli(store_url, "ingest", str(path), "--spec", SPEC, "--json")
    assert proc.wait(timeout=600) == 0, proc.stderr.read().decode() if proc.stderr else ""
    after_crash = snapshot(engine)

    clean_dir = tmp_path / "clean"
    clean_dir.mkdir()
    clean_url = f"sqlite:///{clean_dir / 'clean.db'}"
    clean = make_engine(clean_url)
    migrate(clean)
    proc = cli(clean_url, "ingest", str(path), "--spec", SPEC, "--json")
    assert proc.wait(timeout=600) == 0
    assert after_crash == snapshot(clean)
    assert after_crash["record"] == 20_000 - 40 and after_crash["quarantine"] == 40
    engine.dispose()
    clean.dispose()


def test_two_files_racing_into_one_store(store_url: str, tmp_path: Path) -> None:
    a = big_file(tmp_path / "a.csv", 6_000, prefix="A")
    b = big_file(tmp_path / "b.csv", 6_000, prefix="B")
    engine = make_engine(store_url)
    migrate(engine)
    procs = [cli(store_url, "ingest", str(p), "--spec", SPEC, "--json") for p in (a, b)]
    for proc in procs:
        assert proc.wait(timeout=600) == 0, proc.stderr.read().decode() if proc.stderr else ""
    snap = snapshot(engine)
    assert snap["ingest_batch"] == 2
    assert snap["record"] == 2 * (6_000 - 12) and snap["quarantine"] == 24
    ids = [r.id for r in snap["records"]]  # type: ignore[attr-defined]
    assert len(ids) == len(set(ids))
    engine.dispose()
