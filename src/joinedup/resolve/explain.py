"""Why mentions are (or are not) one entity: members and how each joined, per-comparison
levels and match weights, term frequencies, decisions and candidate links.
"""

from __future__ import annotations

import json
import math
from typing import Any

from sqlalchemy import Connection, or_, select

from joinedup.resolve.aliases import load_aliases
from joinedup.resolve.backends import splink_backend
from joinedup.resolve.decisions import DecisionGraph, Ref, active_decisions
from joinedup.resolve.persons.features import person_features, read_person_rows
from joinedup.resolve.persons.model import clamp_model, for_dialect
from joinedup.resolve.persons.pipeline import model_input
from joinedup.resolve.run import last_run
from joinedup.store import tables as t


class NotFound(LookupError):
    """No such entity or mention."""


def explain_entity(conn: Connection, entity_id: int) -> dict[str, Any]:
    e = conn.execute(select(t.entity).where(t.entity.c.id == entity_id)).first()
    if e is None:
        raise NotFound(f"there is no entity E{entity_id}")
    em = t.entity_member
    members = [
        {
            "mention": f"{r.mention_kind}:{r.mention_id}",
            "how": r.how,
            "match_probability": r.match_probability,
            "run": r.run_id,
        }
        for r in conn.execute(
            select(em).where(em.c.entity_id == entity_id).order_by(em.c.mention_id)
        )
    ]
    ids = [int(m["mention"].split(":")[1]) for m in members]
    d = t.match_decision
    decisions = [
        {
            "a": r.a_ref,
            "b": r.b_ref,
            "decision": r.decision,
            "reason": r.reason,
            "by": r.decided_by,
            "at": r.decided_at.isoformat(),
        }
        for r in conn.execute(
            select(d).where(
                d.c.kind == e.kind,
                d.c.withdrawn_at.is_(None),
                or_(d.c.a_mention_id.in_(ids), d.c.b_mention_id.in_(ids)),
            )
        )
    ]
    c = t.candidate_link
    candidates = [
        {
            "mention": f"{r.mention_kind}:{r.mention_id}",
            "candidates": r.candidates,
            "reason": r.reason,
        }
        for r in conn.execute(select(c).where(c.c.entity_id == entity_id))
    ]
    return {
        "entity": f"E{entity_id}",
        "kind": e.kind,
        "label": e.label,
        "size": e.size,
        "created_run": e.created_run_id,
        "updated_run": e.updated_run_id,
        "retired_run": e.retired_run_id,
        "members": members,
        "decisions": decisions,
        "candidate_links": candidates,
    }


def _entity_of(conn: Connection, kind: str, mention_id: int) -> int | None:
    em = t.entity_member
    query = select(em.c.entity_id).where(em.c.mention_kind == kind, em.c.mention_id == mention_id)
    return conn.execute(query).scalar()


def explain_pair(conn: Connection, a: Ref, b: Ref, engine: str = "duckdb") -> dict[str, Any]:
    """The model's comparison of two person mentions, or the rule joining other kinds."""
    same, different = active_decisions(conn, a.kind)
    out: dict[str, Any] = {
        "a": a.text,
        "b": b.text,
        "kind": a.kind,
        "entity_a": _entity_of(conn, a.kind, a.mention_id),
        "entity_b": _entity_of(conn, b.kind, b.mention_id),
        "decision": DecisionGraph(same, different).implied(a.mention_id, b.mention_id),
    }
    out["same_entity"] = out["entity_a"] is not None and out["entity_a"] == out["entity_b"]
    if a.kind != "person":
        out["rule"] = "exact key (VRM, E.164 number, property reference or address)"
        return out
    run = last_run(conn)
    if run is None or not run.model:
        out["comparisons"] = None
        out["note"] = "no trained person model yet: run `joinedup resolve`"
        return out
    features = person_features(read_person_rows(conn), load_aliases())
    rows = features[features.unique_id.isin([a.mention_id, b.mention_id])]
    out["identifiers"] = {f"person:{r.unique_id}": r.ids for r in rows.itertuples()}
    backend = splink_backend(engine)
    model = clamp_model(for_dialect(json.loads(run.model), backend.dialect))
    model["retain_matching_columns"] = True  # each side's compared values, shown below
    compared = model_input(features)
    linker = backend.linker(backend.register(compared, "person_features"), model)
    left, right = (
        {k: _plain(v) for k, v in compared[compared.unique_id == m].iloc[0].items()}
        for m in (a.mention_id, b.mention_id)
    )
    scored = linker.inference.score_pair(left, right).as_pandas_dataframe().iloc[0].to_dict()
    out["match_probability"] = float(scored["match_probability"])
    out["match_weight"] = float(scored["match_weight"])
    out["comparisons"] = _comparisons(model, scored)
    return out


def _plain(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _comparisons(model: dict[str, Any], scored: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for comp in model["comparisons"]:
        name = comp["output_column_name"]
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        gamma = int(scored.get(f"gamma_{name}", -1))
        label = (
            "missing on one side"
            if gamma < 0
            else levels[len(levels) - 1 - gamma].get("label_for_charts")
        )
        bf = scored.get(f"bf_{name}", 1.0)
        tf = scored.get(f"bf_tf_adj_{name}")
        out.append(
            {
                "comparison": name,
                "level": label,
                "match_weight": round(math.log2(bf), 2) if bf and bf > 0 else None,
                "tf_adjustment": round(math.log2(tf), 2) if tf and tf == tf and tf > 0 else None,
                "left": _plain(scored.get(f"{name}_l")),
                "right": _plain(scored.get(f"{name}_r")),
            }
        )
    return out
