"""Per-category statistics of a count table: share of the recorded with its Wilson interval,
bounds over everyone, and against a baseline the representation ratio and its sensitivity.

Everything is computed from the table's published cells only. A suppressed cell ("c")
makes the number recorded uncertain, so shares of the other categories become ranges
over every value the suppressed cells could take: honest, and never finer than what is
published.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from joinedup.stats.intervals import bounds, ratio_interval, span, wilson
from joinedup.stats.tables import CountTable, baseline_share


@dataclass
class CategoryStat:
    category: str
    count: int | None  # None: suppressed
    unknown: bool = False  # an unknown row (unrecorded, conflicting, ...)
    share_of_known: tuple[float, float] | None = None  # (lo, hi): equal unless suppression
    ci95: tuple[float, float] | None = None
    bounds: tuple[float, float] | None = None
    share_of_total: tuple[float, float] | None = None
    baseline: float | None = None
    ratio: tuple[float, float] | None = None  # ratio of share_of_known to the baseline
    ratio_ci95: tuple[float, float] | None = None
    ratio_bounds: tuple[float, float] | None = None
    sensitivity: dict[str, tuple[float, float]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        point = self.share_of_known
        out: dict[str, Any] = {
            "count": "c" if self.count is None else self.count,
            "unknown": self.unknown,
            "share_of_known": None if point is None or point[0] != point[1] else _r(point[0]),
            "share_of_known_range": _pair(point),
            "ci95": _pair(self.ci95),
            "bounds": _pair(self.bounds),
            "share_of_total": _pair(self.share_of_total),
        }
        if self.baseline is not None:
            out |= {
                "baseline": _r(self.baseline),
                "ratio": _pair(self.ratio),
                "ratio_ci95": _pair(self.ratio_ci95),
                "ratio_bounds": _pair(self.ratio_bounds),
            }
        if self.sensitivity:
            out["sensitivity"] = {k: _pair(v) for k, v in self.sensitivity.items()}
        return out


@dataclass
class TableAnalysis:
    table: CountTable
    rows: list[CategoryStat]
    recorded: tuple[int, int] | None  # how many have a recorded value: (lo, hi)
    total: int | None
    withheld: bool = False  # the whole table is suppressed (its total is small)
    notes: list[str] = field(default_factory=list)

    def row(self, category: str) -> CategoryStat:
        name = self.table.find(category)
        for r in self.rows:
            if r.category == name:
                return r
        raise KeyError(category)

    def completeness(self) -> dict[str, Any]:
        rec = self.recorded
        out: dict[str, Any] = {
            "recorded": None if rec is None else (rec[0] if rec[0] == rec[1] else list(rec)),
            "total": "c" if self.total is None else self.total,
        }
        if rec is not None and self.total:
            lo, hi = rec[0] / self.total, rec[1] / self.total
            out["share"] = _r(lo) if lo == hi else [_r(lo), _r(hi)]
        return out

    def as_json(self) -> dict[str, Any]:
        t = self.table
        return {
            "key": t.key,
            "title": t.title,
            "population": t.population,
            "characteristic": t.characteristic,
            "controlled": t.controlled,
            "rounded_to": t.rounded_to,
            "withheld": self.withheld,
            "completeness": self.completeness(),
            "categories": {r.category: r.as_json() for r in self.rows},
            "note": t.note,
            "notes": self.notes,
        }


def analyse(
    table: CountTable, baseline: dict[str, float] | None = None, *, sensitivity: bool = False
) -> TableAnalysis:
    """The statistics of every category of `table` (see the module docstring)."""
    total = table.total
    if total is None:
        rows = [CategoryStat(c, None, c in table.unknown) for c in table.categories]
        return TableAnalysis(
            table,
            rows,
            None,
            None,
            withheld=True,
            notes=["the whole table is suppressed: its total is small"],
        )
    published_known = sum(v for v in table.counts.values() if v is not None)
    published_unknown = sum(v for v in table.unknown.values() if v is not None)
    # What the suppressed cells add up to, from the published total (>= 0 after rounding).
    residual = max(0, total - published_known - published_unknown)
    known_hidden = any(v is None for v in table.counts.values())
    unknown_hidden = any(v is None for v in table.unknown.values())
    if not unknown_hidden:
        n_lo = n_hi = max(0, total - published_unknown)
    elif not known_hidden:
        n_lo = n_hi = published_known
    else:
        n_lo, n_hi = published_known, published_known + residual
    unknown_hi = total - n_lo
    notes = []
    if table.rounded_to:
        notes.append(f"computed from counts rounded to the nearest {table.rounded_to}")
    if n_lo != n_hi:
        notes.append(
            "suppressed cells make the number recorded uncertain "
            f"({n_lo:,} to {n_hi:,}); shares are given as ranges over every possibility"
        )
    rows = []
    for name, k in table.counts.items():
        stat = CategoryStat(name, k)
        rows.append(stat)
        if k is None:
            continue
        k = min(k, n_lo) if n_lo else k
        if n_hi > 0:
            ns = [n for n in (n_lo, n_hi) if n > 0]
            stat.share_of_known = span([k / n for n in ns])
            ci = [wilson(k, n) for n in ns]
            stat.ci95 = (min(c[0] for c in ci), max(c[1] for c in ci))
        else:
            stat.ci95 = (0.0, 1.0)  # nobody recorded: anything is possible
        stat.bounds = bounds(k, unknown_hi, total)
        stat.share_of_total = (k / total, k / total) if total else None
        if baseline is not None:
            _against(stat, baseline, total, (total - n_hi, unknown_hi), sensitivity)
    for name, u in table.unknown.items():
        stat = CategoryStat(name, u, unknown=True)
        if u is not None and total:
            stat.share_of_total = (u / total, u / total)
        rows.append(stat)
    return TableAnalysis(table, rows, (n_lo, n_hi), total, notes=notes)


def _against(
    stat: CategoryStat,
    baseline: dict[str, float],
    total: int,
    unknown: tuple[int, int],
    sensitivity: bool,
) -> None:
    b = baseline_share(baseline, stat.category)
    if b is None or b <= 0:
        return
    stat.baseline = b
    if stat.share_of_known is not None:
        stat.ratio = ratio_interval(stat.share_of_known, b)
    if stat.ci95 is not None:
        stat.ratio_ci95 = ratio_interval(stat.ci95, b)
    if stat.bounds is not None:
        stat.ratio_bounds = ratio_interval(stat.bounds, b)
    if not sensitivity or stat.count is None or not total:
        return
    k = stat.count
    # Where the unrecorded went: like the recorded, like the population, or all/none of them.
    if stat.ratio is not None:
        stat.sensitivity["like_recorded"] = stat.ratio
    like_population = [(k + u * b) / total / b for u in unknown]
    stat.sensitivity["like_population"] = span(like_population)
    if stat.ratio_bounds is not None:
        stat.sensitivity["none_in_category"] = (stat.ratio_bounds[0], stat.ratio_bounds[0])
        stat.sensitivity["all_in_category"] = (stat.ratio_bounds[1], stat.ratio_bounds[1])


def _r(x: float) -> float:
    return round(x, 6)


def _pair(p: tuple[float, float] | None) -> list[float] | None:
    return None if p is None else [_r(p[0]), _r(p[1])]
