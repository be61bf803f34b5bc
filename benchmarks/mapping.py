"""Mapping cost: µs of CPU per record for `layout.mapped_rows`, per spec, on a synthetic city.

    python benchmarks/mapping.py [--children 3800 --months 18 --seed 1] [--city DIR]
                                 [--dialect sqlite] [--passes 1]

Generates the city (or reads one already written), reads every file's rows into memory
first (reading is not measured), then maps each spec's rows in file order with
`time.process_time` around the loop. Pass 1 is what an ingest sees (the normalisers'
caches start empty); later passes show warm caches. Rows are frozen out of the garbage
collector's sight once read (see `measure`). Prints one JSON object: per spec,
records, quarantined and µs/record per pass, plus the average over all records.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any


def measure(city: Path, dialect: str, passes: int) -> dict[str, Any]:
    from joinedup.feeds import get_spec
    from joinedup.ingest import readers
    from joinedup.ingest.layout import Values, mapped_rows
    from joinedup.ingest.mapper import RowError

    values = Values(dialect)
    manifest = json.loads((city / "manifest.json").read_text())
    files = []
    for entry in manifest["files"]:
        spec = get_spec(entry["spec"])
        stream = readers.open_rows(city / entry["path"], spec)
        rows = [(r.row_number, r.fields) for r in stream.rows if r.fields is not None]
        stream.close()
        files.append((entry["spec"], spec, rows))
    # The ingest streams its rows; here they are all in memory. Freeze them so that the
    # collector's full passes over them (an artefact of holding them) are not counted.
    gc.collect()
    gc.freeze()
    out: dict[str, Any] = {}
    total_records = 0
    total_cpu = [0.0] * passes
    for name, spec, rows in files:
        per_pass = []
        quarantined = 0
        for p in range(passes):
            quarantined = 0
            t0 = time.process_time()
            for row_number, fields in rows:
                try:
                    mapped_rows(spec, fields, row_number, values)
                except RowError:
                    quarantined += 1
            cpu = time.process_time() - t0
            total_cpu[p] += cpu
            per_pass.append(round(cpu / max(len(rows), 1) * 1e6, 1))
        total_records += len(rows)
        out[name] = {"records": len(rows), "quarantined": quarantined, "us_per_record": per_pass}
    out["all"] = {
        "records": total_records,
        "us_per_record": [round(c / max(total_records, 1) * 1e6, 1) for c in total_cpu],
    }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--city", type=Path, help="a city already written (manifest.json)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--children", type=int, default=3800)
    parser.add_argument("--months", type=int, default=18)
    parser.add_argument("--dialect", default="sqlite", choices=("sqlite", "postgresql", "other"))
    parser.add_argument("--passes", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mapping-bench-") as tmp:
        city = args.city
        if city is None:
            from joinedup.synth import generate_city

            city = Path(tmp)
            generate_city(seed=args.seed, children=args.children, months=args.months, out_dir=city)
        result = measure(city, args.dialect, args.passes)
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    result["when"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
