"""Free-text extraction: what is found, where, and what is left alone.

All names, plates, phone numbers (Ofcom drama ranges) and postcodes are invented.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.ingest.freetext import Extraction, extract_mentions
from joinedup.pole import TextSpan


def found(text: str) -> list[tuple[str, str, str]]:
    return [(item.kind, item.raw, item.value) for item in extract_mentions("notes", text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Vehicles: full plates in each format, with and without the space.
        ("Seen in FD51 ABC.", [("vehicle", "FD51 ABC", "FD51ABC")]),
        ("Seen in FD51ABC.", [("vehicle", "FD51ABC", "FD51ABC")]),
        ("silver car fd51abc", [("vehicle", "fd51abc", "FD51ABC")]),
        ("Old car A123 BCD", [("vehicle", "A123 BCD", "A123BCD")]),
        ("Old car ABC 123D", [("vehicle", "ABC 123D", "ABC123D")]),
        ("index no. AB 1234", [("vehicle", "AB 1234", "AB1234")]),
        ("reg AIZ 1234", [("vehicle", "AIZ 1234", "AIZ1234")]),
        # Vehicles: partial plates.
        ("The plate starts FD5", [("vehicle", "FD5", "FD5*")]),
        ("reg beginning FD5 seen twice", [("vehicle", "FD5", "FD5*")]),
        ("registration starting with FD51 A", [("vehicle", "FD51 A", "FD51A*")]),
        ("Partial reg FD5? only", [("vehicle", "FD5?", "FD5?")]),
        ("partial plate FD5", [("vehicle", "FD5", "FD5*")]),
        ("reg ending XYZ", [("vehicle", "XYZ", "*XYZ")]),
        ("reg FD5 ?BC", [("vehicle", "FD5 ?BC", "FD5?BC")]),
        ("plate starts FD51ABC", [("vehicle", "FD51ABC", "FD51ABC")]),
        # Phones.
        ("Call 07700 900123 now", [("phone", "07700 900123", "+447700900123")]),
        ("mob +44 7700 900456", [("phone", "+44 7700 900456", "+447700900456")]),
        ("tel (0044)7700-900-789", [("phone", "(0044)7700-900-789", "+447700900789")]),
        ("landline 0113 496 0123", [("phone", "0113 496 0123", "+441134960123")]),
        # Postcodes.
        ("Found at NV1 2AB", [("postcode", "NV1 2AB", "NV1 2AB")]),
        ("Found at NV102AB", [("postcode", "NV102AB", "NV10 2AB")]),
        # Dates.
        ("Missing 12/03/2021 again", [("date", "12/03/2021", "2021-03-12")]),
        ("Missing 12-03-2021", [("date", "12-03-2021", "2021-03-12")]),
        ("Missing 12.03.2021", [("date", "12.03.2021", "2021-03-12")]),
        ("Missing 3 March 2021", [("date", "3 March 2021", "2021-03-03")]),
        ("Missing 3rd of Mar 2021", [("date", "3rd of Mar 2021", "2021-03-03")]),
        ("Missing 2021-03-12", [("date", "2021-03-12", "2021-03-12")]),
        # Nicknames.
        ('with a male called "Boss"', [("nickname", "Boss", "Boss")]),
        ("with ‘Kaz’ and 'Taz'", [("nickname", "Kaz", "Kaz"), ("nickname", "Taz", "Taz")]),
        ("with “Big Man”", [("nickname", "Big Man", "Big Man")]),
        ("a male known as Kaz.", [("nickname", "Kaz", "Kaz")]),
        ("she calls herself Jade Smith", [("nickname", "Jade Smith", "Jade Smith")]),
        ("male aka Little T, 20s", [("nickname", "Little T", "Little T")]),
        ("goes by Jay", [("nickname", "Jay", "Jay")]),
        ("known as 'Taz'", [("nickname", "Taz", "Taz")]),
        ("known as Kaz to his friends", [("nickname", "Kaz", "Kaz")]),
    ],
)
def test_extracts(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "he said 'later' and left",  # lower-case quoted word
        'He said "Stop" and "No"',  # capitalised, but common words
        "she is known as a risk",
        'a "very long quoted phrase of many words"',
        "Born 1990, seen 2021, 2021 again",  # years are not plates
        "ref 1234567890 and crime no 123456",  # reference numbers are not phones
        "Took the A38 and then the M6",  # roads are not plates
        "CSE 2021 strategy",
        "31/02/2009 and 20/13/2021",  # impossible dates
        "see u b4 2nd",
        "reg was seen by the officer",
        "<script>alert(1)</script>",
        "'; DROP TABLE records; --",
        "Robert'); DROP TABLE persons;--",
        '=HYPERLINK("http://x","y")',
        "",
    ],
)
def test_leaves_alone(text: str) -> None:
    assert found(text) == []


def test_phone_numbers_are_not_plates() -> None:
    kinds = {kind for kind, _, _ in found("number 07700 900123 and 0113 496 0123")}
    assert kinds == {"phone"}


def test_spans_and_order() -> None:
    text = 'Kaz seen in FD51 ABC at NV1 2AB on 12/03/2021, "Boss" on 07700 900123'
    result = extract_mentions("circumstances", text)
    assert [item.kind for item in result] == [
        "vehicle",
        "postcode",
        "date",
        "nickname",
        "phone",
    ]
    assert result[0] == Extraction(
        "vehicle", "FD51 ABC", "FD51ABC", TextSpan("circumstances", 12, 20)
    )
    for item in result:
        assert text[item.span.start : item.span.end] == item.raw
        assert item.span.field == "circumstances"


def test_none_and_empty() -> None:
    assert extract_mentions("notes", None) == []
    assert extract_mentions("notes", "") == []


def test_ten_thousand_characters() -> None:
    text = ("Seen in FD51 ABC with 'Kaz' on 07700 900123 at NV1 2AB on 12/03/2021. " * 200)[:10_000]
    result = extract_mentions("notes", text)
    assert len(result) > 500
    assert all(text[item.span.start : item.span.end] == item.raw for item in result)


@pytest.mark.parametrize(
    "text",
    ["x" * 10_000, "0" * 10_000, "'" * 10_000, '"' * 10_000, "reg " * 2_500, "A1 " * 3_000],
)
def test_hostile_long_inputs(text: str) -> None:
    for item in extract_mentions("notes", text):
        assert text[item.span.start : item.span.end] == item.raw


WORDS = st.sampled_from(
    ["FD51 ABC", "fd51abc", "07700 900123", "+44 7700 900123", "NV1 2AB", "12/03/2021"]
    + ["3 March 2021", "'Kaz'", '"Boss"', "known as", "reg starts", "FD5", "?", "*", "..."]
    + ["plate", "partial reg", " ", ", ", "\n", "'", '"', "aka", "Taz", "0113 496 0123"]
)
NOTE_LIKE = st.lists(WORDS | st.text(max_size=5), max_size=20).map(" ".join)


@given(st.text() | NOTE_LIKE)
def test_offsets_hold_on_any_text(text: str) -> None:
    result = extract_mentions("notes", text)
    ends = -1
    for item in result:
        assert text[item.span.start : item.span.end] == item.raw
        assert item.kind in {"vehicle", "phone", "postcode", "date", "nickname"}
        assert item.value
        assert item.span.start >= ends  # no two extractions overlap
        ends = item.span.end


@pytest.mark.parametrize(
    ("text", "value"),
    [("part reg OF6", "OF6*"), ("reg of OF61 ABC", "OF61ABC"), ("the reg was FD51ABC", "FD51ABC")],
)
def test_plates_starting_with_filler_words_are_whole(text: str, value: str) -> None:
    assert [e.value for e in extract_mentions("n", text) if e.kind == "vehicle"] == [value]
