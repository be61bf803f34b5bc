"""Memory as one file grows: ingest a single ANPR extract of 1M, 2M, 4M, 8M... reads.

    python benchmarks/ingest_memory.py                        # 1M 2M 4M 8M, both backends
    python benchmarks/ingest_memory.py --rows 1000000 16000000 --backends sqlite

Each file is written first (invented reads in the `anpr_reads` spec's columns: unique
read ids, 600 cameras, 200,000 invented plates, times a few seconds apart; seed 1), then
ingested as one batch into a new store in a fresh subprocess, as `joinedup ingest FILE
--spec anpr_reads` does. A thread in that process reads the resident memory of the
ingest process and of each worker from /proc every SAMPLE_S seconds and keeps the peak
of their sum (what they hold at once, not the sum of each one's own peak; pages they
share, such as libraries, counted in each: an upper bound), and the peak in each quarter
of the run. Prints one JSON object per run. Streaming means the
peak stops growing with the file: the chunks in flight, the normalisers' caches and the
batch's memory of its own rows (`batch.OWN_RECORDS_MAX`) are all bounded.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from ingest import PG_ADMIN, pg_database, python_json  # benchmarks/ingest.py

SAMPLE_S = 0.25
COLUMNS = (
    "read_id",
    "camera_id",
    "camera_name",
    "lat",
    "lon",
    "direction",
    "read_ts",
    "vrm",
    "confidence",
    "ingest_ts",
)


def write_reads(path: Path, rows: int, seed: int = 1) -> int:
    """An ANPR extract of `rows` invented reads; returns its size in bytes."""
    from joinedup.synth.identifiers import plate

    rng = random.Random(seed)
    cameras = [
        (
            f"NVCAM{i:04d}",
            f"{rng.choice(('North', 'South', 'East', 'West'))} link road {i}",
            f"{54.35 + rng.random() * 0.1:.5f}",
            f"{-2.15 + rng.random() * 0.1:.5f}",
        )
        for i in range(600)
    ]
    plates = [plate(rng, rng.randint(2002, 2020)).replace(" ", "") for _ in range(200_000)]
    at = datetime(2019, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(COLUMNS)
        for n in range(rows):
            at += timedelta(seconds=rng.randint(0, 6))
            camera = cameras[rng.randrange(len(cameras))]
            seen = at + timedelta(seconds=rng.randint(30, 600))
            out.writerow(
                (
                    f"R{n:011d}",
                    *camera,
                    rng.choice(("NB", "SB", "EB", "WB")),
                    at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    plates[rng.randrange(len(plates))],
                    rng.randint(60, 99),
                    seen.strftime("%Y-%m-%dT%H:%M:%SZ"),
                )
            )
    return path.stat().st_size


# The ingest, in a fresh process: peak resident memory sampled while it runs.
_INGEST = """
import json, multiprocessing, os, sys, threading, time
from joinedup.ingest.batch import ingest_file
from joinedup.store import make_engine, migrate, wait_for_checkpoints
url, path, sample_s = sys.argv[1], sys.argv[2], float(sys.argv[3])
engine = make_engine(url)
migrate(engine)
page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * page_kb
    except OSError:
        return 0
samples = []  # (seconds since start, main KB, workers KB)
done = threading.Event()
def sample():
    while not done.is_set():
        try:  # the pool may be starting a worker meanwhile: then the next sample
            workers = sum(rss_kb(child.pid) for child in multiprocessing.active_children())
            samples.append((time.perf_counter() - t0, rss_kb(os.getpid()), workers))
        except RuntimeError:
            pass
        done.wait(sample_s)
t0 = time.perf_counter()
sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
result = ingest_file(engine, path, "anpr_reads", actor="benchmark", defer_checkpoint=True)
wait_for_checkpoints()
seconds = time.perf_counter() - t0
done.set()
sampler.join()
from joinedup.ingest.prepare import stop_workers
stop_workers()
engine.dispose()
mb = lambda kb: round(kb / 1024)
quarters = [0, 0, 0, 0]
for at, main, workers in samples:
    q = min(3, int(4 * at / seconds))
    quarters[q] = max(quarters[q], main + workers)
peak = max(samples, key=lambda s: s[1] + s[2])
counts = result.counts()
print(json.dumps({
    "seconds": round(seconds, 1), "records_per_s": round(counts["read"] / seconds),
    "peak_rss_mb": mb(peak[1] + peak[2]), "at_peak_main_mb": mb(peak[1]),
    "at_peak_workers_mb": mb(peak[2]), "peak_main_mb": mb(max(s[1] for s in samples)),
    "peak_by_quarter_mb": [mb(q) for q in quarters], "samples": len(samples), **counts,
}))
"""


def run(backend: str, csv_path: Path, work: Path, pg_admin: str) -> dict[str, object]:
    db = work / "memory.db"
    url = f"sqlite:///{db}" if backend == "sqlite" else pg_database(pg_admin, "bench_memory")
    try:
        return python_json(_INGEST, url, str(csv_path), str(SAMPLE_S))
    finally:
        if backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        else:
            pg_database(pg_admin, "bench_memory", drop_only=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", nargs="+", type=int, default=[1_000_000, 2_000_000, 4_000_000, 8_000_000]
    )
    parser.add_argument(
        "--backends", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    parser.add_argument("--pg", default=PG_ADMIN, help="PostgreSQL admin URL (trust auth)")
    parser.add_argument("--dir", type=Path, help="where to write the files (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ingest-memory-", dir=args.dir) as tmp:
        work = Path(tmp)
        for rows in args.rows:
            csv_path = work / f"anpr-{rows}.csv"
            size = write_reads(csv_path, rows)
            for backend in args.backends:
                result = run(backend, csv_path, work, args.pg)
                line = {"backend": backend, "rows": rows, "file_mb": round(size / 2**20)}
                print(json.dumps(line | result), flush=True)
            csv_path.unlink()


if __name__ == "__main__":
    main()
