"""The same model on Splink's Spark backend, on a local Spark session.

Skipped only where pyspark or a Java runtime is missing (on any machine, CI included);
everywhere else a Spark failure fails the test.
"""

from __future__ import annotations

from collections.abc import Hashable
from itertools import combinations

import pytest
from sqlalchemy import Engine

from joinedup.resolve import mention_entities, resolve_all
from joinedup.resolve.spark import spark_available

MISSING = spark_available()


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
@pytest.mark.skipif(MISSING is not None, reason=f"spark engine unavailable: {MISSING}")
def test_spark_resolves_like_duckdb(city_store: Engine) -> None:
    if city_store.dialect.name != "sqlite":
        pytest.skip("one store backend is enough for the engine comparison")
    resolve_all(city_store, "tester", full=True)
    duck = _partition(city_store)
    result = resolve_all(city_store, "tester", full=True, splink_engine="spark")
    spark = _partition(city_store)

    assert result.engine == "spark"
    counts = result.counts["person"]
    assert counts["modelled"] > 20 and counts["pairs_scored"] > 0 and counts["model_merges"] > 0
    for kind in ("vehicle", "phone", "location"):  # no Splink there: identical by construction
        assert spark.get(kind, set()) == duck.get(kind, set()), kind
    a, b = duck["person"], spark["person"]
    assert a and b
    # The same model up to EM's randomness: the linked person pairs nearly coincide.
    assert len(a & b) / len(a | b) > 0.9, (len(a), len(b), len(a & b))
