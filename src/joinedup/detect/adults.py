"""Adult, vehicle and place rules: scores from the conduct ties around children, each
rule's evidence kept, so every flag says which events raised it and why.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from joinedup.detect.rulebook import EntityRules
from joinedup.detect.ties import Analysis, Tie


@dataclass
class RuleHit:
    rule_id: str
    version: int
    points: float
    why: str
    events: list[int]
    children: set[int] = field(default_factory=set)


@dataclass
class EntityResult:
    kind: str  # adult | vehicle | location
    entity: int
    hits: list[RuleHit]
    children: set[int]

    @property
    def score(self) -> float:
        return sum(h.points for h in self.hits)

    def strongest(self) -> RuleHit:
        return max(self.hits, key=lambda h: (h.points, -len(h.rule_id)))

    def reason(self) -> str:
        return "; ".join(h.why for h in self.hits)


def _kids(ties: list[Tie]) -> set[int]:
    return {t.child for t in ties}


def _events(ties: list[Tie]) -> list[int]:
    return sorted({t.event for t in ties})


def _n(children: set[int]) -> str:
    return "1 child" if len(children) == 1 else f"{len(children)} children"


def _collector(book: dict, hits: list[RuleHit]):  # type: ignore[no-untyped-def]
    """hit(rule_id, why, ties): add the rule's hit when it exists and has evidence."""

    def hit(rule_id: str, why: str, ties: list[Tie]) -> None:
        r = book.get(rule_id)
        if r is not None and ties:
            hits.append(RuleHit(r.id, r.version, r.points, why, _events(ties), _kids(ties)))

    return hit


def adult_ties(an: Analysis) -> dict[int, dict[str, list[Tie]]]:
    """Per adult: ties to him directly and through his vehicles, phones and home."""
    out: dict[int, dict[str, list[Tie]]] = defaultdict(lambda: defaultdict(list))
    owners: dict[tuple[str, int], set[int]] = {}
    for t in an.ties:
        if t.kind == "person":
            if t.other in an.adults:
                out[t.other]["direct"].append(t)
            continue
        key = (t.kind, t.other)
        if key not in owners:
            owners[key] = an.owners(t.kind, t.other)
        for a in owners[key]:
            if a in an.professionals or a in an.family.get(t.child, ()):
                continue
            if t.kind == "vehicle" and an.facts.persons[a].school_contract and t.how == "in_car":
                continue
            out[a][t.kind].append(t)
    return out


def exploitation_reports(an: Analysis, params: dict) -> dict[int, list[int]]:
    """Per adult: police arrests and intelligence whose text describes exploiting children
    (params `text`) naming him as suspect or by name, whether or not a child is named."""
    classes = set(params.get("incident_classes", ("arrest", "intelligence_report")))
    roles = set(params.get("roles", ("suspect", "mentioned")))
    patterns = [re.compile(p, re.I) for p in params.get("text", ())]
    out: dict[int, set[int]] = defaultdict(set)
    for e in an.facts.events.values():
        if e.type != "police_incident" or e.attrs.get("incident_class") not in classes:
            continue
        if not any(p.search(e.text) for p in patterns):
            continue
        for x in e.parts:
            a = x.entity
            if x.kind == "person" and x.role in roles and a in an.adults:
                if a not in an.professionals:
                    out[a].add(e.id)
    return {a: sorted(ids) for a, ids in out.items()}


def score_adults(an: Analysis, rules: EntityRules) -> dict[int, EntityResult]:
    book = {r.id: r for r in rules.rules}
    results: dict[int, EntityResult] = {}
    for a, by in adult_ties(an).items():
        hits: list[RuleHit] = []
        hit = _collector(book, hits)

        direct = by.get("direct", [])
        found = [t for t in direct if t.how in ("found_with", "hotel_guest")]
        hit("adult_found_with_missing_child",
            f"found with {_n(_kids(found))} while missing", found)  # fmt: skip
        named = [t for t in direct if t.how == "named"]
        hit("adult_named_by_child", f"named in the records of {_n(_kids(named))}", named)
        every = [t for ties in by.values() for t in ties if t.weight >= 1.0]
        need = int(book["adult_linked_to_several_children"].params.get("children", 2))
        if len(_kids(every)) >= need:
            hit("adult_linked_to_several_children",
                f"tied by events to {_n(_kids(every))} who are not his family", every)  # fmt: skip
        cars = [t for t in by.get("vehicle", []) if t.how in ("found_in", "named") or t.weight >= 3]
        hit("adult_driver_of_vehicle_with_missing_children",
            f"his vehicle carried or was named by {_n(_kids(cars))}", cars)  # fmt: skip
        home = [
            t for t in by.get("location", []) if t.how in ("found_at_residential", "at_address")
        ]
        hit("adult_at_address_where_children_found",
            f"{_n(_kids(home))} found at his address while missing or there in a police "
            "report", home)  # fmt: skip
        hit("adult_phone_contact_with_child",
            f"his phone is in the records of {_n(_kids(by.get('phone', [])))}",
            by.get("phone", []))  # fmt: skip
        reports = [t for t in direct if t.how == "victim_report"]
        hit("adult_named_with_child_victim",
            f"named in an exploitation report with {_n(_kids(reports))} as victim",
            reports)  # fmt: skip
        if hits:
            results[a] = EntityResult("adult", a, hits, _kids(every) | _kids(direct))
    suspect = book.get("adult_suspect_in_exploitation_report")
    if suspect is not None:
        for a, ids in exploitation_reports(an, suspect.params).items():
            res = results.setdefault(a, EntityResult("adult", a, [], set()))
            n = len(ids)
            res.hits.append(RuleHit(suspect.id, suspect.version, suspect.points,
                                    f"suspect in {n} police report{'s' if n > 1 else ''} "
                                    "of child exploitation", ids))  # fmt: skip
    flagged = {a for a, r in results.items() if r.score >= rules.threshold}
    assoc = book.get("adult_associated_with_flagged_adults")
    if assoc is not None:
        links: dict[int, set[tuple[int, int]]] = defaultdict(set)
        for x, y, _how, ev in an.adult_links:
            if y in flagged and x != y:
                links[x].add((y, ev))
            if x in flagged and x != y:
                links[y].add((x, ev))
        for a, pairs in links.items():
            if a in an.professionals or a not in an.adults:
                continue
            others = {b for b, _ in pairs}
            res = results.setdefault(a, EntityResult("adult", a, [], set()))
            res.hits.append(RuleHit(assoc.id, assoc.version, assoc.points,
                                    f"associated with {len(others)} flagged adult(s)",
                                    sorted({ev for _, ev in pairs})))  # fmt: skip
    return {a: r for a, r in results.items() if r.score >= rules.threshold}


def score_objects(an: Analysis, rules: EntityRules) -> dict[tuple[str, int], EntityResult]:
    book = {r.id: r for r in rules.rules}
    by: dict[tuple[str, int], list[Tie]] = defaultdict(list)
    for t in an.ties:
        if t.kind in ("vehicle", "location"):
            by[(t.kind, t.other)].append(t)
    results: dict[tuple[str, int], EntityResult] = {}
    for (kind, entity), ties in by.items():
        hits: list[RuleHit] = []
        hit = _collector(book, hits)

        if kind == "vehicle":
            strong = [t for t in ties if t.weight >= 1.0]
            need = int(book["vehicle_with_several_children"].params.get("children", 2))
            if len(_kids(strong)) >= need:
                hit("vehicle_with_several_children", f"seen with {_n(_kids(strong))}", strong)
            missing = [t for t in ties if t.how in ("found_in", "named")]
            hit("vehicle_at_missing_episodes",
                f"found with or named by {_n(_kids(missing))} while missing", missing)  # fmt: skip
        else:
            private = [t for t in ties if t.how in ("found_at_residential", "found_at_hotel")]
            need = int(book["place_where_missing_children_found"].params.get("children", 2))
            if len(_kids(private)) >= need:
                hit("place_where_missing_children_found",
                    f"{_n(_kids(private))} found here while missing", private)  # fmt: skip
            found = [t for t in ties if t.how.startswith("found_at")]  # while missing
            need = int(book["place_hotspot"].params.get("children", 3))
            if len(_kids(found)) >= need:
                hit("place_hotspot", f"a place {_n(_kids(found))} were found while missing", found)
        if hits:
            results[(kind, entity)] = EntityResult(kind, entity, hits, _kids(ties))
    return {k: r for k, r in results.items() if r.score >= rules.threshold}
