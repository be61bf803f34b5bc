"""The quality bars: pass, fail, or not run, and never passed by a null."""

from __future__ import annotations

from typing import Any

import pytest

from joinedup.evaluate.report import not_run
from joinedup.evaluate.thresholds import THRESHOLDS, check, check_thresholds, south_asian_gap


def report(**sections: Any) -> dict[str, Any]:
    kinds = ("person", "vehicle", "phone", "location")
    base: dict[str, Any] = {
        "ingest": {
            "mentions": {k: {"coverage": 1.0} for k in kinds},
            "text_mentions": {"coverage": 0.99, "precision": 1.0},
            "records": {"stored_share": 1.0, "total": {"unexpected": 0}},
            "quarantine": {"expected_not_found": 0, "unexpected": 0},
        },
        "er": not_run("er", "resolution has not been run"),
        "groups": not_run("groups", "detection has not been run"),
        "flags": not_run("flags", "detection has not been run"),
        "timeliness": not_run("timeliness", "detection has not been run"),
    }
    return base | sections


def test_a_sound_ingest_passes_and_later_stages_are_not_run() -> None:
    rows = check(report())
    assert check_thresholds(report()) == []
    assert {r["status"] for r in rows if r["name"].startswith("ingest")} == {"pass"}
    assert {r["status"] for r in rows if not r["name"].startswith("ingest")} == {"not_run"}


def test_a_required_stage_that_did_not_run_fails() -> None:
    failures = check_thresholds(report(), required=("ingest", "er"))
    assert failures and all(f.startswith("er.") for f in failures)
    assert "resolution has not been run" in failures[0]


def test_a_measured_but_undefined_metric_fails() -> None:
    bad = report()
    bad["ingest"]["text_mentions"]["precision"] = None  # nothing extracted at all
    assert check_thresholds(bad) == ["ingest.text_mentions.precision: None is not >= 0.97"]


@pytest.mark.parametrize(
    ("path", "value", "fails"),
    [
        (("ingest", "mentions", "person", "coverage"), 0.998, True),
        (("ingest", "mentions", "person", "coverage"), 0.999, False),
        (("ingest", "quarantine", "unexpected"), 1, True),
        (("ingest", "records", "stored_share"), 0.9999, True),
    ],
)
def test_ingest_bars(path: tuple[str, ...], value: float, fails: bool) -> None:
    r = report()
    node = r
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert bool(check_thresholds(r)) is fails


def origins(sa: tuple[int, float], other: tuple[int, float]) -> dict[str, dict[str, Any]]:
    """(mentions, B-cubed recall) for South Asian names and, split in two, the others."""
    return {
        "south_asian": {"items": sa[0], "bcubed_recall": sa[1]},
        "english": {"items": other[0] // 2, "bcubed_recall": other[1]},
        "african": {"items": other[0] // 2, "bcubed_recall": other[1]},
    }


@pytest.mark.parametrize(
    ("sa", "other", "gap"),
    [
        ((100, 0.95), (1000, 0.96), -0.01),
        ((100, 0.93), (1000, 0.96), -0.03),
        ((100, 0.99), (1000, 0.96), 0.03),
        ((0, None), (1000, 0.96), None),
    ],
)
def test_south_asian_recall_gap(sa: tuple, other: tuple, gap: float | None) -> None:
    result = south_asian_gap(origins(sa, other))
    assert result == (None if gap is None else pytest.approx(gap))


def test_the_gap_pools_other_origins_by_mentions() -> None:
    by_origin = {
        "south_asian": {"items": 10, "bcubed_recall": 0.9},
        "english": {"items": 30, "bcubed_recall": 1.0},
        "african": {"items": 10, "bcubed_recall": 0.6},
    }
    assert south_asian_gap(by_origin) == pytest.approx(0.9 - (30 + 6) / 40)


def er(precision: float, recall: float, b3: float, gap_sa: tuple[int, float]) -> dict[str, Any]:
    person = {
        "pairwise": {"precision": precision, "recall": recall},
        "bcubed": {"f1": b3},
        "by_name_origin": origins(gap_sa, (1000, 0.96)),
    }
    other = {"pairwise": {"precision": 1.0, "recall": 1.0}}
    return {"status": "measured", "person": person, "vehicle": other, "phone": other}


@pytest.mark.parametrize(
    ("section", "failing"),
    [
        (er(0.99, 0.96, 0.98, (100, 0.95)), []),
        (er(0.97, 0.96, 0.98, (100, 0.95)), ["er.person.pairwise.precision"]),
        (er(0.99, 0.96, 0.98, (100, 0.93)), ["er.person.south_asian_recall_gap"]),
    ],
)
def test_resolution_bars(section: dict[str, Any], failing: list[str]) -> None:
    failures = check_thresholds(report(er=section), required=("ingest", "er"))
    assert [f.split(":")[0] for f in failures] == failing


def test_every_bar_is_in_the_docs() -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "evaluation.md").read_text(encoding="utf-8")
    missing = [t.name for t in THRESHOLDS if f"`{t.name}`" not in doc]
    assert not missing, f"thresholds with no entry in docs/evaluation.md: {missing}"
