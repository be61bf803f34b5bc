"""Score detection's output: group leads, flags on adults, vehicles, places and children, timing.

Leads and flags name pipeline entities; each entity stands for the true entity most of its
mentions belong to. Denominators count only true entities some agency recorded (in_store):
the pipeline cannot find what no record mentions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from joinedup.evaluate.labels import Labelled
from joinedup.evaluate.metrics import censored_median, nearest_rank, ratio
from joinedup.evaluate.store_view import DetectionOut, EntityMap, FlagOut, GroupLeadOut
from joinedup.evaluate.truth import Truth

BANDS = ("not_at_risk", "mild", "moderate", "significant")
AT_RISK = frozenset({"moderate", "significant"})
FLAG_KIND = {"adult": "person", "child": "person", "vehicle": "vehicle", "location": "location"}
EntityKey = tuple[str, Hashable]  # (mention kind, entity id)
Identity = Mapping[EntityKey, str | None]  # entity -> its true identity


def identities(
    entities: EntityMap, labelled: Mapping[str, Labelled]
) -> dict[EntityKey, str | None]:
    """Each entity's true identity: the true entity of most of its mentions (ties: lowest id)."""
    votes: dict[EntityKey, Counter[str]] = {}
    for kind, lab in labelled.items():
        for m, label in zip(lab.mentions, lab.labels, strict=True):
            entity = entities.get(m.ref)
            if entity is None:
                continue
            c = votes.setdefault((kind, entity), Counter())
            if label is not None:
                c[label] += 1
    return {key: (min(c, key=lambda x: (-c[x], x)) if c else None) for key, c in votes.items()}


def _lead_people(lead: GroupLeadOut, identity: Identity) -> set[str]:
    return {p for e in lead["members"] if (p := identity.get(("person", e))) is not None}


def score_groups(
    truth: Truth,
    leads: Sequence[GroupLeadOut],
    flags: Sequence[FlagOut],
    identity: Identity,
    in_store: set[str],
) -> dict[str, Any]:
    """Share of groups found as a lead, of offenders in a lead, of lead adults who are innocent.

    An offender is "in a lead" when a group lead names them or an adult flag is on them
    (a lone offender can only ever be the second).
    """
    findable = [
        g for g in truth.groups.values() if g.kind == "group" and len(g.members & in_store) >= 2
    ]
    people = [_lead_people(lead, identity) for lead in leads]
    found = [g.group_id for g in findable if any(len(g.members & p) >= 2 for p in people)]
    offenders = truth.offenders & in_store
    in_leads = set().union(*people) if people else set()
    in_leads |= {
        p
        for f in flags
        if f["kind"] == "adult" and (p := identity.get(("person", f["entity"]))) is not None
    }
    adults: dict[Hashable, str] = {}
    unknown = 0
    for lead in leads:
        for e in lead["members"]:
            p = identity.get(("person", e))
            if p is None:
                unknown += 1
            elif truth.persons[p].kind == "adult":
                adults[e] = p
    innocent = sum(1 for p in adults.values() if p not in truth.offenders)
    return {
        "leads": len(leads),
        "true_groups": sum(1 for g in truth.groups.values() if g.kind == "group"),
        "true_groups_in_store": len(findable),
        "groups_found": ratio(len(found), len(findable)),
        "found": sorted(found),
        "offenders_in_store": len(offenders),
        "offenders_in_a_lead": ratio(len(offenders & in_leads), len(offenders)),
        "lead_adults": len(adults),
        "lead_adults_innocent": ratio(innocent, len(adults)),
        "lead_members_unknown": unknown,
    }


def _flag_score(flagged: list[str | None], positives: set[str]) -> dict[str, Any]:
    hits = sum(1 for x in flagged if x in positives)
    covered = len(positives & {x for x in flagged if x is not None})
    return {
        "flagged": len(flagged),
        "positives_in_store": len(positives),
        "precision": ratio(hits, len(flagged)),
        "recall": ratio(covered, len(positives)),
    }


def child_bands(flags: Iterable[FlagOut], identity: Identity) -> dict[str, str]:
    """Each true child's highest band across the flags on its entities."""
    best: dict[str, str] = {}
    for f in flags:
        band = f.get("band")
        if f["kind"] != "child" or band not in BANDS:
            continue
        p = identity.get(("person", f["entity"]))
        if p is not None and (p not in best or BANDS.index(band) > BANDS.index(best[p])):
            best[p] = band
    return best


def score_flags(
    truth: Truth, flags: Sequence[FlagOut], identity: Identity, in_store: Mapping[str, set[str]]
) -> dict[str, Any]:
    """Precision and recall of adult, vehicle and place flags; children by band."""

    def flagged(kind: str) -> list[str | None]:
        seen = {f["entity"] for f in flags if f["kind"] == kind}
        return [identity.get((FLAG_KIND[kind], e)) for e in seen]

    persons = in_store["person"]
    victims = truth.victims & persons
    others = (truth.children - truth.victims) & persons
    bands = child_bands(flags, identity)
    return {
        "adult": _flag_score(flagged("adult"), set(truth.offenders & persons)),
        "vehicle": _flag_score(flagged("vehicle"), set(truth.vehicles_used & in_store["vehicle"])),
        "location": _flag_score(
            flagged("location"), set(truth.locations_used & in_store["location"])
        ),
        "children": {
            "victims_in_store": len(victims),
            "victims_by_band": {
                b: ratio(sum(1 for v in victims if bands.get(v) == b), len(victims))
                for b in (*BANDS, None)
            },
            "non_victims_in_store": len(others),
            "non_victims_flagged": ratio(
                sum(1 for c in others if bands.get(c, BANDS[0]) != BANDS[0]), len(others)
            ),
        },
    }


def cutoffs(start: date, end: date, step_days: int) -> list[date]:
    """The as-of dates detection is run at: every step_days from start, and the end."""
    days = [start + timedelta(days=i) for i in range(step_days, (end - start).days + 1, step_days)]
    return days if days and days[-1] == end else [*days, end]


def score_timeliness(
    truth: Truth,
    runs: Sequence[tuple[date, DetectionOut]],
    identity_of: Mapping[int, Identity],
    in_store: set[str],
    window: tuple[date, date],
) -> dict[str, Any]:
    """Days from each group's first recorded evidence to the first as-of run naming it.

    Also: the share of victims at moderate or significant before their last abuse event.
    """
    first_evidence: dict[str, datetime] = {}
    for r in truth.records:
        if r.evidence and r.group_id and r.copy == "original":
            if r.received_at < first_evidence.get(r.group_id, datetime.max):
                first_evidence[r.group_id] = r.received_at
    groups = [
        g
        for g in truth.groups.values()
        if g.kind == "group" and g.group_id in first_evidence and len(g.members & in_store) >= 2
    ]
    first_named: dict[str, date] = {}
    at_risk_by: dict[str, date] = {}
    for i, (as_of, out) in enumerate(runs):
        identity = identity_of[i]
        people = [_lead_people(lead, identity) for lead in out["group_leads"]]
        for g in groups:
            if g.group_id not in first_named and any(len(g.members & p) >= 2 for p in people):
                first_named[g.group_id] = as_of
        for p, band in child_bands(out["flags"], identity).items():
            if band in AT_RISK and p not in at_risk_by:
                at_risk_by[p] = as_of
    rows, delays = [], []
    for g in groups:
        start = first_evidence[g.group_id]
        named = first_named.get(g.group_id)
        delay = (named - start.date()).days if named else None
        delays.append(delay)
        rows.append(
            {
                "group_id": g.group_id,
                "first_evidence": start.date().isoformat(),
                "first_lead": named.isoformat() if named else None,
                "delay_days": delay,
            }
        )
    city_start, city_end = window
    victims = [
        v
        for v in truth.victims & in_store
        if v in truth.last_abuse and truth.last_abuse[v].date() >= city_start
    ]

    def deadline(v: str) -> date:  # a last abuse after the window: any run in it counts
        last = truth.last_abuse[v].date()
        return last if last <= city_end else city_end + timedelta(days=1)

    early = sum(1 for v in victims if v in at_risk_by and at_risk_by[v] < deadline(v))
    return {
        "runs": len(runs),
        "groups": rows,
        "detected": sum(1 for d in delays if d is not None),
        "median_days": censored_median(delays),
        "p90_days": nearest_rank(delays, 0.9),
        "victims_with_abuse_in_window": len(victims),
        "victims_at_risk_before_last_abuse": ratio(early, len(victims)),
    }
