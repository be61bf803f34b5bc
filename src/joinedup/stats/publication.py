"""Publication mode: a whole profile under disclosure control, with linked tables (a detailed
table and its groups; events by type and month and their margins) protected together.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from joinedup.access.roles import Permission
from joinedup.stats.disclosure import (
    DEFAULT_THRESHOLD,
    control_linked,
    control_one_way,
    control_two_way,
    withhold,
)
from joinedup.stats.profile import Profile
from joinedup.stats.tables import CountTable, TwoWayTable


def controlled_only(actor: Any) -> bool:
    """Whether `actor` may only ever receive controlled output: anyone who may not read
    personal data (the researcher role), whatever they ask for."""
    return not actor.can(Permission.read_personal)


def controlled(
    profile: Profile, threshold: int = DEFAULT_THRESHOLD, round_to: int | None = None
) -> Profile:
    """`profile` as it may leave the system: every table and every count controlled."""
    if profile.controlled:
        return profile
    if threshold < 1:
        raise ValueError("the suppression threshold must be at least 1")
    by_key = {t.key: t for t in profile.tables}
    out: dict[str, CountTable] = {}
    small = {p.key for p in profile.populations if p.count is not None and 0 < p.count < threshold}
    for t in profile.tables:
        if t.key in out:
            continue
        if t.population in small:
            out[t.key] = withhold(t)
        elif t.rolls_up_to and t.rolls_up_to in by_key:
            out[t.key], out[t.rolls_up_to] = control_linked(
                t, by_key[t.rolls_up_to], threshold, round_to
            )
        elif t.key not in ("events.type", "events.month", "offences.class"):
            out[t.key] = control_one_way(t, threshold, round_to)
    two_way = [control_two_way(tw, threshold, round_to) for tw in profile.two_way]
    _events_from_margins(by_key, out, two_way, threshold, round_to)
    # A population whose total had to be hidden anywhere is withheld everywhere, so that no
    # table gives away a total another hides.
    hidden_total = {t.population for t in out.values() if t.total is None}
    for key, t in out.items():
        if t.population in hidden_total and t.total is not None:
            out[key] = withhold(t)
    populations = [
        replace(p, count=None if p.key in hidden_total or p.key in small else p.count)
        for p in profile.populations
    ]
    notes = [*(_small_in_note(n, threshold) for n in profile.notes), _note(threshold, round_to)]
    return replace(
        profile,
        populations=populations,
        tables=[out[t.key] for t in profile.tables],
        two_way=two_way,
        notes=notes,
        controlled=True,
        threshold=threshold,
        rounded_to=round_to,
    )


def _events_from_margins(
    by_key: dict[str, CountTable],
    out: dict[str, CountTable],
    two_way: list[TwoWayTable],
    threshold: int,
    round_to: int | None,
) -> None:
    """Events by type and by month are the margins of events by type and month: publish
    exactly the controlled margins, so the three tables agree on every "c"."""
    grid = next((tw for tw in two_way if tw.key == "events.type_by_month"), None)
    kinds, months = by_key.get("events.type"), by_key.get("events.month")
    if grid is None or kinds is None or months is None:
        for key in ("events.type", "events.month", "offences.class"):
            if key in by_key:
                out[key] = control_one_way(by_key[key], threshold, round_to)
        return
    extra = dict.fromkeys(kinds.unknown, 0)
    out["events.type"] = kinds.with_cells(
        {k: grid.row_totals.get(k, 0) for k in kinds.counts} | extra,
        grid.total,
        controlled=True,
        rounded_to=round_to,
    )
    month_cells = {m: grid.col_totals.get(m, 0) for m in months.counts}
    month_cells |= {u: grid.col_totals.get(u, 0) for u in months.unknown}
    out["events.month"] = months.with_cells(
        month_cells, grid.total, controlled=True, rounded_to=round_to
    )
    offences = by_key.get("offences.class")
    if offences is not None:
        incidents = grid.row_totals.get("police_incident", 0)
        # Police incidents by class add up to the police_incident row: hidden there, hidden here.
        out["offences.class"] = (
            withhold(offences)
            if incidents is None and offences.total
            else control_one_way(offences, threshold, round_to)
        )


def _small_in_note(note: str, threshold: int) -> str:
    """A note that counts something (mentions left unresolved) obeys the threshold too."""
    m = re.match(r"([\d,]+) ", note)
    if m and 0 < int(m.group(1).replace(",", "")) < threshold:
        return "c" + note[m.end(1) :]
    return note


def _note(threshold: int, round_to: int | None) -> str:
    shown = f"1-{threshold - 1}" if threshold > 2 else "1"
    text = (
        f"Disclosure control: counts of {shown} are shown as 'c', and further cells are "
        "shown as 'c' where needed so that none can be worked out from the totals; every "
        "share, interval and bound is computed from the published counts only."
    )
    if round_to:
        text += f" Published counts are rounded to the nearest {round_to}."
    return text
