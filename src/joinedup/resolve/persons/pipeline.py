"""Resolve person mentions: strong identifiers, analysts' decisions, the Splink model, then
constrained clustering. Full runs train the model; incremental runs reuse the last one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from joinedup.resolve.backends import splink_backend
from joinedup.resolve.cluster import ConstrainedClusters, identifier_edges
from joinedup.resolve.persons.context import complete_clusters
from joinedup.resolve.persons.features import COLUMNS
from joinedup.resolve.persons.model import (
    BLOCK_COLUMNS,
    BLOCKING_KEYS,
    TF_COLUMNS,
    block_pairs,
    clamp_model,
    for_dialect,
    train,
)

log = logging.getLogger(__name__)
THRESHOLD = 0.8  # link pairs at or above this match probability
# Weak mentions (see one_name_links): a single name with an address always; with
# UNDATED_REACH_ONE, also every mention with no date of birth and no identifier (off: on
# the quality cities it raised pairwise precision by about 0.005 and cost about as much
# recall; docs/resolution.md). A weak mention joins the one entity it reaches at
# UNDATED_THRESHOLD (a single name: THRESHOLD) when no other is reached at RIVAL_THRESHOLD.
UNDATED_REACH_ONE = False
UNDATED_THRESHOLD = 0.8
RIVAL_THRESHOLD = 0.8
REVIEW_BAND = (0.2, 0.98)  # pairs kept for analysts' review
REVIEW_LIMIT = 20_000  # the most uncertain of them: more than any team reviews between runs
MIN_LABELS_FOR_M = 20  # 'same' decisions needed before they re-estimate m


@dataclass
class PersonResult:
    clusters: ConstrainedClusters
    model: dict[str, Any] | None
    review_pairs: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


Progress = Callable[[str], None]


def resolve_persons(
    features: pd.DataFrame,
    *,
    same: list[tuple[int, int]],
    different: list[tuple[int, int]],
    engine: str = "duckdb",
    model: dict[str, Any] | None = None,
    existing: dict[int, list[int]] | None = None,
    new_ids: set[int] | None = None,
    progress: Progress = lambda step: None,
) -> PersonResult:
    """Cluster every mention in `features`; incremental when `existing`, `new_ids`, `model`."""
    cc = ConstrainedClusters()
    rows = zip(features.unique_id, features.ids, features.dob_y, features.dob, strict=True)
    for uid, ids, year, dob in rows:
        cc.add(int(uid), ids, int(year) if year else None, dob or None)
    for a, b in different:
        if a in cc.parent and b in cc.parent:
            cc.cannot_link(a, b)
    cc.link_all([(a, b, 1.0) for a, b in same if a in cc.parent and b in cc.parent], "decision")
    ids = dict(zip(features.unique_id.astype(int), features.ids, strict=True))
    cc.link_all(identifier_edges(ids), "identifier")
    if existing:  # an incremental run never splits what earlier runs joined
        for members in existing.values():
            cc.link_all([(members[0], m, 1.0) for m in members[1:]], "earlier")
    usable = features[~features.name_only & ~features.extracted]
    counts = {"mentions": len(features), "modelled": len(usable)}
    if len(usable) < 2:
        return PersonResult(cc, model, [], counts)
    backend = splink_backend(engine)
    subset = usable if new_ids is None else _candidates(usable, new_ids)
    counts["compared"] = len(subset)
    sdf = backend.register(model_input(usable, subset), "person_features")
    if model is None:
        progress("training the person model")
        linker = train(sdf, backend.linker_factory, records=len(subset))
        if sum(1 for a, b in same) >= MIN_LABELS_FOR_M:
            linker = _m_from_decisions(backend, linker, sdf, same)
    else:
        linker = backend.linker(sdf, clamp_model(for_dialect(model, backend.dialect)))
    if new_ids is not None:
        _register_tf(backend, linker, usable)
    progress("scoring candidate pairs")
    scored = linker.inference.predict(threshold_match_probability=REVIEW_BAND[0])
    # Only the pairs at or above the lowest bar clustering reads leave the engine, as
    # arrays of ids and probability, in the order they are linked: by probability, then
    # by id, never by the order the engine happened to return rows in (ties in
    # probability are common: one pattern of levels, one probability; the constraints
    # make the order of merges matter), so a run is repeatable. The review pairs, with
    # their per-comparison weights, are the few nearest a coin toss (REVIEW_LIMIT).
    low = min(THRESHOLD, RIVAL_THRESHOLD, UNDATED_THRESHOLD)
    band = _frame(scored.query_sql(_REVIEW_SQL))
    if new_ids is None:
        strong = _frame(scored.query_sql(_STRONG_SQL.format(low=float(low))))
        counts["pairs_scored"] = int(_frame(scored.query_sql(_COUNT_SQL)).iat[0, 0])
    else:  # an incremental run scores few pairs: those touching a new mention are kept
        pred = _frame(scored.query_sql(_IDS_SQL))
        pred, band = (
            f[f.unique_id_l.isin(new_ids) | f.unique_id_r.isin(new_ids)] for f in (pred, band)
        )
        counts["pairs_scored"] = len(pred)
        strong = pred[pred.match_probability >= low].sort_values(
            ["match_probability", "unique_id_l", "unique_id_r"], ascending=[False, True, True]
        )
        del pred
    progress("clustering")
    edges = list(
        zip(
            strong.unique_id_l.astype(int).tolist(),
            strong.unique_id_r.astype(int).tolist(),
            strong.match_probability.astype(float).tolist(),
            strict=True,
        )
    )
    del strong
    one = set(usable.unique_id[usable.one_name].astype(int)) if "one_name" in usable else set()
    weak = one | _undated(usable) if UNDATED_REACH_ONE else one
    counts["model_merges"] = cc.link_all(
        [e for e in edges if e[2] >= THRESHOLD and e[0] not in weak and e[1] not in weak],
        "model",
    )
    counts["one_name_merges"] = one_name_links(cc, edges, weak, one)
    counts.update(complete_clusters(cc, features))
    counts["refused_merges"] = cc.refused
    return PersonResult(cc, linker.misc.save_model_to_json(), _review(band), counts)


def model_input(usable: pd.DataFrame, subset: pd.DataFrame | None = None) -> pd.DataFrame:
    """What Splink reads of `subset` (default: all of `usable`): the compared columns and
    each rule's block sizes, counted over every usable mention (an incremental run's
    subset blocks as the whole store would)."""
    frame = block_pairs(usable[list(COLUMNS)])
    if subset is not None and len(subset) != len(usable):
        frame = frame.loc[subset.index]
    return frame[[*COLUMNS, *BLOCK_COLUMNS]].reset_index(drop=True)


def _undated(usable: pd.DataFrame) -> set[int]:
    """Mentions with no date of birth (not even a year) and no strong identifier."""
    none = usable.dob_y.isna() & usable.ids.map(lambda ids: not ids)
    return set(usable.unique_id[none].astype(int))


def one_name_links(
    cc: ConstrainedClusters,
    edges: list[tuple[int, int, float]],
    weak: set[int],
    one: set[int] | None = None,
) -> int:
    """Weak mentions (no date of birth and no identifier, or a single name with an
    address: "Ranson, 34 Edge Place") after the model's other links: each joins the entity
    its links reach only when they reach exactly one: an undated "Julia Nowak" at the
    address of a mother and a daughter of that name, or a surname at a household's
    address, may be either, and the model cannot tell which. Weak mentions that reach no
    entity of others are then linked with each other ("Emily Fletcher" three times,
    nothing else written), except a single name; one that reaches two is left alone."""
    one = weak if one is None else one
    reach: dict[int, list[tuple[float, int]]] = {}
    for a, b, p in edges:
        for x, y in ((a, b), (b, a)):
            if x in weak:
                reach.setdefault(x, []).append((p, y))
    merged = 0
    alone = set()
    for uid in sorted(reach):
        own = cc.find(uid)
        links = [(p, y) for p, y in reach[uid] if y not in weak and cc.find(y) != own]
        bar = THRESHOLD if uid in one else UNDATED_THRESHOLD
        links = [(p, y) for p, y in links if p >= min(bar, RIVAL_THRESHOLD)]
        rivals = {cc.find(y) for _, y in links}
        targets = {cc.find(y) for p, y in links if p >= bar}
        if not rivals:
            alone.add(uid)
        elif len(targets) == 1 and rivals == targets:
            p, y = max(links, key=lambda e: (e[0], -e[1]))
            merged += cc.union(uid, y, p, "model")
    alone -= one
    pairs = [(a, b, p) for a, b, p in edges if a in alone and b in alone and p >= THRESHOLD]
    return merged + cc.link_all(pairs, "model")


# Module constants only: no value from outside reaches this SQL.
_IDS_SQL = "SELECT unique_id_l, unique_id_r, match_probability FROM {this}"
_COUNT_SQL = "SELECT count(*) AS n FROM {this}"
_STRONG_SQL = (
    "SELECT unique_id_l, unique_id_r, match_probability FROM {{this}}"
    " WHERE match_probability >= {low}"
    " ORDER BY match_probability DESC, unique_id_l, unique_id_r"
)
_REVIEW_SQL = (
    f"SELECT * FROM {{this}} WHERE match_probability >= {REVIEW_BAND[0]}"  # noqa: S608
    f" AND match_probability < {REVIEW_BAND[1]}"
    " ORDER BY abs(match_probability - 0.5), unique_id_l, unique_id_r"
    f" LIMIT {REVIEW_LIMIT}"
)


def _frame(result: Any) -> pd.DataFrame:
    """A pandas frame of a Splink query's result, whichever backend ran it."""
    return result.as_pandas_dataframe() if hasattr(result, "as_pandas_dataframe") else result.df()


def _candidates(usable: pd.DataFrame, new_ids: set[int]) -> pd.DataFrame:
    """New mentions plus the earlier mentions that share any blocking key with one of them."""
    new = usable[usable.unique_id.isin(new_ids)]
    keep = usable.unique_id.isin(new_ids)
    for cols in BLOCKING_KEYS:
        new_keys = set(map(tuple, new[list(cols)].dropna().itertuples(index=False)))
        if not new_keys:
            continue
        rows = usable[list(cols)].itertuples(index=False)
        keep |= pd.Series([tuple(r) in new_keys for r in rows], index=usable.index)
    return usable[keep]


def _register_tf(backend: Any, linker: Any, usable: pd.DataFrame) -> None:
    """Term frequencies from every mention, not only the compared subset."""
    for col in TF_COLUMNS:
        freq = usable[col].dropna().value_counts(normalize=True)
        table = pd.DataFrame({col: freq.index, f"tf_{col}": freq.to_numpy()})
        sdf = backend.register(table, f"tf_lookup_{col}")
        linker.table_management.register_term_frequency_lookup(sdf, col)


def _m_from_decisions(backend: Any, linker: Any, sdf: Any, same: list[tuple[int, int]]) -> Any:
    """Analysts' `same` decisions re-estimate m: each level's share among the decided pairs,
    blended with the EM estimate as if EM's were LABEL_PRIOR further decisions, so a few
    decisions move the model a little and many move it a lot."""
    em = linker.misc.save_model_to_json()
    labels = pd.DataFrame(
        {"unique_id_l": [a for a, _ in same], "unique_id_r": [b for _, b in same]}
    )
    linker.training.estimate_m_from_pairwise_labels(backend.register(labels, "decided_same"))
    blended = blend_m(em, linker.misc.save_model_to_json(), len(same))
    return backend.linker(sdf, clamp_model(blended))


LABEL_PRIOR = 100  # EM's m counts as this many decisions


def blend_m(em: dict[str, Any], labelled: dict[str, Any], n: int) -> dict[str, Any]:
    """m = (n * m_labels + LABEL_PRIOR * m_em) / (n + LABEL_PRIOR), level by level."""
    by_level = {
        (c["output_column_name"], i): level.get("m_probability")
        for c in labelled["comparisons"]
        for i, level in enumerate(c["comparison_levels"])
    }
    for c in em["comparisons"]:
        for i, level in enumerate(c["comparison_levels"]):
            if level.get("is_null_level") or not isinstance(level.get("m_probability"), float):
                continue
            m_lab = by_level.get((c["output_column_name"], i))
            m_lab = m_lab if isinstance(m_lab, float) else 0.0
            level["m_probability"] = (n * m_lab + LABEL_PRIOR * level["m_probability"]) / (
                n + LABEL_PRIOR
            )
    return em


def _review(band: pd.DataFrame) -> list[dict[str, Any]]:
    gammas = [c for c in band.columns if c.startswith("bf_") and not c.startswith("bf_tf_adj")]
    out = []
    for row in band.itertuples(index=False):
        r = row._asdict()
        evidence = {c[3:]: _weight(r[c], r.get(f"bf_tf_adj_{c[3:]}")) for c in gammas}
        out.append(
            {"a": int(r["unique_id_l"]), "b": int(r["unique_id_r"]),
             "p": float(r["match_probability"]), "w": float(r["match_weight"]),
             "evidence": evidence}
        )  # fmt: skip
    return out


def _weight(bf: float, tf: float | None) -> float:
    import math

    value = bf * (tf if tf is not None and tf == tf else 1.0)
    return round(math.log2(value), 2) if value > 0 else -99.0
