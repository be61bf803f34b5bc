"""The same model on Splink's Spark backend (skipped only where pyspark or Java is missing)."""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest
from sqlalchemy import Engine

from joinedup.resolve import mention_entities, resolve_all

HAVE_SPARK = importlib.util.find_spec("pyspark") is not None and shutil.which("java") is not None


@pytest.mark.slow
@pytest.mark.skipif(
    not HAVE_SPARK and not os.environ.get("CI"),
    reason="pyspark or Java 17 missing: pip install 'joinedup[spark]' (CI must have both)",
)
def test_spark_resolves_like_duckdb(city_store: Engine) -> None:
    if city_store.dialect.name != "sqlite":
        pytest.skip("one backend is enough for the engine comparison")
    resolve_all(city_store, "tester", full=True)
    with city_store.connect() as conn:
        duck = mention_entities(conn)
    result = resolve_all(city_store, "tester", full=True, splink_engine="spark")
    with city_store.connect() as conn:
        spark = mention_entities(conn)
    assert result.engine == "spark"
    same = sum(1 for ref in duck if duck[ref] == spark.get(ref))
    assert same / len(duck) > 0.97
