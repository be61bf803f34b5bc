"""A tiny seeded synthetic city ingested into a store on each backend, for resolve tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from joinedup.ingest.batch import ingest_file, plan_paths
from joinedup.store import make_engine, migrate
from joinedup.synth import generate_city

TINY = {"seed": 7, "children": 20, "months": 2}


@pytest.fixture(scope="session")
def tiny_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    city = tmp_path_factory.mktemp("resolve_tiny") / "city"
    generate_city(out_dir=city, **TINY)
    return city


def ingest_city(engine: Engine, city: Path, only: set[str] | None = None) -> None:
    for pf in plan_paths([city], None):
        if only is None or pf.spec in only:
            ingest_file(engine, pf.path, pf.spec, actor="resolve.test")


@pytest.fixture
def city_store(store_url: str, tiny_city: Path) -> Iterator[Engine]:
    """The tiny city in a fresh store, on SQLite and on PostgreSQL."""
    engine = make_engine(store_url)
    migrate(engine)
    ingest_city(engine, tiny_city)
    yield engine
    engine.dispose()
