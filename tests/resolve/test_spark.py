"""The same model on Splink's Spark backend, on a local Spark session, kept small: one
incremental run scores a new batch on Spark with the model a DuckDB run trained (training
on Spark makes the same Splink calls; what differs between engines is the SQL each one
executes, which scoring covers), compared with the same run on DuckDB.

Skipped only where pyspark or a Java runtime is missing (on any machine, CI included);
everywhere else a Spark failure fails the test.
"""

from __future__ import annotations

import shutil
from collections.abc import Hashable
from itertools import combinations
from pathlib import Path

import pytest
from sqlalchemy import Engine

from joinedup.resolve import mention_entities, resolve_all
from joinedup.resolve.spark import spark_available
from joinedup.store import make_engine, migrate
from tests.resolve.conftest import ingest_city

MISSING = spark_available()
pytestmark = pytest.mark.skipif(MISSING is not None, reason=f"spark engine unavailable: {MISSING}")


def _partition(engine: Engine) -> dict[str, set[tuple[int, int]]]:
    """{kind: the set of mention pairs that ended up in one entity}."""
    with engine.connect() as conn:
        owner = mention_entities(conn)
    clusters: dict[tuple[str, Hashable], list[int]] = {}
    for (kind, mid), eid in owner.items():
        clusters.setdefault((kind, eid), []).append(mid)
    pairs: dict[str, set[tuple[int, int]]] = {}
    for (kind, _eid), members in clusters.items():
        pairs.setdefault(kind, set()).update(combinations(sorted(members), 2))
    return pairs


@pytest.mark.slow
def test_an_incremental_run_on_spark_scores_like_duckdb(tmp_path: Path, tiny_city: Path) -> None:
    """`resolve --engine spark` end to end: a new batch scored on Spark with the model a
    full DuckDB run trained, and the same batch scored on DuckDB from a copy of the store."""
    db = tmp_path / "store.db"
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    ingest_city(engine, tiny_city, only={"missing_episodes", "social_care", "police_stops"})
    resolve_all(engine, "tester", full=True)
    before = _partition(engine)
    ingest_city(engine, tiny_city, only={"health_attendances", "hotel_register"})
    engine.dispose()
    shutil.copy(db, tmp_path / "copy.db")
    engine = make_engine(f"sqlite:///{db}")
    result = resolve_all(engine, "tester", splink_engine="spark")
    spark = _partition(engine)
    engine.dispose()
    duck_engine = make_engine(f"sqlite:///{tmp_path / 'copy.db'}")
    duck_result = resolve_all(duck_engine, "tester")
    duck = _partition(duck_engine)
    duck_engine.dispose()

    assert result.engine == "spark" and result.mode == "incremental"
    counts = result.counts["person"]
    assert counts["compared"] > 0 and counts["pairs_scored"] > 0
    duck_pairs = duck_result.counts["person"]["pairs_scored"]
    assert abs(counts["pairs_scored"] - duck_pairs) <= max(2, 0.02 * duck_pairs)
    assert before["person"] <= spark["person"]  # an incremental run never splits
    assert len(spark["person"]) > len(before["person"])
    for kind in ("vehicle", "phone", "location"):  # no Splink there: identical by construction
        assert spark.get(kind, set()) == duck.get(kind, set()), kind
    a, b = duck["person"], spark["person"]
    # One model: only the engines' string-similarity implementations may differ
    assert len(a & b) / len(a | b) > 0.98, (len(a), len(b), len(a & b))
