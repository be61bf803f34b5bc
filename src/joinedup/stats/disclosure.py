"""Disclosure control: primary suppression of small counts, secondary suppression so that no
"c" can be recovered from row, column or grand totals, and optional rounding.

Secondary suppression: every line (a total and its parts) holding one suppressed cell gets
a second, the smallest non-zero cell, until stable; then an audit solves, for every
suppressed cell, the smallest and largest value consistent with everything published (a
linear programme, scipy's HiGHS), and any cell pinned to one value gets another partner.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from joinedup.stats.tables import Count, CountTable, TwoWayTable

DEFAULT_THRESHOLD = 5  # counts 1-4 are shown as "c", as in official children's statistics
Key = Hashable
TOTAL = "__total__"
RECORDED = "__recorded__"  # the subtotal of the recorded categories


@dataclass
class Grid:
    """Cells and the additive lines between them: each line says total = sum(parts)."""

    values: dict[Key, int]
    lines: list[tuple[Key, list[Key]]]
    totals: frozenset[Key] = frozenset()  # prefer parts to totals as partners


def primary(values: dict[Key, int], threshold: int = DEFAULT_THRESHOLD) -> set[Key]:
    """Cells with a small non-zero count: 1 to threshold - 1. Zeros are shown."""
    return {k for k, v in values.items() if 0 < v < threshold}


def suppress(grid: Grid, threshold: int = DEFAULT_THRESHOLD) -> set[Key]:
    """The cells to show as "c": primary ones and enough partners that none is recoverable."""
    hidden = primary(grid.values, threshold)
    while True:
        _pair_lines(grid, hidden)
        exposed = exposed_cells(grid, hidden)
        if not exposed:
            return hidden
        partner = _partner(grid, hidden, exposed[0])
        if partner is None:  # nothing left to hide
            return hidden
        hidden.add(partner)


def _pair_lines(grid: Grid, hidden: set[Key]) -> None:
    changed = True
    while changed:
        changed = False
        for total, parts in grid.lines:
            line = [total, *parts]
            if sum(k in hidden for k in line) == 1:
                pick = _smallest(grid, [k for k in line if k not in hidden])
                if pick is not None:
                    hidden.add(pick)
                    changed = True


def _smallest(grid: Grid, candidates: list[Key], *, zeros: bool = False) -> Key | None:
    pool = [k for k in candidates if zeros or grid.values[k] > 0]
    if not pool:
        return None if zeros else _smallest(grid, candidates, zeros=True)
    # Totals are shared with other tables of the same population: hide them last.
    return min(pool, key=lambda k: (k in grid.totals, grid.values[k], str(k)))


def _partner(grid: Grid, hidden: set[Key], cell: Key) -> Key | None:
    near = [k for t, ps in grid.lines if cell == t or cell in ps for k in (t, *ps)]
    pick = _smallest(grid, [k for k in dict.fromkeys(near) if k not in hidden])
    if pick is None:
        pick = _smallest(grid, [k for k in grid.values if k not in hidden])
    return pick


def feasible_ranges(grid: Grid, hidden: set[Key]) -> dict[Key, tuple[float, float]]:
    """For each hidden cell, the least and greatest value consistent with what is shown.

    An attacker knows every shown cell, every line and that counts are >= 0. The ends are
    float('inf') when nothing bounds a cell above.
    """
    keys = sorted(hidden, key=str)
    if not keys:
        return {}
    index = {k: i for i, k in enumerate(keys)}
    rows, rhs = [], []
    for total, parts in grid.lines:
        coeffs = np.zeros(len(keys))
        known = 0.0
        for k, sign in [(total, -1.0)] + [(p, 1.0) for p in parts]:
            if k in index:
                coeffs[index[k]] += sign
            else:
                known += sign * grid.values[k]
        if coeffs.any():
            rows.append(coeffs)
            rhs.append(-known)
    a_eq = np.array(rows) if rows else None
    b_eq = np.array(rhs) if rows else None
    out = {}
    for k in keys:
        c = np.zeros(len(keys))
        c[index[k]] = 1.0
        ends = []
        for sign in (1.0, -1.0):
            res = linprog(sign * c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
            if res.status == 3:  # unbounded
                ends.append(float("inf"))
            elif res.status != 0:
                raise RuntimeError(f"disclosure audit failed: {res.message}")
            else:
                ends.append(sign * res.fun)
        out[k] = (ends[0], ends[1])
    return out


def exposed_cells(grid: Grid, hidden: set[Key]) -> list[Key]:
    """Hidden cells whose value the shown cells pin down exactly."""
    ranges = feasible_ranges(grid, hidden)
    return [k for k, (lo, hi) in ranges.items() if hi - lo < 0.5]


def round_count(value: int, base: int) -> int:
    """Round half up to a multiple of `base`."""
    return int((value + base / 2) // base * base)


def control_one_way(
    table: CountTable, threshold: int = DEFAULT_THRESHOLD, round_to: int | None = None
) -> CountTable:
    """`table` as it may be published: small counts and their partners shown as "c".

    The number recorded (total minus the unknown rows) is published as completeness, so it
    is a count like any other: a subtotal that is small, or that would give away a "c",
    is protected by the same rules.
    """
    values: dict[Key, int] = {c: int(table.cell(c) or 0) for c in table.categories}
    values[TOTAL] = int(table.total or 0)
    values[RECORDED] = sum(values[c] for c in table.counts)
    lines: list[tuple[Key, list[Key]]] = [
        (TOTAL, [RECORDED, *table.unknown]),
        (RECORDED, list(table.counts)),
    ]
    grid = Grid(values, lines, frozenset({TOTAL, RECORDED}))
    hidden = suppress(grid, threshold)
    cells = {c: _shown(values[c], c in hidden, round_to) for c in table.categories}
    total = _shown(values[TOTAL], TOTAL in hidden, round_to)
    return table.with_cells(cells, total, controlled=True, rounded_to=round_to)


def control_linked(
    detail: CountTable,
    group: CountTable,
    threshold: int = DEFAULT_THRESHOLD,
    round_to: int | None = None,
) -> tuple[CountTable, CountTable]:
    """A detailed table and the broad-group table it adds up to, controlled together so
    that no "c" in either can be recovered from the other."""
    values: dict[Key, int] = {("d", c): int(detail.counts[c] or 0) for c in detail.counts}
    values |= {("g", g): int(group.counts[g] or 0) for g in group.counts}
    values |= {("u", u): int(group.unknown[u] or 0) for u in group.unknown}
    values[TOTAL] = int(group.total or 0)
    values[RECORDED] = sum(values[("g", g)] for g in group.counts)
    lines: list[tuple[Key, list[Key]]] = [
        (TOTAL, [RECORDED, *(("u", u) for u in group.unknown)]),
        (RECORDED, [("g", g) for g in group.counts]),
    ]
    for g in group.counts:
        parts = [("d", c) for c in detail.counts if detail.roll_up.get(c) == g]
        if parts:
            lines.append((("g", g), parts))
    grid = Grid(values, lines, frozenset({TOTAL, RECORDED, *(("g", g) for g in group.counts)}))
    hidden = suppress(grid, threshold)

    def shown(k: Key) -> Count:
        return _shown(values[k], k in hidden, round_to)

    unknown = {u: shown(("u", u)) for u in group.unknown}
    total = shown(TOTAL)
    g_cells = {g: shown(("g", g)) for g in group.counts} | unknown
    d_cells = {c: shown(("d", c)) for c in detail.counts} | unknown
    return (
        detail.with_cells(d_cells, total, controlled=True, rounded_to=round_to),
        group.with_cells(g_cells, total, controlled=True, rounded_to=round_to),
    )


def withhold(table: CountTable) -> CountTable:
    """Every cell and the total as "c": the population is too small to describe."""
    cells: dict[str, Count] = dict.fromkeys(table.categories)
    return table.with_cells(cells, None, controlled=True)


def two_way_grid(table: TwoWayTable) -> Grid:
    values: dict[Key, int] = {
        ("cell", r, c): int(table.cells[(r, c)] or 0) for r in table.rows for c in table.cols
    }
    values |= {("row", r): int(table.row_totals[r] or 0) for r in table.rows}
    values |= {("col", c): int(table.col_totals[c] or 0) for c in table.cols}
    values[("all",)] = int(table.total or 0)
    lines: list[tuple[Key, list[Key]]] = [
        (("row", r), [("cell", r, c) for c in table.cols]) for r in table.rows
    ]
    lines += [(("col", c), [("cell", r, c) for r in table.rows]) for c in table.cols]
    lines.append((("all",), [("row", r) for r in table.rows]))
    lines.append((("all",), [("col", c) for c in table.cols]))
    totals = frozenset(k for k in values if k[0] != "cell")
    return Grid(values, lines, totals)


def control_two_way(
    table: TwoWayTable, threshold: int = DEFAULT_THRESHOLD, round_to: int | None = None
) -> TwoWayTable:
    grid = two_way_grid(table)
    hidden = suppress(grid, threshold)
    v = grid.values

    def shown(k: Key) -> Count:
        return _shown(v[k], k in hidden, round_to)

    return TwoWayTable(
        table.key,
        table.title,
        list(table.rows),
        list(table.cols),
        {(r, c): shown(("cell", r, c)) for r in table.rows for c in table.cols},
        {r: shown(("row", r)) for r in table.rows},
        {c: shown(("col", c)) for c in table.cols},
        shown(("all",)),
        table.row_label,
        table.col_label,
        table.note,
        controlled=True,
        rounded_to=round_to,
    )


def _shown(value: int, hidden: bool, round_to: int | None) -> Count:
    if hidden:
        return None
    return round_count(value, round_to) if round_to else value
