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


LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"
ALNUM = LETTERS + DIGITS


def _run(alphabet: str, low: int, high: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=low, max_size=high)


def _joined(*parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(*parts).map("".join)


# Northern Ireland codes hold an I or a Z in their last two letters ("AIZ", "BZ", "IA").
_NI_CODE = st.tuples(st.sampled_from("IZ"), st.sampled_from(LETTERS), st.booleans()).map(
    lambda t: t[0] + t[1] if t[2] else t[1] + t[0]
)
# Compact registrations of each UK format, as parse_plate names them.
PLATES: dict[str, st.SearchStrategy[str]] = {
    "current": _joined(_run(LETTERS, 2, 2), _run(DIGITS, 2, 2), _run(LETTERS, 3, 3)),
    "prefix": _joined(_run(LETTERS, 1, 1), _run(DIGITS, 1, 3), _run(LETTERS, 3, 3)),
    "suffix": _joined(_run(LETTERS, 3, 3), _run(DIGITS, 1, 3), _run(LETTERS, 1, 1)),
    "northern_ireland": _joined(_run(LETTERS, 0, 1), _NI_CODE, _run(DIGITS, 1, 4)),
    # Letters first without an I or Z (those are Northern Irish), or digits first.
    "dateless": _joined(_run(LETTERS.replace("I", "").replace("Z", ""), 1, 3), _run(DIGITS, 1, 4))
    | _joined(_run(DIGITS, 1, 4), _run(LETTERS, 1, 3)),
}
# What people put between a plate's characters; "..." is not here, it means "and more".
SEPARATOR = st.sampled_from(["", "", "", " ", "  ", "-", " - ", ".", "\t"])


@st.composite
def written(draw: st.DrawFn, compact: str) -> str:
    """`compact` as someone might write it: any case, spaces, hyphens or dots anywhere."""
    out = draw(st.sampled_from(["", " ", "\t"]))
    for at, ch in enumerate(compact):
        if at:
            out += draw(SEPARATOR)
        out += ch.lower() if draw(st.booleans()) else ch
    return out + draw(st.sampled_from(["", " ", "\n"]))


@st.composite
def with_unknowns(draw: st.DrawFn, compact: str) -> tuple[str, frozenset[int]]:
    """`compact` with some (never all) characters replaced by an unknown marker."""
    unknown = draw(st.sets(st.integers(0, len(compact) - 1), max_size=len(compact) - 1))
    chars = [draw(st.sampled_from("?_#")) if at in unknown else ch for at, ch in enumerate(compact)]
    return "".join(chars), frozenset(unknown)


def _pattern(compact: str, unknown: frozenset[int]) -> str:
    return "".join("?" if at in unknown else ch for at, ch in enumerate(compact))


def _consistent(draw: st.DrawFn, known: str, unknown: frozenset[int]) -> str:
    """A plate with `known`'s characters where it knows them and anything where it does not."""
    return "".join(
        draw(st.sampled_from(ALNUM)) if at in unknown else ch for at, ch in enumerate(known)
    )


def _inconsistent(draw: st.DrawFn, known: str, unknown: frozenset[int]) -> str:
    """`known` with one of the characters it does know changed."""
    at = draw(st.sampled_from(sorted(set(range(len(known))) - unknown)))
    other = draw(st.sampled_from(ALNUM.replace(known[at], "")))
    return known[:at] + other + known[at + 1 :]


@pytest.mark.parametrize("kind", sorted(PLATES))
@given(data=st.data())
def test_plates_of_every_format_parse(kind: str, data: st.DataObject) -> None:
    vrm = data.draw(PLATES[kind], label="vrm")
    raw = data.draw(written(vrm), label="raw")
    assert parse_plate(raw) == Plate(raw, vrm, None, kind)
    assert parse_plate(vrm) == Plate(vrm, vrm, None, kind)
    assert plate_matches(vrm, raw)
    for variant in plate_variants(raw):
        assert variant != vrm and parse_plate(variant).vrm == variant


@pytest.mark.parametrize("kind", sorted(PLATES))
@given(data=st.data())
def test_plates_with_unknown_characters_are_patterns(kind: str, data: st.DataObject) -> None:
    vrm = data.draw(PLATES[kind], label="vrm")
    partial, unknown = data.draw(with_unknowns(vrm), label="partial")
    raw = data.draw(written(partial), label="raw")
    pattern = _pattern(vrm, unknown)
    if not unknown:  # nothing unknown: the plate itself
        assert parse_plate(raw) == Plate(raw, vrm, None, kind)
        return
    assert parse_plate(raw) == Plate(raw, None, pattern, "partial")
    assert plate_matches(pattern, data.draw(written(vrm)))
    assert plate_matches(pattern, _consistent(data.draw, vrm, unknown))
    assert not plate_matches(pattern, _inconsistent(data.draw, vrm, unknown))
    assert not plate_matches(pattern, vrm + data.draw(st.sampled_from(ALNUM)))


@pytest.mark.parametrize("kind", sorted(PLATES))
@given(data=st.data())
def test_plate_from_partial_keeps_unknowns_as_patterns(kind: str, data: st.DataObject) -> None:
    vrm = data.draw(PLATES[kind], label="vrm")
    start = vrm[: data.draw(st.integers(1, len(vrm)), label="known length")]
    partial, unknown = data.draw(with_unknowns(start), label="partial")
    raw = data.draw(written(partial), label="raw") + data.draw(
        st.sampled_from(["", "*", "...", "…", " ..", " *"]), label="ending"
    )
    pattern = _pattern(start, unknown) + "*"
    assert plate_from_partial(raw) == Plate(raw, None, pattern, "partial")
    assert pattern.count("?") == len(unknown)  # unknown positions stay unknown
    # Every plate that agrees where the start is known fits, whatever follows.
    assert plate_matches(pattern, data.draw(written(vrm)))
    tail = data.draw(_run(ALNUM, 0, 7 - len(start)), label="tail")
    assert plate_matches(pattern, _consistent(data.draw, start, unknown) + tail)
    # One that differs where the start is known does not.
    assert not plate_matches(pattern, _inconsistent(data.draw, start, unknown) + tail)
