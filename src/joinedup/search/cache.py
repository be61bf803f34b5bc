"""One built structure per store per process, rebuilt when the store's version changes.

The search index and the link-chart graph are costly to build and cheap to check, so
each is kept per store URL and rebuilt only when a newer run has finished.

At 1M records they hold millions of Python objects. The cyclic garbage collector would
walk all of them on every full collection (hundreds of milliseconds, in the middle of
whichever request happened to allocate last), so once built they are moved out of its
view with `gc.freeze()`; they are still freed by reference counting when replaced.
"""

from __future__ import annotations

import gc
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
                    built = self._build(conn)
                    cached = self._built[name] = (version, built)
                    del built
                    _settle()
                return cached[1]


def _settle() -> None:
    """Free what the build (or the structure it replaced) left behind, then freeze the
    survivors so that later full collections skip them."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
