"""One built structure per store per process, rebuilt when the store's version changes.

The search index and the link-chart graph are costly to build and cheap to check, so
each is kept per store URL and rebuilt only when a newer run has finished.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy import Connection, Engine

T = TypeVar("T")


class PerStore(Generic[T]):
    """`get(engine)` returns `build(conn)`, rebuilt when `version(conn)` changes."""

    def __init__(
        self, version: Callable[[Connection], Hashable], build: Callable[[Connection], T]
    ) -> None:
        self._version = version
        self._build = build
        self._built: dict[str, tuple[Hashable, T]] = {}  # by store URL
        self._lock = threading.Lock()

    def get(self, engine: Engine) -> T:
        name = engine.url.render_as_string(hide_password=True)
        with engine.connect() as conn:
            version = self._version(conn)
            cached = self._built.get(name)
            if cached is not None and cached[0] == version:
                return cached[1]
            with self._lock:  # one build at a time; the others wait and reuse it
                cached = self._built.get(name)
                if cached is None or cached[0] != version:
                    cached = self._built[name] = (version, self._build(conn))
                return cached[1]
