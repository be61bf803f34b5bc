"""Claim checks: "White > 0.5" or "Asian / population > 1", answered from a table's bounds.

Grammar: [TABLE:] CATEGORY [/ population] OP NUMBER, with OP one of > >= < <= and NUMBER
a share (0.5 or 50%) or, after "/ population", a representation ratio. Verdicts:
supported, contradicted, or cannot be determined from this data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from joinedup.stats.shares import TableAnalysis

SUPPORTED = "supported"
CONTRADICTED = "contradicted"
UNDETERMINED = "cannot be determined from this data"

_CLAIM = re.compile(
    r"""^\s*(?:(?P<table>[\w.]+)\s*:\s*)?
        (?P<category>[^<>=/]+?)\s*
        (?P<population>/\s*population\s*)?
        (?P<op>>=|<=|>|<)\s*
        (?P<number>[0-9]*\.?[0-9]+)\s*(?P<percent>%?)\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_WORDS = {">": "above", ">=": "at least", "<": "below", "<=": "at most"}


class ClaimError(ValueError):
    """A claim that cannot be parsed or does not fit the table; the message says why."""


@dataclass(frozen=True)
class Claim:
    text: str
    category: str
    op: str
    value: float
    ratio: bool  # "/ population": a representation ratio, not a share
    table: str | None = None


@dataclass
class ClaimResult:
    claim: Claim
    table: str
    verdict: str
    among_recorded: str  # supported | contradicted | undetermined
    explanation: str
    arithmetic: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "claim": self.claim.text,
            "table": self.table,
            "verdict": self.verdict,
            "among_recorded": self.among_recorded,
            "explanation": self.explanation,
            "arithmetic": self.arithmetic,
        }


def parse_claim(text: str) -> Claim:
    m = _CLAIM.match(text)
    if not m:
        raise ClaimError(
            f'cannot read the claim {text!r}: write CATEGORY OP NUMBER (e.g. "White > 0.5" '
            'or "White > 50%") or CATEGORY / population OP NUMBER (e.g. "Asian / population '
            "> 1\"), OP one of > >= < <=, optionally prefixed by a table key and ':'"
        )
    value = float(m["number"]) / (100 if m["percent"] else 1)
    ratio = bool(m["population"])
    if ratio and m["percent"]:
        raise ClaimError(f"{text!r}: a ratio to the population is a plain number (e.g. 1.5)")
    if not ratio and not 0 <= value <= 1:
        raise ClaimError(f"{text!r}: a share is between 0 and 1 (or 0% and 100%)")
    return Claim(text.strip(), m["category"].strip(), m["op"], value, ratio, m["table"])


def _holds(x: float, op: str, v: float) -> bool:
    return {">": x > v, ">=": x >= v, "<": x < v, "<=": x <= v}[op]


def _judge(interval: tuple[float, float], op: str, v: float) -> str:
    """Supported if every value in the interval satisfies the claim, contradicted if none."""
    lo, hi = interval
    if _holds(lo, op, v) and _holds(hi, op, v):
        return SUPPORTED
    if not _holds(lo, op, v) and not _holds(hi, op, v):
        return CONTRADICTED
    return UNDETERMINED


def check_claim(analysis: TableAnalysis, claim: Claim | str) -> ClaimResult:
    """The verdict on `claim` over everyone (bounds) and among the recorded (95% interval)."""
    if isinstance(claim, str):
        claim = parse_claim(claim)
    table = analysis.table
    name = table.find(claim.category)
    if name is None or name in table.unknown:
        known = ", ".join(table.counts) or "none"
        raise ClaimError(
            f"{claim.text!r}: no recorded category {claim.category!r} in {table.key} "
            f"(categories: {known})"
        )
    stat = analysis.row(name)
    what = "ratio to the population" if claim.ratio else "share"
    target = f"{what} {_WORDS[claim.op]} {_fmt(claim.value, claim.ratio)}"
    if stat.count is None:
        return ClaimResult(
            claim,
            table.key,
            UNDETERMINED,
            "undetermined",
            f"{name}: the count is suppressed (c), so the claim {target} "
            "cannot be checked from published figures",
        )
    if claim.ratio and stat.baseline is None:
        raise ClaimError(f"{claim.text!r}: give a population baseline with a share for {name}")
    if claim.ratio:
        point, ci, everyone = stat.ratio, stat.ratio_ci95, stat.ratio_bounds
    else:
        point, ci, everyone = stat.share_of_known, stat.ci95, stat.bounds
    assert ci is not None and everyone is not None
    overall = _judge(everyone, claim.op, claim.value)
    recorded = _judge(ci, claim.op, claim.value)
    among = {SUPPORTED: "supported", CONTRADICTED: "contradicted"}.get(recorded, "undetermined")
    lines = _arithmetic(analysis, name, claim.ratio)
    lo, hi = (_fmt(x, claim.ratio) for x in everyone)
    ci_text = f"{_fmt(ci[0], claim.ratio)} to {_fmt(ci[1], claim.ratio)}"
    if overall == SUPPORTED:
        text = (
            f"Supported: over everyone the {what} of {name} is between {lo} and {hi}, "
            f"{_WORDS[claim.op]} {_fmt(claim.value, claim.ratio)} whatever the unrecorded are."
        )
    elif overall == CONTRADICTED:
        text = (
            f"Contradicted: over everyone the {what} of {name} is between {lo} and {hi}, "
            f"never {_WORDS[claim.op]} {_fmt(claim.value, claim.ratio)}, whatever the "
            "unrecorded are."
        )
    else:
        if among == "supported":
            head = "True among the recorded but undetermined over everyone"
        elif among == "contradicted":
            head = "False among the recorded but undetermined over everyone"
        else:
            head = "Undetermined among the recorded and over everyone"
        pt = "" if point is None else f"{_fmt(point[0], claim.ratio)}, "
        text = (
            f"{head}: among those recorded the {what} of {name} is {pt}95% interval "
            f"{ci_text}; over everyone it could be anywhere from {lo} to {hi}, which "
            f"includes values on both sides of {_fmt(claim.value, claim.ratio)}. This data "
            "cannot settle the claim."
        )
    return ClaimResult(claim, table.key, overall, among, text, lines)


def _arithmetic(analysis: TableAnalysis, name: str, ratio: bool) -> list[str]:
    stat = analysis.row(name)
    rec, total = analysis.recorded, analysis.total
    assert rec is not None and total is not None and stat.count is not None
    k = stat.count
    n = f"{rec[0]:,}" if rec[0] == rec[1] else f"{rec[0]:,} to {rec[1]:,}"
    unknown_hi = total - rec[0]
    out = [
        f"{name}: {k:,}; recorded: {n}; unrecorded: {total - rec[1]:,}"
        + ("" if rec[0] == rec[1] else f" to {unknown_hi:,}")
        + f"; total: {total:,}"
    ]
    if stat.share_of_known and stat.ci95:
        out.append(
            f"share of the recorded = {k:,} / {n} = {_share(stat.share_of_known)}; "
            f"Wilson 95% interval {_pct(stat.ci95[0])} to {_pct(stat.ci95[1])}"
        )
    assert stat.bounds is not None
    out.append(
        f"over everyone: lower = {k:,} / {total:,} = {_pct(stat.bounds[0])}; upper = "
        f"({k:,} + {unknown_hi:,}) / {total:,} = {_pct(stat.bounds[1])}"
    )
    if ratio and stat.baseline is not None and stat.ratio_ci95 and stat.ratio_bounds:
        b = stat.baseline
        out.append(
            f"population share {_pct(b)}: ratio = share / {_pct(b)}; among the recorded "
            f"{_ratio_pair(stat.ratio)} (95% interval {_ratio_pair(stat.ratio_ci95)}); "
            f"over everyone {_ratio_pair(stat.ratio_bounds)}"
        )
    return out


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _share(p: tuple[float, float]) -> str:
    return _pct(p[0]) if p[0] == p[1] else f"{_pct(p[0])} to {_pct(p[1])}"


def _ratio_pair(p: tuple[float, float] | None) -> str:
    if p is None:
        return "n/a"
    return f"{p[0]:.2f}" if p[0] == p[1] else f"{p[0]:.2f} to {p[1]:.2f}"


def _fmt(x: float, ratio: bool) -> str:
    return f"{x:.2f}" if ratio else _pct(x)
