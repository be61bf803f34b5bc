"""Entity-entity associations derived on demand with their evidence: shared events,
person-object ties, shared vehicles/phones/addresses, phone contact, and candidate (never
firm) links from partial plates.

Evidence is gathered for many source entities at once as parallel arrays (one row per piece
of evidence), so a ring of a neighbourhood or a hub with tens of thousands of links costs
numpy work; Python objects are made only for the links a caller keeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

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
KINDS = (*LINK_KINDS, CANDIDATE)
KIND = {k: i for i, k in enumerate(KINDS)}
CO_EVENT, CONTACT, CANDIDATE_CODE = KIND["co_event"], KIND["phone_contact"], KIND[CANDIDATE]
FIELDS = ("source", "other", "kind", "record", "event", "day", "role", "other_role", "via", "cand")


@lru_cache(maxsize=65536)
def _day(number: int):  # type: ignore[no-untyped-def]
    return day_of(number)


@dataclass
class Items:
    """Evidence rows: source and other vertex, link kind code, record id, event vertex (-1),
    day, the source's role code (-1), the other's role code (-1), via vertex (-1) and
    candidate row (-1)."""

    cols: dict[str, np.ndarray]

    @classmethod
    def of(cls, parts: list[dict[str, np.ndarray]]) -> Items:
        parts = [p for p in parts if len(p["other"])]
        if not parts:
            return cls({f: np.zeros(0, dtype=np.int64) for f in FIELDS})
        return cls({f: np.concatenate([p[f] for p in parts]).astype(np.int64) for f in FIELDS})

    def __len__(self) -> int:
        return len(self.cols["other"])

    def take(self, mask: np.ndarray) -> Items:
        return Items({f: v[mask] for f, v in self.cols.items()})


def _rows(n: int, **cols: object) -> dict[str, np.ndarray]:
    """Evidence columns of n rows; scalars are broadcast, missing columns are -1."""
    return {f: np.broadcast_to(np.asarray(cols.get(f, -1), dtype=np.int64), (n,)) for f in FIELDS}


def own_participations(g: PoleGraph, vs: np.ndarray, flt: Filter) -> np.ndarray:
    rows = g.p_by_entity.rows_many(vs)
    if flt.empty:
        return rows
    return rows[flt.days_ok(g.p_day[rows]) & flt.roles_ok(g.p_role[rows])]


def co_participants(g: PoleGraph, rows: np.ndarray, flt: Filter) -> tuple[np.ndarray, np.ndarray]:
    """(own row, other row) for every other participant in the events of `rows`."""
    events = g.p_event[rows]
    lengths = g.p_by_event.ptr[events + 1] - g.p_by_event.ptr[events]
    mine = np.repeat(rows, lengths)
    theirs = g.p_by_event.rows_many(events)
    keep = g.p_entity[theirs] != g.p_entity[mine]
    if flt.roles is not None:
        keep &= flt.roles_ok(g.p_role[theirs])
    return mine[keep], theirs[keep]


def ties_ok(g: PoleGraph, rows: np.ndarray, flt: Filter, object_role: bool = True) -> np.ndarray:
    """Tie rows passing the filter. The object's role counts only where the evidence shows
    it (a direct tie), not for a person's tie behind a shared object or a phone contact."""
    if flt.empty:
        return rows
    ok = flt.days_ok(g.t_day[rows]) & flt.roles_ok(g.t_person_role[rows])
    if object_role:
        ok &= flt.roles_ok(g.t_object_role[rows])
    return rows[ok]


def _co_event(g: PoleGraph, own: np.ndarray, flt: Filter) -> dict[str, np.ndarray]:
    mine, theirs = co_participants(g, own, flt)
    ev = g.p_event[mine]
    return _rows(
        len(mine), source=g.p_entity[mine], other=g.p_entity[theirs], kind=CO_EVENT,
        record=g.event_record[ev], event=ev, day=g.event_day[ev], role=g.p_role[mine],
        other_role=g.p_role[theirs],
    )  # fmt: skip


def _tie_kind(g: PoleGraph) -> np.ndarray:
    return np.array([KIND[name] for name in g.links.names] or [0], dtype=np.int64)


def _ties(g: PoleGraph, vs: np.ndarray, flt: Filter) -> list[dict[str, np.ndarray]]:
    kind = _tie_kind(g)
    as_person = ties_ok(g, g.t_by_person.rows_many(vs), flt)
    as_object = ties_ok(g, g.t_by_object.rows_many(vs), flt)
    return [
        _rows(len(rows), source=mine_v[rows], other=other_v[rows], kind=kind[g.t_kind[rows]],
              record=g.t_record_id[rows], event=g.t_event[rows], day=g.t_day[rows],
              role=mine_r[rows], other_role=other_r[rows])
        for rows, mine_v, other_v, mine_r, other_r in (
            (as_person, g.t_person, g.t_object, g.t_person_role, g.t_object_role),
            (as_object, g.t_object, g.t_person, g.t_object_role, g.t_person_role),
        )
    ]  # fmt: skip


def _one_side(g: PoleGraph, pairs: pd.DataFrame, kind: object, row: str, mine: bool):  # type: ignore[no-untyped-def]
    """Evidence rows from one person's tie records (the role sits on that side only)."""
    r = pairs[row].to_numpy()
    role = g.t_person_role[r]
    return _rows(
        len(r), source=pairs.source.to_numpy(), other=pairs.other.to_numpy(), kind=kind,
        record=g.t_record_id[r], event=g.t_event[r], day=g.t_day[r],
        role=role if mine else -1, other_role=-1 if mine else role, via=pairs.via.to_numpy(),
    )  # fmt: skip


def _shared(g: PoleGraph, vs: np.ndarray, flt: Filter) -> list[dict[str, np.ndarray]]:
    """Other people tied to an object a source person is tied to; both sides' tie records."""
    mine = ties_ok(g, g.t_by_person.rows_many(vs), flt, object_role=False)
    if not len(mine):
        return []
    objects = np.unique(g.t_object[mine])
    theirs = ties_ok(g, g.t_by_object.rows_many(objects), flt, object_role=False)
    left = pd.DataFrame({"source": g.t_person[mine], "via": g.t_object[mine], "k": g.t_kind[mine],
                         "mine": mine})  # fmt: skip
    right = pd.DataFrame({"other": g.t_person[theirs], "via": g.t_object[theirs],
                          "k": g.t_kind[theirs], "theirs": theirs})  # fmt: skip
    # Who shares what first, then each side's own tie records for each such pair: joining
    # the tie rows directly would pair every record of one with every record of the other
    # (a landline given on 100 reports by each of two people: 10,000 rows for 200 records).
    keys = (
        left[["source", "via", "k"]]
        .drop_duplicates()
        .merge(right[["other", "via", "k"]].drop_duplicates(), on=["via", "k"])
    )
    keys = keys[keys.source != keys.other]
    if keys.empty:
        return []
    shared = np.array([KIND[SHARED.get(n, "co_event")] for n in g.links.names], dtype=np.int64)
    mine_side = keys.merge(left, on=["source", "via", "k"])
    theirs_side = keys.merge(right, on=["other", "via", "k"])
    return [
        _one_side(g, mine_side, shared[mine_side.k.to_numpy()], "mine", True),
        _one_side(g, theirs_side, shared[theirs_side.k.to_numpy()], "theirs", False),
    ]


def _owners(g: PoleGraph, phones: np.ndarray, flt: Filter) -> pd.DataFrame:
    """(phone, owner, tie row) for the people each phone is given for."""
    rows = ties_ok(g, g.t_by_object.rows_many(phones), flt, object_role=False)
    rows = rows[g.t_kind[rows] == g.links.index.get("phone_of", -1)]
    return pd.DataFrame({"via": g.t_object[rows], "owner": g.t_person[rows], "tie": rows})


def _not_an_owner(pairs: pd.DataFrame, owners: pd.DataFrame, person: str) -> np.ndarray:
    """Rows of `pairs` whose `person` is not given as an owner of the phone (`via`)."""
    owned = set(zip(owners.via.tolist(), owners.owner.tolist(), strict=True))
    people = zip(pairs.via.tolist(), pairs[person].tolist(), strict=True)
    return np.array([pair not in owned for pair in people], dtype=bool)


def _phone_contact(
    g: PoleGraph, vs: np.ndarray, flt: Filter, own: np.ndarray
) -> list[dict[str, np.ndarray]]:
    """A phone written in a record about a source person (with no owner there) that another
    person is given; and the reverse, from the owner to the people in those records."""
    person = g.kinds.index.get("person", -1)
    parts: list[dict[str, np.ndarray]] = []
    own = own[g.entity_kind[g.p_entity[own]] == person]
    seen = g.u_by_event.rows_many(g.p_event[own]) if len(own) else own
    if len(seen):
        lengths = g.u_by_event.ptr[g.p_event[own] + 1] - g.u_by_event.ptr[g.p_event[own]]
        mine = pd.DataFrame({"own": np.repeat(own, lengths), "via": g.u_phone[seen]})
        mine["source"] = g.p_entity[mine.own.to_numpy()]
        owners = _owners(g, np.unique(mine.via.to_numpy()), flt)
        pairs = mine.merge(owners, on="via")
        pairs = pairs[
            _not_an_owner(pairs, owners, "source") & (pairs.owner != pairs.source).to_numpy()
        ]
        if not pairs.empty:
            pairs = pairs.rename(columns={"owner": "other"})
            r = pairs.own.to_numpy()
            ev = g.p_event[r]
            parts.append(_rows(
                len(r), source=pairs.source.to_numpy(), other=pairs.other.to_numpy(),
                kind=CONTACT, record=g.event_record[ev], event=ev, day=g.event_day[ev],
                role=g.p_role[r], via=pairs.via.to_numpy(),
            ))  # fmt: skip
            parts.append(_one_side(g, pairs, CONTACT, "tie", False))
    mine_ties = ties_ok(g, g.t_by_person.rows_many(vs), flt, object_role=False)
    mine_ties = mine_ties[g.t_kind[mine_ties] == g.links.index.get("phone_of", -1)]
    if len(mine_ties):
        phones = np.unique(g.t_object[mine_ties])
        marks = g.u_by_phone.rows_many(phones)
        marks = marks[flt.days_ok(g.event_day[g.u_event[marks]])]
        if len(marks):
            events = g.u_event[marks]
            lengths = g.p_by_event.ptr[events + 1] - g.p_by_event.ptr[events]
            q = g.p_by_event.rows_many(events)
            seen_in = pd.DataFrame({"via": np.repeat(g.u_phone[marks], lengths), "q": q})
            seen_in = seen_in[(g.entity_kind[g.p_entity[q]] == person) & flt.roles_ok(g.p_role[q])]
            seen_in["other"] = g.p_entity[seen_in.q.to_numpy()]
            ties = pd.DataFrame({"source": g.t_person[mine_ties], "via": g.t_object[mine_ties],
                                 "tie": mine_ties})  # fmt: skip
            pairs = ties.merge(seen_in, on="via")
            pairs = pairs[_not_an_owner(pairs, _owners(g, phones, flt), "other")]
            if not pairs.empty:
                r = pairs.q.to_numpy()
                ev = g.p_event[r]
                parts.append(_rows(
                    len(r), source=pairs.source.to_numpy(), other=pairs.other.to_numpy(),
                    kind=CONTACT, record=g.event_record[ev], event=ev, day=g.event_day[ev],
                    other_role=g.p_role[r], via=pairs.via.to_numpy(),
                ))  # fmt: skip
                parts.append(_one_side(g, pairs, CONTACT, "tie", True))
    return parts


def _candidates(
    g: PoleGraph, vs: np.ndarray, flt: Filter, own: np.ndarray
) -> dict[str, np.ndarray]:
    """Partial plates that could be a vehicle: from the partial-plate vehicle, from the
    others in its event, and back from each vehicle it could be."""
    if not len(g.c_source):
        return _rows(0)
    out: list[tuple[int, ...]] = []

    def ok(c: int) -> bool:
        return bool(flt.days_ok(g.c_day[[c]])[0] and flt.roles_ok(g.c_role[[c]])[0])

    def row(c: int, source: int, other: int, role: int, other_role: int) -> tuple[int, ...]:
        return (source, other, CANDIDATE_CODE, int(g.c_record[c]), int(g.c_event[c]),
                int(g.c_day[c]), role, other_role, -1, c)  # fmt: skip

    for v in vs.tolist():
        for c in g.c_by_source.rows(v).tolist():
            if ok(c):
                out.append(row(c, v, int(g.c_target[c]), int(g.c_role[c]), -1))
        for c in g.c_by_target.rows(v).tolist():
            if not ok(c):
                continue
            out.append(row(c, v, int(g.c_source[c]), -1, int(g.c_role[c])))
            ev = int(g.c_event[c])
            if ev < 0:
                continue
            rows = g.p_by_event.rows(ev)
            for q in rows[flt.roles_ok(g.p_role[rows])].tolist():
                w = int(g.p_entity[q])
                if w not in (v, int(g.c_source[c])):
                    out.append(row(c, v, w, -1, int(g.p_role[q])))
    if len(g.c_with_event) and len(own):
        events = g.p_event[own]
        has = (g.c_by_event.ptr[events + 1] - g.c_by_event.ptr[events]) > 0
        for r in own[has].tolist():
            v = int(g.p_entity[r])
            for c in g.c_with_event[g.c_by_event.rows(int(g.p_event[r]))].tolist():
                target = int(g.c_target[c])
                if target != v and int(g.c_source[c]) != v and ok(c):
                    out.append(row(c, v, target, int(g.p_role[r]), int(g.c_role[c])))
    if not out:
        return _rows(0)
    arr = np.array(out, dtype=np.int64)
    return {f: arr[:, i] for i, f in enumerate(FIELDS)}


def evidence_items(g: PoleGraph, vs: np.ndarray | list[int], flt: Filter) -> Items:
    """Every piece of evidence linking the source vertices `vs` to other entities."""
    vs = np.unique(np.asarray(vs, dtype=np.int64))
    own = own_participations(g, vs, flt)
    return Items.of([
        _co_event(g, own, flt), *_ties(g, vs, flt), *_shared(g, vs, flt),
        *_phone_contact(g, vs, flt, own), _candidates(g, vs, flt, own),
    ])  # fmt: skip


def strengths(items: Items) -> pd.DataFrame:
    """Per (source, other): evidence count and whether a firm link joins them."""
    c = items.cols
    unit = np.where(c["kind"] == CO_EVENT, c["event"], c["record"])
    frame = pd.DataFrame({"source": c["source"], "other": c["other"], "kind": c["kind"],
                          "unit": unit}).drop_duplicates()  # fmt: skip
    frame["firm"] = frame.kind != CANDIDATE_CODE
    return (
        frame.groupby(["source", "other"], sort=False)
        .agg(count=("unit", "size"), firm=("firm", "any"))
        .reset_index()
    )


def associations_from(g: PoleGraph, items: Items) -> list[Association]:
    """Group evidence rows into Association objects (one per source, other and kind),
    strongest first for each source."""
    if not len(items):
        return []
    c = items.cols
    # Evidence by day, record, event, then the roles and the shared object: a total order
    # over every column, so the same store always lists a link's evidence the same way, and
    # the same piece of evidence arriving twice (from both ends of a tie, once per shared
    # object) lies in adjacent rows and is dropped before any Python object is made.
    order = np.lexsort((c["cand"], c["via"], c["other_role"], c["role"], c["event"], c["record"],
                        c["day"], c["kind"], c["other"], c["source"]))  # fmt: skip
    repeat = np.ones(len(order), dtype=bool)
    for f in FIELDS:
        sorted_col = c[f][order]
        repeat[1:] &= sorted_col[1:] == sorted_col[:-1]
    repeat[0] = False
    order = order[~repeat]
    col = {f: a[order].tolist() for f, a in c.items()}
    cand = c["cand"][order]
    if len(g.c_candidates):  # how many vehicles each candidate row could be, read once
        n_cand = np.where(cand >= 0, g.c_candidates[np.maximum(cand, 0)], 0).tolist()
    else:
        n_cand = [0] * len(cand)
    source, other, kind, record, day = (
        col[f] for f in ("source", "other", "kind", "record", "day")
    )
    event, role, other_role, via = (col[f] for f in ("event", "role", "other_role", "via"))
    roles, ids = g.roles.names, g.entity_ids

    def ids_of(vertices: np.ndarray, table: np.ndarray) -> list[int]:  # -1 stays -1
        return np.where(vertices >= 0, table[np.maximum(vertices, 0)], -1).tolist()

    event_id = ids_of(c["event"][order], g.event_ids)
    via_id = ids_of(c["via"][order], ids)
    out: list[Association] = []
    keys: list[tuple] = []
    start, n = 0, len(other)
    for i in range(1, n + 1):
        if (
            i < n
            and other[i] == other[start]
            and kind[i] == kind[start]
            and source[i] == source[start]
        ):
            continue
        seen: dict[Evidence, None] = {}
        for j in range(start, i):
            ev, r, o, w = event_id[j], role[j], other_role[j], via_id[j]
            seen[Evidence(
                record[j], None if ev < 0 else ev, _day(day[j]),
                None if r < 0 else roles[r], None if o < 0 else roles[o], None if w < 0 else w,
            )] = None  # fmt: skip
        s, o, k = source[start], other[start], KINDS[kind[start]]
        a = Association(int(ids[s]), int(ids[o]), g.kind_of(o), g.label_of(o), k,
                        k != CANDIDATE, list(seen))  # fmt: skip
        # Association.count, from the rows at hand: distinct events or distinct records
        if k == "co_event":
            count = len({event_id[j] for j in range(start, i) if event_id[j] >= 0})
        else:
            count = len({record[j] for j in range(start, i)})
        if k == CANDIDATE:
            fewest, best = min((n_cand[j], col["cand"][j]) for j in range(start, i))
            a.candidates = int(fewest)
            a.reason = g._reasons[int(g.c_reason[best])]
        out.append(a)
        keys.append((a.entity_id, not a.firm, -count, a.other_id, a.kind))
        start = i
    return [out[i] for i in sorted(range(len(out)), key=keys.__getitem__)]


def associations_of(g: PoleGraph, v: int, flt: Filter) -> list[Association]:
    return associations_from(g, evidence_items(g, [v], flt))
