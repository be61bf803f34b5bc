"""The Splink person model: comparisons, blocking rules and training, for any Splink backend.

No comparison reads ethnicity, religion or nationality: those are never in the features.
"""

from __future__ import annotations

import logging
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on

log = logging.getLogger(__name__)


def _exact(col: str, tf: bool = True, label: str | None = None) -> cll.ComparisonLevelCreator:
    level = cll.ExactMatchLevel(col)
    return level.configure(tf_adjustment_column=col if tf else None, label_for_charts=label)


def forename_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="forename",
        comparison_levels=[
            cll.NullLevel("forename"),
            cll.ColumnsReversedLevel("forename_key", "surname_key", symmetrical=True).configure(
                label_for_charts="forename and surname swapped"
            ),
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
            cll.ColumnsReversedLevel("forename_key", "surname_key", symmetrical=True).configure(
                label_for_charts="forename and surname swapped"
            ),
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
    ("address_key", "forename1"),
    ("address_key", "surname1"),
    ("phone1", "surname1"),
    ("phone1", "forename1"),
)
TF_COLUMNS = ("forename", "forename_key", "surname", "surname_key", "address_key")


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
                    cll.ElseLevel(),
                ],
            ),
            cl.CustomComparison(
                output_column_name="phones",
                comparison_levels=[
                    cll.NullLevel("phones"),
                    cll.ArrayIntersectLevel("phones", 1),
                    cll.ElseLevel(),
                ],
            ),
        ],
        blocking_rules_to_generate_predictions=[
            *(block_on(*cols) for cols in BLOCKING_KEYS),
            "l.forename_key = r.surname_key AND l.surname_key = r.forename_key",
        ],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        max_iterations=25,
        em_convergence=0.001,
    )


M_FLOOR = 1e-6  # no level is impossible among true matches, however clean the data


def clamp_model(model: dict[str, Any]) -> dict[str, Any]:
    """Floor each trained m probability so a later EM session cannot drive it to zero."""
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            m = level.get("m_probability")
            if isinstance(m, float) and m < M_FLOOR:
                level["m_probability"] = M_FLOOR
    return model


def train(sdf: Any, linker_factory: Any, *, max_pairs: float = 5e6, seed: int = 42) -> Any:
    """Prior from deterministic rules, u by random sampling, m by EM on two blockings.

    `linker_factory(sdf, settings)` builds a Linker; the model is rebuilt from its JSON
    between sessions with m floored (see clamp_model). Returns the trained linker.
    """
    linker = linker_factory(sdf, person_settings())
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on("forename_key", "surname_key", "dob")], recall=0.7
    )
    training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    for rule in (block_on("forename_key", "surname_key"), block_on("dob")):
        linker = linker_factory(sdf, clamp_model(linker.misc.save_model_to_json()))
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    return linker_factory(sdf, clamp_model(linker.misc.save_model_to_json()))
