"""The child indicator framework: vulnerabilities, moderate and significant indicators read
from records, scored into bands with floors. Every indicator names its evidence events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from fnmatch import fnmatchcase
from typing import Any

from joinedup.detect.rulebook import BANDS, ChildRules, Indicator
from joinedup.detect.ties import Analysis

SUBJECT_ROLES = ("missing_person", "pupil", "patient", "subject", "victim")


@dataclass
class Hit:
    indicator: Indicator
    points: float
    events: list[int]


@dataclass
class ChildResult:
    entity: int
    score: float
    band: str
    hits: list[Hit] = field(default_factory=list)
    floor: str | None = None  # why the band was lifted, if it was

    def reason(self) -> str:
        parts = [f"{h.indicator.title} ({h.indicator.tier}, {h.points:g})" for h in self.hits]
        text = f"Band {self.band.replace('_', ' ')}, score {self.score:g}: " + "; ".join(parts)
        return text + (f". {self.floor}" if self.floor else "")


def reference_day(an: Analysis) -> date:
    """The as-of date, or the last event's day: where "recent" windows count back from."""
    if an.facts.as_of is not None:
        return an.facts.as_of
    if an.today is None:
        an.today = max((e.day for e in an.facts.events.values()), default=date.today())
    return an.today


def _value_matches(actual: Any, wanted: tuple[str, ...]) -> bool:
    if actual is None:
        return False
    text = str(actual)
    return any(fnmatchcase(text.lower(), w.lower()) for w in wanted)


def _derived_events(an: Analysis, ind: Indicator, child: int, since: date | None) -> list[int]:
    def recent(days: list[tuple[date, int]]) -> list[int]:
        return [e for d, e in days if since is None or d >= since]

    name = ind.derived
    if name == "repeat_missing":
        days = [(an.facts.events[e].day, e) for e in an.missing.get(child, ())]
        out = recent(days)
        return out if len(out) >= int(ind.params.get("episodes", 3)) else []
    if name == "warning_notice":
        return recent([(an.facts.events[e].day, e) for e in an.warning_notices.get(child, ())])
    how = {
        "found_with_unrelated_adult": ("person", ("found_with", "hotel_guest")),
        "found_at_unknown_address": ("location", ("found_at_residential",)),
        "found_at_hotel": ("location", ("found_at_hotel",)),
        "in_car_with_adults": (None, ("in_car", "found_in")),
        "named_unrelated_adult": ("person", ("named", "victim_report")),
    }[str(name)]
    kind, hows = how
    ties = an.ties_by_child.get(child, ())  # type: ignore[attr-defined]
    return recent(
        [(t.day, t.event) for t in ties if t.how in hows and (kind is None or t.kind == kind)]
    )


class ChildScorer:
    def __init__(self, rules: ChildRules):
        self.rules = rules
        self.patterns = {
            i.id: [re.compile(p) for p in (i.match.text if i.match else ())]
            for i in rules.indicators
        }

    def matched_events(self, an: Analysis, ind: Indicator, child: int, since: date | None):
        if ind.derived:
            return _derived_events(an, ind, child, since)
        m = ind.match
        assert m is not None
        roles = m.roles or SUBJECT_ROLES
        out = []
        for eid in an.facts.persons[child].events:
            e = an.facts.events[eid]
            if since is not None and e.day < since:
                continue
            if m.event_types and e.type not in m.event_types:
                continue
            mine = [x for x in e.parts if x.kind == "person" and x.entity == child]
            mine = [x for x in mine if x.role in roles]
            if not mine:
                continue
            if any(not _value_matches(e.attrs.get(k), v) for k, v in m.event_attrs.items()):
                continue
            if m.person_attrs and not any(
                all(_value_matches(x.attrs.get(k), v) for k, v in m.person_attrs.items())
                for x in mine
            ):
                continue
            pats = self.patterns[ind.id]
            if pats and not any(p.search(e.text) for p in pats):
                continue
            out.append(eid)
        return sorted(set(out))

    def score(self, an: Analysis, child: int) -> ChildResult:
        today = reference_day(an)
        hits: list[Hit] = []
        for ind in self.rules.indicators:
            days = ind.window_days or self.rules.windows.get(ind.tier)
            since = today - timedelta(days=days) if days else None
            events = self.matched_events(an, ind, child, since)
            if len(events) >= ind.min_count:
                hits.append(Hit(ind, float(self.rules.points[ind.tier]), events))
        score = sum(h.points for h in hits)
        band = "not_at_risk"
        for b in BANDS[1:]:
            if score >= self.rules.bands.get(b, float("inf")):  # type: ignore[call-overload]
                band = b
        result = ChildResult(child, score, band, hits)
        floors = self.rules.floors
        indicator = any(h.indicator.tier != "vulnerability" for h in hits)
        if BANDS.index(floors.applies_from) <= BANDS.index(band) < BANDS.index(floors.band) and (
            indicator or not floors.needs_indicator
        ):
            age = an.facts.persons[child].age_on(today)
            ld = any(h.indicator.id == "child_learning_disability" for h in hits)
            if age is not None and age < floors.under_age:
                result.floor = f"Raised to {floors.band}: under {floors.under_age}"
            elif ld and floors.learning_disability:
                result.floor = f"Raised to {floors.band}: learning disability"
            if result.floor:
                result.band = floors.band
        return result
