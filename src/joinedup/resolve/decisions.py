"""Analysts' match decisions: stored, kept consistent, and obeyed by every later run.

'same' decisions form groups (union-find); a 'different' between two groups applies to
every pair across them, so A=B and B≠C imply A≠C and that pair is never asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select

from joinedup.store import tables as t

DECISIONS = ("same", "different")
_MENTION_REF = re.compile(r"^(person|vehicle|phone|location):(\d+)$")
_ENTITY_REF = re.compile(r"^[Ee](\d+)$")


class DecisionError(ValueError):
    """A decision that cannot be taken: unknown reference, other kinds, or a contradiction."""


@dataclass(frozen=True, slots=True)
class Ref:
    kind: str
    mention_id: int
    text: str
    entity_id: int | None = None


def parse_ref(conn: Connection, text: str) -> Ref:
    """`person:12` (a mention) or `E34` (an entity: its lowest mention stands for it)."""
    value = text.strip()
    found = _MENTION_REF.match(value)
    if found:
        kind, mid = found.group(1), int(found.group(2))
        table = t.MENTION_TABLES[kind]
        if conn.execute(select(table.c.id).where(table.c.id == mid)).first() is None:
            raise DecisionError(f"there is no {kind} mention {mid}")
        return Ref(kind, mid, value)
    found = _ENTITY_REF.match(value)
    if found:
        eid = int(found.group(1))
        row = conn.execute(select(t.entity.c.kind).where(t.entity.c.id == eid)).first()
        em = t.entity_member
        first = conn.execute(
            select(em.c.mention_id).where(em.c.entity_id == eid).order_by(em.c.mention_id)
        ).first()
        if row is None or first is None:
            raise DecisionError(f"there is no current entity E{eid}")
        return Ref(row.kind, int(first.mention_id), f"E{eid}", eid)
    raise DecisionError(f"{text!r} is neither a mention (person:12) nor an entity (E34)")


class DecisionGraph:
    """The consistent closure of a kind's decisions."""

    def __init__(self, same: list[tuple[int, int]], different: list[tuple[int, int]]):
        self.parent: dict[int, int] = {}
        for a, b in same:
            self._union(a, b)
        self.different = {frozenset((self.find(a), self.find(b))) for a, b in different}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def _union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def implied(self, a: int, b: int) -> str | None:
        """'same' or 'different' when the decisions already settle this pair, else None."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return "same"
        return "different" if frozenset((ra, rb)) in self.different else None


def active_decisions(
    conn: Connection, kind: str
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(same pairs, different pairs) of mention ids, oldest first."""
    d = t.match_decision
    query = (
        select(d.c.a_mention_id, d.c.b_mention_id, d.c.decision)
        .where(d.c.kind == kind, d.c.withdrawn_at.is_(None))
        .order_by(d.c.id)
    )
    same, different = [], []
    for a, b, decision in conn.execute(query):
        (same if decision == "same" else different).append((int(a), int(b)))
    return same, different


def decide(
    conn: Connection, a: Ref, b: Ref, decision: str, reason: str, actor: str
) -> dict[str, object]:
    """Store one decision (inside the caller's transaction); refuses contradictions."""
    if decision not in DECISIONS:
        raise DecisionError(f"decision must be one of {DECISIONS}, not {decision!r}")
    if not reason.strip():
        raise DecisionError("a decision needs a reason (--reason)")
    if a.kind != b.kind:
        raise DecisionError(f"{a.text} is a {a.kind} and {b.text} a {b.kind}: not comparable")
    if a.mention_id == b.mention_id:
        raise DecisionError("both references name the same mention")
    graph = DecisionGraph(*active_decisions(conn, a.kind))
    implied = graph.implied(a.mention_id, b.mention_id)
    if implied and implied != decision:
        raise DecisionError(
            f"earlier decisions already imply {a.text} and {b.text} are {implied}; "
            "withdraw one of them first"
        )
    row = conn.execute(
        insert(t.match_decision).values(
            kind=a.kind,
            a_ref=a.text,
            b_ref=b.text,
            a_mention_id=a.mention_id,
            b_mention_id=b.mention_id,
            decision=decision,
            reason=reason.strip(),
            decided_by=actor,
            decided_at=datetime.now(UTC).replace(tzinfo=None),
        )  # fmt: skip
    )
    return {"id": int(row.inserted_primary_key[0]), "kind": a.kind, "a": a.text, "b": b.text,
            "decision": decision, "already_implied": implied is not None}  # fmt: skip
