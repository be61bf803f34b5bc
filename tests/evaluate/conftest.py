"""A tiny seeded synthetic city, ingested once per session, for the evaluate tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from joinedup.evaluate import Truth, load_truth
from joinedup.ingest.batch import ingest_file, plan_paths
from joinedup.store import make_engine, migrate
from joinedup.synth import generate_city
from tests.evaluate.helpers import write_truth

TINY = {"seed": 5, "children": 20, "months": 2}


def ingest_city(engine: Engine, city: Path) -> None:
    for pf in plan_paths([city], None):
        ingest_file(engine, pf.path, pf.spec, actor="evaluate.test")


@pytest.fixture(scope="session")
def tiny_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    city = tmp_path_factory.mktemp("tiny") / "city"
    generate_city(out_dir=city, **TINY)
    return city


@pytest.fixture(scope="session")
def tiny_truth(tiny_city: Path) -> Truth:
    return load_truth(tiny_city / "truth")


@pytest.fixture(scope="session")
def tiny_db(tiny_city: Path) -> Path:
    """A SQLite store holding the tiny city (tests copy it before changing it)."""
    path = tiny_city.parent / "tiny.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    ingest_city(engine, tiny_city)
    engine.dispose()
    return path


@pytest.fixture
def tiny_store(tiny_db: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tiny_db}")
    yield engine
    engine.dispose()


@pytest.fixture
def hand_truth(tmp_path: Path) -> Truth:
    """The hand-written truth of tests/evaluate/helpers.py (tests may change it in place)."""
    return load_truth(write_truth(tmp_path / "truth"))
