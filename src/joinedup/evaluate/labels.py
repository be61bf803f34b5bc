"""Give each stored mention its true entity: structured mentions by key, text ones by span.

A structured mention's key is (spec, source_ref, slot); a mention extracted from free text
matches the true text mention of the same kind in the same field whose span it overlaps,
else one with the same normal form (the truth lists a value written twice in a field once).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from joinedup.evaluate.store_view import StoredMention
from joinedup.evaluate.truth import TextMention, Truth


@dataclass
class Labelled:
    """Stored mentions of one kind, each with its true entity id (None: no true entity)."""

    kind: str
    mentions: list[StoredMention]
    labels: list[str | None]
    text_found: set[int] = field(default_factory=set)  # indices into truth.text_mentions

    def structured(self) -> tuple[list[StoredMention], list[str | None]]:
        keep = [i for i, m in enumerate(self.mentions) if not m.extracted]
        return [self.mentions[i] for i in keep], [self.labels[i] for i in keep]


def _text_index(truth: Truth, kind: str) -> dict[tuple[str, str, str], list[int]]:
    index: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i, tm in enumerate(truth.text_mentions):
        if tm.kind == kind:
            index[(tm.spec, tm.source_ref, tm.column)].append(i)
    return index


def _overlap(m: StoredMention, tm: TextMention) -> int:
    if m.span_start is None or m.span_end is None:
        return 0
    return min(m.span_end, tm.end) - max(m.span_start, tm.start)


def _same_value(m: StoredMention, tm: TextMention) -> bool:
    def norm(v: str | None) -> str:
        return "".join((v or "").split()).casefold()

    return bool(m.value) and norm(m.value) == norm(tm.value)


def label_mentions(truth: Truth, kind: str, mentions: list[StoredMention]) -> Labelled:
    """The true entity of each stored mention of `kind`, in the order given."""
    index = _text_index(truth, kind)
    out = Labelled(kind, mentions, [])
    for m in mentions:
        label: str | None = None
        if not m.extracted:
            found = truth.mentions.get(m.key)
            if found is not None and found[0] == kind:
                label = found[1]
        else:
            candidates = index.get((m.spec, m.source_ref or "", m.text_field or ""), [])
            best = max(candidates, key=lambda i: _overlap(m, truth.text_mentions[i]), default=None)
            if best is None or _overlap(m, truth.text_mentions[best]) <= 0:
                same = (i for i in candidates if _same_value(m, truth.text_mentions[i]))
                best = next(same, None)
            if best is not None:
                label = truth.text_mentions[best].entity_id
                out.text_found.add(best)
        out.labels.append(label)
    return out
