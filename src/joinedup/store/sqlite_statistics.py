"""SQLite's memory statistics turned off in a process that has no connection open yet.

SQLite counts every allocation it makes in process-wide statistics, under a global mutex
(`SQLITE_DEFAULT_MEMSTATUS`, on in the libraries Debian and most distributions ship). An
ingest binds millions of values and writes millions of cells, each allocating: in the
ingest process, counting them was 7% of its CPU instructions at 1M records
(docs/benchmarks.md), a mutex locked and unlocked for each. JoinedUp never reads them
(`sqlite3_memory_used`, `sqlite3_soft_heap_limit64`), and SQLite's own documentation
recommends building without them ("Recommended compile-time options").

A running library takes `sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0)` only while it is
not initialised, and Python's sqlite3 module initialises it on import. So this shuts
SQLite down and initialises it again, which its documentation allows only when no
connection or statement is open: it does so only when the statistics say SQLite holds no
memory at all (any open connection holds some), once per process, from the first
`make_engine` of a SQLite store, as a CLI command opens its store before anything else.
Anywhere this cannot be known (no such symbols, memory in use) it does nothing, and
SQLite runs as it always did. Nothing it changes is visible to SQL.
"""

from __future__ import annotations

import ctypes
import logging
import threading

log = logging.getLogger("joinedup.store")

SQLITE_OK = 0
SQLITE_CONFIG_MEMSTATUS = 9  # sqlite3.h

_LOCK = threading.Lock()
_DONE: list[bool] = []  # [whether the statistics were turned off], once tried


def statistics_off() -> bool:
    """Turn SQLite's memory statistics off if no connection is open; True if they are
    off (now or by an earlier call). Safe to call any number of times."""
    with _LOCK:
        if not _DONE:
            _DONE.append(_turn_off())
        return _DONE[0]


def _library() -> ctypes.CDLL | None:
    """The SQLite library Python's sqlite3 module calls: symbols looked up through the
    module's own extension, so its dependency (or its static copy) is the one found."""
    try:
        import _sqlite3

        lib = ctypes.CDLL(_sqlite3.__file__)
        for name in (
            "sqlite3_memory_used",
            "sqlite3_shutdown",
            "sqlite3_config",
            "sqlite3_initialize",
        ):
            getattr(lib, name)  # each present, or AttributeError
    except (ImportError, AttributeError, OSError, TypeError):
        return None
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    return lib


def _turn_off() -> bool:
    lib = _library()
    if lib is None:
        return False
    if lib.sqlite3_memory_used() != 0:  # a connection is open (or statistics already off)
        log.debug("SQLite memory statistics left on: SQLite holds memory")
        return False
    if lib.sqlite3_shutdown() != SQLITE_OK:
        return False
    configured = lib.sqlite3_config(SQLITE_CONFIG_MEMSTATUS, ctypes.c_int(0)) == SQLITE_OK
    if lib.sqlite3_initialize() != SQLITE_OK:  # pragma: no cover - never seen
        raise RuntimeError("SQLite failed to initialise again after its shutdown")
    return configured
