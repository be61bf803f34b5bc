"""A seeded small city run through the whole pipeline (as far as it exists), then evaluated.

When a stage lands (resolution, detection), add its run to `run_pipeline`: the quality
bars of that stage then apply here (see docs/evaluation.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from joinedup.evaluate import Truth, evaluate_store, load_truth
from joinedup.feeds import FeedSpec
from joinedup.feeds.loader import builtin_specs
from joinedup.ingest.batch import ingest_file, plan_paths
from joinedup.store import make_engine, migrate
from joinedup.synth import generate_city

CITY = {"seed": 11, "children": 300, "months": 12}


@dataclass
class Evaluated:
    city: Path
    db: Path
    truth: Truth
    report: dict[str, Any]


def run_pipeline(city: Path, db: Path, specs: dict[str, FeedSpec] | None = None) -> None:
    """Every stage that exists, on a fresh SQLite store; `specs` replaces a file's spec."""
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    for pf in plan_paths([city], None):
        spec: FeedSpec | str = (specs or {}).get(pf.spec, pf.spec)
        ingest_file(engine, pf.path, spec, actor="quality.test")
    engine.dispose()


def evaluate_db(db: Path, truth: Truth) -> dict[str, Any]:
    engine = make_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            return evaluate_store(conn, truth)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("quality") / "city"
    generate_city(out_dir=folder, **CITY)
    return folder


@pytest.fixture(scope="session")
def evaluated(city: Path) -> Evaluated:
    db = city.parent / "pipeline.db"
    run_pipeline(city, db)
    truth = load_truth(city / "truth")
    return Evaluated(city, db, truth, evaluate_db(db, truth))


def spec_with_misspelt_name(name: str, slot: str) -> FeedSpec:
    """A copy of a built-in spec whose person block `slot` reads its name from a misspelt
    column, so that no name (and so no person) is ever read from it: a broken mapping."""
    data = json.loads(builtin_specs()[name].model_dump_json(exclude_none=True))
    for block in data["persons"]:
        if block["slot"] == slot:
            for key in ("name", "forename", "surname"):
                if key in block:
                    block[key]["column"] = block[key]["column"] + "_misspelt"
    return FeedSpec.model_validate(data)
