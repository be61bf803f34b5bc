"""Detection at scale: graph build, every rule and the group communities on a resolved store.

    python benchmarks/detect.py --db sqlite:////tmp/c100k.db [--db ...]

Each store is measured in its own subprocess (so each peak RSS is its own), on a copy of the
store (the run writes flags):

- `network_graph`: `joinedup.network.build_graph(conn)`, the POLE graph of the store;
- `read` and `facts`: detection's own read of the store and its facts as of the last day;
- `rules`: ties, child indicators, adult, vehicle and place rules, and the group
  communities (`detect_facts`);
- `as_of`: one more pass as of the middle of the window (rows already read: what each of
  evaluate's weekly runs costs);
- `persist`: `run_detection`, the whole run that writes flags, evidence and history.

Prints one JSON object: per store, records, seconds per step, flags per kind, peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _rss_now_mb() -> float:
    with open("/proc/self/status") as status:  # Linux; the peak alone elsewhere
        for line in status:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return _rss_mb()


def measure(db: str) -> dict[str, Any]:
    from datetime import timedelta

    from sqlalchemy import func, select

    from joinedup.access.actor import Actor
    from joinedup.access.roles import permissions_for
    from joinedup.detect.engine import detect_facts
    from joinedup.detect.facts import build_facts, read_rows
    from joinedup.detect.lifecycle import run_detection
    from joinedup.network import build_graph
    from joinedup.pole import UserRole
    from joinedup.store import make_engine
    from joinedup.store import tables as t

    engine = make_engine(db)
    seconds: dict[str, float] = {}
    peaks: dict[str, float] = {}  # the process's peak RSS once each step is done

    def timed(name: str, fn):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        value = fn()
        seconds[name] = round(time.perf_counter() - started, 1)
        peaks[name] = _rss_mb()
        print(f"{name}: {seconds[name]} s, peak {peaks[name]} MB, now {_rss_now_mb()} MB",
              file=sys.stderr, flush=True)  # fmt: skip
        return value

    with engine.connect() as conn:
        records = conn.execute(select(func.count()).select_from(t.record)).scalar_one()
        graph = timed("network_graph", lambda: build_graph(conn))
        vertices, edges = graph.graph.vcount(), graph.graph.ecount()
        del graph
        rows = timed("read", lambda: read_rows(conn))
    facts = timed("facts", lambda: build_facts(rows))
    found = timed("rules", partial(detect_facts, facts))
    children_scored = len(found.children)
    days = sorted(e.day for e in facts.events.values())
    middle = days[0] + timedelta(days=(days[-1] - days[0]).days // 2)
    # One pass's facts at a time, as detect and evaluate hold them (rows stay read).
    del facts, found
    timed("as_of", lambda: detect_facts(build_facts(rows, middle)))
    actor = Actor("benchmark", UserRole.analyst, permissions_for(UserRole.analyst))
    summary = timed("persist", lambda: run_detection(engine, actor))
    engine.dispose()
    return {
        "records": records,
        "graph": {"vertices": vertices, "edges": edges},
        "seconds": seconds,
        "children_scored": children_scored,
        "flags": {k: v for k, v in summary.counts.items() if k.endswith("_flags")},
        "peak_rss_mb": _rss_mb(),
        "peak_rss_mb_after": peaks,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", required=True, help="a resolved store")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    out: dict[str, Any] = {"stores": []}
    for db in args.db:
        source = Path(db.removeprefix("sqlite:///"))
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "detect.db"
            shutil.copy(source, copy)
            run = subprocess.run(
                [sys.executable, __file__, "--db", db, "--child", f"sqlite:///{copy}"],
                stdout=subprocess.PIPE,
                text=True,
                check=True,
            )  # fmt: skip (the child's progress goes to our stderr)
        result = json.loads(run.stdout.strip().splitlines()[-1])
        out["stores"].append({"db": str(source), **result})
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
