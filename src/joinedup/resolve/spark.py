"""Splink's Spark backend for resolution beyond one machine (the `joinedup[spark]` extra).

A local session needs Splink's similarity jar on `spark.jars` and a checkpoint directory,
else JARO_WINKLER is missing. $JOINEDUP_SPARK_MASTER picks the master (default local[2],
bound to 127.0.0.1 so no network is needed) and $JOINEDUP_SPARK_DRIVER_MEMORY the local
driver's memory (default 2g). Each backend gets its own SQL session on the shared context,
so the temporary views of one resolution run never collide with another's.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

import pandas as pd

from joinedup.resolve.backends import EngineUnavailable

INSTALL = "pip install 'joinedup[spark]' and a Java 17+ runtime"


def spark_available() -> str | None:
    """None when a Spark session can be started here, else what is missing."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return f"pyspark is not installed: {INSTALL}"
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and os.path.exists(os.path.join(java_home, "bin", "java"))):
        if shutil.which("java") is None:
            return f"no Java runtime (java not on PATH, JAVA_HOME unset): {INSTALL}"
    return None


def spark_session() -> Any:
    """A SQL session on the (shared) Spark context, with Splink's UDF jar loaded."""
    missing = spark_available()
    if missing:
        raise EngineUnavailable(f"the spark engine cannot run: {missing}")
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    master = os.environ.get("JOINEDUP_SPARK_MASTER", "local[2]")
    builder = (
        SparkSession.builder.master(master)
        .appName("joinedup-resolve")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.default.parallelism", "8")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "false")
    )
    if master.startswith("local"):
        memory = os.environ.get("JOINEDUP_SPARK_DRIVER_MEMORY", "2g")
        builder = (
            builder.config("spark.driver.memory", memory)
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
        )
    try:
        shared = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start: no usable Java, or too little memory
        raise EngineUnavailable(f"the spark engine cannot start a session: {exc}") from exc
    shared.sparkContext.setLogLevel("ERROR")
    if not shared.sparkContext.getCheckpointDir():
        shared.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="joinedup-spark-"))
    return shared.newSession()


def spark_db_api() -> Any:
    session = spark_session()  # first: it says what is missing before Splink's import does
    from splink import SparkAPI

    return SparkAPI(spark_session=session)


def to_spark(db_api: Any, frame: pd.DataFrame) -> Any:
    """A Spark DataFrame of `frame` with an explicit schema (lists stay arrays, None null).

    Inference would fail on a column that is null throughout (e.g. no phones in a batch).
    """
    from pyspark.sql import types as T

    fields = [T.StructField(str(col), _spark_type(frame[col]), True) for col in frame.columns]
    rows = [tuple(_plain(v) for v in row) for row in frame.itertuples(index=False, name=None)]
    sdf = db_api.spark.createDataFrame(rows, schema=T.StructType(fields))
    # Materialise once in the JVM: otherwise every Splink query re-reads the rows through
    # Python workers, which makes even a tiny city take minutes.
    return sdf.localCheckpoint(eager=True)


def _spark_type(column: pd.Series) -> Any:
    from pyspark.sql import types as T

    if pd.api.types.is_bool_dtype(column):
        return T.BooleanType()
    if pd.api.types.is_integer_dtype(column):
        return T.LongType()
    if pd.api.types.is_float_dtype(column):
        return T.DoubleType()
    sample = next((v for v in column if _plain(v) is not None), None)
    if isinstance(sample, list | tuple | set | frozenset):
        return T.ArrayType(T.StringType(), True)
    if isinstance(sample, bool):
        return T.BooleanType()
    if isinstance(sample, int):
        return T.LongType()
    if isinstance(sample, float):
        return T.DoubleType()
    return T.StringType()


def _plain(value: Any) -> Any:
    """Python values Spark accepts: numpy scalars unwrapped, NaN/NA as None, sets as lists."""
    if isinstance(value, list | tuple | set | frozenset):
        return [str(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()
        if isinstance(value, list):
            return [str(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    return value
