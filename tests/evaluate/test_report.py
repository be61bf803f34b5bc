"""The whole report on a tiny real city: what ingest did, nulls for absent stages, oracles."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, text
from sqlalchemy.engine import Engine

from joinedup.evaluate import check_thresholds, evaluate_store
from joinedup.evaluate import store_view as sv
from joinedup.evaluate.baselines import exact_clusters
from joinedup.evaluate.store_view import StoredMention
from joinedup.evaluate.truth import Truth
from joinedup.store import make_engine
from joinedup.store import tables as t
from tests.evaluate.conftest import ingest_city
from tests.evaluate.oracles import (
    merge_by_surname,
    perfect_detection,
    perfect_resolution,
    true_clusters,
)

ALL_STAGES = ("ingest", "er", "groups", "flags", "timeliness")


def run(engine: Engine, truth: Truth, **providers: Any) -> dict[str, Any]:
    with engine.connect() as conn:
        return evaluate_store(conn, truth, step_days=14, **providers)


@pytest.fixture(scope="module")
def plain(tiny_db: Path, tiny_truth: Truth) -> dict[str, Any]:
    engine = make_engine(f"sqlite:///{tiny_db}")
    try:
        return run(engine, tiny_truth)
    finally:
        engine.dispose()


def test_ingest_of_a_sound_city_is_complete(plain: dict[str, Any], tiny_truth: Truth) -> None:
    ingest = plain["ingest"]
    for kind, cov in ingest["mentions"].items():
        assert cov["coverage"] == 1.0, kind
        assert cov["unexpected"] == 0, kind
    total = ingest["records"]["total"]
    assert total["stored"] == total["expected_stored"] > 0
    assert (total["missing"], total["unexpected"]) == (0, 0)
    assert total["duplicates"] == total["expected_duplicates"]
    q = ingest["quarantine"]
    assert (q["found"], q["unexpected"]) == (len(tiny_truth.quarantines), 0)


def test_stages_that_have_not_run_are_null_with_a_reason(plain: dict[str, Any]) -> None:
    er = plain["er"]
    assert er["status"] == "not_run"
    assert er["reason"].startswith("resolution has not been run")
    assert all(er[k] is None for k in ("person", "vehicle", "phone", "location"))
    for section in ("groups", "flags", "timeliness"):
        assert plain[section]["status"] == "not_run"
        # Migration 0003 creates the flag tables, so what is missing here is resolution.
        assert "detection needs resolution first" in plain[section]["reason"]
    assert plain["timeliness"]["median_days"] is None


def test_baselines_are_labelled_and_scored(plain: dict[str, Any]) -> None:
    base = plain["baselines"]
    assert "NOT the pipeline" in base["note"]
    person = base["er"]["person"]
    assert person["method"].startswith("exact normalised (forename, surname, date of birth)")
    assert 0 < person["pairwise"]["recall"] < 1
    assert set(person["by_name_origin"]) <= {
        "english", "south_asian", "eastern_european", "african", "caribbean", "middle_eastern",
    }  # fmt: skip


def stored(kind: str, *fields: object) -> StoredMention:
    return StoredMention(
        kind, hash(fields) % 1000, "s", "r", "slot", False, None, None, None, fields
    )


@pytest.mark.parametrize(
    ("m", "key"),
    [
        (stored("person", " Amir ", "KHAN", "1990"), ("person", "amir", "khan", "1990")),
        (stored("person", "amir", "khan", None), None),
        (stored("vehicle", "FD51KXT"), ("vehicle", "FD51KXT")),
        (stored("vehicle", None), None),
        (stored("phone", "+447700900123", True), ("phone", "+447700900123")),
        (stored("phone", "+4477", False), None),
        (stored("location", "NV3 4QT", "1 MILL LN", None), ("location", "nv3 4qt", "1 mill ln")),
        (stored("location", None, None, "CENTRAL HOTEL"), ("location", "", "central hotel")),
        (stored("location", "NV3 4QT", None, None), None),
    ],
)  # fmt: skip
def test_baseline_keys(m: StoredMention, key: tuple | None) -> None:
    assert exact_clusters(m.kind, [m]).get(m.ref) == key


def test_perfect_stages_score_perfectly(tiny_store: Engine, tiny_truth: Truth) -> None:
    report = run(
        tiny_store,
        tiny_truth,
        entities=perfect_resolution(tiny_truth),
        detection=perfect_detection(tiny_truth),
    )
    person = report["er"]["person"]
    assert person["pairwise"]["precision"] == person["pairwise"]["recall"] == 1.0
    assert person["bcubed"]["f1"] == 1.0
    assert all(g["pairwise_recall"] in (1.0, None) for g in person["by_name_origin"].values())
    assert report["groups"]["groups_found"] == 1.0
    assert report["groups"]["offenders_in_a_lead"] == 1.0
    assert report["groups"]["lead_adults_innocent"] == 0.0
    assert report["flags"]["adult"]["precision"] == report["flags"]["adult"]["recall"] == 1.0
    assert report["timeliness"]["median_days"] is not None
    assert report["timeliness"]["median_days"] <= 14  # named at the first run after evidence
    assert not [f for f in check_thresholds(report, ALL_STAGES) if not f.startswith("ingest")]


def test_broken_stages_fail_their_bars(tiny_store: Engine, tiny_truth: Truth) -> None:
    report = run(
        tiny_store,
        tiny_truth,
        entities=merge_by_surname(tiny_truth),
        detection=perfect_detection(tiny_truth, innocents=6),
    )
    failed = {f.split(":")[0] for f in check_thresholds(report, ALL_STAGES)}
    assert "er.person.pairwise.precision" in failed
    assert "groups.lead_adults_innocent" in failed


def empty_entities(conn: object) -> dict:
    return {}


@pytest.fixture
def store_copy(tiny_db: Path, tmp_path: Path) -> Engine:
    """A copy of the tiny store, with a (still empty) flag table as detection would add."""
    copy = tmp_path / "copy.db"
    shutil.copy(tiny_db, copy)
    engine = make_engine(f"sqlite:///{copy}")
    with engine.begin() as conn:  # migration 0003 already creates it; older stores did not
        conn.execute(text("CREATE TABLE IF NOT EXISTS flag (id INTEGER PRIMARY KEY)"))
    return engine


def test_a_store_without_entity_tables_says_so(
    store_copy: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sv, "RESOLUTION_TABLES", ("no_such_entity_table",))
    with store_copy.connect() as conn:
        reason = sv.resolution_output(conn).reason
    assert reason == "resolution has not been run: no entity tables in this store"


def test_flag_tables_without_the_stage_function_say_so(
    store_copy: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sv, "DETECTION_HOOK", ("joinedup.no_such_stage", "leads_as_of"))
    with store_copy.connect() as conn:
        reason = sv.detection_provider(conn).reason or ""
    assert "leads_as_of(conn, as_of) does not exist" in reason


def test_the_entity_member_table_is_read_without_a_stage_function(
    store_copy: Engine, tiny_truth: Truth, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sv, "RESOLUTION_HOOK", ("joinedup.no_such_stage", "mention_entities"))
    with store_copy.connect() as conn:
        clusters = true_clusters(conn, tiny_truth)
    kinds = {label: kind for (kind, _), label in clusters.items()}
    ids = {label: i for i, label in enumerate(sorted(kinds), start=1)}
    with store_copy.begin() as conn:
        conn.execute(
            insert(t.resolution_run).values(
                id=1, mode="full", engine="duckdb", status="done", actor="test",
                started_at=datetime(2025, 1, 1),
            )
        )  # fmt: skip
        conn.execute(
            insert(t.entity),
            [
                {"id": i, "kind": kinds[label], "size": 1, "created_run_id": 1, "updated_run_id": 1}
                for label, i in ids.items()
            ],
        )
        conn.execute(
            insert(t.entity_member),
            [
                {"entity_id": ids[label], "mention_kind": kind, "mention_id": mid,
                 "how": "exact", "run_id": 1}
                for (kind, mid), label in clusters.items()
            ],
        )  # fmt: skip
    report = run(store_copy, tiny_truth)
    assert report["er"]["status"] == "measured"
    for kind in ("person", "vehicle", "phone", "location"):
        assert report["er"][kind]["bcubed"]["f1"] == 1.0, kind


def test_an_empty_resolution_is_not_run(
    store_copy: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sv, "RESOLUTION_HOOK", (__name__, "empty_entities"))
    with store_copy.connect() as conn:
        out = sv.resolution_output(conn)
    assert out.value is None and out.reason and "entity tables are empty" in out.reason


def test_the_stage_hook_is_called_when_it_exists(
    store_copy: Engine, tiny_truth: Truth, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tests.evaluate.test_report as me

    monkeypatch.setattr(me, "hooked", perfect_resolution(tiny_truth), raising=False)
    monkeypatch.setattr(sv, "RESOLUTION_HOOK", (__name__, "hooked"))
    report = run(store_copy, tiny_truth)
    assert report["er"]["status"] == "measured"
    assert report["er"]["vehicle"]["pairwise"]["precision"] == 1.0


def test_a_broken_stage_is_an_error_not_a_null(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "stage_with_a_missing_dependency.py").write_text("import no_such_dependency\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match="no_such_dependency"):
        sv.stage_hook(("stage_with_a_missing_dependency", "mention_entities"))
    assert sv.stage_hook(("joinedup.no_such_stage", "mention_entities")) is None


def test_the_same_report_on_every_backend(
    engine: Engine, tiny_city: Path, tiny_truth: Truth, plain: dict[str, Any]
) -> None:
    ingest_city(engine, tiny_city)
    assert run(engine, tiny_truth) == plain
