"""What can be measured before resolution: did ingest store what the truth says it should?

Coverage of true mentions per kind, records stored against the truth's copies, and the
quarantine against the rows the synth broke on purpose.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from joinedup.evaluate.labels import Labelled
from joinedup.evaluate.metrics import ratio
from joinedup.evaluate.store_view import StoredQuarantine
from joinedup.evaluate.truth import STORED_COPIES, Truth

EXAMPLES = 20  # unexpected quarantines listed one by one; the rest are counted


def mention_coverage(truth: Truth, labelled: Labelled) -> dict[str, Any]:
    """Structured mentions: share of true keys stored; text: share found and share right."""
    kind = labelled.kind
    true_keys = {k for k, (knd, _) in truth.mentions.items() if knd == kind}
    stored_keys = {m.key for m in labelled.mentions if not m.extracted}
    structured = [m for m in labelled.mentions if not m.extracted]
    unexpected = sum(1 for m in structured if m.key not in true_keys)
    found = len(true_keys & stored_keys)
    true_text = sum(1 for tm in truth.text_mentions if tm.kind == kind)
    pairs = zip(labelled.mentions, labelled.labels, strict=True)
    extracted = [lab for m, lab in pairs if m.extracted]
    right = sum(1 for lab in extracted if lab is not None)
    return {
        "truth": len(true_keys),
        "found": found,
        "coverage": ratio(found, len(true_keys)),
        "unexpected": unexpected,
        "text": {
            "truth": true_text,
            "found": len(labelled.text_found),
            "coverage": ratio(len(labelled.text_found), true_text),
            "extracted": len(extracted),
            "matching_truth": right,
            "precision": ratio(right, len(extracted)),
        },
    }


def pooled_text(coverage: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Text extraction over every kind at once (per kind, the samples are small)."""
    keys = ("truth", "found", "extracted", "matching_truth")
    total = {k: sum(c["text"][k] for c in coverage.values()) for k in keys}
    return total | {
        "coverage": ratio(total["found"], total["truth"]),
        "precision": ratio(total["matching_truth"], total["extracted"]),
    }


def record_counts(
    truth: Truth,
    stored: list[tuple[str, str | None]],
    duplicates: dict[str, int],
    quarantined: list[StoredQuarantine],
) -> dict[str, Any]:
    """Per spec: records stored, duplicates and quarantined rows, expected against found.

    Expected from the truth's `copy` column: original and resend copies are stored (a
    resend differs from the original, so it is stored as a correction), exact_duplicate
    copies are counted as duplicates, malformed copies are quarantined.
    """
    expected_refs: Counter[tuple[str, str]] = Counter()
    expected: dict[str, Counter[str]] = {}
    for r in truth.records:
        expected.setdefault(r.spec, Counter())[r.copy] += 1
        if r.copy in STORED_COPIES:
            expected_refs[(r.spec, r.source_ref)] += 1
    stored_refs: Counter[tuple[str, str]] = Counter((s, ref or "") for s, ref in stored)
    q_by_spec = Counter(q.spec for q in quarantined)
    by_spec: dict[str, dict[str, int]] = {}
    for spec in sorted(set(expected) | {s for s, _ in stored_refs} | set(q_by_spec)):
        copies = expected.get(spec, Counter())
        keys = {k for k in expected_refs.keys() | stored_refs.keys() if k[0] == spec}
        by_spec[spec] = {
            "expected_stored": sum(copies[c] for c in STORED_COPIES),
            "stored": sum(n for (s, _), n in stored_refs.items() if s == spec),
            "expected_duplicates": copies["exact_duplicate"],
            "duplicates": duplicates.get(spec, 0),
            "expected_quarantined": copies["malformed"],
            "quarantined": q_by_spec.get(spec, 0),
            "missing": sum(max(0, expected_refs[k] - stored_refs[k]) for k in keys),
            "unexpected": sum(max(0, stored_refs[k] - expected_refs[k]) for k in keys),
        }
    total = {k: sum(v[k] for v in by_spec.values()) for k in next(iter(by_spec.values()), {})}
    return {
        "by_spec": by_spec,
        "total": total,
        "stored_share": ratio(
            total.get("expected_stored", 0) - total.get("missing", 0),
            total.get("expected_stored", 0),
        ),
    }


def quarantine_check(truth: Truth, quarantined: list[StoredQuarantine]) -> dict[str, Any]:
    """Expected quarantines found (by spec and reference, or row), and unexpected ones."""
    by_ref: dict[tuple[str, str | None], list[int]] = {}
    by_row: dict[tuple[str, int], list[int]] = {}
    for i, q in enumerate(quarantined):
        by_ref.setdefault((q.spec, q.source_ref), []).append(i)
        by_row.setdefault((q.spec, q.row_number), []).append(i)
    used: set[int] = set()
    missing = []
    for eq in truth.quarantines:
        if eq.source_ref:
            candidates = by_ref.get((eq.spec, eq.source_ref), [])
        elif eq.file_row is not None:
            candidates = by_row.get((eq.spec, eq.file_row), [])
        else:  # older truth: data rows from 1, while a CSV's row number counts its header
            candidates = by_row.get((eq.spec, eq.row), []) + by_row.get((eq.spec, eq.row + 1), [])
        hit = next((i for i in candidates if i not in used), None)
        if hit is None:
            missing.append({"spec": eq.spec, "row": eq.row, "column": eq.column, "why": eq.reason})
        else:
            used.add(hit)
    unexpected = [q for i, q in enumerate(quarantined) if i not in used]
    reasons = Counter(f"{q.spec}: {q.field or '-'}: {q.reason.split(':')[0]}" for q in unexpected)
    return {
        "expected": len(truth.quarantines),
        "found": len(truth.quarantines) - len(missing),
        "share_found": ratio(len(truth.quarantines) - len(missing), len(truth.quarantines)),
        "expected_not_found": len(missing),
        "expected_not_found_rows": missing,
        "unexpected": len(unexpected),
        "unexpected_reasons": dict(reasons.most_common()),
        "unexpected_examples": [
            {"spec": q.spec, "row": q.row_number, "field": q.field, "reason": q.reason}
            for q in unexpected[:EXAMPLES]
        ],
    }
