"""UK registration marks: formats, partial plates as patterns, misread variants.

Every registration here is invented.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.ingest.normalise.plates import (
    Plate,
    parse_plate,
    plate_from_partial,
    plate_matches,
    plate_variants,
)


@pytest.mark.parametrize(
    ("raw", "vrm", "pattern", "format"),
    [
        ("FD51 ABC", "FD51ABC", None, "current"),
        ("fd51abc", "FD51ABC", None, "current"),
        (" FD51-ABC ", "FD51ABC", None, "current"),
        ("A123 BCD", "A123BCD", None, "prefix"),
        ("A1 BCD", "A1BCD", None, "prefix"),
        ("ABC 123D", "ABC123D", None, "suffix"),
        ("ABC 1D", "ABC1D", None, "suffix"),
        ("AB 1234", "AB1234", None, "dateless"),
        ("1234 AB", "1234AB", None, "dateless"),
        ("A 1", "A1", None, "dateless"),
        ("AIZ 1234", "AIZ1234", None, "northern_ireland"),
        ("BFZ 99", "BFZ99", None, "northern_ireland"),
        ("FD5*", None, "FD5*", "partial"),
        ("FD5 ?BC", None, "FD5?BC", "partial"),
        ("FD5 _BC", None, "FD5?BC", "partial"),
        ("FD5#ABC", None, "FD5?ABC", "partial"),
        ("FD5...", None, "FD5*", "partial"),
        ("FD5…", None, "FD5*", "partial"),
        ("*51 ABC", None, "*51ABC", "partial"),
        ("FD5**", None, "FD5*", "partial"),
        ("!!!!", None, None, "invalid"),
        ("HELLO WORLD 12345", None, None, "invalid"),
        ("2021", None, None, "invalid"),
        ("12345", None, None, "invalid"),
        ("*", None, None, "invalid"),
        ("???", None, None, "invalid"),
        ("FD51 ABC??", None, None, "invalid"),
        ("<script>alert(1)</script>", None, None, "invalid"),
        ("X" * 10_000, None, None, "invalid"),
    ],
)
def test_parse_plate(raw: str, vrm: str | None, pattern: str | None, format: str) -> None:
    assert parse_plate(raw) == Plate(raw, vrm, pattern, format)


@pytest.mark.parametrize("raw", [None, "", "  ", "unknown", "N/K", "none", "-"])
def test_empty_and_placeholders_are_none(raw: str | None) -> None:
    assert parse_plate(raw) is None


@pytest.mark.parametrize(
    ("prefix", "pattern", "format"),
    [
        ("FD5", "FD5*", "partial"),
        ("fd5", "FD5*", "partial"),
        ("FD51 A", "FD51A*", "partial"),
        ("FD5*", "FD5*", "partial"),
        ("FD5?", "FD5?*", "partial"),
        ("", None, "invalid"),
        ("!!", None, "invalid"),
    ],
)
def test_plate_from_partial(prefix: str, pattern: str | None, format: str) -> None:
    assert plate_from_partial(prefix) == Plate(prefix, None, pattern, format)


@pytest.mark.parametrize(
    ("pattern", "vrm", "expected"),
    [
        ("FD5*", "FD51ABC", True),
        ("fd5*", "fd51 abc", True),
        ("FD5?ABC", "FD51ABC", True),
        ("FD5 ?ABC", "FD51 ABC", True),
        ("FD5?BC", "FD51ABC", False),
        ("*ABC", "FD51ABC", True),
        ("*ABD", "FD51ABC", False),
        ("FD51ABC", "FD51ABC", True),
        ("FD51ABC", "FD51ABD", False),
        ("FD5...", "FD51ABC", True),
        ("F.*", "FD51ABC", True),
        ("[A-Z]*", "FD51ABC", False),
    ],
)
def test_plate_matches(pattern: str, vrm: str, expected: bool) -> None:
    assert plate_matches(pattern, vrm) is expected


@pytest.mark.parametrize(
    ("vrm", "includes", "excludes"),
    [
        ("FD51A8C", {"FD51ABC"}, {"FD51A8C"}),  # 8 where a letter must be
        ("FDS1ABC", {"FD51ABC"}, set()),  # S where a digit must be
        ("F051ABC", {"FO51ABC"}, set()),
        ("SO12ABC", {"S012ABC"}, set()),  # the O read as 0 makes a prefix plate
        ("FD51ABC", set(), {"FD51A8C", "FDS1ABC", "FD5IABC"}),  # no variant breaks format
    ],
)
def test_plate_variants(vrm: str, includes: set[str], excludes: set[str]) -> None:
    variants = plate_variants(vrm)
    assert includes <= variants
    assert not excludes & variants


def test_plate_variants_are_fresh_sets() -> None:
    plate_variants("FD51A8C").clear()
    assert plate_variants("FD51A8C") == {"FD51ABC"}


@pytest.mark.parametrize("raw", ["", "!!!!", "FD5*", "X" * 100])
def test_no_variants_for_non_plates(raw: str) -> None:
    assert plate_variants(raw) == set()


PLATE_LIKE = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -?*_#.", max_size=12)
CURRENT = st.from_regex(r"[A-Z]{2}[0-9]{2} ?[A-Z]{3}", fullmatch=True)


@given(st.text() | PLATE_LIKE)
def test_parse_plate_never_raises_and_vrm_is_stable(raw: str) -> None:
    plate = parse_plate(raw)
    if plate is None:
        return
    assert plate.format in {"current", "prefix", "suffix", "dateless", "northern_ireland"} | {
        "partial",
        "invalid",
    }
    if plate.vrm is not None:
        assert parse_plate(plate.vrm).vrm == plate.vrm
        assert plate_matches(plate.vrm, raw)
    if plate.pattern is not None:
        again = parse_plate(plate.pattern)
        assert again is not None and again.pattern == plate.pattern


@given(CURRENT)
def test_current_plates_parse(raw: str) -> None:
    plate = parse_plate(raw)
    assert plate is not None and plate.format == "current"
    assert plate.vrm == raw.replace(" ", "")
    assert plate_matches(plate.vrm[:3] + "*", raw)
    for variant in plate_variants(plate.vrm):
        assert parse_plate(variant).vrm == variant
