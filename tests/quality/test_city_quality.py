"""Quality bars on a seeded small city, and proof that they fail when the pipeline breaks."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import text

from joinedup.evaluate import available_stages, check_thresholds
from joinedup.store import make_engine
from tests.quality.conftest import (
    Evaluated,
    evaluate_db,
    run_pipeline,
    spec_with_misspelt_name,
)


def test_the_city_meets_every_ingest_bar(evaluated: Evaluated) -> None:
    # Resolution's bars are asserted in test_resolution_quality.py (issue 4 is still open:
    # person recall is below its bar there); this store has only been ingested.
    stages = [s for s in available_stages() if s == "ingest"]
    failures = check_thresholds(evaluated.report, required=stages)
    assert not failures, "\n".join(failures)


def test_the_bars_are_measured_on_real_volumes(evaluated: Evaluated) -> None:
    ingest = evaluated.report["ingest"]
    for kind, floor in {"person": 3000, "vehicle": 2000, "phone": 800, "location": 4000}.items():
        assert ingest["mentions"][kind]["truth"] >= floor, kind  # a vacuous pass is no pass
    assert ingest["text_mentions"]["truth"] >= 100
    assert ingest["quarantine"]["expected"] >= 1


def test_losing_mentions_after_ingest_fails_the_bars(evaluated: Evaluated, tmp_path: Path) -> None:
    db = tmp_path / "lossy.db"
    shutil.copy(evaluated.db, db)
    engine = make_engine(f"sqlite:///{db}")
    doomed = "(SELECT id FROM person_mention WHERE id % 50 = 0)"  # as a buggy writer might
    statements = [
        *(
            f"UPDATE {table} SET person_mention_id = NULL WHERE person_mention_id IN {doomed}"
            for table in ("vehicle_mention", "phone_mention", "location_mention")
        ),
        f"DELETE FROM protected_characteristic WHERE person_mention_id IN {doomed}",
        f"DELETE FROM person_mention WHERE id IN {doomed}",
    ]
    with engine.begin() as conn:
        for sql in statements:
            conn.execute(text(sql))
    engine.dispose()
    failures = check_thresholds(evaluate_db(db, evaluated.truth))
    assert [f.split(":")[0] for f in failures] == ["ingest.mentions.person.coverage"]


def test_a_broken_feed_spec_fails_the_bars(evaluated: Evaluated, tmp_path: Path) -> None:
    db = tmp_path / "broken.db"
    broken = {"police_stops": spec_with_misspelt_name("police_stops", "occupant")}
    run_pipeline(evaluated.city, db, broken)
    failures = check_thresholds(evaluate_db(db, evaluated.truth))
    assert [f.split(":")[0] for f in failures] == ["ingest.mentions.person.coverage"]
