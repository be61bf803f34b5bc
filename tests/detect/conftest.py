"""A tiny seeded city, ingested and resolved once per backend; copies for tests that write."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from joinedup.access.users import add_user
from joinedup.ingest.batch import ingest_file, plan_paths
from joinedup.resolve import resolve_all
from joinedup.store import make_engine, migrate, write_transaction
from joinedup.synth import generate_city
from tests.conftest import PG_ADMIN_URL, drop_pg_database, new_pg_database

TINY = {"seed": 7, "children": 20, "months": 2}
PW = "violet harbour lantern 7"
USERS = {"ada": "admin", "ana": "analyst", "sue": "supervisor", "rex": "researcher"}


@pytest.fixture(scope="session")
def detect_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    city = tmp_path_factory.mktemp("detect_tiny") / "city"
    generate_city(out_dir=city, **TINY)
    return city


def build_store(url: str, city: Path) -> None:
    engine = make_engine(url)
    migrate(engine)
    for pf in plan_paths([city], None):
        ingest_file(engine, pf.path, pf.spec, actor="detect.test")
    resolve_all(engine, "detect.test")
    with write_transaction(engine) as conn:
        for name, role in USERS.items():
            add_user(conn, name, role, PW, actor="detect.test")
    engine.dispose()


@pytest.fixture(scope="session")
def resolved_sqlite(detect_city: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("detect_store") / "resolved.db"
    build_store(f"sqlite:///{db}", detect_city)
    return db


@pytest.fixture(scope="session")
def resolved_pg(detect_city: Path) -> Iterator[str]:
    url = new_pg_database()
    build_store(url, detect_city)
    yield url
    drop_pg_database(url)


def _pg_copy(template: str) -> str:
    name = f"jut_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template).database}"'))
    admin.dispose()
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def resolved(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh copy of the resolved tiny city, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        db = tmp_path / "copy.db"
        shutil.copy(request.getfixturevalue("resolved_sqlite"), db)
        engine = make_engine(f"sqlite:///{db}")
        yield engine
        engine.dispose()
    else:
        url = _pg_copy(request.getfixturevalue("resolved_pg"))
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()
            drop_pg_database(url)
