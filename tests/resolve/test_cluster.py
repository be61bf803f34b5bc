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


def _dated(*items: tuple[int, str | None]) -> ConstrainedClusters:
    cc = ConstrainedClusters()
    for item, dob in items:
        cc.add(item, None, int(dob[:4]) if dob else None, dob)
    return cc


def test_two_known_dates_of_birth_no_typing_slip_explains_are_never_chained() -> None:
    cc = _dated((1, "2007-09-15"), (2, None), (3, "2008-07-28"), (4, "2007-09-16"))
    assert cc.union(1, 2, 0.9, "model")  # an undated "Olivia Smith" joins the first
    assert not cc.union(2, 3, 0.9, "model")  # ...and may not bring in the other
    assert cc.conflict(2, 3) == "different dates of birth"
    assert cc.union(4, 2, 0.9, "model")  # one digit mistyped: the same date


def test_a_sure_direct_link_may_cross_dates_once_but_never_chain() -> None:
    cc = _dated((1, "1913-06-29"), (2, "1966-03-06"), (3, "1913-06-29"), (4, "1950-01-01"))
    assert not cc.union(1, 2, 0.95, "model")  # not sure enough
    assert cc.union(1, 2, 0.995, "model")  # the model saw both dates and is still sure
    assert not cc.union(4, 2, 0.999, "model")  # the merged cluster already spans the years


def test_decisions_and_identifiers_are_not_checked_against_dates() -> None:
    cc = _dated((1, "1980-01-01"), (2, "1990-05-05"), (3, "1970-02-02"), (4, "2000-03-03"))
    assert cc.union(1, 2, 1.0, "decision")
    assert cc.union(3, 4, 1.0, "identifier")
