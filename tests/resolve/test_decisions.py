"""Analysts' decisions: consistent, stored, audited by the CLI, and obeyed by every re-run."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from joinedup.resolve import mention_entities, resolve_all
from joinedup.resolve.decisions import DecisionError, DecisionGraph, decide, parse_ref
from joinedup.store import write_transaction


def test_implied_decisions_follow_from_same_and_different() -> None:
    graph = DecisionGraph(same=[(1, 2)], different=[(2, 3)])
    assert graph.implied(1, 2) == "same"
    assert graph.implied(1, 3) == "different"  # A=B and B≠C imply A≠C
    assert graph.implied(1, 4) is None


def _joined_pair(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        groups: dict[object, list[int]] = {}
        for (kind, mid), eid in mention_entities(conn).items():
            if kind == "person":
                groups.setdefault(eid, []).append(mid)
    return next(tuple(sorted(g)[:2]) for g in groups.values() if len(g) >= 2)  # type: ignore[return-value]


def test_a_different_decision_splits_and_stays_split(city_store: Engine) -> None:
    resolve_all(city_store, "tester")
    a, b = _joined_pair(city_store)
    with write_transaction(city_store) as conn:
        decide(conn, parse_ref(conn, f"person:{a}"), parse_ref(conn, f"person:{b}"),
               "different", "checked the records", "tester")  # fmt: skip
    for full in (False, True):
        resolve_all(city_store, "tester", full=full)
        with city_store.connect() as conn:
            entities = mention_entities(conn)
        assert entities[("person", a)] != entities[("person", b)]


def test_a_contradiction_is_refused(city_store: Engine) -> None:
    resolve_all(city_store, "tester")
    a, b = _joined_pair(city_store)
    with write_transaction(city_store) as conn:
        ra, rb = parse_ref(conn, f"person:{a}"), parse_ref(conn, f"person:{b}")
        decide(conn, ra, rb, "same", "same PNC record", "tester")
        with pytest.raises(DecisionError, match="already imply"):
            decide(conn, ra, rb, "different", "changed my mind", "tester")
