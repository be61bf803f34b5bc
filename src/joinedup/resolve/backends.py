"""Splink backends behind one small interface: DuckDB (embedded default) or Spark (extra).

The Spark backend loads lazily and says how to install it when pyspark is missing.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

ENGINES = ("duckdb", "spark")
# DuckDB's own default is 80% of the machine's memory, which a million mentions' pairs
# fill; with a limit it spills to disk instead (JOINEDUP_DUCKDB_MEMORY, e.g. "8GB").
DUCKDB_MEMORY = "4GB"


def _duckdb_api() -> Any:
    import duckdb
    from splink import DuckDBAPI

    con = duckdb.connect(":memory:")
    limit = os.environ.get("JOINEDUP_DUCKDB_MEMORY", DUCKDB_MEMORY)
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", limit, re.IGNORECASE):
        raise EngineUnavailable(f"JOINEDUP_DUCKDB_MEMORY={limit!r}: write it like 4GB")
    spill = Path(tempfile.gettempdir()) / "joinedup-duckdb"
    con.execute(f"SET memory_limit = '{limit}'")
    con.execute(f"SET temp_directory = '{spill}'")
    return DuckDBAPI(con)


class EngineUnavailable(RuntimeError):
    """The requested Splink engine cannot run here; the message says what to install."""


@dataclass
class SplinkBackend:
    name: str
    db_api: Any

    def register(self, frame: pd.DataFrame, name: str | None = None) -> Any:
        if self.name == "spark":
            from joinedup.resolve.spark import to_spark

            return self.db_api.register(to_spark(self.db_api, frame), table_name=name)
        return self.db_api.register(frame, table_name=name)

    @property
    def dialect(self) -> str:
        return self.name  # Splink's dialect names: "duckdb", "spark"

    def linker(self, sdf: Any, settings: Any) -> Any:
        from splink import Linker

        return Linker(sdf, settings, log_level=logging.WARNING)

    @property
    def linker_factory(self) -> Callable[[Any, Any], Any]:
        return self.linker


def splink_backend(engine: str = "duckdb") -> SplinkBackend:
    """A fresh Splink backend; raises EngineUnavailable with what to install."""
    if engine == "duckdb":
        return SplinkBackend("duckdb", _duckdb_api())
    if engine == "spark":
        from joinedup.resolve.spark import spark_db_api

        return SplinkBackend("spark", spark_db_api())
    raise EngineUnavailable(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
