"""Turn one detection pass into flag candidates: subject, rule, score, reason in plain words,
evidence items with a short why each, and members for groups.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from joinedup.detect.engine import Detection


@dataclass
class Candidate:
    kind: str  # adult | child | vehicle | location | group
    entity_id: int | None
    rule_id: str
    rule_version: int
    rules: list[dict]
    band: str | None
    score: float
    reason: str
    evidence: list[tuple[str, str, int, str]]  # (rule id, item kind, item id, why)
    members: list[tuple[int, str, str, float]] = field(default_factory=list)  # entity, kind...
    anchor: tuple[str, int] | None = None

    @property
    def subject_key(self) -> str:
        return f"entity:{self.entity_id}"

    def fingerprint(self) -> str:
        items = sorted({(k, i) for _, k, i, _ in self.evidence})
        return hashlib.sha256(json.dumps(items).encode()).hexdigest()


def _record_items(d: Detection, rule_id: str, events: list[int], why: str) -> list:
    out = []
    for e in events:
        out.append((rule_id, "event", e, why))
        ev = d.facts.events.get(e)
        if ev is not None:
            out.append((rule_id, "record", ev.record, why))
    return out


def candidates(d: Detection) -> list[Candidate]:
    out: list[Candidate] = []
    book = d.rulebook
    anchors = d.facts.anchors
    for c, r in d.children.items():
        evidence = []
        for h in r.hits:
            evidence += _record_items(d, h.indicator.id, h.events, h.indicator.title)
        out.append(
            Candidate(
                "child",
                c,
                "child_indicators",
                book.children.version,
                [
                    {"id": h.indicator.id, "version": h.indicator.version, "score": h.points}
                    for h in r.hits
                ],  # fmt: skip
                r.band,
                r.score,
                r.reason(),
                evidence,
                anchor=("person", anchors[("person", c)]),
            )
        )
    for kind_key, results in (("adult", d.adults), ("object", d.objects)):
        for key, r in results.items():
            entity = key if kind_key == "adult" else key[1]  # type: ignore[index]
            mention_kind = "person" if kind_key == "adult" else key[0]  # type: ignore[index]
            evidence = []
            for h in r.hits:
                evidence += _record_items(d, h.rule_id, h.events, h.why)
            for child in sorted(r.children):
                evidence.append((r.strongest().rule_id, "entity", child, "a child tied to it"))
            top = r.strongest()
            out.append(
                Candidate(
                    r.kind,
                    entity,
                    top.rule_id,
                    top.version,
                    [{"id": h.rule_id, "version": h.version, "score": h.points} for h in r.hits],
                    None,
                    r.score,
                    r.reason(),
                    evidence,
                    anchor=(mention_kind, anchors[(mention_kind, entity)]),
                )
            )
    rule = book.groups.rules[0]
    for g in d.groups:
        evidence = _record_items(d, rule.id, g.events, "ties the group together")
        members = [(a, "adult", "core" if a in g.core else "wider", c) for a, c in g.adults.items()]
        members += [(c, "child", "wider", 0.0) for c in sorted(g.children)]
        members += [(e, k, "wider", 0.0) for k, e in sorted(g.objects)]
        score = len(g.children) * 10 + g.severity
        out.append(
            Candidate(
                "group",
                None,
                rule.id,
                rule.version,
                [{"id": rule.id, "version": rule.version, "score": score}],
                None,
                score,
                g.reason(),
                evidence,
                members,
            )  # fmt: skip
        )
    return out
