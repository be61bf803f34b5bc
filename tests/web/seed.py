"""The seeded store every web and browser test uses: the tiny synthetic city, ingested and
resolved, one account per role, hostile names, and one record restricted to a unit."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from joinedup.access.actor import actor_for_user
from joinedup.access.users import get_user
from joinedup.detect.lifecycle import run_detection
from joinedup.ingest.batch import ingest_file, plan_paths
from joinedup.resolve import resolve_all
from joinedup.search import restrict_record
from joinedup.store import tables as t
from joinedup.store import write_transaction
from joinedup.synth import generate_city
from tests.web.helpers import add_accounts

TINY = {"seed": 7, "children": 20, "months": 2}
HOSTILE = {
    "script": "<script>alert('xss')</script>",
    "img": '"><img src=x onerror=alert(1)>',
    "sql": "Robert'); DROP TABLE record;--",
}


@dataclass(frozen=True)
class Seeded:
    url: str
    engine: Engine
    known_entity: int  # a person every analyst may see
    known_name: str
    restricted_entity: int  # a person whose only record is restricted to cse-south
    hostile_entities: dict[str, int]


def make_city(folder: Path) -> Path:
    city = folder / "city"
    generate_city(out_dir=city, **TINY)
    return city


def _hostile_csv(city: Path, folder: Path) -> Path:
    """Missing-episode rows whose names are markup and SQL, in the agency's own format."""
    source = city / "missing_episodes.csv"
    with source.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields, first = reader.fieldnames, next(reader)
    path = folder / "hostile_missing.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for n, (key, name) in enumerate(HOSTILE.items(), start=1):
            row = dict(first, EpisodeID=f"MFH-HOSTILE-{n}", MPRef=f"MPH{n}",
                       ChildSurname=name, ChildForename=f"Zed{key}", ChildDOB=f"0{n}-Mar-2006",
                       HomeAddress=f"{n} Hostile Row", HomePostcode="NV9 9ZZ",
                       ReportedBy="", ReportedByPhone="", FoundWith="", FoundAt="",
                       FoundAtPostcode="", FoundInVRM="")  # fmt: skip
            writer.writerow(row)
    return path


def seed_store(engine: Engine, city: Path, work: Path) -> Seeded:
    for pf in plan_paths([city], None):
        ingest_file(engine, pf.path, pf.spec, actor="web.test")
    ingest_file(engine, _hostile_csv(city, work), "missing_episodes", actor="web.test")
    resolve_all(engine, "web.test")
    add_accounts(engine)
    with engine.connect() as conn:
        analyst = actor_for_user(get_user(conn, "ann.analyst"))
    run_detection(engine, analyst, purpose="web tests")
    em, pm, e = t.entity_member, t.person_mention, t.entity
    with engine.connect() as conn:
        rows = conn.execute(
            select(e.c.id, e.c.label, e.c.size, pm.c.record_id, pm.c.surname, pm.c.raw_name)
            .join(em, em.c.entity_id == e.c.id)
            .join(pm, (em.c.mention_kind == "person") & (pm.c.id == em.c.mention_id))
            .where(e.c.kind == "person", e.c.retired_run_id.is_(None))
            .order_by(e.c.id)
        ).all()
    hostile = {k: next(r.id for r in rows if r.raw_name and v in r.raw_name)
               for k, v in HOSTILE.items()}  # fmt: skip
    big = max((r for r in rows if r.id not in hostile.values()), key=lambda r: (r.size, -r.id))
    lone = next(r for r in rows if r.size == 1 and r.id not in hostile.values())
    with write_transaction(engine, lock="audit") as conn:
        restrict_record(conn, lone.record_id, "cse-south", "covert source", actor="web.test")
    return Seeded(str(engine.url.render_as_string(hide_password=False)), engine, big.id,
                  big.label, lone.id, hostile)  # fmt: skip
