"""What keeps resolution usable at a million mentions changes nothing at a small one: block
sizes, the cap on blocks, prefix search for partial plates, per-name and per-address work."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from joinedup.resolve.aliases import load_aliases
from joinedup.resolve.objects import _starting
from joinedup.resolve.persons import model
from joinedup.resolve.persons.features import person_features, read_person_rows
from joinedup.resolve.persons.model import PREDICTION_RULES, block_pairs, prediction_rules
from joinedup.resolve.persons.pipeline import model_input
from joinedup.store import make_engine, migrate
from tests.resolve.conftest import ingest_city


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unique_id": [1, 2, 3, 4, 5],
            "forename_key": ["ANNA", "ANNA", "ANNA", None, "KHAN"],
            "surname_key": ["SHAH", "SHAH", "SHAH", "SHAH", "ANNA"],
        }
    )


def test_block_pairs_counts_each_records_block() -> None:
    frame = _frame()
    sym = model._pairs(frame, ("forename_key", "surname_key"), ("forename_key", "surname_key"))
    assert sym.tolist() == [3, 3, 3, 0, 0]  # three Anna Shahs: three pairs; a null: none
    # a surname written as the forename meets everyone whose forename it is
    swap = model._pairs(frame, ("surname_key",), ("forename_key",))
    assert swap.tolist() == [0, 0, 0, 0, 3]  # ANNA as a surname meets the three ANNAs


def _old_rules() -> list[object]:
    """The blocking rules as written before the cap (block_on and plain SQL)."""
    return [
        *(block_on(*cols) for cols in model.BLOCKING_KEYS),
        "l.forename_sk = r.surname_key AND l.surname_fk = r.forename_key",
        "l.surname_key = r.forename_sk AND l.forename_key = r.surname_fk",
        "l.initial_key = r.si_key",
        "l.si_key = r.initial_key",
        "l.dob = r.dob AND l.forename1 = r.surname1",
        "l.dob = r.dob AND l.surname1 = r.forename1",
    ]


def _blocked(frame: pd.DataFrame, rules: list[object]) -> set[tuple[int, int]]:
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=model.person_settings().comparisons,
        blocking_rules_to_generate_predictions=rules,
    )
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(frame, table_name="f"), settings)
    pairs = linker.inference.compute_blocked_pairs_for_predict().as_pandas_dataframe()
    return set(zip(pairs.join_key_l, pairs.join_key_r, strict=True))


@pytest.fixture(scope="module")
def tiny_input(tiny_city: Path, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('scale') / 's.db'}")
    migrate(engine)
    ingest_city(engine, tiny_city)
    with engine.connect() as conn:
        features = person_features(read_person_rows(conn), load_aliases())
    engine.dispose()
    return model_input(features[~features.name_only & ~features.extracted])


def test_capped_rules_block_the_same_pairs_as_before_on_a_small_city(
    tiny_input: pd.DataFrame,
) -> None:
    assert len(PREDICTION_RULES) == len(_old_rules())
    before = _blocked(tiny_input, _old_rules())
    assert len(before) > 100
    assert _blocked(tiny_input, prediction_rules()) == before


def test_a_block_over_the_cap_is_not_blocked_on(
    tiny_input: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    biggest = int(tiny_input.pairs_0.max())
    assert biggest > 1
    everything = _blocked(tiny_input, prediction_rules())
    monkeypatch.setattr(model, "BROAD_MAX_BLOCK_PAIRS", biggest - 1)  # names alone: broad
    capped = _blocked(tiny_input, prediction_rules())
    assert capped < everything
    monkeypatch.setattr(model, "MAX_BLOCK_PAIRS", 0)  # and every other rule: none blocked
    monkeypatch.setattr(model, "BROAD_MAX_BLOCK_PAIRS", 0)
    assert _blocked(tiny_input, prediction_rules()) == set()


def test_only_rules_without_a_date_place_or_phone_are_broad() -> None:
    rules = dict(zip(PREDICTION_RULES, prediction_rules(), strict=True))
    broad = f"<= {model.BROAD_MAX_BLOCK_PAIRS}"
    assert rules[(("forename_key", "surname_key"),) * 2].endswith(broad)
    assert rules[(("surname_key", "house_number"),) * 2].endswith(broad)
    assert not rules[(("surname_key", "dob"),) * 2].endswith(broad)
    assert not rules[(("street_key",),) * 2].endswith(broad)


def test_em_samples_left_records_only_past_its_size() -> None:
    assert model.em_every(81_611) == 1 and model.em_every(875_300) == 5
    assert all("%" not in rule for rule in model.em_rules(1))
    assert all(rule.endswith("l.unique_id % 5 = 0") for rule in model.em_rules(5))


def test_block_pairs_adds_every_block_column() -> None:
    read = {c for left, right in PREDICTION_RULES for c in (*left, *right)} | {"dob"}
    frame = pd.DataFrame({c: ["x", "x"] for c in sorted(read)})
    out = block_pairs(frame)
    assert set(model.BLOCK_COLUMNS) <= set(out.columns)
    assert out.pairs_0.tolist() == [1, 1]


def test_partial_plates_look_only_at_plates_with_their_written_start() -> None:
    known = sorted(["FD51ABC", "FD52XYZ", "FE51ABC", "AB12CDE"])
    assert _starting(known, "FD5*") == ["FD51ABC", "FD52XYZ"]
    assert _starting(known, "F?51*") == ["FD51ABC", "FD52XYZ", "FE51ABC"]
    assert _starting(known, "?D51*") == known
    assert _starting(known, "ZZ*") == []
