"""Vehicles, phones and locations: exact keys, and candidate links for partial plates.

A partial or misread plate is never merged: it becomes a candidate link to every known
vehicle it could be (make and colour permitting), with how many that is.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from joinedup.ingest.normalise.addresses import normalise_address
from joinedup.ingest.normalise.names import clean_name
from joinedup.ingest.normalise.plates import compact_plate
from joinedup.resolve.cluster import ConstrainedClusters
from joinedup.resolve.labels import label
from joinedup.store import tables as t

# Characters a reader or a camera confuses (O/0, I/1, S/5, B/8, Z/2, D/0, G/6, E/F).
CONFUSABLE = {
    "O": "0D",
    "0": "OD",
    "I": "1",
    "1": "I",
    "S": "5",
    "5": "S",
    "B": "8",
    "8": "B",
    "Z": "2",
    "2": "Z",
    "D": "0O",
    "G": "6",
    "6": "G",
    "E": "F",
    "F": "E",
}
MAX_CANDIDATES = 50  # a pattern matching more vehicles than this says too little to list


@dataclass
class KindResult:
    clusters: ConstrainedClusters
    labels: dict[int, str] = field(default_factory=dict)  # mention id -> display value
    candidates: list[tuple[int, int, str]] = field(default_factory=list)  # mention, target, why
    counts: dict[str, int] = field(default_factory=dict)


Pairs = list[tuple[int, int]]


def _key_clusters(
    rows: Iterable[tuple[int, str | None, str | None]], same: Pairs, different: Pairs
) -> KindResult:
    """Cluster mentions sharing a key, obeying decisions; rows are (mention id, key, label)."""
    cc = ConstrainedClusters()
    heads: dict[str, int] = {}
    result = KindResult(cc)
    rows = list(rows)
    for mid, _key, _label in rows:
        cc.add(mid)
    for a, b in different:
        if a in cc.parent and b in cc.parent:
            cc.cannot_link(a, b)
    for a, b in same:
        if a in cc.parent and b in cc.parent:
            cc.union(a, b, 1.0, "decision")
    for mid, key, shown in rows:
        if shown:
            result.labels[mid] = shown
        if key is None:
            continue
        head = heads.setdefault(key, mid)
        if head != mid:
            cc.union(head, mid, 1.0, "exact")
    result.counts = {"mentions": len(cc.parent), "keys": len(heads)}
    return result


def resolve_phones(conn: Connection, same: Pairs, different: Pairs) -> KindResult:
    p = t.phone_mention
    rows = conn.execute(select(p.c.id, p.c.e164).order_by(p.c.id))
    return _key_clusters(((int(i), e, e) for i, e in rows), same, different)


def location_key(row: Any) -> str | None:
    """Property reference; else the normalised address (house and street); else the name."""
    if row.property_ref:
        return f"ref:{row.property_ref.strip().upper()}"
    parts = normalise_address(row.address)
    if parts.house_number and parts.street:
        flat = f"{parts.flat}/" if parts.flat else ""
        return f"addr:{flat}{parts.house_number} {parts.street}"
    name = clean_name(row.name)
    if name:
        return f"name:{name}|{(row.postcode or '').replace(' ', '')}"
    if parts.address:
        return f"addr:{parts.address}|{(row.postcode or '').replace(' ', '')}"
    if row.lat is not None and row.lon is not None:
        return f"at:{row.lat:.4f},{row.lon:.4f}"
    return None


def resolve_locations(conn: Connection, same: Pairs, different: Pairs) -> KindResult:
    loc = t.location_mention
    query = select(
        loc.c.id,
        loc.c.name,
        loc.c.address,
        loc.c.postcode,
        loc.c.property_ref,
        loc.c.lat,
        loc.c.lon,
    ).order_by(loc.c.id)
    rows = conn.execute(query).all()
    keys: dict[tuple[Any, ...], str | None] = {}  # a city's places are mentioned many times

    def key(row: Any) -> str | None:
        found = keys.get(row[1:])
        if found is None and row[1:] not in keys:
            found = keys[row[1:]] = location_key(row)
        return found

    return _key_clusters(
        ((int(r.id), key(r), label("location", (r.name, r.address, r.postcode))) for r in rows),
        same,
        different,
    )


def plate_candidates(compact: str) -> set[str]:
    """Every plate a misread `compact` could have been (one or two confusions)."""
    found = {compact}
    for _ in range(2):
        found |= {
            s[:i] + alt + s[i + 1 :]
            for s in found
            for i, ch in enumerate(s)
            for alt in CONFUSABLE.get(ch, "")
        }
    found.discard(compact)
    return found


def _compatible(a: Any, b: Any) -> bool:
    for col in ("make", "colour"):
        x, y = getattr(a, col), getattr(b, col)
        if x and y and x.strip().lower() != y.strip().lower():
            return False
    return True


def _starting(known: list[str], pattern: str) -> list[str]:
    """The sorted plates in `known` that begin with the pattern's written characters (those
    before its first "?" or "*"): only they can match it, and a city has many plates."""
    prefix = re.split(r"[?*]", pattern, maxsplit=1)[0]
    if not prefix:
        return known
    return known[bisect.bisect_left(known, prefix) : bisect.bisect_left(known, prefix + "\x7f")]


def resolve_vehicles(conn: Connection, same: Pairs, different: Pairs) -> KindResult:
    v = t.vehicle_mention
    rows = conn.execute(
        select(v.c.id, v.c.vrm, v.c.pattern, v.c.raw, v.c.make, v.c.colour).order_by(v.c.id)
    ).all()
    labelled = ((int(r.id), r.vrm, label("vehicle", (r.vrm, r.pattern, r.raw))) for r in rows)
    result = _key_clusters(labelled, same, different)
    by_vrm: dict[str, list[Any]] = {}
    for r in rows:
        if r.vrm:
            by_vrm.setdefault(r.vrm, []).append(r)
    known = sorted(by_vrm)
    for r in rows:
        if r.vrm:
            continue
        if r.pattern:
            regex = re.compile(r.pattern.replace("?", "[A-Z0-9]").replace("*", "[A-Z0-9]*"))
            options = [vrm for vrm in _starting(known, r.pattern) if regex.fullmatch(vrm)]
            why = f"partial plate {r.pattern}"
        elif r.raw:
            options = [vrm for vrm in plate_candidates(compact_plate(r.raw)) if vrm in by_vrm]
            why = f"misread plate {r.raw}"
        else:
            continue
        options = [vrm for vrm in options if any(_compatible(r, o) for o in by_vrm[vrm])]
        if 0 < len(options) <= MAX_CANDIDATES:
            for vrm in sorted(options):
                result.candidates.append((int(r.id), int(by_vrm[vrm][0].id), why))
    result.counts["candidate_links"] = len(result.candidates)
    return result
