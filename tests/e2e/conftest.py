"""Browser-test fixtures: the seeded store behind a live server, and Chromium.

Every browser test runs twice: on the embedded SQLite store and on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from joinedup.store import make_engine, migrate
from tests.conftest import drop_pg_database, new_pg_database
from tests.e2e.server import CHROMIUM, chromium, running_server
from tests.web.seed import Seeded, make_city, seed_store


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def e2e_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Seeded]:
    work = tmp_path_factory.mktemp(f"e2e-{request.param}")
    url = f"sqlite:///{work / 'e2e.db'}" if request.param == "sqlite" else new_pg_database()
    engine = make_engine(url)
    try:
        migrate(engine)
        yield seed_store(engine, make_city(work), work)
    finally:
        engine.dispose()
        if request.param == "postgresql":
            drop_pg_database(url)


@pytest.fixture(scope="session")
def base_url(e2e_store: Seeded) -> Iterator[str]:
    with running_server(e2e_store.url, e2e_store.engine) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)")
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, base_url):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=base_url, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.console_problems = []  # CSP violations and script errors show up here
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and not m.text.startswith("Failed to load resource")  # 401s of the lockout test
            and page.console_problems.append(m.text)
        ),
    )
    page.on("pageerror", lambda e: page.console_problems.append(str(e)))
    yield page
    context.close()
