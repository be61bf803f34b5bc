"""Stand-ins for the resolution and detection stages, built from the truth, for tests only.

A perfect oracle must score perfectly; a deliberately broken one must fail the bars.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date, datetime

from sqlalchemy import Connection

from joinedup.evaluate.labels import label_mentions
from joinedup.evaluate.store_view import (
    KINDS,
    DetectionOut,
    DetectionProvider,
    EntityMap,
    EntityProvider,
    MentionRef,
    stored_mentions,
)
from joinedup.evaluate.truth import Truth


def true_clusters(conn: Connection, truth: Truth) -> dict[MentionRef, str]:
    """Every stored mention that has a true entity, put in that entity."""
    out: dict[MentionRef, str] = {}
    for kind in KINDS:
        lab = label_mentions(truth, kind, stored_mentions(conn, kind))
        for m, label in zip(lab.mentions, lab.labels, strict=True):
            if label is not None:
                out[m.ref] = label
    return out


def perfect_resolution(truth: Truth) -> EntityProvider:
    return lambda conn: true_clusters(conn, truth)


def merge_by_surname(truth: Truth) -> EntityProvider:
    """A broken resolver: persons sharing a true surname initial are one entity."""

    def provider(conn: Connection) -> EntityMap:
        clusters: dict[MentionRef, Hashable] = dict(true_clusters(conn, truth))
        for ref, entity in clusters.items():
            if ref[0] == "person":
                clusters[ref] = ("merged", hash(entity) % 7)
        return clusters

    return provider


def first_evidence(truth: Truth) -> dict[str, date]:
    first: dict[str, datetime] = {}
    for r in truth.records:
        if r.evidence and r.group_id and r.copy == "original":
            first[r.group_id] = min(r.received_at, first.get(r.group_id, datetime.max))
    return {g: d.date() for g, d in first.items()}


def perfect_detection(truth: Truth, *, innocents: int = 0) -> DetectionProvider:
    """Each group becomes a lead, and its people flagged, on the day of its first evidence.

    `innocents` adds that many innocent adults to every lead (a broken detector).
    """
    starts = first_evidence(truth)
    bystanders = sorted(
        p.person_id for p in truth.persons.values() if p.kind == "adult" and not p.is_offender
    )

    known: dict[str, set[str]] = {}

    def provider(conn: Connection, as_of: date | None) -> DetectionOut:
        if "people" not in known:  # the store does not change between as-of runs
            known["people"] = {
                e for (k, _), e in true_clusters(conn, truth).items() if k == "person"
            }
        people = known["people"]
        live = [
            g
            for g in truth.groups.values()
            if g.group_id in starts and (as_of is None or starts[g.group_id] <= as_of)
        ]
        extra = [p for p in bystanders if p in people][:innocents]
        leads = [
            {"members": sorted((g.members | g.victims) & people) + extra}
            for g in live
            if g.kind == "group"
        ]
        flags = [{"kind": "adult", "entity": p} for g in live for p in sorted(g.members & people)]
        flags += [
            {"kind": "child", "entity": v, "band": "significant"}
            for g in live
            for v in sorted(g.victims & people)
        ]
        if as_of is None:
            flags += [{"kind": "vehicle", "entity": v} for v in sorted(truth.vehicles_used)]
            flags += [{"kind": "location", "entity": x} for x in sorted(truth.locations_used)]
        return {"flags": flags, "group_leads": leads}

    return provider
