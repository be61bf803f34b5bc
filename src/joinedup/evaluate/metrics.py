"""Scoring functions, pure and O(n): pairwise and B-cubed clustering scores, set scores, shares.

Every score that would divide by zero is None ("undefined"), never 0 or 1 by convention;
docs/evaluation.md defines each one in words and as a formula.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

Label = Hashable


class _Alone:
    """The label of an item that belongs with no other item (no true or predicted cluster)."""

    __slots__ = ()


def pairs(n: int) -> int:
    """How many unordered pairs n items form."""
    return n * (n - 1) // 2


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, or None when the denominator is zero (undefined)."""
    return numerator / denominator if denominator else None


share = ratio


def f1(precision: float | None, recall: float | None) -> float | None:
    """Harmonic mean of precision and recall; None if either is undefined."""
    if precision is None or recall is None:
        return None
    if precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


@dataclass(frozen=True)
class Contingency:
    """How many items fall in each (true entity, predicted cluster) cell, and the margins."""

    cells: Counter[tuple[Label, Label]]
    true_sizes: Counter[Label]
    predicted_sizes: Counter[Label]
    items: int


def _alone_if_none(labels: Iterable[Label | None]) -> list[Label]:
    """The labels, with each None replaced by a label of its own."""
    out = list(labels)
    if any(x is None for x in out):
        out = [_Alone() if x is None else x for x in out]
    return out


def _margins(cells: Counter[tuple[Label, Label]]) -> tuple[Counter[Label], Counter[Label]]:
    true_sizes: Counter[Label] = Counter()
    predicted_sizes: Counter[Label] = Counter()
    for (t, p), n in cells.items():
        true_sizes[t] += n
        predicted_sizes[p] += n
    return true_sizes, predicted_sizes


def contingency(truth: Iterable[Label | None], predicted: Iterable[Label | None]) -> Contingency:
    """Count items per cell. A None label makes the item a cluster of its own on that side.

    `truth` and `predicted` are parallel: item i has true entity truth[i] and was put in
    cluster predicted[i].
    """
    t, p = _alone_if_none(truth), _alone_if_none(predicted)
    if len(t) != len(p):
        raise ValueError(f"truth has {len(t)} items but predicted has {len(p)}")
    cells: Counter[tuple[Label, Label]] = Counter(zip(t, p, strict=True))
    true_sizes, predicted_sizes = _margins(cells)
    return Contingency(cells, true_sizes, predicted_sizes, len(t))


@dataclass(frozen=True)
class PairwiseScore:
    """Pairwise precision, recall and F1 with the pair counts they come from."""

    precision: float | None
    recall: float | None
    f1: float | None
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def pairwise(c: Contingency) -> PairwiseScore:
    """Precision = correct pairs / predicted pairs; recall = correct pairs / true pairs."""
    correct = sum(pairs(n) for n in c.cells.values())
    true_pairs = sum(pairs(n) for n in c.true_sizes.values())
    predicted_pairs = sum(pairs(n) for n in c.predicted_sizes.values())
    p, r = ratio(correct, predicted_pairs), ratio(correct, true_pairs)
    return PairwiseScore(p, r, f1(p, r), true_pairs, predicted_pairs, correct)


@dataclass(frozen=True)
class BCubedScore:
    """B-cubed precision, recall and F1: per-item scores averaged over all items."""

    precision: float | None
    recall: float | None
    f1: float | None
    items: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def bcubed(c: Contingency) -> BCubedScore:
    """For item i in true entity T and cluster C: precision_i = |C∩T|/|C|, recall_i = |C∩T|/|T|.

    Summed per cell: sum_i |C∩T|/|C| = sum over cells of n_cell^2 / |C|.
    """
    if not c.items:
        return BCubedScore(None, None, None, 0)
    p_sum = sum(n * n / c.predicted_sizes[p] for (_, p), n in c.cells.items())
    r_sum = sum(n * n / c.true_sizes[t] for (t, _), n in c.cells.items())
    p, r = p_sum / c.items, r_sum / c.items
    return BCubedScore(p, r, f1(p, r), c.items)


@dataclass(frozen=True)
class GroupScore:
    """Scores for the items of one subgroup (e.g. one name origin)."""

    items: int
    true_pairs: int
    correct_pairs: int
    pairwise_recall: float | None
    bcubed_recall: float | None
    pairwise_precision: float | None  # over predicted pairs touching the subgroup

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def by_group(
    truth: Sequence[Label | None],
    predicted: Sequence[Label | None],
    group: Sequence[str | None],
) -> dict[str, GroupScore]:
    """Recall (and touching-pair precision) per subgroup; group[i] is item i's attribute.

    The attribute belongs to the true entity (a person's name origin), so a true pair is
    in subgroup g when its entity is. Pairwise recall_g = correct pairs in g / true pairs
    in g. B-cubed recall_g = mean of recall_i over items in g. Precision_g = correct pairs
    in g / predicted pairs with at least one item in g (a false merge counts against
    every subgroup it touches). Items with no group are left out.
    """
    keys, preds = _alone_if_none(truth), _alone_if_none(predicted)
    triples = Counter(zip(keys, preds, group, strict=True))
    cells_all: Counter[tuple[Label, Label]] = Counter()
    per_group: dict[str, Counter[tuple[Label, Label]]] = {}
    for (t, p, g), n in triples.items():
        cells_all[(t, p)] += n
        if g is not None:
            per_group.setdefault(g, Counter())[(t, p)] = n
    true_sizes, predicted_sizes = _margins(cells_all)
    c = Contingency(cells_all, true_sizes, predicted_sizes, len(keys))
    out: dict[str, GroupScore] = {}
    for g, cells in sorted(per_group.items()):
        in_pred: Counter[Label] = Counter()
        in_true: Counter[Label] = Counter()
        for (t, p), n in cells.items():
            in_pred[p] += n
            in_true[t] += n
        items = sum(cells.values())
        correct = sum(pairs(n) for n in cells.values())
        true_pairs = sum(pairs(c.true_sizes[t]) for t in in_true)
        touching = sum(
            pairs(c.predicted_sizes[p]) - pairs(c.predicted_sizes[p] - n)
            for p, n in in_pred.items()
        )
        r_sum = sum(n * n / c.true_sizes[t] for (t, _), n in cells.items())
        out[g] = GroupScore(
            items=items,
            true_pairs=true_pairs,
            correct_pairs=correct,
            pairwise_recall=ratio(correct, true_pairs),
            bcubed_recall=ratio(r_sum, items),
            pairwise_precision=ratio(correct, touching),
        )
    return out


@dataclass(frozen=True)
class SetScore:
    """Precision and recall of a set of flagged things against the truly positive set."""

    precision: float | None
    recall: float | None
    flagged: int
    positives: int
    true_positives: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def set_scores(flagged: Iterable[Label], positives: Iterable[Label]) -> SetScore:
    """Precision = |flagged ∩ positive| / |flagged|; recall = |flagged ∩ positive| / |positive|."""
    f, pos = set(flagged), set(positives)
    hit = len(f & pos)
    return SetScore(ratio(hit, len(f)), ratio(hit, len(pos)), len(f), len(pos), hit)


def median(values: Iterable[float]) -> float | None:
    """The middle value (mean of the two middle values for an even count); None if empty."""
    v = sorted(values)
    if not v:
        return None
    mid = len(v) // 2
    return float(v[mid]) if len(v) % 2 else (v[mid - 1] + v[mid]) / 2


def nearest_rank(values: Iterable[float | None], q: float) -> float | None:
    """The q-quantile by nearest rank: the smallest value with at least q of values <= it.

    None in `values` means "never" (e.g. a group never detected) and sorts last; when the
    quantile falls on a never, or there are no values, the result is None.
    """
    v = sorted(values, key=lambda x: (x is None, x if x is not None else 0.0))
    if not v:
        return None
    rank = max(1, math.ceil(q * len(v)))
    x = v[rank - 1]
    return None if x is None else float(x)


def censored_median(values: Sequence[float | None]) -> float | None:
    """Median where None means "never": None once half or more of the values are never."""
    if not values or sum(x is None for x in values) * 2 >= len(values):
        return None
    finite = sorted(x for x in values if x is not None)
    never = len(values) - len(finite)
    return median(finite + [math.inf] * never)


def rounded(data: Any, digits: int = 4) -> Any:
    """Round every float in a nested structure, for a report people read."""
    if isinstance(data, float):
        return round(data, digits)
    if isinstance(data, Mapping):
        return {k: rounded(v, digits) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [rounded(v, digits) for v in data]
    return data
