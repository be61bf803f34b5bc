"""Benchmark ingestion of a synthetic city into SQLite and PostgreSQL at ~100k and ~1M records.

    python benchmarks/ingest.py                                   # both sizes, both backends
    python benchmarks/ingest.py --sizes 100k --backends sqlite --out-json ingest.json
    python benchmarks/ingest.py --sizes 1m --repeat 5     # five runs each, and their medians
    python benchmarks/ingest.py --sizes 1m --city DIR     # a 1M city generated before

Each size's city is generated once (`joinedup.synth.generate_city`, seed 1, 18 months;
docs/synth.md) and ingested, file by file as `joinedup ingest FOLDER` does, into a new
store per backend, each run in a fresh subprocess so that its peak RSS (getrusage: the
ingest process and, separately, its largest worker process) is its own. PostgreSQL
runs use a new database `bench_ingest_<size>` on --pg (dropped afterwards).
Prints one JSON object per run: backend, records, seconds, records_per_s, peak_rss_mb
(ingest process + WORKERS x the largest worker: an upper bound on them together), the CPU seconds
of the ingest process, of its workers and of the PostgreSQL server's processes, the
1-minute load average before and after (other work on the machine slows a run), and the
seconds a plain Python loop of 10^7 additions takes just before and after (`probe_loop_s`:
a virtual machine's speed can move between runs while its load stays the same), and
what the CPU says (`cpu_budget`): CPU µs a record, cores busy, and the rate that CPU would
give with both cores busy throughout (20,000 a second needs at most 100 µs a record).
The goal (docs/benchmarks.md): 20,000 records a second on 2 cores, under 1 GiB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# children x 18 months: about 1.5 records per child per month (docs/synth.md).
SIZES = {"100k": 3800, "1m": 38000}
MONTHS = 18
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"

_GENERATE = """
import json, sys
from joinedup.synth import generate_city
children, months, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
stats = generate_city(seed=1, children=children, months=months, out_dir=out)
print(json.dumps({"records": stats.records}))
"""

# Timed from the first file's ingest to the last one's commit; migrating the empty store
# and importing the package are left out.
_INGEST = """
import json, os, resource, sys, time
from joinedup.ingest.batch import ingest_file, plan_paths
from joinedup.store import make_engine, migrate
url, folder = sys.argv[1], sys.argv[2]
engine = make_engine(url)
migrate(engine)
def cpu(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime
def server_cpu():
    # The PostgreSQL server's processes on this machine (none for SQLite): CPU seconds each.
    ticks = os.sysconf("SC_CLK_TCK")
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                stat = handle.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        if name.startswith("postgres"):
            out[entry] = (int(fields[11]) + int(fields[12])) / ticks
    return out
totals = {"read": 0, "stored": 0, "duplicates": 0, "quarantined": 0}
load_before = os.getloadavg()[0]
def probe():
    # The machine's speed now: a plain Python loop of 10^7 additions (0.5-0.55 s on the
    # machines these figures come from; a guest whose host is busy runs it slower).
    start = time.perf_counter()
    total = 0
    for i in range(10**7):
        total += i
    return round(time.perf_counter() - start, 3)
probe_before = probe()
if not url.startswith("sqlite"):
    with engine.connect() as conn:  # the pooled connection every batch then uses
        conn.exec_driver_sql("SELECT 1")
        try:  # write out what earlier runs left dirty, so their I/O is not timed here
            conn.exec_driver_sql("CHECKPOINT")
        except Exception:  # not allowed for this role: time the run as it is
            pass
os.sync()  # the same for files earlier runs left in the page cache
server0 = server_cpu()
cpu0 = (cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN))
t0 = time.perf_counter()
files = plan_paths([folder], None)
for index, planned in enumerate(files):
    after = files[index + 1] if index + 1 < len(files) else None
    result = ingest_file(
        engine, planned.path, planned.spec, actor="benchmark", defer_checkpoint=True,
        then=(after.path, after.spec) if after else None,
    )  # as `joinedup ingest` does
    for key, value in result.counts().items():
        totals[key] += value
from joinedup.store import wait_for_checkpoints
wait_for_checkpoints()  # SQLite: the last batch's pages copied into the file, timed too
seconds = time.perf_counter() - t0
from joinedup.ingest.prepare import WORKERS, stop_workers
stop_workers()  # the pool stays up between files; stopped, its CPU and RSS are counted
server1 = server_cpu()
engine.dispose()
main_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
worker_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({
    "records": totals["read"], "seconds": round(seconds, 1),
    "records_per_s": round(totals["read"] / seconds),
    "peak_rss_mb": round((main_kb + WORKERS * worker_kb) / 1024), "workers": WORKERS,
    "peak_rss_main_mb": round(main_kb / 1024), "peak_rss_worker_mb": round(worker_kb / 1024),
    "cpu_main_s": round(cpu(resource.RUSAGE_SELF) - cpu0[0], 1),
    "cpu_workers_s": round(cpu(resource.RUSAGE_CHILDREN) - cpu0[1], 1),
    "cpu_server_s": round(sum(v - server0.get(k, 0.0) for k, v in server1.items()), 1),
    "loadavg_1m": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    "probe_loop_s": [probe_before, probe()],
    **totals,
}))
"""


def python_json(code: str, *args: str) -> dict[str, object]:
    """Run `code` in a fresh interpreter with `args`; its last line of output, as JSON."""
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True
    )
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def pg_database(admin_url: str, name: str, *, drop_only: bool = False) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from joinedup.store.engine import normalise_url

    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if not drop_only:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def run(backend: str, size: str, city: Path, work: Path, pg_admin: str) -> dict[str, object]:
    if backend == "sqlite":
        url = f"sqlite:///{work / f'ingest-{size}.db'}"
    else:
        url = pg_database(pg_admin, f"bench_ingest_{size}")
    try:
        result = python_json(_INGEST, url, str(city))
    finally:
        if backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{work / f'ingest-{size}.db'}{suffix}").unlink(missing_ok=True)
        else:
            pg_database(pg_admin, f"bench_ingest_{size}", drop_only=True)
    return {"backend": backend, "size": size, **result, **cpu_budget(result)}


# Two cores for one second each is 2,000,000 µs of CPU: 20,000 records a second leaves
# 100 µs of CPU a record, for every process together (ingest, workers, server).
CORES = 2
GOAL_RECORDS_PER_S = 20_000


def cpu_budget(result: dict[str, object]) -> dict[str, object]:
    """What a run's CPU says, beside its wall time: CPU µs a record (every process), how
    many cores were busy on average, and the rate that CPU would give with both cores
    busy throughout. A run near CORES busy cores is bound by its CPU: then only less CPU
    a record makes it faster, and at more than 1e6 * CORES / GOAL_RECORDS_PER_S µs a
    record the goal is out of reach on this machine however the work is spread."""
    cpu = sum(float(result[k]) for k in ("cpu_main_s", "cpu_workers_s", "cpu_server_s"))  # type: ignore[arg-type]
    records, seconds = int(result["records"]), float(result["seconds"])  # type: ignore[call-overload,arg-type]
    return {
        "cpu_us_per_record": round(cpu / max(records, 1) * 1e6, 1),
        "cores_busy": round(cpu / seconds, 2) if seconds else None,
        "records_per_s_at_full_cores": round(records / (cpu / CORES)) if cpu else None,
    }


def summary(results: list[dict[str, object]], backend: str, size: str) -> dict[str, object]:
    """The runs of one backend and size: median, lowest and highest records/s, and how
    many reached the goal of 20,000."""
    mine = [r for r in results if r["backend"] == backend and r["size"] == size]
    rates = sorted(int(r["records_per_s"]) for r in mine)  # type: ignore[call-overload]
    cpu = [float(r["cpu_us_per_record"]) for r in mine]  # type: ignore[arg-type]
    return {
        "summary": True, "backend": backend, "size": size, "runs": len(rates),
        "median_records_per_s": statistics.median(rates), "lowest": rates[0],
        "highest": rates[-1],
        "runs_at_20000_or_more": sum(rate >= GOAL_RECORDS_PER_S for rate in rates),
        "median_cpu_us_per_record": statistics.median(cpu),
        "cpu_us_per_record_for_goal": 1e6 * CORES / GOAL_RECORDS_PER_S,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), default=list(SIZES))
    parser.add_argument(
        "--backends", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    parser.add_argument("--pg", default=PG_ADMIN, help="PostgreSQL admin URL (trust auth)")
    parser.add_argument("--out-json", type=Path, help="also write all results to this file")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs of each size and backend, alternating backends; a summary line per pair"
        " gives the median and range (a machine whose speed moves needs several)",
    )
    parser.add_argument(
        "--city",
        type=Path,
        help="a city generated before for the one size given (seed 1, that size's children,"
        " 18 months), instead of generating it",
    )
    args = parser.parse_args()
    if args.city is not None and len(args.sizes) != 1:
        parser.error("--city needs exactly one --sizes")
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as tmp:
        work = Path(tmp)
        for size in args.sizes:
            city = args.city or work / f"city-{size}"
            if args.city is None:
                t0 = time.perf_counter()
                generated = python_json(_GENERATE, str(SIZES[size]), str(MONTHS), str(city))
                print(
                    f"# {size}: city of {generated['records']:,} records generated in"
                    f" {time.perf_counter() - t0:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
            for _ in range(args.repeat):
                for backend in args.backends:
                    result = run(backend, size, city, work, args.pg)
                    results.append(result)
                    print(json.dumps(result), flush=True)
            if args.repeat > 1:
                for backend in args.backends:
                    print(json.dumps(summary(results, backend, size)), flush=True)
    if args.out_json:
        args.out_json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
