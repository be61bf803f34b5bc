"""UK postcodes: shape check, normal form, finding them in text. NV* districts are invented."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.ingest.normalise.postcodes import find_postcodes, outward, parse_postcode


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("NV1 2AB", "NV1 2AB"),
        ("nv1 2ab", "NV1 2AB"),
        ("NV12AB", "NV1 2AB"),
        (" nv1   2ab ", "NV1 2AB"),
        ("NV10 2AB", "NV10 2AB"),
        ("NV102AB", "NV10 2AB"),
        ("N1 2AB", "N1 2AB"),  # A9
        ("N12 3AB", "N12 3AB"),  # A99
        ("NV9 9ZZ", "NV9 9ZZ"),  # AA9
        ("NV99 9ZZ", "NV99 9ZZ"),  # AA99
        ("N1A 2AB", "N1A 2AB"),  # A9A
        ("NV1A 2AB", "NV1A 2AB"),  # AA9A
        ("GIR 0AA", "GIR 0AA"),
        ("gir0aa", "GIR 0AA"),
        ("NV1", None),
        ("2AB", None),
        ("NV1 2A", None),
        ("NV1 AB2", None),
        ("NVV1 2AB", None),
        ("1NV 2AB", None),
        ("NV123 4AB", None),
        ("banana", None),
        ("", None),
        (None, None),
        ("<script>", None),
        ("N" * 10_000, None),
    ],
)
def test_parse_postcode(raw: str | None, expected: str | None) -> None:
    assert parse_postcode(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("NV1 2AB", "NV1"), ("nv102ab", "NV10"), ("GIR 0AA", "GIR"), ("nonsense", None), (None, None)],
)
def test_outward(raw: str | None, expected: str | None) -> None:
    assert outward(raw) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Found at NV1 2AB.", [("NV1 2AB", 9, 16)]),
        ("Lives NV12AB and works NV10 3CD", [("NV1 2AB", 6, 12), ("NV10 3CD", 23, 31)]),
        ("see u b4 2nd", []),  # lower case is text-speak, not a postcode
        ("XNV1 2AB", []),
        ("NV1 2ABC", []),
        ("", []),
        (None, []),
    ],
)
def test_find_postcodes(text: str | None, expected: list[tuple[str, int, int]]) -> None:
    assert find_postcodes(text) == expected


POSTCODE = st.from_regex(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}", fullmatch=True)


@given(st.text() | POSTCODE)
def test_parse_postcode_is_idempotent(raw: str) -> None:
    normal = parse_postcode(raw)
    if normal is not None:
        assert parse_postcode(normal) == normal
        assert normal == normal.upper() and normal.count(" ") == 1


@given(POSTCODE)
def test_every_shape_passes(raw: str) -> None:
    assert parse_postcode(raw) is not None


@given(st.text(), POSTCODE, st.text())
def test_find_postcodes_offsets(before: str, postcode: str, after: str) -> None:
    text = before + postcode + after
    for normal, start, end in find_postcodes(text):
        assert parse_postcode(text[start:end]) == normal
