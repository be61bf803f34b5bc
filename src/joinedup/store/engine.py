"""Engines for the embedded SQLite store (WAL) and PostgreSQL, and the writers' lock."""

from __future__ import annotations

import logging
import sqlite3
import threading
import urllib.parse
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from joinedup.store.sqlite_statistics import statistics_off

log = logging.getLogger("joinedup.store")


def normalise_url(url: str) -> str:
    """PostgreSQL URLs use the psycopg 3 driver; a bare path is a SQLite file."""
    if "://" not in url:
        return f"sqlite:///{url}"
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        statistics_off()  # before this process's first connection: sqlite_statistics.py
        engine = create_engine(url, echo=echo, connect_args={"timeout": 120})
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, echo=echo, pool_pre_ping=True)
    return engine


# SQLite's default page is 4 KiB. A store's writes are bulk inserts into tables and
# indexes of millions of rows: in 16 KiB pages the ingest process's CPU for the same
# rows was 10-12% less (the 1M city's ANPR file alone, and its police, missing-person
# and health files), against the workers' CPU in the same runs (docs/benchmarks.md,
# Ingest). 32 KiB gave about as much on the ANPR file and no more overall.
PAGE_SIZE = 16384


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        # Take transaction control from pysqlite so BEGIN IMMEDIATE works (see begin hook).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        # A new store's pages (a store that exists keeps its own: SQLite fixes the size
        # when the first table is written, and in WAL mode for good): see PAGE_SIZE.
        cur.execute(f"PRAGMA page_size={PAGE_SIZE}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=120000")
        cur.execute("PRAGMA cache_size=-65536")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


def is_sqlite(conn_or_engine: Connection | Engine) -> bool:
    return conn_or_engine.dialect.name == "sqlite"


@contextmanager
def write_transaction(
    engine: Engine, lock: str = "store", *, defer_checkpoint: bool = False, row_checks: bool = True
) -> Iterator[Connection]:
    """A transaction that holds the writers' lock named `lock` until it commits.

    SQLite: BEGIN IMMEDIATE takes the database write lock up front, so two writers
    queue instead of failing half-way. PostgreSQL: a transaction-scoped advisory lock.
    Either way the whole block commits or none of it does. `defer_checkpoint` (SQLite, a
    bulk write such as an ingest batch): the commit does not copy the write-ahead log into
    the database file; a thread does it afterwards (`checkpoint_soon`), and the caller
    calls `wait_for_checkpoints` before anything reads the file alone (a copy of it).
    `row_checks=False` (SQLite, a bulk write that checks its own references before it
    commits: store/references.py): foreign keys are not enforced row by row inside this
    transaction (SQLite can turn them off only outside one), and are again after it.
    """
    if is_sqlite(engine):
        with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn:
            raw = conn.connection.driver_connection  # outside SQLAlchemy's transaction
            if defer_checkpoint:  # its pages reach the file after it commits: checkpoint_soon
                raw.execute("PRAGMA wal_autocheckpoint=0")  # type: ignore[union-attr]
            if not row_checks:
                raw.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
            try:
                with conn.begin():
                    yield conn
            finally:
                if not row_checks:
                    raw.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
                if defer_checkpoint:
                    raw.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")  # type: ignore[union-attr]
        if defer_checkpoint:
            checkpoint_soon(engine)
    else:
        with engine.connect() as conn:
            with conn.begin():
                key = zlib.crc32(f"joinedup:{lock}".encode())
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
                yield conn


# -- SQLite: checkpoints off an ingest's critical path ----------------------------------
# In WAL mode a commit appends to the write-ahead log, and the commit that takes the log
# past wal_autocheckpoint pages copies the whole log into the database file before it
# returns: after an ingest batch of several hundred thousand rows, seconds of writing with
# every core idle (the batch's workers are done, the next file's have not started). A
# transaction with `defer_checkpoint` (an ingest batch) turns that off for itself; once
# it has committed, a thread of its own copies the log over (a PASSIVE checkpoint: it
# never blocks readers or the next batch's writes) while the next file is read and
# written. `wait_for_checkpoints` waits for those threads (the CLI does before it exits).
# A checkpoint that does not run loses nothing: the log is the database's until it is
# copied, and the next connection to checkpoint copies it.

AUTOCHECKPOINT_PAGES = 1000  # SQLite's default, restored after an ingest's transaction
_CHECKPOINTS: list[threading.Thread] = []


def checkpoint_soon(engine: Engine) -> None:
    """Copy a SQLite store's write-ahead log into its file, in a background thread."""
    path = engine.url.database
    if not is_sqlite(engine) or not path or path == ":memory:":
        return
    _CHECKPOINTS[:] = [t for t in _CHECKPOINTS if t.is_alive()]
    thread = threading.Thread(
        target=_checkpoint, args=(path,), name="joinedup-checkpoint", daemon=True
    )
    thread.start()
    _CHECKPOINTS.append(thread)


def wait_for_checkpoints() -> None:
    """Wait until every checkpoint started by `checkpoint_soon` has finished."""
    while _CHECKPOINTS:
        _CHECKPOINTS.pop().join()


def _checkpoint(path: str) -> None:
    try:
        # mode=rw: a store deleted meanwhile is not created again, empty, by this thread
        uri = f"file:{urllib.parse.quote(str(Path(path).resolve()))}?mode=rw"
        conn = sqlite3.connect(uri, uri=True, timeout=120)
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:  # busy, or the file gone: the next checkpoint copies it
        log.info("checkpoint of %s not done: %s", path, exc)
