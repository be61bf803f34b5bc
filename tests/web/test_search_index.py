"""Search on the blocked fuzzy index gives exactly what scanning every name gave."""

from __future__ import annotations

import random

import pytest
from rapidfuzz import fuzz, process
from sqlalchemy import select

from joinedup.search import search
from joinedup.search.fuzzy import GramIndex
from joinedup.search.index import build_index
from joinedup.store import tables as t


def _scan(self: GramIndex, query: str, cutoff: float, limit: int) -> list:
    """What search did before the index: rapidfuzz over every string."""
    return process.extract(
        query, self.strings, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff, limit=limit
    )


def _queries(conn, n: int = 80) -> list[str]:
    pm, vm = t.person_mention, t.vehicle_mention
    rng = random.Random(3)
    names = conn.execute(
        select(pm.c.forename, pm.c.surname, pm.c.postcode, pm.c.nickname).order_by(pm.c.id)
    ).all()
    plates = [p for p in conn.execute(select(vm.c.vrm).order_by(vm.c.id)).scalars() if p]
    out = ["smith", "mohd shah", "x", "AB12*"]
    for fore, sur, postcode, nickname in rng.sample(names, min(n, len(names))):
        if fore and sur:
            out += [f"{fore} {sur}", f"{sur} {fore}", sur]
            if len(sur) > 4:  # a swapped pair and a dropped letter
                j = rng.randrange(1, len(sur) - 2)
                out += [f"{fore} {sur[:j]}{sur[j + 1]}{sur[j]}{sur[j + 2 :]}",
                        f"{fore[:-1]} {sur[:j]}{sur[j + 1 :]}"]  # fmt: skip
        if postcode:
            out += [postcode, postcode.split()[0]]
        if nickname:
            out.append(nickname[:-1] if len(nickname) > 4 else nickname)
    out += [p[:4] + "*" for p in plates[:10]] + plates[:10]
    return out


def test_search_answers_are_the_full_scans(seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    with seeded.engine.connect() as conn:
        index = build_index(conn)
        queries = _queries(conn)
        fast = [search(conn, index, q, limit=50) for q in queries]
        monkeypatch.setattr(GramIndex, "extract", _scan)
        slow = [search(conn, index, q, limit=50) for q in queries]
    assert any(h["reasons"][0].startswith("similar name") for r in slow for h in r["hits"])
    for q, a, b in zip(queries, fast, slow, strict=True):
        assert a == b, q
