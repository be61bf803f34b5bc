"""Disclosure control: build random tables, suppress, then attack every "c" from the
published totals (single-equation subtraction and a linear-programming interval attack,
written here independently of the code under test) and assert none is pinned down."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from joinedup.stats.disclosure import (
    control_linked,
    control_one_way,
    control_two_way,
    round_count,
)
from joinedup.stats.tables import CountTable, TwoWayTable, one_way

COUNTS = st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 9, 12, 20, 40])
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def attack(
    equations: list[tuple[list[object], object]], published: dict[object, int | None]
) -> dict[object, tuple[float, float]]:
    """For each hidden item, the least and greatest value consistent with the published
    ones, given equations "sum(parts) == total" and counts >= 0."""
    hidden = sorted((k for k, v in published.items() if v is None), key=str)
    index = {k: i for i, k in enumerate(hidden)}
    a_rows, b = [], []
    for parts, total in equations:
        row = np.zeros(len(hidden))
        rhs = 0.0
        for k, sign in [(p, 1.0) for p in parts] + [(total, -1.0)]:
            if k in index:
                row[index[k]] += sign
            else:
                rhs -= sign * published[k]  # type: ignore[operator]
        if row.any():
            a_rows.append(row)
            b.append(rhs)
        else:
            assert abs(rhs) < 1e-9, "published cells do not add up"
    ranges = {}
    for k in hidden:
        c = np.zeros(len(hidden))
        c[index[k]] = 1
        ends = []
        for sign in (1, -1):
            res = linprog(
                sign * c,
                A_eq=np.array(a_rows) if a_rows else None,
                b_eq=np.array(b) if b else None,
                bounds=(0, None),
            )
            ends.append(float("inf") if res.status == 3 else sign * res.fun)
        ranges[k] = (ends[0], ends[1])
    return ranges


def single_equation_recoveries(
    equations: list[tuple[list[object], object]], published: dict[object, int | None]
) -> list[object]:
    return [
        k
        for parts, total in equations
        for k in [*parts, total]
        if published[k] is None and sum(published[x] is None for x in [*parts, total]) == 1
    ]


def one_way_equations(t: CountTable) -> tuple[list[tuple[list[object], object]], dict]:
    published: dict[object, int | None] = {c: t.cell(c) for c in t.categories}
    published["TOTAL"] = t.total
    return [(list(t.categories), "TOTAL")], published


def assert_safe(equations, published, original, threshold: int = 5) -> None:  # type: ignore[no-untyped-def]
    assert not single_equation_recoveries(equations, published)
    for k, (lo, hi) in attack(equations, published).items():
        assert hi - lo >= 1 - 1e-6, f"{k} is pinned to {lo} (true value {original[k]})"
    for k, v in original.items():
        if 0 < v < threshold:
            assert published[k] is None, f"small count {k}={v} is shown"
        if published[k] is not None:
            assert published[k] == v


@SETTINGS
@given(st.lists(COUNTS, min_size=1, max_size=8), COUNTS)
def test_one_way_suppression_cannot_be_undone(cells: list[int], unknown: int) -> None:
    t = one_way("t", "t", {f"k{i}": v for i, v in enumerate(cells)}, {"unknown": unknown})
    original = {c: t.cell(c) for c in t.categories} | {"TOTAL": t.total}
    shown = control_one_way(t)
    eqs, published = one_way_equations(shown)
    assert_safe(eqs, published, original)
    # Completeness is published too: the number recorded, when it can be worked out, is
    # never a small count.
    if shown.total is not None and all(v is not None for v in shown.unknown.values()):
        recorded = shown.total - sum(shown.unknown.values())  # type: ignore[arg-type]
        assert not 0 < recorded < 5


def two_way_equations(t: TwoWayTable) -> tuple[list[tuple[list[object], object]], dict]:
    published: dict[object, int | None] = {
        ("c", r, c): t.cells[(r, c)] for r in t.rows for c in t.cols
    }
    published |= {("r", r): t.row_totals[r] for r in t.rows}
    published |= {("k", c): t.col_totals[c] for c in t.cols}
    published["G"] = t.total
    eqs: list[tuple[list[object], object]] = []
    eqs += [([("c", r, c) for c in t.cols], ("r", r)) for r in t.rows]
    eqs += [([("c", r, c) for r in t.rows], ("k", c)) for c in t.cols]
    eqs.append(([("r", r) for r in t.rows], "G"))
    eqs.append(([("k", c) for c in t.cols], "G"))
    return eqs, published


@SETTINGS
@given(st.integers(1, 5), st.integers(1, 5), st.data())
def test_two_way_suppression_cannot_be_undone(
    n_rows: int, n_cols: int, data: st.DataObject
) -> None:
    rows, cols = [f"r{i}" for i in range(n_rows)], [f"c{j}" for j in range(n_cols)]
    cells = {(r, c): data.draw(COUNTS) for r in rows for c in cols}
    t = TwoWayTable.from_cells("t", "t", cells, rows, cols)
    _, original = two_way_equations(t)
    eqs, published = two_way_equations(control_two_way(t))
    assert_safe(eqs, published, original)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from("ABC"), COUNTS), min_size=1, max_size=7), COUNTS)
def test_detailed_and_group_tables_together_cannot_be_undone(
    details: list[tuple[str, int]], unknown: int
) -> None:
    detail_counts = {f"{g}{i}": v for i, (g, v) in enumerate(details)}
    groups = {g: sum(v for k, v in detail_counts.items() if k[0] == g) for g in "ABC"}
    detail = one_way("d", "d", detail_counts, {"unknown": unknown})
    detail.roll_up = {k: k[0] for k in detail_counts}
    group = one_way("g", "g", groups, {"unknown": unknown})
    d, g = control_linked(detail, group)
    assert d.unknown == g.unknown and d.total == g.total
    published: dict[object, int | None] = {("d", k): d.counts[k] for k in d.counts}
    published |= {("g", k): g.counts[k] for k in g.counts}
    published |= {"U": g.unknown["unknown"], "T": g.total}
    original: dict[object, int] = {("d", k): v for k, v in detail_counts.items()}
    original |= {("g", k): v for k, v in groups.items()} | {"U": unknown, "T": group.total}  # type: ignore[dict-item]
    eqs: list[tuple[list[object], object]] = [
        ([("g", k) for k in "ABC"] + ["U"], "T"),
        ([("d", k) for k in detail_counts] + ["U"], "T"),
    ]
    eqs += [([("d", k) for k in detail_counts if k[0] == grp], ("g", grp)) for grp in "ABC"]
    assert_safe(eqs, published, original)


def test_a_lone_small_cell_gets_the_smallest_partner() -> None:
    t = control_one_way(one_way("t", "t", {"A": 3, "B": 10, "C": 0, "D": 7}, {"unknown": 20}))
    assert t.counts == {"A": None, "B": 10, "C": 0, "D": None}  # C=0 is no protection
    assert t.unknown == {"unknown": 20} and t.total == 40


def test_zero_partners_are_avoided_even_when_the_audit_must_step_in() -> None:
    # Rows [3, 0], [0, 0] plus a big row: hiding zeros beside the 3 would still pin it.
    cells = {
        ("a", "x"): 3,
        ("a", "y"): 0,
        ("b", "x"): 0,
        ("b", "y"): 0,
        ("c", "x"): 20,
        ("c", "y"): 30,
    }
    t = control_two_way(TwoWayTable.from_cells("t", "t", cells, ["a", "b", "c"], ["x", "y"]))
    eqs, published = two_way_equations(t)
    for _, (lo, hi) in attack(eqs, published).items():
        assert hi - lo >= 1


def test_threshold_is_configurable_and_zeros_are_shown() -> None:
    t = one_way("t", "t", {"A": 8, "B": 9, "C": 0, "D": 30}, {"unknown": 50})
    assert control_one_way(t, threshold=10).counts == {"A": None, "B": None, "C": 0, "D": 30}
    assert control_one_way(t).counts == {"A": 8, "B": 9, "C": 0, "D": 30}


def test_a_tiny_table_is_wholly_suppressed() -> None:
    t = control_one_way(one_way("t", "t", {"A": 2, "B": 0}, {"unknown": 1}))
    assert t.total is None and t.counts["A"] is None and t.unknown["unknown"] is None


@pytest.mark.parametrize(
    ("value", "base", "rounded"),
    [(0, 5, 0), (2, 5, 0), (3, 5, 5), (12, 5, 10), (13, 5, 15), (7, 10, 10)],
)
def test_rounding(value: int, base: int, rounded: int) -> None:
    assert round_count(value, base) == rounded


def test_rounding_applies_after_suppression() -> None:
    t = control_one_way(one_way("t", "t", {"A": 3, "B": 12, "C": 28}, {"unknown": 6}), round_to=5)
    assert t.counts == {"A": None, "B": None, "C": 30} and t.unknown == {"unknown": 5}
    assert t.total == 50 and t.rounded_to == 5


def test_the_audit_catches_a_bridge_that_two_per_line_misses() -> None:
    # Two 2x2 blocks of small cells joined by one small cell: every row and column holds
    # two or more "c", yet the joining cell follows from the totals. The audit must act.
    from joinedup.stats.disclosure import _pair_lines, exposed_cells, primary, two_way_grid

    small = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)}
    rows, cols = ["r0", "r1", "r2", "r3"], ["c0", "c1", "c2", "c3"]
    cells = {(rows[i], cols[j]): 2 if (i, j) in small else 30 for i in range(4) for j in range(4)}
    t = TwoWayTable.from_cells("t", "t", cells, rows, cols)
    grid = two_way_grid(t)
    hidden = primary(grid.values)
    _pair_lines(grid, hidden)
    assert exposed_cells(grid, hidden) == [("cell", "r1", "c2")]
    _, original = two_way_equations(t)
    eqs, published = two_way_equations(control_two_way(t))
    assert_safe(eqs, published, original)
