"""Constrained clustering refuses merges across cannot-links and conflicting identifiers."""

from __future__ import annotations

from joinedup.resolve.cluster import ConstrainedClusters, identifier_edges
from joinedup.resolve.entities import assign_ids
from joinedup.resolve.objects import plate_candidates


def test_conflicting_strong_identifiers_prevent_a_merge() -> None:
    cc = ConstrainedClusters()
    cc.add(1, {"nhs": "9990000018"})
    cc.add(2, {"nhs": "9990000026"})
    cc.add(3)
    assert cc.union(1, 3, 0.99, "model")
    assert not cc.union(3, 2, 0.98, "model")  # 3 now carries 1's NHS number
    assert cc.find(2) != cc.find(1)


def test_a_different_decision_binds_the_whole_cluster() -> None:
    cc = ConstrainedClusters()
    cc.cannot_link(1, 3)
    cc.link_all([(1, 2, 0.99), (2, 3, 0.95)], "model")
    assert cc.find(1) == cc.find(2) != cc.find(3)


def test_birth_years_far_apart_never_merge() -> None:
    cc = ConstrainedClusters()
    cc.add(1, birth_year=1964)
    cc.add(2, birth_year=2002)
    cc.add(3)
    cc.link_all([(1, 3, 0.99), (2, 3, 0.98)], "model")
    assert cc.find(1) == cc.find(3) != cc.find(2)


def test_identifier_edges_link_every_holder() -> None:
    edges = identifier_edges({1: {"pnc_id": "A"}, 2: {"pnc_id": "A"}, 3: {"pnc_id": "A"}, 4: {}})
    cc = ConstrainedClusters()
    cc.link_all(edges, "identifier")
    assert cc.find(1) == cc.find(2) == cc.find(3)


def test_an_entity_keeps_its_id_while_its_membership_holds() -> None:
    old = {10: frozenset({1, 2}), 11: frozenset({3}), 12: frozenset({4, 5})}
    new = [frozenset({1, 2}), frozenset({3, 4, 5}), frozenset({6})]
    assert assign_ids(old, new) == [10, 12, None]


def test_a_misread_plate_lists_what_it_could_be() -> None:
    assert "AB12CDE" in plate_candidates("A812CDE")
    assert "OX17RRO" in plate_candidates("0X17RRO")
