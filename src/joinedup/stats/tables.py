"""Count tables (one-way with unknown rows, and two-way) and reading/writing them as CSV.

A table holds counts only; a count of None is a suppressed cell, shown as "c". Every
statistic is computed from a table by joinedup.stats.shares, so a controlled table can
only ever yield figures derived from what it publishes.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from pathlib import Path

SUPPRESSED = "c"
Count = int | None  # None: suppressed


class TableError(ValueError):
    """A table or baseline file that cannot be read; the message says where and why."""


@dataclass
class CountTable:
    """Counts of one characteristic over one population: known categories + unknown rows."""

    key: str  # e.g. "victims.sex"
    title: str
    counts: dict[str, Count]  # recorded categories, in display order
    unknown: dict[str, Count]  # e.g. {"unrecorded": 12, "conflicting": 1}
    total: Count
    population: str = ""
    characteristic: str = ""
    note: str = ""
    controlled: bool = False  # disclosure control applied
    rounded_to: int | None = None
    # A detailed table whose categories add up to another table's (e.g. ethnicity groups):
    # the key of that table and category -> its category there. Controlled together.
    rolls_up_to: str | None = None
    roll_up: dict[str, str] = field(default_factory=dict)

    @property
    def categories(self) -> list[str]:
        return [*self.counts, *self.unknown]

    def cell(self, name: str) -> Count:
        return self.counts[name] if name in self.counts else self.unknown[name]

    def find(self, name: str) -> str | None:
        """The category called `name`, ignoring case, spaces, '-' and '_'."""
        want = _fold(name)
        for c in self.categories:
            if _fold(c) == want:
                return c
        return None

    def with_cells(self, cells: dict[str, Count], total: Count, **changes: object) -> CountTable:
        return replace(
            self,
            counts={c: cells[c] for c in self.counts},
            unknown={c: cells[c] for c in self.unknown},
            total=total,
            **changes,  # type: ignore[arg-type]
        )


@dataclass
class TwoWayTable:
    """Counts by two characteristics, with row, column and grand totals."""

    key: str
    title: str
    rows: list[str]
    cols: list[str]
    cells: dict[tuple[str, str], Count]
    row_totals: dict[str, Count] = field(default_factory=dict)
    col_totals: dict[str, Count] = field(default_factory=dict)
    total: Count = 0
    row_label: str = ""
    col_label: str = ""
    note: str = ""
    controlled: bool = False
    rounded_to: int | None = None

    @classmethod
    def from_cells(
        cls,
        key: str,
        title: str,
        cells: dict[tuple[str, str], int],
        rows: list[str],
        cols: list[str],
        **kw: object,
    ) -> TwoWayTable:
        full = {(r, c): cells.get((r, c), 0) for r in rows for c in cols}
        return cls(
            key,
            title,
            rows,
            cols,
            full,  # type: ignore[arg-type]
            {r: sum(full[(r, c)] for c in cols) for r in rows},
            {c: sum(full[(r, c)] for r in rows) for c in cols},
            sum(full.values()),
            **kw,  # type: ignore[arg-type]
        )


def _fold(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def one_way(
    key: str, title: str, counts: dict[str, int], unknown: dict[str, int], **kw: object
) -> CountTable:
    """A table whose total is the sum of its cells."""
    total = sum(counts.values()) + sum(unknown.values())
    return CountTable(key, title, dict(counts), dict(unknown), total, **kw)  # type: ignore[arg-type]


def read_count_table(
    path: Path, *, unknown: tuple[str, ...] = ("unknown",), key: str | None = None
) -> CountTable:
    """A CSV of category counts (header row; category then count) with its unknown row(s).

    `unknown` names the rows that mean "not recorded" (matched ignoring case); at least
    one must be present, even with a count of 0, so that nothing is silently dropped.
    """
    rows = _read_pairs(path, "count")
    counts: dict[str, int] = {}
    unknowns: dict[str, int] = {}
    wanted = {_fold(u) for u in unknown}
    for line, name, value in rows:
        try:
            n = int(value.replace(",", "").strip())
        except ValueError:
            raise TableError(
                f"{path}, line {line}: count {value!r} is not a whole number"
            ) from None
        if n < 0:
            raise TableError(f"{path}, line {line}: count {n} is negative")
        target = unknowns if _fold(name) in wanted else counts
        if name in target:
            raise TableError(f"{path}, line {line}: category {name!r} appears twice")
        target[name] = n
    if not unknowns:
        raise TableError(
            f"{path}: no unknown row ({', '.join(repr(u) for u in unknown)}); add one "
            "(with its count, 0 if none) or name yours with --unknown"
        )
    if not counts:
        raise TableError(f"{path}: no recorded categories besides the unknown row")
    return one_way(key or path.stem, "The category", counts, unknowns)


def read_baseline(path: Path) -> dict[str, float]:
    """A CSV of population shares (category, share) or counts (category, count)."""
    rows = _read_pairs(path, "share")
    values: dict[str, float] = {}
    for line, name, value in rows:
        text = value.strip().rstrip("%")
        try:
            v = float(text.replace(",", ""))
        except ValueError:
            raise TableError(f"{path}, line {line}: {value!r} is not a number") from None
        if v < 0:
            raise TableError(f"{path}, line {line}: {v} is negative")
        values[name] = v / 100 if value.strip().endswith("%") else v
    total = sum(values.values())
    if total <= 0:
        raise TableError(f"{path}: the baseline shares add up to 0")
    if total > 1.02:  # counts (or percentages without %): make them shares
        values = {k: v / total for k, v in values.items()}
    elif total < 0.98:
        raise TableError(
            f"{path}: the baseline shares add up to {total:.3f}, not 1; give every category "
            "(shares or counts)"
        )
    return values


def baseline_share(baseline: dict[str, float], category: str) -> float | None:
    want = _fold(category)
    for name, share in baseline.items():
        if _fold(name) == want:
            return share
    return None


def _read_pairs(path: Path, what: str) -> list[tuple[int, str, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise TableError(f"cannot read {path}: {exc.strerror}") from None
    reader = csv.reader(io.StringIO(text))
    out: list[tuple[int, str, str]] = []
    for line, row in enumerate(reader, start=1):
        if line == 1 or not any(cell.strip() for cell in row):
            continue  # the header, and blank lines
        if len(row) < 2:
            raise TableError(f"{path}, line {line}: need two columns (category, {what})")
        out.append((line, row[0].strip(), row[1]))
    if not out:
        raise TableError(f"{path}: no rows after the header (category, {what})")
    return out


def safe_cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def show(count: Count) -> str:
    return SUPPRESSED if count is None else f"{count:,}"
