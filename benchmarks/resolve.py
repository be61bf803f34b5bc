"""Person resolution at scale: the product end to end against Splink alone, on one store.

    python benchmarks/resolve.py --db sqlite:////tmp/c100k.db [--db ...]
    python benchmarks/resolve.py --synth 5600x12 --workdir /tmp/res100k   # build a city first

For each store, two subprocesses (so each peak RSS is its own):

- `product`: `resolve_all(full=True)` on a copy of the store: read the mentions, compute the
  features, train, predict, cluster with constraints, the passes after the model, vehicles,
  phones and locations, and write every entity in one transaction.
- `splink`: the same person features (read first, not timed), then Splink alone with the
  same settings and training: train, predict, and Splink's own clustering at 0.8.

Prints one JSON object: per store, mentions, seconds and peak RSS of each, and the
product's overhead over Splink alone (a ratio of seconds).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return round(usage.ru_utime + usage.ru_stime, 1)


def run_product(db: str) -> dict[str, Any]:
    from joinedup.resolve import resolve_all
    from joinedup.store import make_engine

    engine = make_engine(db)
    steps: dict[str, float] = {}
    started = last = time.perf_counter()
    step = "start"

    def progress(name: str) -> None:
        nonlocal last, step
        now = time.perf_counter()
        steps[step] = round(now - last, 1)
        step, last = name, now

    result = resolve_all(engine, "benchmark", full=True, progress=progress)
    progress("done")
    seconds = time.perf_counter() - started
    person = result.counts["person"]
    keep = ("mentions", "modelled", "pairs_scored", "entities")
    passes = {k: v for k, v in person.items() if k.endswith("_seconds")}
    return {"seconds": round(seconds, 1), "cpu_seconds": _cpu_seconds(), "peak_rss_mb": _rss_mb(),
            **{k: person.get(k) for k in keep}, "steps_seconds": steps,
            "passes_seconds": passes}  # fmt: skip


def run_splink(db: str) -> dict[str, Any]:
    from joinedup.resolve.aliases import load_aliases
    from joinedup.resolve.backends import splink_backend
    from joinedup.resolve.persons.features import person_features, read_person_rows
    from joinedup.resolve.persons.model import train
    from joinedup.resolve.persons.pipeline import THRESHOLD, model_input
    from joinedup.store import make_engine

    engine = make_engine(db)
    started = time.perf_counter()
    with engine.connect() as conn:
        features = person_features(read_person_rows(conn), load_aliases())
    usable = model_input(features[~features.name_only & ~features.extracted])
    del features
    read = time.perf_counter() - started
    started, cpu = time.perf_counter(), _cpu_seconds()
    backend = splink_backend("duckdb")
    sdf = backend.register(usable, "person_features")
    linker = train(sdf, backend.linker_factory, records=len(usable))
    pred = linker.inference.predict(threshold_match_probability=0.2)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, THRESHOLD)
    n_clusters = clusters.query_sql("SELECT count(DISTINCT cluster_id) AS n FROM {this}")
    n_clusters = int(n_clusters.as_pandas_dataframe().iat[0, 0])
    pairs = pred.query_sql("SELECT count(*) AS n FROM {this}").as_pandas_dataframe().iat[0, 0]
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 1), "cpu_seconds": round(_cpu_seconds() - cpu, 1),
            "read_features_seconds": round(read, 1), "peak_rss_mb": _rss_mb(),
            "modelled": len(usable), "pairs_scored": int(pairs),
            "clusters": n_clusters}  # fmt: skip


def _child(kind: str, db: str, timeout: float | None) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", kind, "--db", db],
            capture_output=True, text=True, check=False, timeout=timeout,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return {"error": f"not done after {timeout} s", "seconds": None}
    if done.returncode != 0:
        return {"error": done.stderr[-2000:], "after_seconds": time.perf_counter() - started}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _synth(spec: str, workdir: Path) -> str:
    children, months = spec.split("x")
    city, db = workdir / "city", f"sqlite:///{workdir / 'city.db'}"
    for args in (
        ["synth", "--children", children, "--months", months, "--out", str(city)],
        ["init", "--db", db],
        ["ingest", str(city), "--db", db],
    ):
        subprocess.run(["joinedup", *args], check=True, capture_output=True)
    return db


def bench(db: str, only: str | None = None, timeout: float | None = None) -> dict[str, Any]:
    started, load = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()), _load()
    source = Path(db.removeprefix("sqlite:///"))
    with tempfile.TemporaryDirectory(prefix="bench-resolve-") as tmp:
        copy = Path(tmp) / "store.db"
        shutil.copy(source, copy)  # the product writes entities: never into the original
        product = _child("product", f"sqlite:///{copy}", timeout) if only != "splink" else {}
    splink = _child("splink", db, timeout) if only != "product" else {}
    out: dict[str, Any] = {"db": db, "started_utc": started, "load_before": load,
                           "product": product, "splink_alone": splink}  # fmt: skip
    if "seconds" in product and "seconds" in splink and splink["seconds"]:
        out["overhead_ratio"] = round(product["seconds"] / splink["seconds"], 2)
    out["load_after"] = _load()
    return out


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", action="append", default=[], help="an ingested SQLite store")
    parser.add_argument("--synth", action="append", default=[], help="CHILDRENxMONTHS")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--only", choices=("product", "splink"), help="run one side only")
    parser.add_argument("--timeout", type=float, default=None, help="seconds per side")
    parser.add_argument("--child", choices=("product", "splink"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run = run_product if args.child == "product" else run_splink
        print(json.dumps(run(args.db[0])))
        return
    dbs = list(args.db)
    for spec in args.synth:
        workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-city-"))
        workdir.mkdir(parents=True, exist_ok=True)
        dbs.append(_synth(spec, workdir))
    print(
        json.dumps(
            {"benchmark": "resolve", "runs": [bench(db, args.only, args.timeout) for db in dbs]},
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
