"""Benchmark the synthetic city generator at ~100k and ~1M records.

    python benchmarks/synth.py            # both sizes
    python benchmarks/synth.py --size 100k

Each size runs in a fresh subprocess so its peak RSS (resource.getrusage) is its own.
Prints one JSON object per size: records, seconds, records_per_s, peak_rss_mb, plus
cpu_seconds and the machine's load average (wall time suffers when the machine is shared).
Goal: 1,000,000 records in under 3 minutes and under 2 GiB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

# children x 18 months: about 1.45 records per child per month.
SIZES = {"100k": (3800, 18), "1m": (38000, 18)}

_CHILD = """
import json, resource, sys, time
from joinedup.synth import generate_city
children, months, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
t0 = time.perf_counter()
stats = generate_city(seed=1, children=children, months=months, out_dir=out)
seconds = time.perf_counter() - t0
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({
    "children": children, "months": months, "records": stats.records,
    "seconds": round(seconds, 1), "records_per_s": round(stats.records / seconds),
    "peak_rss_mb": round(usage.ru_maxrss / 1024),
    "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
}))
"""


def run(size: str) -> dict[str, object]:
    children, months = SIZES[size]
    with tempfile.TemporaryDirectory(prefix=f"synth-bench-{size}-") as out:
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, str(children), str(months), out],
            check=True,
            capture_output=True,
            text=True,
        )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    # Wall time on a shared machine depends on what else runs: say how busy it was.
    return {"size": size, **result, "load_average_1min": round(os.getloadavg()[0], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), action="append")
    args = parser.parse_args()
    for size in args.size or list(SIZES):
        print(json.dumps(run(size)), flush=True)


if __name__ == "__main__":
    main()
