"""No profiling: ethnicity, religion and nationality never change who is matched to whom."""

from __future__ import annotations

import random

from sqlalchemy import Engine, select, update

from joinedup.resolve import mention_entities, resolve_all
from joinedup.store import tables as t


def _partition(engine: Engine) -> set[frozenset[tuple[str, int]]]:
    with engine.connect() as conn:
        groups: dict[object, set[tuple[str, int]]] = {}
        for ref, eid in mention_entities(conn).items():
            groups.setdefault(eid, set()).add(ref)
    return {frozenset(g) for g in groups.values()}


def test_permuting_protected_characteristics_changes_no_match(city_store: Engine) -> None:
    resolve_all(city_store, "tester", full=True)
    before = _partition(city_store)
    pc = t.protected_characteristic
    with city_store.begin() as conn:
        rows = conn.execute(select(pc.c.id, pc.c.value)).all()
        assert rows, "the city must record protected characteristics for this test to mean much"
        values = [v for _, v in rows]
        random.Random(3).shuffle(values)
        for (row_id, _), value in zip(rows, values, strict=True):
            conn.execute(update(pc).where(pc.c.id == row_id).values(value=f"changed {value}"))
    resolve_all(city_store, "tester", full=True)
    assert _partition(city_store) == before
