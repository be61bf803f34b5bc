"""Resolution on the seeded quality city: the issue's bars, per kind and by name origin."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from joinedup.evaluate import evaluate_store, load_truth
from joinedup.evaluate.thresholds import south_asian_gap
from joinedup.resolve import resolve_all
from joinedup.store import make_engine
from tests.quality.conftest import run_pipeline

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def er(city: Path) -> dict[str, Any]:
    db = city.parent / "resolved.db"
    run_pipeline(city, db)
    engine = make_engine(f"sqlite:///{db}")
    try:
        resolve_all(engine, "quality.test")
        with engine.connect() as conn:
            return evaluate_store(conn, load_truth(city / "truth"))["er"]
    finally:
        engine.dispose()


def test_vehicle_and_phone_precision(er: dict[str, Any]) -> None:
    assert er["vehicle"]["pairwise"]["precision"] >= 0.99
    assert er["phone"]["pairwise"]["precision"] >= 0.99


def test_south_asian_recall_is_within_two_points(er: dict[str, Any]) -> None:
    gap = south_asian_gap(er["person"]["by_name_origin"])
    assert gap is not None and gap >= -0.02


def test_person_precision(er: dict[str, Any]) -> None:
    assert er["person"]["pairwise"]["precision"] >= 0.98


def test_person_recall_does_not_fall_below_what_was_measured(er: dict[str, Any]) -> None:
    # A regression floor just under today's figures (city 11, 2026-12-01 20:43 UTC: recall
    # 0.937, B-cubed F1 0.937, precision 0.986, South Asian gap -0.018, with same_phone,
    # similar_name, initials, companions, same_post and same_birth_date after the model;
    # before same_post and same_birth_date were on 0.926 and 0.931).
    assert er["person"]["pairwise"]["recall"] >= 0.933
    assert er["person"]["bcubed"]["f1"] >= 0.934


@pytest.mark.xfail(
    reason="issue 4 bar not met yet: recall 0.937, B-cubed F1 0.937 on city 11 "
    "(cities 12 / 13: 0.912 / 0.939 and 0.933 / 0.939, measured 2026-12-01 20:43-20:46 UTC "
    "with same_post and same_birth_date on; docs/resolution.md, Quality)",
    strict=True,
)
def test_person_recall_and_bcubed(er: dict[str, Any]) -> None:
    assert er["person"]["pairwise"]["recall"] >= 0.95
    assert er["person"]["bcubed"]["f1"] >= 0.97
