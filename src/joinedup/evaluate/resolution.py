"""Score a clustering of stored mentions (the resolution stage's, or a baseline's) per kind.

Items are stored mentions; a mention's true label is its true entity, its predicted label
the entity it was put in (None: left alone). Persons are also broken down by name origin.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from joinedup.evaluate.labels import Labelled
from joinedup.evaluate.metrics import bcubed, by_group, contingency, pairwise
from joinedup.evaluate.store_view import MentionRef
from joinedup.evaluate.truth import Truth


def score_clustering(
    labels: list[str | None],
    predicted: list[Hashable | None],
    origins: list[str | None] | None = None,
) -> dict[str, Any]:
    """Pairwise and B-cubed scores, and recall by name origin when origins are given."""
    c = contingency(labels, predicted)
    out: dict[str, Any] = {
        "mentions": c.items,
        "true_entities": len({x for x in labels if x is not None}),
        "clusters": len(c.predicted_sizes),
        "pairwise": pairwise(c).as_dict(),
        "bcubed": bcubed(c).as_dict(),
    }
    if origins is not None:
        out["by_name_origin"] = {
            g: s.as_dict() for g, s in by_group(labels, predicted, origins).items()
        }
    return out


def score_kind(
    truth: Truth, labelled: Labelled, clusters: Mapping[MentionRef, Hashable]
) -> dict[str, Any]:
    """Scores over structured mentions, then over all mentions including text extractions."""
    mentions, labels = labelled.structured()

    def origins(labs: list[str | None]) -> list[str | None] | None:
        if labelled.kind != "person":
            return None
        people = truth.persons
        return [people[x].name_origin if x in people else None for x in labs]  # type: ignore[index]

    predicted = [clusters.get(m.ref) for m in mentions]
    out = score_clustering(labels, predicted, origins(labels))
    every = [clusters.get(m.ref) for m in labelled.mentions]
    with_text = score_clustering(labelled.labels, every)
    out["with_text_mentions"] = {k: with_text[k] for k in ("mentions", "pairwise", "bcubed")}
    return out
