"""The problem profile at scale: build it from a store, control it, analyse it, render it.

    python benchmarks/stats.py --db sqlite:////tmp/c100k.db [--db ...]
    python benchmarks/stats.py --synth 3800x18 --resolve --workdir /tmp/stats100k

`--synth CHILDRENxMONTHS` builds a city first (seed 1) and ingests it into a new SQLite
store in the work folder; `--resolve` then runs person resolution on it, so people are
counted rather than mentions. Prints one JSON object per store: its size, whether it
was resolved, and the seconds of each step (goal: the whole profile of the 1,000,000-
record city in under 30 seconds). Wall and CPU seconds are both given: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def build_store(spec: str, workdir: Path, resolve: bool) -> tuple[str, dict[str, float]]:
    from joinedup.ingest.batch import ingest_file, plan_paths
    from joinedup.store import make_engine, migrate
    from joinedup.synth import generate_city

    children, months = (int(x) for x in spec.split("x"))
    workdir.mkdir(parents=True, exist_ok=True)
    city, db = workdir / f"city_{spec}", f"sqlite:///{workdir / f'stats_{spec}.db'}"
    setup: dict[str, float] = {}
    started = time.perf_counter()
    if not (city / "manifest.json").exists():
        generate_city(out_dir=city, seed=1, children=children, months=months)
    setup["synth_seconds"] = round(time.perf_counter() - started, 1)
    engine = make_engine(db)
    migrate(engine)
    started = time.perf_counter()
    for pf in plan_paths([city], None):
        ingest_file(engine, pf.path, pf.spec, actor="benchmark")
    setup["ingest_seconds"] = round(time.perf_counter() - started, 1)
    if resolve:
        from joinedup.resolve import resolve_all

        started = time.perf_counter()
        resolve_all(engine, "benchmark")
        setup["resolve_seconds"] = round(time.perf_counter() - started, 1)
    engine.dispose()
    return db, setup


def bench(db: str) -> dict[str, Any]:
    from sqlalchemy import func, select

    from joinedup import stats
    from joinedup.store import make_engine
    from joinedup.store import tables as t

    engine = make_engine(db)
    load_before = round(os.getloadavg()[0], 1)
    with engine.connect() as conn:
        records = conn.execute(select(func.count()).select_from(t.record)).scalar_one()
        mentions = conn.execute(select(func.count()).select_from(t.person_mention)).scalar_one()
    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}
    started = last = time.perf_counter()
    cpu_started = cpu_last = time.process_time()

    def step(name: str) -> None:
        nonlocal last, cpu_last
        now, cpu_now = time.perf_counter(), time.process_time()
        seconds[name] = round(now - last, 2)
        cpu[name] = round(cpu_now - cpu_last, 2)
        last, cpu_last = now, cpu_now

    with engine.connect() as conn:
        profile = stats.build_profile(conn)
    step("build_profile")
    published = stats.controlled(profile)
    step("controlled")
    baseline = {"White": 0.82, "Asian": 0.09, "Black": 0.04, "Mixed": 0.03, "Other": 0.02}
    results = []
    for p in (profile, published):
        analyses = stats.analyse_profile(p, baseline, sensitivity=True)
        claims = stats.profile_claims(analyses, ["White > 0.5", "Asian / population > 1"])
        summary = stats.profile_summary(p, analyses, claims)
        results.append((p, analyses, claims, summary))
    step("analyse_and_claims")
    html = [stats.render_html(*r, actor="benchmark") for r in results]
    step("render_html")
    seconds["total"] = round(time.perf_counter() - started, 2)
    cpu["total"] = round(time.process_time() - cpu_started, 2)
    return {
        "db": engine.url.render_as_string(hide_password=True),
        "records": records,
        "person_mentions": mentions,
        "unit": profile.unit,
        "populations": {p.key: p.count for p in profile.populations},
        "tables": len(profile.tables),
        "html_kb": [round(len(h) / 1024) for h in html],
        "seconds": seconds,
        "cpu_seconds": cpu,  # SQLite runs in this process, so this includes its work
        "load_avg_before": load_before,
        "peak_rss_mb": _rss_mb(),
        "load_avg_after": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", default=[], help="a store's URL")
    parser.add_argument("--synth", action="append", default=[], help="CHILDRENxMONTHS")
    parser.add_argument("--resolve", action="store_true", help="resolve a built city first")
    parser.add_argument("--workdir", default="stats_bench", help="where built cities go")
    args = parser.parse_args()
    if not args.db and not args.synth:
        parser.error("give --db URL or --synth CHILDRENxMONTHS")
    out: list[dict[str, Any]] = []
    for spec in args.synth:
        db, setup = build_store(spec, Path(args.workdir), args.resolve)
        out.append({"synth": spec, **setup, **bench(db)})
        print(json.dumps(out[-1]), file=sys.stderr)
    for db in args.db:
        out.append(bench(db))
    json.dump(out if len(out) > 1 else out[0], sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
