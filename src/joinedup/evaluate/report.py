"""The evaluation report: one JSON-ready dict scoring the store against a city's truth.

Sections whose stage has not run are null with a reason; baselines are labelled as such.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection

from joinedup.evaluate import baselines as base
from joinedup.evaluate.detection import (
    cutoffs,
    identities,
    score_flags,
    score_groups,
    score_timeliness,
)
from joinedup.evaluate.ingest_check import (
    mention_coverage,
    pooled_text,
    quarantine_check,
    record_counts,
)
from joinedup.evaluate.labels import Labelled, label_mentions
from joinedup.evaluate.metrics import rounded
from joinedup.evaluate.resolution import score_kind
from joinedup.evaluate.store_view import (
    KINDS,
    DetectionProvider,
    EntityProvider,
    detection_provider,
    duplicates_by_spec,
    resolution_output,
    stored_mentions,
    stored_quarantine,
    stored_records,
)
from joinedup.evaluate.truth import Truth

DEFAULT_STEP_DAYS = 7
SECTION_KEYS = {
    "er": KINDS,
    "groups": ("groups_found", "offenders_in_a_lead", "lead_adults_innocent"),
    "flags": ("adult", "vehicle", "location", "children"),
    "timeliness": ("median_days", "p90_days", "groups"),
}


def not_run(section: str, reason: str) -> dict[str, Any]:
    """A section whose stage has not produced anything yet: every metric null, with why."""
    return {"status": "not_run", "reason": reason, **dict.fromkeys(SECTION_KEYS[section])}


def window(truth: Truth) -> tuple[date, date]:
    """The city's first and last day, from its manifest, else from its records."""
    city = truth.city
    if city.get("start_date") and city.get("end_date"):
        start, end = (date.fromisoformat(str(city[k])) for k in ("start_date", "end_date"))
        return start, end
    days = [r.received_at.date() for r in truth.records]
    return min(days), max(days)


def evaluate(
    conn: Connection,
    truth: Truth,
    *,
    entities: EntityProvider | None = None,
    detection: DetectionProvider | None = None,
    step_days: int = DEFAULT_STEP_DAYS,
) -> dict[str, Any]:
    """Score what the store holds against `truth`. Providers default to the stages' hooks."""
    labelled: dict[str, Labelled] = {
        kind: label_mentions(truth, kind, stored_mentions(conn, kind, base.EXACT_KEYS[kind][0]))
        for kind in KINDS
    }
    in_store = {k: {x for x in lab.labels if x is not None} for k, lab in labelled.items()}
    quarantined = stored_quarantine(conn)
    coverage = {k: mention_coverage(truth, labelled[k]) for k in KINDS}
    report: dict[str, Any] = {
        "city": truth.city,
        "truth": str(truth.folder),
        "ingest": {
            "mentions": coverage,
            "text_mentions": pooled_text(coverage),
            "records": record_counts(
                truth, stored_records(conn), duplicates_by_spec(conn), quarantined
            ),
            "quarantine": quarantine_check(truth, quarantined),
        },
    }
    resolved = resolution_output(conn, entities)
    if resolved.value is None:
        report["er"] = not_run("er", resolved.reason or "")
    else:
        report["er"] = {"status": "measured"} | {
            k: score_kind(truth, labelled[k], resolved.value) for k in KINDS
        }
    report |= _detection(conn, truth, labelled, in_store, resolved.value, detection, step_days)
    report["baselines"] = {
        "note": "naive exact-match reference points computed from the store, NOT the pipeline",
        "er": {
            k: {"method": base.DESCRIPTIONS[k]}
            | score_kind(truth, labelled[k], base.exact_clusters(k, labelled[k].mentions))
            for k in KINDS
        },
    }
    return rounded(report)


def _detection(
    conn: Connection,
    truth: Truth,
    labelled: dict[str, Labelled],
    in_store: dict[str, set[str]],
    entities: Any,
    provider: DetectionProvider | None,
    step_days: int,
) -> dict[str, Any]:
    found = detection_provider(conn, provider)
    reason = found.reason
    if found.value is not None and entities is None:
        reason = "detection needs resolution first: resolution has not been run"
    if reason is not None:
        return {s: not_run(s, reason) for s in ("groups", "flags", "timeliness")}
    run = found.value
    final = run(conn, None)
    identity = identities(final.get("entities", entities), labelled)
    start, end = window(truth)
    runs = [(d, run(conn, d)) for d in cutoffs(start, end, step_days)]
    identity_of = {
        i: identity if "entities" not in out else identities(out["entities"], labelled)
        for i, (_, out) in enumerate(runs)
    }
    return {
        "groups": {"status": "measured"}
        | score_groups(truth, final["group_leads"], final["flags"], identity, in_store["person"]),
        "flags": {"status": "measured"} | score_flags(truth, final["flags"], identity, in_store),
        "timeliness": {"status": "measured", "step_days": step_days}
        | score_timeliness(truth, runs, identity_of, in_store["person"], (start, end)),
    }
