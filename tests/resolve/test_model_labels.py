"""Analysts' `same` decisions re-estimate the person model's m probabilities (blended with
EM's), once there are enough of them; fewer leave the trained model as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine

from joinedup.evaluate import load_truth
from joinedup.evaluate.labels import label_mentions
from joinedup.evaluate.store_view import stored_mentions
from joinedup.resolve.aliases import load_aliases
from joinedup.resolve.persons.features import person_features, read_person_rows
from joinedup.resolve.persons.pipeline import (
    LABEL_PRIOR,
    MIN_LABELS_FOR_M,
    blend_m,
    resolve_persons,
)


def _m(model: dict[str, Any]) -> dict[tuple[str, str], float]:
    return {
        (c["output_column_name"], level.get("label_for_charts") or str(i)): level["m_probability"]
        for c in model["comparisons"]
        for i, level in enumerate(c["comparison_levels"])
        if isinstance(level.get("m_probability"), float)  # a null level has none
    }


def test_blend_weighs_labels_against_em_as_counts() -> None:
    em = {"comparisons": [{"output_column_name": "dob", "comparison_levels": [
        {"is_null_level": True}, {"m_probability": 0.9}, {"m_probability": 0.1}]}]}  # fmt: skip
    labels = {"comparisons": [{"output_column_name": "dob", "comparison_levels": [
        {"is_null_level": True}, {"m_probability": 0.5}, {"m_probability": 0.5}]}]}  # fmt: skip
    n = LABEL_PRIOR  # as many decisions as EM's weight: halfway
    levels = blend_m(em, labels, n)["comparisons"][0]["comparison_levels"]
    assert levels[1]["m_probability"] == pytest.approx(0.7)
    assert levels[2]["m_probability"] == pytest.approx(0.3)


@pytest.fixture
def labelled_features(city_store: Engine, tiny_city: Path) -> tuple[pd.DataFrame, list[Any]]:
    if city_store.dialect.name != "sqlite":
        pytest.skip("the model does not depend on the store backend")
    with city_store.connect() as conn:
        features = person_features(read_person_rows(conn), load_aliases(None))
        lab = label_mentions(
            load_truth(tiny_city / "truth"), "person", stored_mentions(conn, "person")
        )
    modelled = set(features.unique_id[~features.name_only & ~features.extracted].astype(int))
    first: dict[str, int] = {}
    pairs = []  # true pairs, as an analyst checking the records would decide them
    for m, label in zip(*lab.structured(), strict=True):
        if label is None or m.id not in modelled:
            continue
        if label in first:
            pairs.append((first[label], m.id))
        else:
            first[label] = m.id
    assert len(pairs) > MIN_LABELS_FOR_M
    return features, pairs


def test_same_decisions_re_estimate_m(labelled_features: tuple[pd.DataFrame, list[Any]]) -> None:
    features, pairs = labelled_features
    base = resolve_persons(features, same=[], different=[])
    few = resolve_persons(features, same=pairs[: MIN_LABELS_FOR_M - 1], different=[])
    many = resolve_persons(features, same=pairs[: MIN_LABELS_FOR_M + 5], different=[])
    assert base.model and few.model and many.model
    m0, m_few, m_many = _m(base.model), _m(few.model), _m(many.model)
    # Below MIN_LABELS_FOR_M the decisions only link, they do not train (EM's sums may
    # differ in the last bit from run to run, hence the tolerance).
    assert m_few == pytest.approx(m0, rel=1e-9, abs=1e-12)
    moved = {k for k in m0 if abs(m_many[k] - m0[k]) > 1e-9}
    assert moved, "enough decisions must change the model"
    for key in moved:  # each level moves at most the labels' share of the way
        assert abs(m_many[key] - m0[key]) <= (MIN_LABELS_FOR_M + 5) / LABEL_PRIOR
    assert all(0 < v <= 1 for v in m_many.values())
    clusters = many.clusters
    assert all(clusters.find(a) == clusters.find(b) for a, b in pairs[: MIN_LABELS_FOR_M + 5])
