"""Honest statistics: problem profiles with completeness, intervals, bounds, claim checks and
disclosure control (issue 6; docs/statistics.md).

Public API (import from here; the web workbench and the CLI use nothing else):

- ``build_profile(conn, *, area=None, date_from=None, date_to=None) -> Profile``: exact
  counts from the store (analysts and supervisors only; never hand it to a researcher).
- ``profile_for(conn, actor, *, area=None, date_from=None, date_to=None, publication=False,
  threshold=5, round_to=None) -> Profile``: the profile this actor may receive: controlled
  whenever ``controlled_only(actor)`` (the researcher role), whatever they ask for, and
  never with a threshold below the default.
- ``controlled(profile, threshold=5, round_to=None) -> Profile``: publication mode: small
  counts and their partners shown as "c" (None), optional rounding.
- ``analyse_profile(profile, baseline=None, sensitivity=False) -> {key: TableAnalysis}``;
  ``analyse_table(table, baseline=None, sensitivity=False) -> TableAnalysis``: shares,
  Wilson intervals, bounds and ratios, computed from published cells only.
- ``check_claim(analysis, "White > 0.5") -> ClaimResult``; ``profile_claims(analyses,
  claims)`` checks "TABLE: claim" strings against a profile.
- ``profile_summary(profile, analyses, claims) -> [sentence]``;
  ``render_html(profile, analyses, claims, summary, actor=, recipient=, purpose=) -> str``;
  ``profile_json(...)``; ``write_report(profile, out_dir, analyses, claims, summary)``.
- ``read_count_table(path, unknown=("unknown",))``, ``read_baseline(path)``,
  ``control_one_way(table, threshold)`` for tables users bring.

Callers authorise (``read_statistics``) and audit: a consultation for a view, a disclosure
(with recipient and purpose) for a report that leaves the system.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection

from joinedup.stats.claims import Claim, ClaimError, ClaimResult, check_claim, parse_claim
from joinedup.stats.disclosure import DEFAULT_THRESHOLD, control_one_way, control_two_way
from joinedup.stats.profile import Population, Profile, build_profile
from joinedup.stats.publication import controlled, controlled_only
from joinedup.stats.report import (
    analyse_profile,
    profile_claims,
    profile_json,
    profile_summary,
    render_html,
    write_report,
)
from joinedup.stats.shares import CategoryStat, TableAnalysis
from joinedup.stats.shares import analyse as analyse_table
from joinedup.stats.tables import (
    CountTable,
    TableError,
    TwoWayTable,
    read_baseline,
    read_count_table,
)


def profile_for(
    conn: Connection,
    actor: Any,
    *,
    area: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    publication: bool = False,
    threshold: int = DEFAULT_THRESHOLD,
    round_to: int | None = None,
) -> Profile:
    """The profile `actor` may receive; researchers only ever get controlled output."""
    profile = build_profile(conn, area=area, date_from=date_from, date_to=date_to)
    if controlled_only(actor):  # no flag can lower their protection below the default
        return controlled(profile, max(threshold, DEFAULT_THRESHOLD), round_to)
    if publication:
        return controlled(profile, threshold, round_to)
    return profile


__all__ = [
    "DEFAULT_THRESHOLD",
    "CategoryStat",
    "Claim",
    "ClaimError",
    "ClaimResult",
    "CountTable",
    "Population",
    "Profile",
    "TableAnalysis",
    "TableError",
    "TwoWayTable",
    "analyse_profile",
    "analyse_table",
    "build_profile",
    "check_claim",
    "control_one_way",
    "control_two_way",
    "controlled",
    "controlled_only",
    "parse_claim",
    "profile_claims",
    "profile_for",
    "profile_json",
    "profile_summary",
    "read_baseline",
    "read_count_table",
    "render_html",
    "write_report",
]
