"""The profile as a report: analyses of every table, JSON, one CSV per table, and a
self-contained HTML page (inline SVG charts, no script, no external assets).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from joinedup.stats.charts import bar_chart
from joinedup.stats.claims import ClaimError, ClaimResult, check_claim, parse_claim
from joinedup.stats.profile import Profile
from joinedup.stats.shares import TableAnalysis, analyse
from joinedup.stats.summary import summarise
from joinedup.stats.tables import CountTable, TwoWayTable, safe_cell, show

DEFAULT_CLAIM_TABLE = "offenders.ethnicity_self_group"
SECTIONS = (
    ("victims", "Victims"),
    ("offenders", "Suspects and offenders"),
    ("flagged_child", "Flagged children (leads, not verdicts)"),
    ("flagged_adult", "Flagged adults (leads, not verdicts)"),
    ("groups", "Groups (leads, not verdicts)"),
    ("offences", "Police incidents"),
    ("events", "Events"),
)
NOUNS = {
    "victims": "victims",
    "offenders": "suspects and offenders",
    "flagged_child": "flagged children",
    "flagged_adult": "flagged adults",
    "groups": "groups",
    "events": "events",
    "offences": "police incidents",
}


def analyse_profile(
    profile: Profile, baseline: dict[str, float] | None = None, *, sensitivity: bool = False
) -> dict[str, TableAnalysis]:
    return {t.key: analyse(t, baseline, sensitivity=sensitivity) for t in profile.tables}


def profile_claims(
    analyses: dict[str, TableAnalysis],
    claims: list[str] | tuple[str, ...],
    default_table: str = DEFAULT_CLAIM_TABLE,
) -> list[ClaimResult]:
    """Check each claim against its table ("TABLE: claim"), by default offenders' ethnicity."""
    results = []
    for text in claims:
        claim = parse_claim(text)
        key = claim.table or default_table
        if key not in analyses:
            raise ClaimError(f"{text!r}: no table {key!r}; tables: {', '.join(analyses)}")
        results.append(check_claim(analyses[key], claim))
    return results


def profile_summary(
    profile: Profile, analyses: dict[str, TableAnalysis], claims: list[ClaimResult]
) -> list[str]:
    counts = {p.key: p.count for p in profile.populations}
    return summarise(analyses, NOUNS, claims, counts, profile.notes)


def profile_json(
    profile: Profile,
    analyses: dict[str, TableAnalysis],
    claims: list[ClaimResult],
    summary: list[str],
) -> dict[str, Any]:
    return {
        "scope": profile.scope.as_json(),
        "generated_at": profile.generated_at.isoformat(timespec="seconds"),
        "unit": profile.unit,
        "controlled": profile.controlled,
        "threshold": profile.threshold,
        "rounded_to": profile.rounded_to,
        "populations": [
            {
                "key": p.key,
                "title": p.title,
                "definition": p.definition,
                "count": "c" if p.count is None else p.count,
            }
            for p in profile.populations
        ],
        "groups_available": profile.groups_available,
        "definitions": profile.definitions,
        "notes": profile.notes,
        "summary": summary,
        "claims": [c.as_json() for c in claims],
        "tables": {k: a.as_json() for k, a in analyses.items()},
        "two_way": {tw.key: two_way_json(tw) for tw in profile.two_way},
    }


def two_way_json(tw: TwoWayTable) -> dict[str, Any]:
    def v(x: int | None) -> int | str:
        return "c" if x is None else x

    return {
        "title": tw.title,
        "rows": tw.rows,
        "cols": tw.cols,
        "cells": [[v(tw.cells[(r, c)]) for c in tw.cols] for r in tw.rows],
        "row_totals": [v(tw.row_totals[r]) for r in tw.rows],
        "col_totals": [v(tw.col_totals[c]) for c in tw.cols],
        "total": v(tw.total),
        "controlled": tw.controlled,
    }


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def fmt_range(p: tuple[float, float] | None) -> str:
    if p is None:
        return ""
    return _pct(p[0]) if p[0] == p[1] else f"{_pct(p[0])} – {_pct(p[1])}"


def fmt_ratio(p: tuple[float, float] | None) -> str:
    if p is None:
        return ""
    return f"{p[0]:.2f}" if p[0] == p[1] else f"{p[0]:.2f} – {p[1]:.2f}"


def completeness_text(a: TableAnalysis) -> str:
    if a.recorded is None or a.total is None:
        return "c"
    lo, hi = a.recorded
    n = f"{lo:,}" if lo == hi else f"{lo:,}–{hi:,}"
    share = "" if not a.total else f" ({fmt_range((lo / a.total, hi / a.total))})"
    return f"{n} / {a.total:,}{share}"


_ENV = Environment(
    loader=PackageLoader("joinedup.stats", "templates"),
    autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(
    profile: Profile,
    analyses: dict[str, TableAnalysis],
    claims: list[ClaimResult],
    summary: list[str],
    *,
    actor: str = "",
    recipient: str | None = None,
    purpose: str | None = None,
    sensitivity: bool = False,
) -> str:
    """The report page: one file, charts as inline SVG, no script, every value escaped."""
    sections = []
    for pop, title in SECTIONS:
        items = [a for a in analyses.values() if a.table.population == pop]
        if items:
            sections.append({"title": title, "analyses": items})
    scope = profile.scope
    scope_text = ", ".join(
        x
        for x in (
            f"area {scope.area}" if scope.area else "all areas",
            f"from {scope.date_from}" if scope.date_from else "",
            f"to {scope.date_to}" if scope.date_to else "",
        )
        if x
    )
    return _ENV.get_template("report.html.j2").render(
        title="Problem profile" + (f": {scope.area}" if scope.area else ""),
        generated_at=profile.generated_at.isoformat(timespec="seconds"),
        actor=actor,
        recipient=recipient,
        purpose=purpose,
        scope_text=scope_text,
        unit_text=profile.definitions.get("unit", profile.unit),
        controlled=profile.controlled,
        threshold=profile.threshold,
        rounded_to=profile.rounded_to,
        summary=summary,
        populations=profile.populations,
        notes=profile.notes,
        claims=claims,
        sections=sections,
        two_way=profile.two_way,
        definitions=profile.definitions,
        sensitivity=sensitivity,
        charts={k: bar_chart(a) for k, a in analyses.items()},
        completeness={k: completeness_text(a) for k, a in analyses.items()},
        has_baseline={k: any(r.baseline is not None for r in a.rows) for k, a in analyses.items()},
        fmt_range=fmt_range,
        fmt_ratio=fmt_ratio,
        fmt_pct=_pct,
        show=show,
    )


def table_csv_rows(a: TableAnalysis) -> list[list[str]]:
    head = [
        "category",
        "count",
        "unknown",
        "share_of_known_lo",
        "share_of_known_hi",
        "ci95_lo",
        "ci95_hi",
        "bounds_lo",
        "bounds_hi",
        "baseline",
        "ratio_lo",
        "ratio_hi",
        "ratio_ci95_lo",
        "ratio_ci95_hi",
        "ratio_bounds_lo",
        "ratio_bounds_hi",
    ]
    rows = [head]
    for r in a.rows:
        cells: list[object] = [r.category, show(r.count).replace(",", ""), r.unknown]
        for pair in (r.share_of_known, r.ci95, r.bounds):
            cells += [None, None] if pair is None else [round(pair[0], 6), round(pair[1], 6)]
        cells.append(None if r.baseline is None else round(r.baseline, 6))
        for pair in (r.ratio, r.ratio_ci95, r.ratio_bounds):
            cells += [None, None] if pair is None else [round(pair[0], 6), round(pair[1], 6)]
        rows.append([safe_cell(c) for c in cells])
    rec = a.recorded
    rows.append(
        [
            "recorded",
            "c" if rec is None else (str(rec[0]) if rec[0] == rec[1] else f"{rec[0]}-{rec[1]}"),
        ]
    )
    rows.append(["total", "c" if a.total is None else str(a.total)])
    return rows


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


def write_report(
    profile: Profile,
    out_dir: Path,
    analyses: dict[str, TableAnalysis],
    claims: list[ClaimResult],
    summary: list[str],
    **html: Any,
) -> list[Path]:
    """report.html, profile.json, summary.txt and tables/<key>.csv; returns the files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "tables").mkdir(exist_ok=True)
    written = [out_dir / "report.html", out_dir / "profile.json", out_dir / "summary.txt"]
    written[0].write_text(render_html(profile, analyses, claims, summary, **html), "utf-8")
    data = profile_json(profile, analyses, claims, summary)
    written[1].write_text(json.dumps(data, indent=2, default=str) + "\n", "utf-8")
    written[2].write_text("\n".join(summary) + "\n", "utf-8")
    for key, a in analyses.items():
        path = out_dir / "tables" / f"{key}.csv"
        write_csv(path, table_csv_rows(a))
        written.append(path)
    for tw in profile.two_way:
        path = out_dir / "tables" / f"{tw.key}.csv"
        rows = [[tw.row_label or "row", *tw.cols, "total"]]
        rows += [
            [
                r,
                *(show(tw.cells[(r, c)]).replace(",", "") for c in tw.cols),
                show(tw.row_totals[r]).replace(",", ""),
            ]
            for r in tw.rows
        ]
        rows.append(
            [
                "total",
                *(show(tw.col_totals[c]).replace(",", "") for c in tw.cols),
                show(tw.total).replace(",", ""),
            ]
        )
        write_csv(path, [[safe_cell(c) for c in row] for row in rows])
        written.append(path)
    return written


def count_table_from_csv_rows(rows: list[list[str]], key: str) -> CountTable:
    """Read back a table written by `table_csv_rows` (for checking an export agrees)."""
    counts: dict[str, int | None] = {}
    unknown: dict[str, int | None] = {}
    total: int | None = None
    for row in rows[1:]:
        if row[0] == "recorded":
            continue
        value = None if row[1] == "c" else int(row[1])
        if row[0] == "total":
            total = value
        elif row[2] == "True":
            unknown[row[0]] = value
        else:
            counts[row[0]] = value
    return CountTable(key, key, counts, unknown, total)
