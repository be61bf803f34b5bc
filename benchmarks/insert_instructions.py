"""The SQLite ingest process's inserts counted in CPU instructions (callgrind), at scale.

    python benchmarks/insert_instructions.py                  # the 1M city, generated
    python benchmarks/insert_instructions.py --city DIR       # a city generated before

`benchmarks/ingest_instructions.py` counts every stage on a few hundred rows a file, into
an empty store, where indexes are small. This counts only what the ingest process does
with the workers' messages (read them, bind and insert every row in one transaction),
on enough rows for the indexes to grow: the first 100,000 ANPR reads, 20,000 police
incidents and 20,000 missing-person episodes of the 1M city of `benchmarks/ingest.py`
(seed 1, 18 months), 140,000 records. They are prepared and laid out here, as a worker
would, and saved; then two fresh processes run under callgrind (`PYTHONHASHSEED=0`): one
reads the messages (stage 1), one reads and inserts them into a new SQLite store inside
the batch's own kind of transaction (`write_transaction(..., defer_checkpoint=True,
row_checks=False)`, with the collector as a batch sets it). Their difference is the
inserts. Prints one JSON object. Needs valgrind on PATH; to compare two versions, run it
with each on PYTHONPATH (a git worktree's src), as docs/benchmarks.md does.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

# Run as a script, this folder is on sys.path: the callgrind helpers are shared.
from ingest_instructions import callgrind_count, city_or_generated, need_valgrind

CHILDREN = 38000  # the 1M city of benchmarks/ingest.py (18 months)
ROWS = {"anpr_reads": 100_000, "police_incidents": 20_000, "missing_episodes": 20_000}

_PREPARE = """
import itertools, json, pickle, sys
from datetime import datetime
from pathlib import Path
from joinedup.feeds.loader import get_spec
from joinedup.ingest.layout import Values
from joinedup.ingest.prepare import ROW_COUNTS, STORE, Plan, _dumps, lay_out, prepare_rows
from joinedup.ingest.readers import open_rows
city, out, want = Path(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
dialect = sys.argv[4] if len(sys.argv) > 4 else "sqlite"  # copy_instructions.py: postgresql
size = int(sys.argv[5]) if len(sys.argv) > 5 else 2000  # rows a chunk
next_ids = {name: 1 for name in ROW_COUNTS} | {"quarantine": 1}
messages, seen, records = [], set(), 0
for entry in json.loads((city / "manifest.json").read_text())["files"]:
    n = want.get(entry["spec"])
    if not n:
        continue
    spec = get_spec(entry["spec"])
    stream = open_rows(city / entry["path"], spec)
    rows = list(itertools.islice(stream.rows, n))
    stream.close()
    for start in range(0, len(rows), size):
        prepared = prepare_rows(spec, Values(dialect), rows[start : start + size])
        codes = bytearray()
        for p in prepared:  # a duplicate (the same content again) is not stored twice
            codes.append(STORE if p[3] is not None and p[2] not in seen else b"D"[0])
            seen.add(p[2])
        records += codes.count(STORE)
        plan = Plan(bytes(codes), next_ids, {}, 1, 1, "bench", datetime(2026, 1, 1))
        laid_out, next_ids, _ = lay_out(prepared, plan, dialect)
        messages.append(_dumps(laid_out))
pickle.dump(messages, open(out, "wb"))
print(json.dumps({"records": records, "messages": len(messages)}))
"""

_STAGE = """
import contextlib, pickle, sys
from joinedup.ingest import prepare
from joinedup.ingest.prepare import _loads
from joinedup.ingest.writer import insert_rows
from joinedup.store import make_engine, migrate
from joinedup.store.engine import write_transaction
stage, messages_file, db = int(sys.argv[1]), sys.argv[2], sys.argv[3]
engine = make_engine("sqlite:///" + db)
migrate(engine)
messages = pickle.load(open(messages_file, "rb"))
collector = getattr(prepare, "fewer_collections", contextlib.nullcontext)()  # older code: none
with collector, write_transaction(
    engine, lock="ingest", defer_checkpoint=True, row_checks=False
) as conn:
    for message in messages:
        laid_out = _loads(message)
        if stage == 2:
            insert_rows(conn, laid_out)
"""


def _count(stage: int, messages: Path, work: Path) -> int:
    db = work / f"store-{stage}.db"
    return callgrind_count(_STAGE, str(stage), str(messages), str(db))[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--city", type=Path, help="a 1M city generated before (else generated)")
    args = parser.parse_args()
    need_valgrind()
    with tempfile.TemporaryDirectory(prefix="insert-instructions-") as tmp:
        work = Path(tmp)
        city = city_or_generated(args.city, work, CHILDREN)
        messages = work / "messages.pickle"
        prepared = subprocess.run(
            [sys.executable, "-c", _PREPARE, str(city), str(messages), json.dumps(ROWS)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        shape = json.loads(prepared.stdout)
        read, written = _count(1, messages, work), _count(2, messages, work)
        print(
            json.dumps(
                {
                    "records": shape["records"],
                    "read_messages": read,
                    "read_and_insert": written,
                    "insert": written - read,
                    "insert_per_record": round((written - read) / shape["records"]),
                    "ingest_process_per_record": round(written / shape["records"]),
                }
            )
        )


if __name__ == "__main__":
    main()
