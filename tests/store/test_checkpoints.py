"""SQLite: an ingest's write-ahead log is copied into the database file after it commits,
in a thread of its own (store/engine.py, checkpoint_soon)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import func, select

from joinedup.ingest.batch import ingest_file
from joinedup.store import make_engine, migrate, wait_for_checkpoints, write_transaction
from joinedup.store import tables as t
from joinedup.store.engine import AUTOCHECKPOINT_PAGES, _checkpoint, checkpoint_soon
from tests.ingest.conftest import SPECS, stop_row, write_csv


def _records_in_file_alone(db: Path, tmp_path: Path) -> int:
    """Records readable from the database file without its write-ahead log."""
    alone = tmp_path / "alone.db"
    shutil.copy(db, alone)  # the -wal file stays behind
    conn = sqlite3.connect(alone)
    try:
        return int(conn.execute("SELECT count(*) FROM record").fetchone()[0])
    finally:
        conn.close()


def test_after_an_ingest_the_database_file_alone_holds_every_row(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    engine = make_engine(f"sqlite:///{db}")
    try:
        migrate(engine)
        rows = [stop_row(f"S{i}", Occ1Name=f"Ferris Quayle {i}") for i in range(3000)]
        result = ingest_file(
            engine,
            write_csv(tmp_path / "s.csv", rows),
            str(SPECS / "stops.yaml"),
            actor="t",
            defer_checkpoint=True,  # as `joinedup ingest` does
        )
        wait_for_checkpoints()
        assert result.stored == 3000
        assert _records_in_file_alone(db, tmp_path) == 3000
        # the batch's connection went back to the pool checkpointing as any other does
        with engine.connect() as conn:
            pages = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
            assert pages == AUTOCHECKPOINT_PAGES
            assert conn.execute(select(func.count()).select_from(t.record)).scalar() == 3000
    finally:
        engine.dispose()


def test_only_a_transaction_that_asks_defers_its_checkpoint(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        migrate(engine)
        with write_transaction(engine, lock="ingest", defer_checkpoint=True) as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        with write_transaction(engine, lock="ingest") as conn:
            pages = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
            assert pages == AUTOCHECKPOINT_PAGES
        wait_for_checkpoints()
    finally:
        engine.dispose()


def test_a_checkpoint_never_creates_a_store_that_is_gone(tmp_path: Path) -> None:
    gone = tmp_path / "deleted store.db"
    _checkpoint(str(gone))  # logged, not raised
    assert not gone.exists()
    engine = make_engine(f"sqlite:///{gone}")
    checkpoint_soon(engine)  # the engine never connected: no file either
    wait_for_checkpoints()
    assert not gone.exists()
    engine.dispose()
