"""Ingest checks: records against the truth's copies, and the quarantine against broken rows."""

from __future__ import annotations

from datetime import datetime

import pytest

from joinedup.evaluate.ingest_check import mention_coverage, quarantine_check, record_counts
from joinedup.evaluate.labels import label_mentions
from joinedup.evaluate.store_view import StoredMention, StoredQuarantine
from joinedup.evaluate.truth import ExpectedQuarantine, Truth, TruthRecord


def rec(ref: str, copy: str, spec: str = "stops") -> TruthRecord:
    t = datetime(2019, 1, 1)
    return TruthRecord(spec, ref, 1, copy, False, "", t, t)


def test_records_expected_against_stored(hand_truth: Truth) -> None:
    truth = hand_truth
    truth.records = [
        rec("A", "original"),
        rec("A", "resend"),  # a correction: stored as a second record
        rec("B", "original"),
        rec("B", "exact_duplicate"),
        rec("C", "malformed"),
        rec("D", "original"),
    ]
    stored = [("stops", "A"), ("stops", "B"), ("stops", "D"), ("stops", "D"), ("stops", "X")]
    q = [StoredQuarantine("stops", "C", 6, "StopTime", "not a date")]
    out = record_counts(truth, stored, {"stops": 1}, q)
    assert out["by_spec"]["stops"] == {
        "expected_stored": 4,
        "stored": 5,
        "expected_duplicates": 1,
        "duplicates": 1,
        "expected_quarantined": 1,
        "quarantined": 1,
        "missing": 1,  # A's correction
        "unexpected": 2,  # D twice, X from nowhere
    }
    assert out["stored_share"] == pytest.approx(3 / 4)


def test_expected_quarantines_are_matched_and_the_rest_reported(hand_truth: Truth) -> None:
    truth = hand_truth
    truth.quarantines = [
        ExpectedQuarantine("stops", "S9", 9, "StopTime", "impossible date"),
        ExpectedQuarantine("stops", "", 12, "StopRef", "no reference"),  # matched by row
        ExpectedQuarantine("stops", "S7", 7, "StopTime", "impossible date"),  # never quarantined
        ExpectedQuarantine("stops", "", 20, "StopRef", "no reference", file_row=21),
    ]
    stored = [
        StoredQuarantine("stops", "S9", 10, "StopTime", "'31/02/2019' is not a real date"),
        StoredQuarantine("stops", None, 13, "StopRef", "the record has no reference"),
        StoredQuarantine("stops", "S3", 4, "Role", "code 'Q' is not in list roles: ..."),
        StoredQuarantine("stops", None, 21, "StopRef", "the record has no reference"),
    ]
    out = quarantine_check(truth, stored)
    assert (out["expected"], out["found"], out["unexpected"]) == (4, 3, 1)
    assert out["expected_not_found"] == 1
    assert out["expected_not_found_rows"] == [
        {"spec": "stops", "row": 7, "column": "StopTime", "why": "impossible date"}
    ]
    assert out["unexpected_reasons"] == {"stops: Role: code 'Q' is not in list roles": 1}


def test_mention_coverage_counts_keys_and_text(hand_truth: Truth) -> None:
    truth = hand_truth
    stored = [
        StoredMention("person", 1, "stops", "S1", "driver", False, None, None, None, ()),
        StoredMention("person", 2, "stops", "S1", "owner", False, None, None, None, ()),
        StoredMention("person", 3, "stops", "S1", "text:Notes:11", True, "Notes", 11, 14, ()),
        StoredMention("person", 4, "stops", "S1", "text:Notes:40", True, "Notes", 40, 44, ()),
    ]
    out = mention_coverage(truth, label_mentions(truth, "person", stored))
    assert (out["truth"], out["found"], out["coverage"], out["unexpected"]) == (2, 1, 0.5, 1)
    assert out["text"] == {
        "truth": 1,
        "found": 1,
        "coverage": 1.0,
        "extracted": 2,
        "matching_truth": 1,
        "precision": 0.5,
    }
