"""The workbench under load: N concurrent simulated analysts on loopback, each with its own
API session, searching, opening a profile and expanding the link chart around it.

    python benchmarks/web.py --db sqlite:////tmp/c100k.db --users 20 --seconds 60

The store must be resolved (and may be detected). The script adds a benchmark analyst if
the store has none, starts `joinedup serve` in a subprocess on a free loopback port, warms
the search index and the graph cache once, then runs the analysts for `--seconds`. Each
analyst loops: search (a surname, a partial plate, a postcode or a misspelt name sampled
from the store by a seeded generator: the same questions on every run), open the best
hit's profile, expand the chart around it. Prints one JSON object: per request kind,
count, errors, p50 / p95 / p99 / max in milliseconds; the load average before and after
the run; and per server process (Linux) the CPU seconds it spent during the run and its
resident and peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

import httpx
from sqlalchemy import func, select

from joinedup.access.users import add_user, get_user
from joinedup.store import make_engine, migrate, write_transaction
from joinedup.store import tables as t

USER, PASSWORD = "bench.analyst", "benchmark passphrase 1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ensure_accounts(url: str) -> None:
    engine = make_engine(url)
    migrate(engine)  # a store built before the workbench lacks its table (0004)
    with write_transaction(engine, lock="audit") as conn:
        if (
            get_user(conn, "bench.admin") is None
            and not conn.execute(select(func.count()).select_from(t.app_user)).scalar_one()
        ):
            add_user(conn, "bench.admin", "admin", PASSWORD, actor="benchmark")
        if get_user(conn, USER) is None:
            add_user(conn, USER, "analyst", PASSWORD, unit="cse-north", actor="benchmark")
    engine.dispose()


def _sample(conn: Any, table: Any, columns: list[Any], n: int, rng: random.Random) -> list[Any]:
    """`n` rows (with every column set) drawn at random by id with a seeded generator, so
    every run, on any backend and any code, asks the same questions."""
    low, high = conn.execute(select(func.min(table.c.id), func.max(table.c.id))).one()
    if low is None:
        return []
    found: dict[int, Any] = {}
    for _ in range(20):  # ids with a null column, or gaps, are drawn again
        if len(found) >= n:
            break
        ids = sorted({rng.randint(low, high) for _ in range(2 * n)} - set(found))
        for i in range(0, len(ids), 500):
            rows = conn.execute(
                select(table.c.id, *columns)
                .where(table.c.id.in_(ids[i : i + 500]), *(c.is_not(None) for c in columns))
            ).all()  # fmt: skip
            found.update({int(r[0]): tuple(r[1:]) for r in rows})
    picked = [found[k] for k in sorted(found)]
    rng.shuffle(picked)
    return picked[:n]


def _queries(url: str, n: int, seed: int) -> list[str]:
    """Realistic look-ups sampled from the store: names, misspelt names, plates, postcodes."""
    rng = random.Random(seed)
    engine = make_engine(url)
    pm, vm = t.person_mention, t.vehicle_mention
    with engine.connect() as conn:
        names = _sample(conn, pm, [pm.c.forename, pm.c.surname], n, rng)
        plates = [r[0] for r in _sample(conn, vm, [vm.c.vrm], n, rng)]
        postcodes = [r[0] for r in _sample(conn, pm, [pm.c.postcode], n, rng)]
    engine.dispose()
    out = []
    for i in range(n):
        kind = rng.choice(("name", "name", "surname", "typo", "plate", "postcode"))
        fore, sur = names[i % len(names)]
        if kind == "name":
            out.append(f"{fore} {sur}")
        elif kind == "surname":
            out.append(sur)
        elif kind == "typo" and len(sur) > 4:
            j = rng.randrange(1, len(sur) - 1)
            out.append(f"{fore} {sur[:j]}{sur[j + 1]}{sur[j]}{sur[j + 2 :]}")
        elif kind == "plate" and plates:
            out.append(plates[i % len(plates)][:4] + "*")
        elif postcodes:
            out.append(postcodes[i % len(postcodes)])
        else:
            out.append(sur)
    return out


def _processes(pid: int) -> list[int]:
    """The server process and its descendants (uvicorn's worker processes), Linux only."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


def _usage(pid: int) -> dict[str, float]:
    """CPU seconds so far, resident and peak resident memory (MB) of one process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        with open(f"/proc/{pid}/status") as f:
            status = dict(line.split(":", 1) for line in f if ":" in line)
    except OSError:
        return {}
    tick = os.sysconf("SC_CLK_TCK")
    return {
        "cpu_seconds": (int(fields[11]) + int(fields[12])) / tick,
        "rss_mb": round(int(status["VmRSS"].split()[0]) / 1024, 1),
        "peak_rss_mb": round(int(status["VmHWM"].split()[0]) / 1024, 1),
    }


class Analyst(threading.Thread):
    def __init__(
        self, base: str, queries: list[str], stop_at: float, seed: int, think: float = 0.0
    ) -> None:
        super().__init__(daemon=True)
        self.base, self.queries, self.stop_at, self.think = base, queries, stop_at, think
        self.rng = random.Random(seed)
        self.times: dict[str, list[float]] = {"search": [], "profile": [], "chart_expand": []}
        self.errors: dict[str, int] = {k: 0 for k in self.times}
        self.error_samples: list[str] = []
        self.ready, self.go = threading.Event(), threading.Event()

    def _get(self, client: httpx.Client, kind: str, path: str, **params: Any) -> Any:
        started = time.perf_counter()
        try:
            response = client.get(path, params=params)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{response.status_code} {response.text[:120]}")
            self.times[kind].append(elapsed)
            return response.json()
        except Exception as exc:  # noqa: BLE001 - every failure is counted, none is fatal
            self.errors[kind] += 1
            if len(self.error_samples) < 5:
                self.error_samples.append(f"{kind} {path}: {exc}")
            return None

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=60) as client:
            body = {"username": USER, "password": PASSWORD, "purpose": "benchmark analyst"}
            token = client.post("/api/token", json=body).json()["token"]
            client.headers["authorization"] = f"Bearer {token}"
            self.ready.set()
            self.go.wait()
            while time.monotonic() < self.stop_at:
                self.round(client)

    def round(self, client: httpx.Client) -> None:
        """One look-up as an analyst makes it, with a pause to read between requests."""
        found = self._get(client, "search", "/api/search", q=self.rng.choice(self.queries),
                          limit=20)  # fmt: skip
        hits = (found or {}).get("hits") or []
        if not hits:
            return
        entity = hits[0]["entity_id"]
        for kind, path, params in (
            ("profile", f"/api/entities/{entity}", {}),
            ("chart_expand", f"/api/chart/entity/{entity}", {"depth": 1}),
        ):
            time.sleep(self.rng.uniform(0, 2 * self.think))
            self._get(client, kind, path, **params)
        time.sleep(self.rng.uniform(0, 2 * self.think))


def _percentiles(values: list[float]) -> dict[str, float | int]:
    if not values:
        return {"count": 0}
    ordered = sorted(values)
    q = (
        statistics.quantiles(ordered, n=100, method="inclusive")
        if len(ordered) > 1
        else ordered * 99
    )
    return {"count": len(ordered), "p50_ms": round(q[49], 1), "p95_ms": round(q[94], 1),
            "p99_ms": round(q[98], 1), "max_ms": round(ordered[-1], 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a resolved store (SQLAlchemy URL)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--think", type=float, default=1.0,
                        help="mean seconds of reading between requests")  # fmt: skip
    args = parser.parse_args()
    _ensure_accounts(args.db)
    queries = _queries(args.db, 400, args.seed)
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "joinedup",
            "serve",
            "--db",
            args.db,
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],  # fmt: skip
        env={**os.environ, "JOINEDUP_LOG": ""},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        warm = time.perf_counter()
        warm_up = Analyst(base, queries, 0, args.seed)
        with httpx.Client(base_url=base, timeout=300) as client:
            body = {"username": USER, "password": PASSWORD, "purpose": "benchmark warm-up"}
            token = client.post("/api/token", json=body).json()["token"]
        # The first search builds the index, the first chart the graph, in every worker: a
        # new connection per round (Connection: close) so the kernel spreads them over all.
        for _ in range(4 * args.workers):
            headers = {"authorization": f"Bearer {token}", "connection": "close"}
            with httpx.Client(base_url=base, timeout=300, headers=headers) as client:
                warm_up.round(client)
        warm_seconds = time.perf_counter() - warm
        pids = _processes(server.pid)
        before = {p: _usage(p) for p in pids}
        load_before = os.getloadavg()
        analysts = [Analyst(base, queries, 0, args.seed + i, args.think)
                    for i in range(args.users)]  # fmt: skip
        for a in analysts:  # every analyst signs in first (Argon2 is slow on purpose)
            a.start()
            a.ready.wait(120)
        stop_at = time.monotonic() + args.seconds
        started = time.perf_counter()
        for a in analysts:
            a.stop_at = stop_at
            a.go.set()
        for a in analysts:
            a.join()
        wall = time.perf_counter() - started
        after = {p: _usage(p) for p in pids}
    finally:
        server.terminate()
        server.wait(timeout=30)
    result: dict[str, Any] = {"db": make_engine(args.db).url.render_as_string(hide_password=True),
                              "users": args.users, "workers": args.workers,
                              "think_seconds": args.think,
                              "seconds": round(wall, 1),
                              "warm_up_seconds": round(warm_seconds, 1),
                              "load_average_before": load_before,
                              "load_average": os.getloadavg()}  # fmt: skip
    # Per server process (with --workers N, the first is uvicorn's supervisor): CPU seconds
    # spent during the measured run, memory at its end and at its peak.
    result["server"] = [
        {"pid": p, "cpu_seconds": round(after[p]["cpu_seconds"] - before[p]["cpu_seconds"], 1),
         "rss_mb": after[p]["rss_mb"], "peak_rss_mb": after[p]["peak_rss_mb"]}
        for p in pids if before.get(p) and after.get(p)
    ]  # fmt: skip
    for kind in ("search", "profile", "chart_expand"):
        values = [v for a in analysts for v in a.times[kind]]
        errors = sum(a.errors[kind] for a in analysts)
        result[kind] = {**_percentiles(values), "errors": errors}
    result["requests_per_second"] = round(
        sum(result[k]["count"] for k in ("search", "profile", "chart_expand")) / wall, 1
    )
    result["error_samples"] = [s for a in analysts for s in a.error_samples][:5]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
