"""The Splink person model: comparisons, blocking rules and training, for any Splink backend.

No comparison reads ethnicity, religion or nationality: those are never in the features.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.comparison_level_library import ArraySubsetLevel
from splink.internals.comparison_creator import ComparisonLevelCreator
from splink.internals.dialects import SplinkDialect

log = logging.getLogger(__name__)


class NamesSwappedLevel(ComparisonLevelCreator):
    """Forename and surname written the other way round, each spelling group read in the
    other part's alias table ("Khan Rizwan"), with a typing slip (Jaro-Winkler >= 0.9 and
    Damerau-Levenshtein <= 1 both ways: "Jhnson Jack", never "Alina Wozniak" / "Wozniak
    Paulina"), or the same name words in another order ("Wilson Carol Samantha")."""

    def create_sql(self, sql_dialect: SplinkDialect) -> str:
        jw = sql_dialect.jaro_winkler_function_name
        keys = "(forename_sk_{a} = surname_key_{b} AND surname_fk_{a} = forename_key_{b})"
        dl = sql_dialect.damerau_levenshtein_function_name
        fuzzy = " AND ".join(
            f"{fn}({x}, {y}) {op}"
            for x, y in (("forename_l", "surname_r"), ("surname_l", "forename_r"))
            for fn, op in ((jw, ">= 0.9"), (dl, "<= 1"))
        )
        fuzzy = f"({fuzzy})"
        subset = ArraySubsetLevel("name_tokens").create_sql(sql_dialect)
        both = f"{keys.format(a='l', b='r')} OR {keys.format(a='r', b='l')}"
        return f"({both} OR {fuzzy} OR ({subset} AND forename_l <> forename_r))"

    def create_label_for_charts(self) -> str:
        return "forename and surname swapped"


def _exact(col: str, tf: bool = True, label: str | None = None) -> cll.ComparisonLevelCreator:
    level = cll.ExactMatchLevel(col)
    return level.configure(tf_adjustment_column=col if tf else None, label_for_charts=label)


def forename_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="forename",
        comparison_levels=[
            cll.NullLevel("forename"),
            NamesSwappedLevel(),
            _exact("forename", label="exact forename"),
            _exact("forename_key", label="same spelling group (transliteration)"),
            cll.ArrayIntersectLevel("forename_keys", 1).configure(
                label_for_charts="nickname of the same name"
            ),
            cll.JaroWinklerLevel("forename", 0.92),
            cll.DamerauLevenshteinLevel("forename", 1).configure(
                label_for_charts="one typing slip (Damerau-Levenshtein 1)"
            ),
            cll.Or(
                cll.JaroWinklerLevel("forename", 0.85),
                _exact("forename_ph", tf=False),
                cll.DamerauLevenshteinLevel("forename", 2),
            ).configure(label_for_charts="similar or sounds alike"),
            cll.CustomLevel(
                "(length(forename_l) = 1 OR length(forename_r) = 1) "
                "AND substr(forename_l, 1, 1) = substr(forename_r, 1, 1)",
                label_for_charts="initial only",
            ),
            cll.ElseLevel(),
        ],
    )


def surname_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="surname",
        comparison_levels=[
            cll.NullLevel("surname"),
            NamesSwappedLevel(),
            _exact("surname", label="exact surname"),
            _exact("surname_key", label="same spelling group (transliteration)"),
            cll.JaroWinklerLevel("surname", 0.92),
            cll.DamerauLevenshteinLevel("surname", 1).configure(
                label_for_charts="one typing slip (Damerau-Levenshtein 1)"
            ),
            cll.Or(
                cll.JaroWinklerLevel("surname", 0.85),
                _exact("surname_ph", tf=False),
                cll.DamerauLevenshteinLevel("surname", 2),
            ).configure(label_for_charts="similar or sounds alike"),
            cll.ElseLevel(),
        ],
    )


def dob_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="dob",
        comparison_levels=[
            cll.NullLevel("dob_y"),
            _exact("dob", tf=False, label="exact date of birth"),
            cll.CustomLevel(
                "substr(dob_l, 1, 4) = substr(dob_r, 1, 4) AND substr(dob_l, 6, 2) = "
                "substr(dob_r, 9, 2) AND substr(dob_l, 9, 2) = substr(dob_r, 6, 2)",
                label_for_charts="day and month swapped",
            ),
            cll.DamerauLevenshteinLevel("dob", 1).configure(
                label_for_charts="one digit differs or two swapped"
            ),
            _exact("dob_md", tf=False, label="same day and month, another year"),
            _exact("dob_ym", tf=False, label="same year and month (or only a month given)"),
            _exact("dob_y", tf=False, label="same year (or only a year given)"),
            cll.DamerauLevenshteinLevel("dob", 2).configure(label_for_charts="two digits differ"),
            cll.CustomLevel(
                "abs(CAST(dob_y_l AS INTEGER) - CAST(dob_y_r AS INTEGER)) <= 3",
                label_for_charts="born within three years",
            ),
            cll.ElseLevel(),
        ],
    )


def postcode_comparison() -> cl.CustomComparison:
    sector = "substr({c}, 1, length({c}) - 2)"
    return cl.CustomComparison(
        output_column_name="postcode",
        comparison_levels=[
            cll.NullLevel("postcode"),
            _exact("postcode", label="same postcode"),
            cll.DamerauLevenshteinLevel("postcode", 1).configure(
                label_for_charts="postcode one typing slip away"
            ),
            cll.CustomLevel(
                f"{sector.format(c='postcode_l')} = {sector.format(c='postcode_r')}",
                label_for_charts="same postcode sector",
            ),
            cll.ElseLevel(),
        ],
    )


BLOCKING_KEYS: tuple[tuple[str, ...], ...] = (
    ("forename_key", "surname_key"),
    ("surname_key", "dob"),
    ("forename_key", "dob"),
    ("surname_ph", "dob_y"),
    ("forename_key", "surname_ph"),
    ("forename_ph", "surname_key"),
    ("dob", "postcode"),
    ("forename_key", "surname2"),
    ("dob", "forename1"),
    ("dob", "surname1"),
    ("postcode", "dob_y"),
    ("postcode", "house_number"),
    ("postcode", "forename1"),
    ("postcode", "surname1"),
    ("address_key", "forename1"),
    ("address_key", "surname1"),
    ("phone1", "surname1"),
    ("phone1", "forename1"),
    ("dob", "house_number"),
    ("street_key",),
    ("surname_key", "house_number"),
    ("forename_key", "house_number"),
)
TF_COLUMNS = ("forename", "forename_key", "surname", "surname_key", "address_key")
# Every rule that generates pairs to score: a record's `left` values equal the other's
# `right` values (the same columns, or a name part against the other part: written swapped).
PREDICTION_RULES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    *((cols, cols) for cols in BLOCKING_KEYS),
    (("forename_sk", "surname_fk"), ("surname_key", "forename_key")),
    (("surname_key", "forename_key"), ("forename_sk", "surname_fk")),
    (("initial_key",), ("si_key",)),
    (("si_key",), ("initial_key",)),
    (("dob", "forename1"), ("dob", "surname1")),
    (("dob", "surname1"), ("dob", "forename1")),
)
EM_RULES: tuple[tuple[str, ...], ...] = (("forename_key", "surname_key"), ("dob",))
# A block (one value of one rule's key) generating more pairs than its cap is not blocked
# on. At a million mentions "Mohammed Khan" alone is thousands of mentions and millions of
# pairs, nearly all of different people; its true pairs still meet on a name with a date
# of birth, a postcode, an address or a phone: rules whose blocks stay small. A broad rule
# (no date, place or phone in its key: names alone, a birth year, a house number on any
# street) is capped at BROAD_MAX_BLOCK_PAIRS, about 140 mentions; any other rule at
# MAX_BLOCK_PAIRS, about 316 (a child missing that often is still compared on name and
# date of birth). No block in the quality cities reaches its cap (the largest broad one:
# 9,453 pairs: one name written 138 times in city 11), so there the caps change nothing; the
# 100,000-mention city has some (docs/resolution.md, Performance).
MAX_BLOCK_PAIRS = 50_000
BROAD_MAX_BLOCK_PAIRS = 10_000
NARROWING = frozenset({"dob", "postcode", "address_key", "phone1", "street_key"})
# EM trains on the pairs whose left record is one in k, k = ceil(records / EM_MAX_RECORDS):
# at a million mentions every pair of its two blockings is 40 million comparison vectors.
EM_MAX_RECORDS = 200_000
BLOCK_COLUMNS = tuple(
    [f"pairs_{i}" for i in range(len(PREDICTION_RULES))]
    + [f"pairs_em_{i}" for i in range(len(EM_RULES))]
)


def block_pairs(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with BLOCK_COLUMNS: for each rule, the pairs the block of each record's left
    values generates (0 when a value is missing: the rule never blocks that record)."""
    out = {f"pairs_{i}": _pairs(frame, *rule) for i, rule in enumerate(PREDICTION_RULES)}
    out |= {f"pairs_em_{i}": _pairs(frame, cols, cols) for i, cols in enumerate(EM_RULES)}
    return frame.assign(**out)


def _pairs(frame: pd.DataFrame, left: tuple[str, ...], right: tuple[str, ...]) -> np.ndarray:
    here = frame.groupby(list(left), dropna=True, sort=False)[left[0]].transform("size")
    here = here.reindex(frame.index).fillna(0).to_numpy(dtype=np.int64)
    if left == right:
        pairs = here * (here - 1) // 2
    else:
        there = frame.groupby(list(right), dropna=True, sort=False).size()
        keys = frame[left[0]] if len(left) == 1 else pd.MultiIndex.from_frame(frame[list(left)])
        other = there.reindex(keys).fillna(0).to_numpy(dtype=np.int64)
        pairs = here * other
    return np.minimum(pairs, np.iinfo(np.int32).max).astype(np.int32)


def _rule_sql(left: tuple[str, ...], right: tuple[str, ...], column: str) -> str:
    same = " AND ".join(f"l.{a} = r.{b}" for a, b in zip(left, right, strict=True))
    broad = not NARROWING & {*left, *right}
    return f"{same} AND l.{column} <= {BROAD_MAX_BLOCK_PAIRS if broad else MAX_BLOCK_PAIRS}"


def prediction_rules() -> list[str]:
    return [_rule_sql(*rule, f"pairs_{i}") for i, rule in enumerate(PREDICTION_RULES)]


def em_every(records: int) -> int:
    return max(1, -(-records // EM_MAX_RECORDS))


def em_rules(every: int = 1) -> list[str]:
    """The blockings EM trains on; with `every` > 1 only pairs whose left id is a multiple."""
    sample = f" AND l.unique_id % {int(every)} = 0" if every > 1 else ""
    return [_rule_sql(cols, cols, f"pairs_em_{i}") + sample for i, cols in enumerate(EM_RULES)]


def person_settings() -> SettingsCreator:
    """The untrained model: comparisons and the blocking rules that generate pairs."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=1e-4,
        comparisons=[
            forename_comparison(),
            surname_comparison(),
            dob_comparison(),
            cl.ExactMatch("sex"),
            postcode_comparison(),
            cl.CustomComparison(
                output_column_name="address_key",
                comparison_levels=[
                    cll.NullLevel("address_key"),
                    _exact("address_key", label="same house and street"),
                    cll.JaroWinklerLevel("address_key", 0.9).configure(
                        label_for_charts="house and street nearly the same (a typing slip)"
                    ),
                    _exact("house_number", tf=False, label="same house number, another street"),
                    cll.ElseLevel(),
                ],
            ),
            cl.CustomComparison(
                output_column_name="locality",
                comparison_levels=[
                    cll.NullLevel("locality"),
                    *(
                        cll.ArrayIntersectLevel("locality", n).configure(
                            label_for_charts=f"{n} words of the locality in common"
                        )
                        for n in (3, 2, 1)
                    ),
                    cll.ElseLevel(),
                ],
            ),
            cl.CustomComparison(
                output_column_name="phones",
                comparison_levels=[
                    cll.NullLevel("phones"),
                    cll.ArrayIntersectLevel("phones", 1).configure(
                        label_for_charts="a phone shared"
                    ),
                    cll.ElseLevel(),
                ],
            ),
        ],
        blocking_rules_to_generate_predictions=prediction_rules(),
        # The weights of each comparison (the review's evidence), not the compared values:
        # with them every scored pair would carry both records' columns (explain, scoring
        # one pair, turns them on).
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=False,
        max_iterations=25,
        em_convergence=0.001,
    )


M_FLOOR = 1e-3  # no level is impossible among true matches: a disagreement, not a veto


def clamp_model(model: dict[str, Any]) -> dict[str, Any]:
    """Floor each trained m probability so a later EM session cannot drive it to zero, and
    make a level that training never saw (no pair reached it) neutral: m = u."""
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            if not isinstance(m, float) and isinstance(u, float):
                level["m_probability"] = m = u
            if not isinstance(u, float) and isinstance(m, float):
                level["u_probability"] = m
            if isinstance(m, float) and m < M_FLOOR:
                level["m_probability"] = M_FLOOR
    return model


def for_dialect(model: dict[str, Any], dialect: str) -> dict[str, Any]:
    """A trained model's parameters on the settings written for `dialect`: each SQL
    condition is quoted for the engine that runs it (a model trained on DuckDB scores on
    Spark). Levels are matched by position, the comparisons being the same code's."""
    if model.get("sql_dialect") in (None, dialect):
        return model
    fresh = person_settings().create_settings_dict(dialect)
    trained = {c["output_column_name"]: c["comparison_levels"] for c in model["comparisons"]}
    for comparison in fresh["comparisons"]:
        levels = trained.get(comparison["output_column_name"], [])
        if len(levels) != len(comparison["comparison_levels"]):
            raise ValueError(
                f"the stored model's {comparison['output_column_name']!r} comparison does not "
                "match this version's: run `joinedup resolve --full` to retrain"
            )
        for level, old in zip(comparison["comparison_levels"], levels, strict=True):
            for key in ("m_probability", "u_probability", "tf_minimum_u_value"):
                if key in old:
                    level[key] = old[key]
    fresh["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    return fresh


U_MAX_PAIRS = 5e6  # random pairs sampled to estimate u


def train(
    sdf: Any,
    linker_factory: Any,
    *,
    records: int = 0,
    max_pairs: float | None = None,
    seed: int = 42,
) -> Any:
    """Prior from deterministic rules, u by random sampling, m by EM on two blockings.

    `records` is how many rows `sdf` holds (EM samples past EM_MAX_RECORDS).
    `linker_factory(sdf, settings)` builds a Linker; the model is rebuilt from its JSON
    between sessions with m floored (see clamp_model). Returns the trained linker.
    """
    linker = linker_factory(sdf, person_settings())
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on("forename_key", "surname_key", "dob")], recall=0.7
    )
    training.estimate_u_using_random_sampling(max_pairs=max_pairs or U_MAX_PAIRS, seed=seed)
    model = linker.misc.save_model_to_json()
    for rule in em_rules(em_every(records)):
        model = _em_session(sdf, linker_factory, model, rule)
    return linker_factory(sdf, clamp_model(model))


def _em_session(sdf: Any, linker_factory: Any, model: dict[str, Any], rule: Any) -> dict[str, Any]:
    """One EM session from `model`; the trained model as JSON.

    Within a session EM can drive a level's m below what a float holds (a level almost
    never seen among the block's matches), which Splink refuses with a ValueError. Then
    the session is run again with fewer iterations, and skipped (the model kept as it
    was, with a warning) if even a few iterations underflow.
    """
    for iterations in (model.get("max_iterations", 25), 8, 3):
        linker = linker_factory(sdf, clamp_model({**model, "max_iterations": iterations}))
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
        except ValueError as err:
            log.warning("EM on %s failed after up to %s iterations: %s", rule, iterations, err)
            continue
        return {
            **linker.misc.save_model_to_json(),
            "max_iterations": model.get("max_iterations", 25),
        }
    log.warning("EM on %s skipped: the model keeps its earlier m probabilities", rule)
    return model
