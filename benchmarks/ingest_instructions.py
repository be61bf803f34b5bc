"""Ingest's work counted in CPU instructions (valgrind's callgrind), not seconds.

    python benchmarks/ingest_instructions.py                  # SQLite, 500 rows a file
    python benchmarks/ingest_instructions.py --dialect postgresql --rows 1000

A shared virtual machine's speed moves by tens of per cent from minute to minute (the
eighth session's slowed by 40% within the hour), so timed runs cannot show a change of a
few per cent. An instruction count can: for the same code, inputs and hash seed it moves
by 1-2% at most between runs (objects hashed by address move with address-space
randomisation), whatever else the machine is doing. It is not time (a cache miss costs
more than an addition), so a change is measured both ways.

The synthetic city of `benchmarks/ingest.py`'s 100k size (seed 1) is generated once; the
first 2 x ROWS rows of each of its files are read, the first ROWS prepared once to warm the
caches and compile the specs, and the next ROWS counted in three stages, each a fresh
process under callgrind:

- `setup`: imports, reading, warming up (and on SQLite an empty store);
- `prepare`: + hashing, mapping and laying out every file's rows with ids, and
  serialising them as a worker sends them (the workers' share);
- `insert` (SQLite only): + reading them back and inserting them in one transaction, as
  the ingest process does (on PostgreSQL that share is the server's, not counted here).

Prints one JSON object: instructions of each stage beyond the one before, and per row.
Needs valgrind (Debian's package) on PATH. To compare two versions of the code, run it
with each on PYTHONPATH (a git worktree's src).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHILDREN = 3800  # the 100k city of benchmarks/ingest.py
MONTHS = 18

_STAGE = """
import itertools, json, sys
from datetime import datetime
from pathlib import Path
from joinedup.feeds.loader import get_spec
from joinedup.ingest import writer
from joinedup.ingest.layout import Values
from joinedup.ingest.prepare import ROW_COUNTS, STORE, Plan, _dumps, _loads, lay_out, prepare_rows
from joinedup.ingest.readers import open_rows
stage, dialect, rows_per_file = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
city, db = Path(sys.argv[4]), sys.argv[5]
data = []
for entry in json.loads((city / "manifest.json").read_text())["files"]:
    spec = get_spec(entry["spec"])
    stream = open_rows(city / entry["path"], spec)
    rows = list(itertools.islice(stream.rows, 2 * rows_per_file))
    stream.close()
    prepare_rows(spec, Values(dialect), rows[:rows_per_file])
    data.append((spec, rows[rows_per_file:]))
if dialect == "sqlite":
    from joinedup.store import make_engine, migrate
    from joinedup.store.engine import write_transaction
    engine = make_engine("sqlite:///" + db)
    migrate(engine)
if stage >= 1:
    next_ids = {name: 1 for name in ROW_COUNTS} | {"quarantine": 1}
    messages = []
    for index, (spec, rows) in enumerate(data):
        prepared = prepare_rows(spec, Values(dialect), rows)
        seen, codes = set(), bytearray()
        for p in prepared:
            codes.append(STORE if p[3] is not None and p[2] not in seen else b"D"[0])
            seen.add(p[2])
        plan = Plan(bytes(codes), next_ids, {}, index + 1, 1, "bench", datetime(2026, 1, 1))
        out = lay_out(prepared, plan, dialect)  # what a worker sends: ("rows", out)
        next_ids = out[1]
        messages.append(_dumps(("rows", out)))
if stage >= 2:  # the batch's own transaction: foreign keys checked at close, not per row
    with write_transaction(engine, lock="ingest", row_checks=False) as conn:
        for message in messages:
            writer.insert_rows(conn, _loads(message)[1][0])
print(json.dumps({"rows": sum(len(rows) for _, rows in data)}))
"""

_COLLECTED = re.compile(r"Collected : (\d+)")


def callgrind_count(code: str, *args: str) -> tuple[int, str]:
    """Run `python -c code args...` under callgrind (PYTHONHASHSEED=0): the instructions it
    took, and what it printed. Shared with benchmarks/insert_instructions.py."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    proc = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         sys.executable, "-c", code, *args],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    found = _COLLECTED.search(proc.stderr)
    if found is None:
        raise RuntimeError(f"callgrind printed no count:\n{proc.stderr[-2000:]}")
    return int(found.group(1)), proc.stdout


def need_valgrind() -> None:
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install -y valgrind)")


def city_or_generated(given: Path | None, work: Path, children: int) -> Path:
    """`given`, or a city of `children` generated into `work` (seed 1, MONTHS months)."""
    if given is not None:
        return given
    from joinedup.synth import generate_city

    city = work / "city"
    generate_city(seed=1, children=children, months=MONTHS, out_dir=city)
    return city


def _count(stage: int, dialect: str, rows: int, city: Path, work: Path) -> tuple[int, int]:
    db = work / f"stage{stage}.db"
    db.unlink(missing_ok=True)
    count, out = callgrind_count(_STAGE, str(stage), dialect, str(rows), str(city), str(db))
    return count, int(json.loads(out.strip().splitlines()[-1])["rows"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dialect", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rows", type=int, default=500, help="rows counted from each file")
    parser.add_argument("--city", type=Path, help="a synthetic city's folder (else generated)")
    args = parser.parse_args()
    need_valgrind()
    with tempfile.TemporaryDirectory(prefix="ingest-instructions-") as tmp:
        work = Path(tmp)
        city = city_or_generated(args.city, work, CHILDREN)
        stages = ["setup", "prepare"] + (["insert"] if args.dialect == "sqlite" else [])
        totals = {}
        rows = 0
        for stage, name in enumerate(stages):
            totals[name], rows = _count(stage, args.dialect, args.rows, city, work)
    beyond = {
        name: totals[name] - (totals[stages[i - 1]] if i else 0) for i, name in enumerate(stages)
    }
    print(
        json.dumps(
            {
                "dialect": args.dialect,
                "rows_per_file": args.rows,
                "rows": rows,
                "instructions": beyond,
                "per_row": {name: round(beyond[name] / rows) for name in stages[1:]},
                "python": sys.version.split()[0],
            }
        )
    )


if __name__ == "__main__":
    main()
