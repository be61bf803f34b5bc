"""A canonical dump of one detection pass, to show that a change leaves results as they were.

    python benchmarks/detect_dump.py sqlite:////tmp/c100k.db /tmp/after.json

Writes every child's score, band, floor and hits; every adult, vehicle and place result
with its hits, evidence events and children; every group (adults with centrality,
children, objects, events, last day, severity, core); and every tie, as sorted JSON, and
prints its sha256 prefix, the seconds (read, facts, rules) and the peak RSS. Run it with
`PYTHONPATH` at each version's `src` (and the same `PYTHONHASHSEED`) and compare the hashes.
Reads only: `detect_facts` on the facts as of the last day, nothing written.
"""

from __future__ import annotations

import hashlib
import json
import resource
import sys
import time

from joinedup.detect.engine import detect_facts
from joinedup.detect.facts import build_facts, read_rows
from joinedup.store import make_engine


def dump(db: str) -> dict[str, object]:
    engine = make_engine(db)
    with engine.connect() as conn:
        rows = read_rows(conn)
    engine.dispose()
    d = detect_facts(build_facts(rows))
    return {
        "children": {
            c: [
                r.score,
                r.band,
                r.floor,
                [(h.indicator.id, h.points, list(h.events)) for h in r.hits],
            ]
            for c, r in sorted(d.children.items())
        },
        "adults": {
            a: [
                r.score,
                sorted(r.children),
                [
                    (h.rule_id, h.version, h.points, h.why, h.events, sorted(h.children))
                    for h in r.hits
                ],
            ]
            for a, r in sorted(d.adults.items())
        },
        "objects": {
            f"{k[0]}:{k[1]}": [
                r.score,
                sorted(r.children),
                [(h.rule_id, h.points, h.why, h.events, sorted(h.children)) for h in r.hits],
            ]
            for k, r in sorted(d.objects.items())
        },
        "groups": [
            [
                sorted(g.adults.items()),
                sorted(g.children),
                sorted(g.objects),
                g.events,
                str(g.last_day),
                g.severity,
                sorted(g.core),
            ]
            for g in d.groups
        ],  # fmt: skip
        "ties": sorted(
            (t.child, t.kind, t.other, t.weight, t.how, t.event, str(t.day))
            for t in d.analysis.ties
        ),
    }


def main() -> None:
    db, out = sys.argv[1], sys.argv[2]
    started = time.perf_counter()
    result = dump(db)
    seconds = round(time.perf_counter() - started, 1)
    text = json.dumps(result, sort_keys=True, default=str)
    with open(out, "w") as f:
        f.write(text)
    peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    counts = {k: len(v) for k, v in result.items()}  # type: ignore[arg-type]
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    print(json.dumps({"sha256": digest, "seconds": seconds, "peak_rss_mb": peak, **counts}))


if __name__ == "__main__":
    main()
