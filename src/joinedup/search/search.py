"""Search entities by name, alias, nickname, plate (partial too), phone or postcode, with
fuzzy name matching and, for each hit, the reasons it matched.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from joinedup.ingest.normalise import clean_name, parse_phone, parse_postcode, plate_matches
from joinedup.ingest.normalise.plates import compact_plate
from joinedup.search.index import Entry, NameIndex
from joinedup.search.visibility import any_hidden, visible_mentions
from joinedup.store import tables as t

FUZZY_CUTOFF = 85  # whole names and nicknames (fuzz.ratio)
WORD_CUTOFF = 80  # one misspelt word
MAX_CANDIDATES = 200  # per way of matching, before visibility and ranking
_PLATE_SHAPE = re.compile(r"^(?=.*[0-9])(?=.*[A-Z])[A-Z0-9?*]{2,8}$")
_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


@dataclass
class Hit:
    """One entity found, with each piece of evidence tied to the mention it came from, so
    evidence from a record the reader may not see can be dropped on its own."""

    entity_id: int
    kind: str
    evidence: list[tuple[float, str, int]] = field(default_factory=list)
    score: float = 0.0  # the best evidence's score, kept as evidence comes and goes

    def add(self, score: float, reason: str, mention_id: int) -> None:
        self.evidence.append((score, reason, mention_id))
        if score > self.score:
            self.score = score

    @property
    def mentions(self) -> set[int]:
        return {m for _s, _r, m in self.evidence}

    def keep(self, visible: set[int]) -> None:
        self.evidence = [e for e in self.evidence if e[2] in visible]
        self.score = max((s for s, _r, _m in self.evidence), default=0.0)

    @property
    def reasons(self) -> list[str]:
        out: list[str] = []
        for _s, reason, _m in sorted(self.evidence, key=lambda e: -e[0]):
            if reason not in out:
                out.append(reason)
        return out[:5]


@dataclass
class Candidates:
    """(kind, entity, mention) -> best score and reasons, before the visibility check."""

    found: dict[tuple[str, int], Hit] = field(default_factory=dict)

    def add(self, kind: str, entry: Entry, score: float, reason: str) -> None:
        key = (kind, entry[0])
        hit = self.found.get(key)
        if hit is None:
            hit = self.found[key] = Hit(entry[0], kind)
        hit.add(score, reason, entry[1])

    def add_all(self, kind: str, entries: list[Entry], score: float, reason: str) -> None:
        """`add` for each entry (one name's mentions share a score and a reason), inlined:
        a common surname brings thousands of mentions."""
        found = self.found
        for entity_id, mention_id in entries:
            hit = found.get((kind, entity_id))
            if hit is None:
                hit = found[kind, entity_id] = Hit(entity_id, kind)
            hit.evidence.append((score, reason, mention_id))
            if score > hit.score:
                hit.score = score


def search(
    conn: Connection, index: NameIndex, text: str, *, unit: str | None = None, limit: int = 50
) -> dict[str, Any]:
    """Hits for `text`, best first: {query, hits: [{entity, kind, label, score, reasons}]}."""
    query = " ".join(text.split())[:200]
    found = Candidates()
    if query:
        _phones(conn, query, found)
        _plates(conn, index, query, found)
        _postcodes(conn, index, query, found)
        if not any(ch.isdigit() for ch in query):  # plates, phones, postcodes: not a name
            _names(index, query, found)
            _nicknames(index, query, found)
    # The best `limit` (what sorting them all and cutting would give: the keys are unique).
    visible = _visible(conn, found, unit)
    hits = heapq.nsmallest(limit, visible, key=lambda h: (-h.score, h.entity_id))
    labels = _labels(conn, [h.entity_id for h in hits])
    return {
        "query": query,
        "hits": [
            {"entity": f"E{h.entity_id}", "entity_id": h.entity_id, "kind": h.kind,
             "label": labels.get(h.entity_id, (None, 0))[0],
             "size": labels.get(h.entity_id, (None, 0))[1],
             "score": round(h.score, 1), "reasons": h.reasons}
            for h in hits
        ],
    }  # fmt: skip


def _entities(conn: Connection, kind: str, mention_ids: list[int]) -> dict[int, int]:
    em = t.entity_member
    if not mention_ids:
        return {}
    rows = conn.execute(
        select(em.c.mention_id, em.c.entity_id).where(
            em.c.mention_kind == kind, em.c.mention_id.in_(mention_ids[:MAX_CANDIDATES])
        )
    )
    return {int(m): int(e) for m, e in rows}


def _phones(conn: Connection, query: str, found: Candidates) -> None:
    if sum(ch.isdigit() for ch in query) < 7:
        return
    phone = parse_phone(query)
    if phone is None or not phone.e164:
        return
    pm = t.phone_mention
    rows = conn.execute(
        select(pm.c.id, pm.c.raw, pm.c.person_mention_id)
        .where(pm.c.e164 == phone.e164)
        .limit(MAX_CANDIDATES)
    ).all()
    phones = _entities(conn, "phone", [r.id for r in rows])
    people = _entities(conn, "person", [r.person_mention_id for r in rows if r.person_mention_id])
    for r in rows:
        if r.id in phones:
            found.add("phone", (phones[r.id], r.id), 100, f"phone {phone.e164} (written {r.raw!r})")
        if r.person_mention_id in people:
            found.add("person", (people[r.person_mention_id], r.person_mention_id), 95,
                      f"phone {phone.e164} recorded for this person")  # fmt: skip


def _plates(conn: Connection, index: NameIndex, query: str, found: Candidates) -> None:
    plate = compact_plate(query)
    if not _PLATE_SHAPE.match(plate):
        return
    vm = t.vehicle_mention
    cols = (vm.c.id, vm.c.vrm, vm.c.pattern, vm.c.raw)
    if "?" in plate or "*" in plate:
        like = plate.replace("*", "%").replace("?", "_")
        query = select(*cols).where(vm.c.vrm.like(like))
        prefix = re.split(r"[?*]", plate, maxsplit=1)[0]
        if prefix:  # the plate index narrows to the fixed start (SQLite's LIKE cannot use it)
            query = query.where(vm.c.vrm >= prefix, vm.c.vrm < prefix + "\x7f")
        # The first sightings recorded, as a scan of the table finds them, not index order.
        rows = conn.execute(query.order_by(vm.c.id).limit(MAX_CANDIDATES)).all()
        rows = [r for r in rows if r.vrm and plate_matches(plate, r.vrm)]
        why = f"plate fits the partial {plate}"
    else:  # a full plate or its start: an index range, not LIKE (case rules differ by backend)
        rows = conn.execute(
            select(*cols).where(vm.c.vrm >= plate, vm.c.vrm < plate + "\x7f").limit(MAX_CANDIDATES)
        ).all()
        why = f"plate starts with {plate}"
        if len(plate) >= 5:  # partial sightings whose pattern this full plate fits
            for pattern, entity_id, mention_id, raw in index.partial_plates:
                if plate_matches(pattern, plate):
                    why_partial = f"partial sighting {pattern} (written {raw!r}) could be {plate}"
                    found.add("vehicle", (entity_id, mention_id), 70, why_partial)
    ids = _entities(conn, "vehicle", [r.id for r in rows])
    for r in rows:
        if r.id not in ids:
            continue
        if r.vrm == plate:
            found.add("vehicle", (ids[r.id], r.id), 100, f"plate {plate}")
        else:
            found.add("vehicle", (ids[r.id], r.id), 80, f"{why} ({r.vrm})")


def _postcodes(conn: Connection, index: NameIndex, query: str, found: Candidates) -> None:
    upper = query.upper()
    full = parse_postcode(upper)
    lm = t.location_mention
    if full:
        found.add_all("person", index.postcodes.get(full, [])[:MAX_CANDIDATES], 90,
                      f"postcode {full} on their address")  # fmt: skip
        rows = conn.execute(select(lm.c.id).where(lm.c.postcode == full).limit(MAX_CANDIDATES))
        ids = [int(r) for r in rows.scalars()]
        for mid, eid in _entities(conn, "location", ids).items():
            found.add("location", (eid, mid), 95, f"postcode {full}")
    elif _OUTWARD.match(upper.replace(" ", "")):
        district = upper.replace(" ", "")
        for postcode in index.districts.get(district, []):
            found.add_all("person", index.postcodes[postcode][:20], 60,
                          f"postcode {postcode} is in district {district}")  # fmt: skip
        rows = conn.execute(
            select(lm.c.id, lm.c.postcode)
            .where(lm.c.postcode >= district + " ", lm.c.postcode < district + "!")
            .limit(MAX_CANDIDATES)
        ).all()
        ids = _entities(conn, "location", [r.id for r in rows])
        for r in rows:
            if r.id in ids:
                found.add("location", (ids[r.id], r.id), 60,
                          f"postcode {r.postcode} is in district {district}")  # fmt: skip


def _names(index: NameIndex, query: str, found: Candidates) -> None:
    wanted = clean_name(query)
    if not wanted or not any(ch.isalpha() for ch in wanted):
        return
    tokens = wanted.split()
    exact = set.intersection(*(index.tokens.get(tok, set()) for tok in tokens))
    for pos in sorted(exact)[:MAX_CANDIDATES]:
        name = index.names[pos]
        score, why = (
            (100, f"name {name!r}")
            if name == wanted
            else (92, f"name {name!r} contains {wanted!r}")
        )
        found.add_all("person", index.name_entries[pos], score, why)
    alias_sets = []
    for tok in tokens:
        positions = set(index.tokens.get(tok, set()))
        for key in index.alias_groups(tok):
            positions |= index.alias_keys.get(key, set())
        alias_sets.append(positions)
    aliased = set.intersection(*alias_sets) - exact
    for pos in sorted(aliased)[:MAX_CANDIDATES]:
        name = index.names[pos]
        pairs = [
            f"{n!r} for {tok!r}"
            for tok in tokens
            if tok not in name.split()
            for n in name.split()
            if index.alias_groups(n) & index.alias_groups(tok)
        ]
        why = f"alias: {name!r} ({', '.join(pairs[:2])}: a spelling or familiar form)"
        found.add_all("person", index.name_entries[pos], 88, why)
    # One misspelt word ("Saddique" for "Siddique"): fuzzy on the distinct words.
    for tok in tokens if len(tokens) <= 3 else ():
        if len(tok) < 4:
            continue
        for word, score, _ in index.word_grams.extract(tok, WORD_CUTOFF, 20):
            if word == tok:
                continue
            others = [index.tokens.get(o, set()) for o in tokens if o != tok]
            positions = index.tokens[word].intersection(*others) if others else index.tokens[word]
            for pos in sorted(positions - exact - aliased)[:MAX_CANDIDATES]:
                why = f"similar name {index.names[pos]!r}: {word!r} ~ {tok!r} ({score:.0f}%)"
                found.add_all("person", index.name_entries[pos], score * 0.9, why)
    if len(tokens) < 2:
        return  # one word: the fuzzy words above cover it, and a whole-name scan adds nothing
    # Whole-name similarity (plain edit ratio: fast, and no credit for a shared fragment),
    # in the order typed and reversed ("SHAH Mohd" for "Mohd Shah"). The gram index scores
    # only names that can reach the cutoff: the answer of a scan of every name, much faster.
    seen: set[int] = set()
    for variant in (wanted, " ".join(reversed(tokens))):
        for name, score, pos in index.name_grams.extract(variant, FUZZY_CUTOFF, 60):
            if pos in exact or pos in seen:
                continue
            seen.add(pos)
            found.add_all("person", index.name_entries[pos], min(score, 87) * 0.95,
                          f"similar name {name!r} ~ {query!r} ({score:.0f}%)")  # fmt: skip


def _nicknames(index: NameIndex, query: str, found: Candidates) -> None:
    wanted = clean_name(query)
    if not wanted or not index.nicknames:
        return
    for nick, score, pos in index.nickname_grams.extract(wanted, FUZZY_CUTOFF, 30):
        raw = index.nickname_raw[pos]
        why = (
            f"nickname {raw!r}"
            if nick == wanted
            else f"nickname {raw!r} ~ {query!r} ({score:.0f}%)"
        )
        best = 98 if nick == wanted else score * 0.9
        found.add_all("person", index.nickname_entries[pos], best, why)


def _visible(conn: Connection, found: Candidates, unit: str | None) -> list[Hit]:
    """Drop the evidence from records the reader's unit may not see, then empty hits."""
    if not any_hidden(conn, unit):  # the common case: nothing restricted from this reader
        return list(found.found.values())
    by_kind: dict[str, set[int]] = {}
    for (kind, _eid), hit in found.found.items():
        by_kind.setdefault(kind, set()).update(hit.mentions)
    seen = {kind: visible_mentions(conn, kind, ids, unit) for kind, ids in by_kind.items()}
    hits = []
    for (kind, _eid), hit in found.found.items():
        hit.keep(seen[kind])
        if hit.evidence:
            hits.append(hit)
    return hits


def _labels(conn: Connection, ids: list[int]) -> dict[int, tuple[str | None, int]]:
    if not ids:
        return {}
    e = t.entity
    rows = conn.execute(select(e.c.id, e.c.label, e.c.size).where(e.c.id.in_(ids)))
    return {int(r.id): (r.label, int(r.size)) for r in rows}
