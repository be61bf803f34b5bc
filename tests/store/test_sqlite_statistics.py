"""SQLite's memory statistics go off only in a process with no SQLite connection open, and
a store works the same either way. Each case runs in a fresh interpreter: the test
process has connections open."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

_FIRST = """
import sys
from joinedup.store import make_engine, migrate
from joinedup.store.sqlite_statistics import _library, statistics_off
engine = make_engine("sqlite:///" + sys.argv[1])  # the process's first store
migrate(engine)
with engine.begin() as conn:
    conn.exec_driver_sql("CREATE TABLE t (x TEXT)")
    conn.exec_driver_sql("INSERT INTO t VALUES ('a'), ('b')")
with engine.connect() as conn:
    rows = conn.exec_driver_sql("SELECT x FROM t ORDER BY x").fetchall()
    # with statistics off, SQLite reports no memory in use even with a connection open
    print(statistics_off(), _library().sqlite3_memory_used(), rows)
"""

_OPEN_FIRST = """
import sqlite3, sys
held = sqlite3.connect(sys.argv[1])  # opened before any store
held.execute("CREATE TABLE t (x TEXT)")
from joinedup.store import make_engine, migrate
from joinedup.store.sqlite_statistics import _library, statistics_off
engine = make_engine("sqlite:///" + sys.argv[1] + "-store")
migrate(engine)
held.execute("INSERT INTO t VALUES ('a')")
held.commit()
print(statistics_off(), _library().sqlite3_memory_used() > 0, held.execute("SELECT x FROM t").fetchall())
"""


def _run(code: str, path: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the libraries CI runs")
def test_statistics_go_off_before_the_first_connection(tmp_path: Path) -> None:
    assert _run(_FIRST, tmp_path / "a.db") == "True 0 [('a',), ('b',)]"


def test_statistics_stay_on_while_a_connection_is_open(tmp_path: Path) -> None:
    assert _run(_OPEN_FIRST, tmp_path / "b.db") == "False True [('a',)]"
