"""Detection on the seeded quality cities 11, 12 and 13 (resolve, then detect as of every
week): the issue's bars for groups, offenders, innocent adults, timeliness and children.
A bar not met on a city is a strict xfail for that city carrying the figure measured,
never a lowered bar (docs/benchmarks.md, "Detection")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from joinedup.detect import leads_as_of
from joinedup.evaluate import baselines, evaluate_store, load_truth
from joinedup.evaluate.detection import AT_RISK, child_bands, identities
from joinedup.evaluate.labels import label_mentions
from joinedup.evaluate.store_view import entity_members, stored_mentions
from joinedup.resolve import resolve_all
from joinedup.store import make_engine
from joinedup.synth import generate_city
from tests.quality.conftest import CITY, run_pipeline

pytestmark = pytest.mark.slow

SEEDS = (11, 12, 13)
# Bars measured as missed, per city: (test name, seed) -> the figure measured.
MISSED = {
    ("test_groups_are_found_early", 13): "median delay 94 days on city 13 (21, 38, 92, 158, 96, "
    "144): benchmarks/timeliness_bound.py --homes --recorded, naming a group the day any "
    "record puts a child with two of its men, directly, through a car or phone or through "
    "an address where one is recorded as living (truth, perfect resolution), gets 63.5 "
    "there, over 60 before the weekly as-of step (docs/benchmarks.md)",
}


@pytest.fixture(scope="module", params=SEEDS, ids=lambda s: f"city{s}")
def detection(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    seed = request.param
    if seed == CITY["seed"]:
        city: Path = request.getfixturevalue("city")
    else:
        city = tmp_path_factory.mktemp(f"quality{seed}") / "city"
        generate_city(out_dir=city, **{**CITY, "seed": seed})
    db = city.parent / "detected.db"
    run_pipeline(city, db)
    engine = make_engine(f"sqlite:///{db}")
    truth = load_truth(city / "truth")
    try:
        resolve_all(engine, "quality.test")
        with engine.connect() as conn:
            report = evaluate_store(conn, truth)
            labelled = {
                k: label_mentions(truth, k, stored_mentions(conn, k, baselines.EXACT_KEYS[k][0]))
                for k in ("person", "vehicle", "phone", "location")
            }
            identity = identities(entity_members(conn), labelled)
            bands = child_bands(leads_as_of(conn, None)["flags"], identity)
    finally:
        engine.dispose()
    persons = {x for x in labelled["person"].labels if x is not None}
    others = (truth.children - truth.victims) & persons
    report["non_victims_at_risk"] = sum(1 for c in others if bands.get(c) in AT_RISK) / len(others)
    report["seed"] = seed
    return report


@pytest.fixture(autouse=True)
def _missed_bars(request: pytest.FixtureRequest) -> None:
    """Mark a (test, city) pair whose bar was measured as missed a strict xfail."""
    if "detection" not in request.fixturenames:
        return
    seed = request.getfixturevalue("detection")["seed"]
    reason = MISSED.get((request.node.originalname, seed))
    if reason is not None:
        request.applymarker(pytest.mark.xfail(reason=f"issue 5 bar not met: {reason}", strict=True))


def test_groups_are_found(detection: dict[str, Any]) -> None:
    # cities 11, 12, 13: 1.0, 1.0, 1.0 (6 of 6 each)
    assert detection["groups"]["groups_found"] >= 0.90


def test_offenders_appear_in_a_lead(detection: dict[str, Any]) -> None:
    # cities 11, 12, 13: 0.953, 0.979, 0.913
    assert detection["groups"]["offenders_in_a_lead"] >= 0.85


def test_few_adults_named_in_leads_are_innocent(detection: dict[str, Any]) -> None:
    # cities 11, 12, 13: 0.109, 0.094, 0.121
    assert detection["groups"]["lead_adults_innocent"] <= 0.15


def test_groups_are_found_early(detection: dict[str, Any]) -> None:
    # cities 11, 12, 13: median 55, 53.5, 94 days (city 13 is a strict xfail, MISSED)
    median = detection["timeliness"]["median_days"]
    assert median is not None and median < 60


def test_victims_are_at_risk_before_their_last_abuse(detection: dict[str, Any]) -> None:
    # cities 11, 12, 13: 1.0, 0.85, 0.875
    assert detection["timeliness"]["victims_at_risk_before_last_abuse"] >= 0.80


def test_the_share_of_non_victims_at_risk_is_reported_and_bounded(
    detection: dict[str, Any],
) -> None:
    # Not a bar in the issue, a regression ceiling: 0.082, 0.119, 0.103 of non-victim children
    # at moderate or significant on cities 11, 12, 13 (children in care who go missing
    # every week are among them).
    share = detection["non_victims_at_risk"]
    assert 0.0 < share <= 0.2
