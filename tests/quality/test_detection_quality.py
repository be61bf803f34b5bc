"""Detection on the seeded quality city (resolve, then detect as of every week): the issue's
bars for groups, offenders, innocent adults, timeliness and children. A bar not met is a
strict xfail carrying the figure measured, never a lowered bar (docs/benchmarks.md)."""

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
from tests.quality.conftest import run_pipeline

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def detection(city: Path) -> dict[str, Any]:
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
    return report


def test_offenders_appear_in_a_lead(detection: dict[str, Any]) -> None:
    # city 11: 0.907 (seeds 12, 13: 0.958, 0.848)
    assert detection["groups"]["offenders_in_a_lead"] >= 0.85


def test_few_adults_named_in_leads_are_innocent(detection: dict[str, Any]) -> None:
    # city 11: 0.046-0.094 by resolution version (seeds 12, 13: 0.076, 0.123)
    assert detection["groups"]["lead_adults_innocent"] <= 0.15


def test_victims_are_at_risk_before_their_last_abuse(detection: dict[str, Any]) -> None:
    # city 11: 1.0 (seeds 12, 13: 0.85, 0.875)
    assert detection["timeliness"]["victims_at_risk_before_last_abuse"] >= 0.80


def test_the_share_of_non_victims_at_risk_is_reported_and_bounded(
    detection: dict[str, Any],
) -> None:
    # Not a bar in the issue, a regression ceiling: city 11 has 0.09 of non-victim children (seeds 12, 13: 0.13, 0.11)
    # at moderate or significant (children in care who go missing every week are among them).
    share = detection["non_victims_at_risk"]
    assert 0.0 < share <= 0.2


@pytest.mark.xfail(
    reason="issue 5 bar not met: 0.833 of groups found on city 11 (5 of 6; G006 has a single "
    "victim, which a lead of two children cannot name; cities 12, 13: 1.0, 0.5)",
    strict=True,
)
def test_groups_are_found(detection: dict[str, Any]) -> None:
    assert detection["groups"]["groups_found"] >= 0.90


@pytest.mark.xfail(
    reason="issue 5 bar not met: median delay 120-130.5 days on city 11, by resolution "
    "version (cities 12, 13: 124.5, none: half the groups never named)",
    strict=True,
)
def test_groups_are_found_early(detection: dict[str, Any]) -> None:
    median = detection["timeliness"]["median_days"]
    assert median is not None and median < 60
