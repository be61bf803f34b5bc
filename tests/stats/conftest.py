"""Stores for the statistics tests, on SQLite and PostgreSQL: a hand-written police extract
whose every count is known, and the tiny seeded synthetic city (resolved)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from joinedup.access.users import add_user
from joinedup.ingest.batch import ingest_file, plan_paths
from joinedup.store import make_engine, migrate, write_transaction
from joinedup.store import tables as t
from joinedup.synth import generate_city

T0 = datetime(2025, 3, 1, 9, 0, 0)
PW = "violet harbour lantern 7"


def person(role: str, fore: str, sur: str, **kw: str) -> dict[str, str]:
    return {"role": role, "forenames": fore, "surname": sur, **kw}


# Invented people. Victims: Amy (F, W1), Cara (F), Eve (no sex), Hana (F, B2).
# Suspects: Bob (M, A2/IC4, British), Dan (M, NS/IC1), Finn (M, W1), Gus (no sex).
INCIDENTS = [
    (
        "NV/24/000001",
        "2024-01-10T21:00:00",
        "ASSAULT",
        "NV3 1AA",
        [
            person("V", "Amy", "Testvictim", dob="2009-05-01", sex="F", sde="W1"),
            person(
                "S",
                "Bob",
                "Testsuspect",
                dob="1990-01-01",
                sex="M",
                sde="A2",
                ic="IC4",
                nationality="British",
            ),
        ],
    ),
    (
        "NV/24/000002",
        "2024-02-15T20:00:00",
        "THEFT",
        "NV3 2BB",
        [
            person("V", "Cara", "Testvictim", dob="2010-03-03", sex="F"),
            person("S", "Dan", "Testsuspect", dob="1985-06-06", sex="M", sde="NS", ic="IC1"),
        ],
    ),
    (
        "NV/24/000003",
        "2024-03-20T19:00:00",
        "INTEL",
        "NV5 1CC",
        [
            person("V", "Eve", "Testvictim"),
            person("S", "Finn", "Testsuspect", dob="1990-01-01", sex="M", sde="W1"),
            person("S", "Gus", "Testsuspect"),
        ],
    ),
    (
        "NV/23/000004",
        "2023-12-01T18:00:00",
        "ASSAULT",
        "NV3 3DD",
        [
            person("V", "Hana", "Testvictim", dob="2008-01-01", sex="F", sde="B2"),
        ],
    ),
]


def write_incidents(path: Path) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for ref, opened, cls, postcode, persons in INCIDENTS:
            row = {
                "incident_no": ref,
                "opened": opened,
                "received": opened,
                "class": cls,
                "location": {
                    "name": "Test Street",
                    "address": "1 Test Street",
                    "postcode": postcode,
                },
                "narrative": "",
                "persons": persons,
                "vehicles": [],
            }
            f.write(json.dumps(row) + "\n")
    return path


@pytest.fixture
def hand_store(engine: Engine, tmp_path: Path) -> Engine:
    """The hand-written police extract ingested (no resolution yet)."""
    ingest_file(
        engine,
        write_incidents(tmp_path / "incidents.jsonl"),
        "police_incidents",
        actor="stats.test",
    )
    return engine


def mention_ids(engine: Engine) -> dict[str, int]:
    pm = t.person_mention
    with engine.connect() as conn:
        return {(f or "").title(): i for i, f in conn.execute(select(pm.c.id, pm.c.forename))}


def resolve_by_hand(engine: Engine, groups: list[list[str]]) -> None:
    """A finished resolution run whose entities are `groups` of forenames (others alone)."""
    ids = mention_ids(engine)
    with write_transaction(engine) as conn:
        run = conn.execute(
            insert(t.resolution_run)
            .values(
                mode="full",
                engine="duckdb",
                status="done",
                actor="stats.test",
                started_at=T0,
                finished_at=T0,
            )
            .returning(t.resolution_run.c.id)
        ).scalar_one()
        grouped = {name for g in groups for name in g}
        for members in groups + [[n] for n in ids if n not in grouped]:
            entity = conn.execute(
                insert(t.entity)
                .values(
                    kind="person",
                    label=members[0],
                    size=len(members),
                    created_run_id=run,
                    updated_run_id=run,
                )
                .returning(t.entity.c.id)
            ).scalar_one()
            for name in members:
                conn.execute(
                    insert(t.entity_member).values(
                        entity_id=entity,
                        mention_kind="person",
                        mention_id=ids[name],
                        how="alone" if len(members) == 1 else "decision",
                        run_id=run,
                    )
                )


def add_users(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        add_user(conn, "ada.admin", "admin", PW, actor="setup", now=T0)
        for name, role in (("alice", "analyst"), ("rita", "researcher"), ("sam", "supervisor")):
            add_user(conn, name, role, PW, actor="ada.admin", now=T0)


TINY = {"seed": 7, "children": 20, "months": 2}


@pytest.fixture(scope="session")
def tiny_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    city = tmp_path_factory.mktemp("stats_tiny") / "city"
    generate_city(out_dir=city, **TINY)
    return city


@pytest.fixture
def city_store(store_url: str, tiny_city: Path) -> Iterator[Engine]:
    """The tiny city ingested and resolved, on SQLite and on PostgreSQL."""
    from joinedup.resolve import resolve_all

    engine = make_engine(store_url)
    migrate(engine)
    for pf in plan_paths([tiny_city], None):
        ingest_file(engine, pf.path, pf.spec, actor="stats.test")
    resolve_all(engine, "stats.test")
    yield engine
    engine.dispose()


def flag_by_hand(
    engine: Engine, *, children: dict[str, str], adults: dict[str, str], groups: list[list[str]]
) -> None:
    """A finished detection run with leads on the entities of the named people."""
    em, pm = t.entity_member, t.person_mention
    with engine.connect() as conn:
        rows = conn.execute(
            select(em.c.entity_id, pm.c.forename).join(pm, pm.c.id == em.c.mention_id)
        )
        entity = {(f or "").title(): e for e, f in rows}
    dr, f, fm = (t.metadata.tables[n] for n in ("detection_run", "flag", "flag_member"))
    with write_transaction(engine) as conn:
        run = conn.execute(
            insert(dr)
            .values(
                rule_set_version="test",
                rules_hash="0" * 64,
                status="done",
                actor="stats.test",
                started_at=T0,
                finished_at=T0,
            )
            .returning(dr.c.id)
        ).scalar_one()
        common = {
            "rule_id": "test",
            "rule_version": 1,
            "score": 1.0,
            "reason": "test lead",
            "first_raised_run_id": run,
            "last_seen_run_id": run,
            "evidence_fingerprint": "0" * 64,
            "created_at": T0,
            "updated_at": T0,
            "active": True,
        }
        for kind, named in (("child", children), ("adult", adults)):
            for name, status in named.items():
                conn.execute(
                    insert(f).values(
                        kind=kind,
                        subject_key=f"entity:{entity[name]}",
                        entity_id=entity[name],
                        status=status,
                        **common,
                    )
                )
        for i, members in enumerate(groups):
            flag_id = conn.execute(
                insert(f)
                .values(
                    kind="group",
                    subject_key=f"group:g{i}",
                    group_key=f"g{i}",
                    status="new",
                    **common,
                )
                .returning(f.c.id)
            ).scalar_one()
            for name in members:
                conn.execute(
                    insert(fm).values(
                        flag_id=flag_id,
                        entity_id=entity[name],
                        member_kind="adult" if name not in children else "child",
                        role="core",
                        last_seen_run_id=run,
                    )
                )
