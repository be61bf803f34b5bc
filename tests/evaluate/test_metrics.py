"""Scoring functions: hand-computed tables, then properties that hold for any clustering."""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.evaluate.metrics import (
    bcubed,
    by_group,
    censored_median,
    contingency,
    f1,
    median,
    nearest_rank,
    pairwise,
    set_scores,
)

# truth a a a b b c / predicted 1 1 2 2 2 3: worked by hand in docs/evaluation.md
TRUTH = ["a", "a", "a", "b", "b", "c"]
PRED = [1, 1, 2, 2, 2, 3]
ORIGIN = ["south_asian"] * 3 + ["white"] * 3


def approx(x: float | None) -> object:
    return None if x is None else pytest.approx(x)


@pytest.mark.parametrize(
    ("truth", "pred", "expected"),
    [
        # (precision, recall, f1, true pairs, predicted pairs, correct pairs)
        (TRUTH, PRED, (0.5, 0.5, 0.5, 4, 4, 2)),
        (TRUTH, TRUTH, (1.0, 1.0, 1.0, 4, 4, 4)),
        (TRUTH, [None] * 6, (None, 0.0, None, 4, 0, 0)),  # all singletons
        (TRUTH, [7] * 6, (4 / 15, 1.0, 2 * (4 / 15) / (1 + 4 / 15), 4, 15, 4)),  # one cluster
        (["a", "b", "c"], [1, 2, 3], (None, None, None, 0, 0, 0)),  # nothing to find
        (["a", "b", "c"], [1, 1, 1], (0.0, None, None, 0, 3, 0)),
        ([None, None, "a", "a"], [1, 1, 2, 2], (0.5, 1.0, 2 / 3, 1, 2, 1)),  # None = alone
        ([], [], (None, None, None, 0, 0, 0)),
    ],
)
def test_pairwise_table(truth: list, pred: list, expected: tuple) -> None:
    s = pairwise(contingency(truth, pred))
    p, r, f, tp, pp, cp = expected
    assert (s.precision, s.recall, s.f1) == (approx(p), approx(r), approx(f))
    assert (s.true_pairs, s.predicted_pairs, s.correct_pairs) == (tp, pp, cp)


@pytest.mark.parametrize(
    ("truth", "pred", "expected"),
    [
        (TRUTH, PRED, (7 / 9, 7 / 9, 7 / 9)),
        (TRUTH, TRUTH, (1.0, 1.0, 1.0)),
        (TRUTH, [None] * 6, (1.0, (1 / 3 * 3 + 1 / 2 * 2 + 1) / 6, None)),
        (TRUTH, [7] * 6, ((3 * 3 / 6 + 2 * 2 / 6 + 1 / 6) / 6, 1.0, None)),
        ([], [], (None, None, None)),
    ],
)
def test_bcubed_table(truth: list, pred: list, expected: tuple) -> None:
    s = bcubed(contingency(truth, pred))
    p, r, f = expected
    assert (s.precision, s.recall) == (approx(p), approx(r))
    if f is not None:
        assert s.f1 == pytest.approx(f)
    elif p is not None:
        assert s.f1 == pytest.approx(f1(p, r))


def test_recall_by_origin_table() -> None:
    g = by_group(TRUTH, PRED, ORIGIN)
    sa, w = g["south_asian"], g["white"]
    assert (sa.items, sa.true_pairs, sa.correct_pairs) == (3, 3, 1)
    assert sa.pairwise_recall == pytest.approx(1 / 3)
    assert sa.bcubed_recall == pytest.approx(5 / 9)
    assert sa.pairwise_precision == pytest.approx(1 / 3)  # 1 of 3 touching predicted pairs
    assert (w.items, w.true_pairs, w.correct_pairs) == (3, 1, 1)
    assert w.pairwise_recall == 1.0
    assert w.bcubed_recall == 1.0
    assert w.pairwise_precision == pytest.approx(1 / 3)


def test_items_without_a_group_are_left_out() -> None:
    g = by_group(["a", "a", "b"], [1, 1, 1], ["x", "x", None])
    assert list(g) == ["x"]
    assert g["x"].pairwise_recall == 1.0
    assert g["x"].pairwise_precision == pytest.approx(1 / 3)  # all 3 predicted pairs touch x


@pytest.mark.parametrize(
    ("flagged", "positives", "expected"),
    [
        ({1, 2, 3}, {2, 3, 4, 5}, (2 / 3, 2 / 4, 3, 4, 2)),
        (set(), {1}, (None, 0.0, 0, 1, 0)),
        ({1}, set(), (0.0, None, 1, 0, 0)),
        (set(), set(), (None, None, 0, 0, 0)),
    ],
)
def test_set_scores_table(flagged: set, positives: set, expected: tuple) -> None:
    s = set_scores(flagged, positives)
    p, r, n_f, n_p, hit = expected
    assert (s.precision, s.recall) == (approx(p), approx(r))
    assert (s.flagged, s.positives, s.true_positives) == (n_f, n_p, hit)


@pytest.mark.parametrize(
    ("values", "med", "p90"),
    [
        ([], None, None),
        ([5], 5.0, 5.0),
        ([3, 1, 2], 2.0, 3.0),
        ([4, 1, 3, 2], 2.5, 4.0),
        (list(range(1, 11)), 5.5, 9.0),  # nearest rank: ceil(0.9 * 10) = 9th value
        (list(range(1, 21)), 10.5, 18.0),
    ],
)
def test_median_and_p90(values: list, med: float | None, p90: float | None) -> None:
    assert median(values) == med
    assert nearest_rank(values, 0.9) == p90


@pytest.mark.parametrize(
    ("values", "med", "p90"),
    [
        ([1, 2, 3, None], 2.5, None),  # one group never detected: p90 falls on it
        ([1, 2, None, None], None, None),  # half never detected: no median
        ([1, 2, 3, None, None], 3.0, None),
        ([10] * 9 + [None], 10.0, 10.0),
        ([None], None, None),
    ],
)
def test_never_detected_counts_as_infinitely_late(values: list, med: float | None, p90) -> None:
    assert censored_median(values) == med
    assert nearest_rank(values, 0.9) == p90


# properties ---------------------------------------------------------------------------

clusterings = st.lists(st.integers(0, 6), max_size=40).flatmap(
    lambda t: st.tuples(st.just(t), st.lists(st.integers(0, 6), min_size=len(t), max_size=len(t)))
)


def brute_force(truth: list, pred: list) -> tuple[int, int, int]:
    items = list(zip(truth, pred, strict=True))
    same_t = same_p = both = 0
    for (t1, p1), (t2, p2) in combinations(items, 2):
        same_t += t1 == t2
        same_p += p1 == p2
        both += t1 == t2 and p1 == p2
    return same_t, same_p, both


@given(clusterings)
def test_pair_counts_agree_with_enumerating_every_pair(tp: tuple[list, list]) -> None:
    truth, pred = tp
    s = pairwise(contingency(truth, pred))
    assert (s.true_pairs, s.predicted_pairs, s.correct_pairs) == brute_force(truth, pred)


@given(st.lists(st.integers(0, 8), max_size=60))
def test_perfect_clustering_scores_one(truth: list[int]) -> None:
    relabelled = [f"cluster-{t * 7 + 3}" for t in truth]
    c = contingency(truth, relabelled)
    pw, b3 = pairwise(c), bcubed(c)
    if pw.true_pairs:
        assert pw.precision == pw.recall == pw.f1 == 1.0
    else:
        assert pw.precision is None and pw.recall is None
    if truth:
        assert b3.precision == pytest.approx(1.0) and b3.recall == pytest.approx(1.0)


@given(st.lists(st.integers(0, 8), max_size=60))
def test_all_singletons_find_no_pairs(truth: list[int]) -> None:
    pw = pairwise(contingency(truth, [None] * len(truth)))
    assert pw.precision is None and pw.f1 is None  # nothing predicted: undefined, not 1.0
    assert pw.recall == (0.0 if pw.true_pairs else None)


@given(clusterings)
def test_scores_are_in_range_and_symmetric(tp: tuple[list, list]) -> None:
    truth, pred = tp
    forward, backward = pairwise(contingency(truth, pred)), pairwise(contingency(pred, truth))
    assert forward.precision == backward.recall and forward.recall == backward.precision
    b3f, b3b = bcubed(contingency(truth, pred)), bcubed(contingency(pred, truth))
    assert b3f.precision == approx(b3b.recall)
    for x in (forward.precision, forward.recall, b3f.precision, b3f.recall):
        assert x is None or 0.0 <= x <= 1.0 + 1e-12


@given(clusterings)
def test_subgroups_add_up_to_the_whole(tp: tuple[list, list]) -> None:
    truth, pred = tp
    groups = [f"g{t % 3}" for t in truth]
    parts = by_group(truth, pred, groups)
    whole = pairwise(contingency(truth, pred))
    assert sum(g.true_pairs for g in parts.values()) == whole.true_pairs
    assert sum(g.correct_pairs for g in parts.values()) == whole.correct_pairs
    b3 = bcubed(contingency(truth, pred))
    if truth:
        mean_recall = sum(g.bcubed_recall * g.items for g in parts.values()) / len(truth)
        assert mean_recall == pytest.approx(b3.recall)
