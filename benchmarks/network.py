"""The network on a resolved store: graph build, whole-graph questions and `network around`.

    python benchmarks/network.py --db sqlite:////tmp/c1m.db
    python benchmarks/network.py --db sqlite:////tmp/c100k.db --samples 50 --cold 3
    python benchmarks/network.py --db sqlite:////tmp/c100k.db --samples 30 --around-only

Prints one JSON object:

- `build`: `build_graph` wall and CPU seconds, peak RSS after it, and the graph's counts;
- `whole`: seconds for the entity-entity projection, components, Leiden communities (all
  kinds, and persons only), measures on persons (betweenness/closeness from `--sample` sources) and
  measures within the largest person community, and peak RSS after them;
- `around`: `neighbourhood(E, depth)` on the loaded graph for `--samples` entities of each
  kind (seeded), wall and CPU milliseconds (median, p95, max) and the largest answer, with
  the CLI's default limit of 200 entities and with no limit; plus one filtered case (six
  months, roles missing_person/found_with); and (`hubs_limit_200`) the `--hubs` entities
  of each kind that take part in the most events, with the limit of 200;
- `cold_cli`: wall seconds of `joinedup network around E --depth 2 --json` in a fresh
  process (Python start, imports, graph build, answer, audit row), for `--cold` entities.

The store must have been resolved. The cold CLI runs need a user holding read_personal
(`--as`), or a store in setup mode (no users yet).

`--exact-keys` first writes entities without Splink, for a store too large to resolve on
the machine at hand: persons by strong identifier (NHS number, PNC id, child reference),
else by exact forename, surname and date of birth, else alone; vehicles, phones and
places (with candidate links for partial plates) by resolve's own exact-key code. The
graph then has the size of the city, not the product's resolution quality.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import timedelta
from typing import Any


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _timed(fn: Any, label: str = "") -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if wall > 1:  # progress on stderr for long runs
        print(f"{label or 'step'}: {wall:.1f} s", file=sys.stderr, flush=True)
    return value, wall, cpu


def _summary(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    pick = lambda q: values[min(len(values) - 1, int(q * len(values)))]  # noqa: E731
    return {"median": round(pick(0.5) * 1000, 1), "p95": round(pick(0.95) * 1000, 1),
            "max": round(values[-1] * 1000, 1)}  # fmt: skip


def hub_entities(g: Any, kind: str, n: int) -> list[int]:
    """The n entities of a kind taking part in the most events (the charts that cost most)."""
    import numpy as np

    entities = g.entities(kind)
    if not entities or n <= 0:
        return []
    vs = np.array([g.vertex(e) for e in entities])
    seen = g.p_by_entity.ptr[vs + 1] - g.p_by_entity.ptr[vs]
    return [entities[i] for i in np.argsort(-seen, kind="stable")[:n]]


def around_latency(g: Any, samples: int, depth: int, seed: int, hubs: int = 0) -> dict[str, Any]:
    rng = random.Random(seed)
    out: dict[str, Any] = {}
    picked = {k: rng.sample(g.entities(k), min(samples, len(g.entities(k))))
              for k in ("person", "vehicle", "phone", "location")}  # fmt: skip
    if hubs:
        rows = {}
        for kind in picked:
            walls, cpus = [], []
            for e in hub_entities(g, kind, hubs):
                _, wall, cpu = _timed(lambda e=e: g.neighbourhood(e, depth, max_nodes=200))
                walls.append(wall)
                cpus.append(cpu)
            if walls:
                rows[kind] = {"n": len(walls), "wall_ms": _summary(walls),
                              "cpu_ms": _summary(cpus)}  # fmt: skip
        out["hubs_limit_200"] = rows
    for limit in (200, None):
        rows: dict[str, Any] = {}
        for kind, entities in picked.items():
            walls, cpus, biggest = [], [], (0, 0)
            for e in entities:
                sub, wall, cpu = _timed(lambda e=e, n=limit: g.neighbourhood(e, depth, max_nodes=n))
                walls.append(wall)
                cpus.append(cpu)
                biggest = max(biggest, (len(sub.nodes), len(sub.edges)))
            rows[kind] = {"n": len(entities), "wall_ms": _summary(walls),
                          "cpu_ms": _summary(cpus), "largest_nodes_edges": biggest}  # fmt: skip
        out["limit_200" if limit else "no_limit"] = rows
    # a filtered chart, as an analyst narrows one: six months, two roles
    persons = picked["person"]
    walls, cpus = [], []
    for e in persons:
        events = g.events_of(e)
        if not events:
            continue
        start = events[0].day
        _, wall, cpu = _timed(lambda e=e, s=start: g.neighbourhood(
            e, depth, date_from=s, date_to=s + timedelta(days=182),
            roles=["missing_person", "found_with"], max_nodes=200))  # fmt: skip
        walls.append(wall)
        cpus.append(cpu)
    if walls:
        out["filtered_person"] = {"n": len(walls), "wall_ms": _summary(walls),
                                  "cpu_ms": _summary(cpus)}  # fmt: skip
    return out


def cold_cli(db: str, entities: list[int], depth: int, user: str | None) -> dict[str, Any]:
    times = []
    for e in entities:
        cmd = [sys.executable, "-m", "joinedup", "network", "around", f"E{e}", "--depth",
               str(depth), "--json", "--db", db]  # fmt: skip
        if user:
            cmd += ["--as", user]
        started = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
        if done.returncode != 0:
            return {"error": done.stderr.strip()[-500:]}
        times.append(time.perf_counter() - started)
    return {"n": len(times), "seconds": [round(s, 2) for s in times],
            "median": round(sorted(times)[len(times) // 2], 2) if times else None}  # fmt: skip


def exact_keys(db: str) -> dict[str, Any]:
    """Write one resolution run of exact-key entities (see the module docstring)."""
    from datetime import UTC, datetime

    from sqlalchemy import insert, select, update

    from joinedup.resolve.entities import write_entities
    from joinedup.resolve.objects import (
        _key_clusters,
        resolve_locations,
        resolve_phones,
        resolve_vehicles,
    )
    from joinedup.resolve.run import _clusters, _write_candidates
    from joinedup.store import make_engine, write_transaction
    from joinedup.store import tables as t

    engine = make_engine(db)
    m = t.person_mention
    with engine.connect() as conn:
        rows = conn.execute(
            select(m.c.id, m.c.nhs_number, m.c.pnc_id, m.c.child_ref, m.c.forename,
                   m.c.surname, m.c.dob).order_by(m.c.id)
        ).all()  # fmt: skip

        def key(r: Any) -> str | None:
            for name in ("nhs_number", "pnc_id", "child_ref"):
                if getattr(r, name):
                    return f"{name}:{getattr(r, name)}"
            if r.forename and r.surname and r.dob:
                return f"name:{r.forename.lower()}|{r.surname.lower()}|{r.dob}"
            return None

        label = (" ".join(p.title() for p in (r.forename, r.surname) if p) for r in rows)
        persons = _key_clusters(
            ((int(r.id), key(r), name or None) for r, name in zip(rows, label, strict=True)),
            [], [],
        )  # fmt: skip
        others = {"vehicle": resolve_vehicles(conn, [], []),
                  "phone": resolve_phones(conn, [], []),
                  "location": resolve_locations(conn, [], [])}  # fmt: skip
    now = datetime.now(UTC).replace(tzinfo=None)
    counts: dict[str, Any] = {}
    with write_transaction(engine) as conn:
        run = conn.execute(insert(t.resolution_run).values(
            mode="full", engine="exact-keys", status="running", actor="benchmark",
            started_at=now)).inserted_primary_key[0]  # fmt: skip
        for kind, result in {"person": persons, **others}.items():
            counts[kind] = write_entities(
                conn, kind, run, _clusters(result.clusters, result.labels)
            ).entities
        counts["candidate_links"] = _write_candidates(conn, run, others["vehicle"].candidates)
        conn.execute(update(t.resolution_run).where(t.resolution_run.c.id == run)
                     .values(status="done", finished_at=now, counts=counts))  # fmt: skip
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="a resolved store (SQLAlchemy URL or path)")
    ap.add_argument("--samples", type=int, default=100, help="entities per kind for around")
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("--sample", type=int, default=1000,
                    help="sampled sources for person measures (0: skip them)")  # fmt: skip
    ap.add_argument("--cold", type=int, default=3, help="cold CLI runs")
    ap.add_argument("--as", dest="user", default=None, help="CLI user with read_personal")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out-json", default=None)
    ap.add_argument("--exact-keys", action="store_true", help="write exact-key entities first")
    ap.add_argument("--hubs", type=int, default=10,
                    help="also time around on the N most-recorded entities per kind")  # fmt: skip
    ap.add_argument("--around-only", action="store_true",
                    help="build the graph and time around only")  # fmt: skip
    args = ap.parse_args()
    if args.exact_keys:
        started = time.perf_counter()
        written = exact_keys(args.db)
        seconds = round(time.perf_counter() - started, 1)
        print(json.dumps({"exact_keys": written, "seconds": seconds}), flush=True)

    from joinedup.network import build_graph
    from joinedup.store import make_engine

    engine = make_engine(args.db)
    load = os.getloadavg()[0]
    with engine.connect() as conn:
        g, wall, cpu = _timed(lambda: build_graph(conn), "build")
    report: dict[str, Any] = {
        "db": engine.url.render_as_string(hide_password=True),
        "load_avg_before": round(load, 1),
        "build": {
            "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1),
            "peak_rss_mb": _rss_mb(),
            **g.summary(),
        },  # fmt: skip
    }
    if args.around_only:
        report["around"] = around_latency(g, args.samples, args.depth, args.seed, args.hubs)
        _finish(report, args.out_json)
        return
    whole: dict[str, Any] = {}
    proj, w, c = _timed(g.projection, "projection")
    pg = proj.graph
    whole["projection"] = {"wall_s": round(w, 1), "cpu_s": round(c, 1),
                           "vertices": pg.vcount(), "edges": pg.ecount()}  # fmt: skip
    comps, w, c = _timed(g.components)
    whole["components"] = {"wall_s": round(w, 1), "cpu_s": round(c, 1), "count": len(comps),
                           "largest": len(comps[0]) if comps else 0}  # fmt: skip
    groups, w, c = _timed(lambda: g.communities(seed=args.seed), "communities")
    whole["communities_all"] = {"wall_s": round(w, 1), "cpu_s": round(c, 1),
                                "count": len(groups)}  # fmt: skip
    people, w, c = _timed(lambda: g.communities(seed=args.seed, kinds=["person"]), "people")
    whole["communities_person"] = {"wall_s": round(w, 1), "cpu_s": round(c, 1),
                                   "count": len(people)}  # fmt: skip
    if people:
        _, w, c = _timed(lambda: g.measures(["person"], within=people[0].members))
        whole["measures_largest_person_community"] = {
            "wall_s": round(w, 2),
            "cpu_s": round(c, 2),
            "size": people[0].size,
        }
    report["whole"] = whole
    report["around"] = around_latency(g, args.samples, args.depth, args.seed, args.hubs)
    print(json.dumps(report), file=sys.stderr, flush=True)
    if args.cold:
        rng = random.Random(args.seed)
        report["cold_cli"] = cold_cli(args.db, rng.sample(g.entities("person"), args.cold),
                                      args.depth, args.user)  # fmt: skip
    if args.sample:  # last: on a whole city this is the slowest step by far
        _, w, c = _timed(lambda: g.measures(["person"], sample=args.sample, seed=args.seed))
        whole["measures_person"] = {"wall_s": round(w, 1), "cpu_s": round(c, 1),
                                    "sample": args.sample}  # fmt: skip
    whole["peak_rss_mb"] = _rss_mb()
    _finish(report, args.out_json)


def _finish(report: dict[str, Any], out_json: str | None) -> None:
    report["load_avg_after"] = round(os.getloadavg()[0], 1)
    text = json.dumps(report, indent=2)
    if out_json:
        with open(out_json, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
