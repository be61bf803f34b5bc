"""One resolution run: every kind resolved, written as versioned entities, audited as a
combination. Incremental when an earlier run exists and `full` is not asked for.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from joinedup.access import audit
from joinedup.pole import AuditCategory
from joinedup.resolve.aliases import load_aliases
from joinedup.resolve.cluster import ConstrainedClusters
from joinedup.resolve.decisions import active_decisions
from joinedup.resolve.entities import Cluster, Member, current_entities, write_entities
from joinedup.resolve.labels import label
from joinedup.resolve.objects import resolve_locations, resolve_phones, resolve_vehicles
from joinedup.resolve.persons import context
from joinedup.resolve.persons.features import person_features, read_person_rows
from joinedup.resolve.persons.pipeline import PersonResult, resolve_persons
from joinedup.store import tables as t
from joinedup.store.engine import write_transaction

Progress = Callable[[str], None]
KINDS = ("person", "vehicle", "phone", "location")


@dataclass
class RunResult:
    run_id: int
    mode: str
    engine: str
    counts: dict[str, Any]
    seconds: float


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def last_run(conn: Connection) -> Any:
    r = t.resolution_run
    query = select(r).where(r.c.status == "done").order_by(r.c.id.desc()).limit(1)
    return conn.execute(query).first()


def _max_ids(conn: Connection) -> dict[str, int]:
    return {
        kind: int(conn.execute(select(func.max(table.c.id))).scalar() or 0)
        for kind, table in t.MENTION_TABLES.items()
    }


def resolve_all(
    engine: Engine,
    actor: Any,
    *,
    full: bool = False,
    splink_engine: str = "duckdb",
    aliases_dir: str | None = None,
    purpose: str | None = None,
    progress: Progress = lambda step: None,
) -> RunResult:
    """Resolve every kind of mention; returns the run's id and counts."""
    started = _now()
    aliases = load_aliases(aliases_dir)
    with engine.connect() as conn:
        previous = last_run(conn)
        incremental = previous is not None and not full and bool(previous.model)
        max_ids = _max_ids(conn)
        progress("reading person mentions")
        rows = read_person_rows(conn, with_place="same_post" in context.PASSES)
        features = person_features(rows, aliases)
        same, different = active_decisions(conn, "person")
        kwargs: dict[str, Any] = {}
        if incremental:
            seen = (previous.counts or {}).get("max_mention_id", {}).get("person", 0)
            kwargs = {
                "model": json.loads(previous.model),
                "existing": {e: sorted(m) for e, m in current_entities(conn, "person").items()},
                "new_ids": set(features.unique_id[features.unique_id > seen].astype(int)),
            }
        persons = resolve_persons(
            features, same=same, different=different, engine=splink_engine,
            progress=progress, **kwargs,
        )  # fmt: skip
        progress("resolving vehicles, phones and locations")
        others = {
            "vehicle": resolve_vehicles(conn, *active_decisions(conn, "vehicle")),
            "phone": resolve_phones(conn, *active_decisions(conn, "phone")),
            "location": resolve_locations(conn, *active_decisions(conn, "location")),
        }
    progress("writing entities")
    mode = "incremental" if incremental else "full"
    with write_transaction(engine) as conn:
        run_id = conn.execute(
            insert(t.resolution_run).values(
                mode=mode,
                engine=splink_engine,
                status="running",
                actor=_name(actor),
                started_at=started,
            )  # fmt: skip
        ).inserted_primary_key[0]
        counts: dict[str, Any] = {"max_mention_id": max_ids}
        labels = _person_labels(features)
        written = write_entities(conn, "person", run_id, _clusters(persons.clusters, labels))
        counts["person"] = {**persons.counts, **written.as_dict()}
        for kind, result in others.items():
            written = write_entities(conn, kind, run_id, _clusters(result.clusters, result.labels))
            counts[kind] = {**result.counts, **written.as_dict()}
        counts["vehicle"]["candidate_links"] = _write_candidates(
            conn, run_id, others["vehicle"].candidates
        )
        counts["person"]["review_pairs"] = _write_review(conn, run_id, persons)
        model = persons.model or (json.loads(previous.model) if incremental else None)
        finished = _now()
        conn.execute(
            update(t.resolution_run)
            .where(t.resolution_run.c.id == run_id)
            .values(
                status="done",
                finished_at=finished,
                counts=counts,
                model=json.dumps(model) if model else None,
            )  # fmt: skip
        )
        audit.record(
            conn, actor=actor, category=AuditCategory.combination, action="resolve",
            object_type="resolution_run", object_id=run_id, purpose=purpose,
            detail={"mode": mode, "engine": splink_engine, "entities": _entity_counts(counts),
                    "alias_files": len(aliases.files)},
        )  # fmt: skip
    seconds = (finished - started).total_seconds()
    return RunResult(int(run_id), mode, splink_engine, counts, seconds)


def _name(actor: Any) -> str:
    return actor if isinstance(actor, str) else actor.name


def _entity_counts(counts: dict[str, Any]) -> dict[str, int]:
    return {k: counts[k]["entities"] for k in KINDS}


def _clusters(cc: ConstrainedClusters, labels: dict[int, str]) -> list[Cluster]:
    out = []
    for members in cc.clusters().values():
        names = Counter(labels[m] for m in members if m in labels)
        label = names.most_common(1)[0][0] if names else None
        alone = len(members) == 1
        out.append(
            Cluster(
                tuple(
                    Member(
                        int(m),
                        None if alone else cc.strength.get(m),
                        "alone" if alone else cc.how.get(m, "model"),
                    )
                    for m in sorted(members)
                ),  # fmt: skip
                label,
            )
        )
    return out


def _person_labels(features: pd.DataFrame) -> dict[int, str]:
    out = {}
    for uid, fore, sur in zip(features.unique_id, features.forename, features.surname, strict=True):
        name = label("person", (fore, sur))
        if name:
            out[int(uid)] = name
    return out


def _write_candidates(conn: Connection, run_id: int, candidates: list[tuple[int, int, str]]) -> int:
    conn.execute(delete(t.candidate_link).where(t.candidate_link.c.mention_kind == "vehicle"))
    if not candidates:
        return 0
    em = t.entity_member
    targets = {c[1] for c in candidates}
    owner = dict(
        conn.execute(
            select(em.c.mention_id, em.c.entity_id).where(
                em.c.mention_kind == "vehicle", em.c.mention_id.in_(targets)
            )
        ).all()
    )
    per_mention: dict[int, set[int]] = {}
    for mid, target, _why in candidates:
        per_mention.setdefault(mid, set()).add(owner[target])
    why = {mid: w for mid, _t, w in candidates}
    rows = [
        {"run_id": run_id, "mention_kind": "vehicle", "mention_id": mid, "entity_id": eid,
         "candidates": len(eids), "reason": why[mid][:200]}
        for mid, eids in per_mention.items() for eid in sorted(eids)
    ]  # fmt: skip
    conn.execute(insert(t.candidate_link), rows)
    return len(rows)


def _write_review(conn: Connection, run_id: int, persons: PersonResult) -> int:
    conn.execute(delete(t.match_pair).where(t.match_pair.c.kind == "person"))
    rows = [
        {"run_id": run_id, "kind": "person", "a_mention_id": p["a"], "b_mention_id": p["b"],
         "match_probability": p["p"], "match_weight": p["w"], "evidence": p["evidence"]}
        for p in persons.review_pairs
    ]  # fmt: skip
    for i in range(0, len(rows), 5000):
        conn.execute(insert(t.match_pair), rows[i : i + 5000])
    return len(rows)
