"""No profiling: ethnicity, religion and nationality never reach detection. Permuting them
across the whole store changes no flag, score or band; detect/ never names their table."""

from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import Engine, select, update

from joinedup.detect import facts as facts_module
from joinedup.detect.engine import Detection, detect
from joinedup.store import tables as t

DETECT = Path(__file__).parents[2] / "src" / "joinedup" / "detect"


def outcome(d: Detection) -> dict:
    return {
        "children": {c: (r.score, r.band) for c, r in d.children.items()},
        "adults": {a: r.score for a, r in d.adults.items()},
        "objects": {k: r.score for k, r in d.objects.items()},
        "groups": sorted(sorted(g.members) for g in d.groups),
    }


def test_permuting_protected_characteristics_changes_nothing(resolved: Engine) -> None:
    pc = t.protected_characteristic
    with resolved.connect() as conn:
        before = outcome(detect(conn))
        assert before["children"], "a vacuous pass is no pass: the city must raise flags"
        conn.rollback()  # end the read's implicit transaction; the permutation gets its own
        trans = conn.begin()
        rows = conn.execute(select(pc.c.id, pc.c.kind, pc.c.value)).all()
        assert rows
        by_kind: dict[str, list] = {}
        for r in rows:
            by_kind.setdefault(r.kind, []).append(r)
        rng = random.Random(5)
        changed = 0
        for kind_rows in by_kind.values():
            values = [r.value for r in kind_rows]
            rng.shuffle(values)
            values = values[1:] + values[:1]  # a rotation: most values move
            for r, v in zip(kind_rows, values, strict=True):
                if v != r.value:
                    changed += 1
                conn.execute(update(pc).where(pc.c.id == r.id).values(value=v, raw=v))
        assert changed > len(rows) // 4
        facts_module._CACHE.clear()  # read the permuted store afresh
        after = outcome(detect(conn))
        trans.rollback()
    assert after == before


def test_detect_never_names_the_protected_table() -> None:
    sources = list(DETECT.rglob("*.py")) + list(DETECT.rglob("*.yaml"))
    assert sources
    for path in sources:
        text = path.read_text()
        for word in ("protected_characteristic", "ethnicity", "religion", "nationality"):
            assert word not in text, f"{path.relative_to(DETECT)} mentions {word}"
