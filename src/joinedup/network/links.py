"""Entity-entity associations of one entity, derived on demand with their evidence:
shared events, person-object ties, shared vehicles/phones/addresses, phone contact, and
candidate (never firm) links from partial plates.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

from joinedup.network.load import day_of
from joinedup.network.model import Association, Evidence

if TYPE_CHECKING:
    from joinedup.network.graph import Filter, PoleGraph

SHARED = {
    "vehicle_of": "shared_vehicle",
    "phone_of": "shared_phone",
    "home_address": "shared_address",
}
LINK_KINDS = (
    "co_event", "vehicle_of", "phone_of", "home_address",
    "shared_vehicle", "shared_phone", "shared_address", "phone_contact",
)  # fmt: skip
CANDIDATE = "candidate_vehicle"

Item = tuple[int, str, Evidence]  # other vertex, link kind, evidence


def _event_id(g: PoleGraph, ev: int) -> int | None:
    return None if ev < 0 else int(g.event_ids[ev])


def own_participations(g: PoleGraph, v: int, flt: Filter) -> np.ndarray:
    rows = g.p_by_entity.rows(v)
    return rows[flt.days_ok(g.p_day[rows]) & flt.roles_ok(g.p_role[rows])]


def co_participants(g: PoleGraph, rows: np.ndarray, flt: Filter) -> tuple[np.ndarray, np.ndarray]:
    """(own row, other row) for every other participant in the events of `rows`."""
    events = g.p_event[rows]
    lengths = g.p_by_event.ptr[events + 1] - g.p_by_event.ptr[events]
    mine = np.repeat(rows, lengths)
    theirs = g.p_by_event.rows_many(events)
    keep = g.p_entity[theirs] != g.p_entity[mine]
    keep &= flt.roles_ok(g.p_role[theirs])
    return mine[keep], theirs[keep]


def _ties_ok(g: PoleGraph, rows: np.ndarray, flt: Filter) -> np.ndarray:
    ok = flt.days_ok(g.t_day[rows]) & flt.roles_ok(g.t_person_role[rows])
    return rows[ok & flt.roles_ok(g.t_object_role[rows])]


def _co_event(g: PoleGraph, v: int, flt: Filter) -> list[Item]:
    mine, theirs = co_participants(g, own_participations(g, v, flt), flt)
    roles, ev = g.roles.names, g.p_event[mine]
    return [
        (int(o), "co_event", Evidence(int(g.event_record[e]), int(g.event_ids[e]),
                                      day_of(g.event_day[e]), roles[a], roles[b]))
        for o, e, a, b in zip(g.p_entity[theirs], ev, g.p_role[mine], g.p_role[theirs], strict=True)
    ]  # fmt: skip


def _tie_evidence(g: PoleGraph, row: int, person_side: bool, via: int | None = None) -> Evidence:
    roles = g.roles.names
    p, o = roles[g.t_person_role[row]], roles[g.t_object_role[row]]
    return Evidence(
        int(g.t_record_id[row]), _event_id(g, int(g.t_event[row])), day_of(g.t_day[row]),
        p if person_side else o, o if person_side else p,
        None if via is None else int(g.entity_ids[via]),
    )  # fmt: skip


def _one_side(g: PoleGraph, row: int, mine: bool, via: int) -> Evidence:
    """One person's tie to a shared object: the role sits on that person's side only."""
    full = _tie_evidence(g, row, True, via)
    return Evidence(full.record_id, full.event_id, full.day,
                    full.role if mine else None, None if mine else full.role, full.via)  # fmt: skip


def _ties(g: PoleGraph, v: int, flt: Filter) -> list[Item]:
    links = g.links.names
    as_person = _ties_ok(g, g.t_by_person.rows(v), flt)
    as_object = _ties_ok(g, g.t_by_object.rows(v), flt)
    items = [(int(g.t_object[r]), links[g.t_kind[r]], _tie_evidence(g, int(r), True))
             for r in as_person]  # fmt: skip
    items += [(int(g.t_person[r]), links[g.t_kind[r]], _tie_evidence(g, int(r), False))
              for r in as_object]  # fmt: skip
    # Shared objects: the other people tied to an object this person is tied to.
    by_object: dict[int, list[int]] = defaultdict(list)
    for r in as_person:
        by_object[int(g.t_object[r])].append(int(r))
    for obj, mine in by_object.items():
        theirs = _ties_ok(g, g.t_by_object.rows(obj), flt)
        kind = SHARED[links[g.t_kind[mine[0]]]]
        others: dict[int, list[int]] = defaultdict(list)
        for r in theirs:
            if g.t_person[r] != v:
                others[int(g.t_person[r])].append(int(r))
        for w, rows in others.items():
            items += [(w, kind, _one_side(g, r, True, obj)) for r in mine]
            items += [(w, kind, _one_side(g, r, False, obj)) for r in rows]
    return items


def _owners(g: PoleGraph, phone: int, flt: Filter) -> dict[int, list[int]]:
    code = g.links.index.get("phone_of", -1)
    out: dict[int, list[int]] = defaultdict(list)
    for r in _ties_ok(g, g.t_by_object.rows(phone), flt):
        if g.t_kind[r] == code:
            out[int(g.t_person[r])].append(int(r))
    return out


def _phone_contact(g: PoleGraph, v: int, flt: Filter, own: np.ndarray) -> list[Item]:
    """A phone written in a record about v (with no owner there) that another person owns,
    and the reverse: people in records that mention v's phone without naming its owner."""
    items: list[Item] = []
    roles = g.roles.names
    person = g.kinds.index.get("person", -1)
    if g.entity_kind[v] != person:
        return items
    for r in own:
        ev = int(g.p_event[r])
        for u in g.u_by_event.rows(ev):
            phone = int(g.u_phone[u])
            owners = _owners(g, phone, flt)
            if v in owners:
                continue  # v's own phone, written without the link
            seen = Evidence(int(g.event_record[ev]), int(g.event_ids[ev]),
                            day_of(g.event_day[ev]), roles[g.p_role[r]], None,
                            int(g.entity_ids[phone]))  # fmt: skip
            for w, rows in owners.items():
                items.append((w, "phone_contact", seen))
                items += [(w, "phone_contact", _one_side(g, t, False, phone)) for t in rows]
    mine_phones: dict[int, list[int]] = defaultdict(list)
    code = g.links.index.get("phone_of", -1)
    for r in _ties_ok(g, g.t_by_person.rows(v), flt):
        if g.t_kind[r] == code:
            mine_phones[int(g.t_object[r])].append(int(r))
    for phone, my_ties in mine_phones.items():
        owners = _owners(g, phone, flt)
        for u in g.u_by_phone.rows(phone):
            ev = int(g.u_event[u])
            if not flt.days_ok(g.event_day[[ev]])[0]:
                continue
            rows = g.p_by_event.rows(ev)
            rows = rows[(g.entity_kind[g.p_entity[rows]] == person) & flt.roles_ok(g.p_role[rows])]
            for q in rows:
                w = int(g.p_entity[q])
                if w == v or w in owners:
                    continue
                items.append((w, "phone_contact", Evidence(
                    int(g.event_record[ev]), int(g.event_ids[ev]), day_of(g.event_day[ev]),
                    None, roles[g.p_role[q]], int(g.entity_ids[phone]))))  # fmt: skip
                items += [(w, "phone_contact", _one_side(g, t, True, phone)) for t in my_ties]
    return items


def _candidates(
    g: PoleGraph, v: int, flt: Filter, own: np.ndarray
) -> list[tuple[int, int, Evidence]]:
    """(other vertex, candidate row, evidence) for partial plates that could be a vehicle."""
    roles = g.roles.names
    out: list[tuple[int, int, Evidence]] = []

    def evidence(c: int, role: str | None, other: str | None) -> Evidence:
        return Evidence(int(g.c_record[c]), _event_id(g, int(g.c_event[c])), day_of(g.c_day[c]),
                        role, other)  # fmt: skip

    def ok(c: int) -> bool:
        return bool(flt.days_ok(g.c_day[[c]])[0] and flt.roles_ok(g.c_role[[c]])[0])

    for c in g.c_by_source.rows(v):
        if ok(c):
            out.append((int(g.c_target[c]), int(c), evidence(c, roles[g.c_role[c]], None)))
    for c in g.c_by_target.rows(v):
        if not ok(c):
            continue
        out.append((int(g.c_source[c]), int(c), evidence(c, None, roles[g.c_role[c]])))
        ev = int(g.c_event[c])
        if ev < 0:
            continue
        rows = g.p_by_event.rows(ev)
        rows = rows[flt.roles_ok(g.p_role[rows])]
        for q in rows:
            w = int(g.p_entity[q])
            if w not in (v, int(g.c_source[c])):
                out.append((w, int(c), evidence(c, None, roles[g.p_role[q]])))
    for r in own:
        ev = int(g.p_event[r])
        for c in g.c_with_event[g.c_by_event.rows(ev)] if len(g.c_with_event) else []:
            target = int(g.c_target[c])
            if target != v and int(g.c_source[c]) != v and ok(c):
                out.append((target, int(c), evidence(c, roles[g.p_role[r]], None)))
    return out


def associations_of(g: PoleGraph, v: int, flt: Filter) -> list[Association]:
    own = own_participations(g, v, flt)
    items = _co_event(g, v, flt) + _ties(g, v, flt) + _phone_contact(g, v, flt, own)
    grouped: dict[tuple[int, str], dict[Evidence, None]] = defaultdict(dict)
    for other, kind, ev in items:
        grouped[(other, kind)][ev] = None
    cands: dict[int, list[tuple[int, Evidence]]] = defaultdict(list)
    for other, c, ev in _candidates(g, v, flt, own):
        cands[other].append((c, ev))
    me = int(g.entity_ids[v])
    out = [
        Association(me, int(g.entity_ids[o]), g.kind_of(o), g.label_of(o), kind, True,
                    sorted(evs, key=_evidence_order))
        for (o, kind), evs in grouped.items()
    ]  # fmt: skip
    for o, rows in cands.items():
        best = min(rows, key=lambda x: (int(g.c_candidates[x[0]]), x[0]))[0]
        out.append(Association(
            me, int(g.entity_ids[o]), g.kind_of(o), g.label_of(o), CANDIDATE, False,
            sorted(dict.fromkeys(ev for _, ev in rows), key=_evidence_order),
            candidates=int(g.c_candidates[best]), reason=g._reasons[int(g.c_reason[best])],
        ))  # fmt: skip
    out.sort(key=lambda a: (not a.firm, -a.count, a.other_id, a.kind))
    return out


def _evidence_order(e: Evidence) -> tuple[object, ...]:
    return (e.day, e.record_id, e.event_id or 0, e.role or "", e.other_role or "")
