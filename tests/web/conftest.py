"""Web test fixtures: the seeded store on SQLite and PostgreSQL, built once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from joinedup.store import make_engine, migrate
from joinedup.web import WebSettings, create_app
from tests.conftest import drop_pg_database, new_pg_database
from tests.web.seed import Seeded, make_city, seed_store


@pytest.fixture(scope="session")
def web_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_city(tmp_path_factory.mktemp("web_city"))


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, web_city: Path
) -> Iterator[Seeded]:
    work = tmp_path_factory.mktemp(f"web_{request.param}")
    url = f"sqlite:///{work / 'web.db'}" if request.param == "sqlite" else new_pg_database()
    engine = make_engine(url)
    migrate(engine)
    try:
        yield seed_store(engine, web_city, work)
    finally:
        engine.dispose()
        if request.param != "sqlite":
            drop_pg_database(url)


@pytest.fixture
def app(seeded: Seeded) -> FastAPI:
    return create_app(WebSettings(seeded.url), seeded.engine)


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


def new_client(app: FastAPI) -> TestClient:
    return TestClient(app)
