"""Phone numbers. Every number here is in an Ofcom drama range or otherwise invented."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.ingest.normalise.phones import Phone, parse_phone


@pytest.mark.parametrize(
    ("raw", "e164", "kind"),
    [
        ("07700 900123", "+447700900123", "mobile"),
        ("07700900123", "+447700900123", "mobile"),
        ("+44 7700 900123", "+447700900123", "mobile"),
        ("+44 (0) 7700 900123", "+447700900123", "mobile"),
        ("(0044)7700-900-123", "+447700900123", "mobile"),
        ("0044 7700 900123", "+447700900123", "mobile"),
        ("447700900123", "+447700900123", "mobile"),
        ("07700 900000", "+447700900000", "mobile"),
        ("07700 900999", "+447700900999", "mobile"),
        ("07700 900123 ext 12", "+447700900123", "mobile"),
        ("0113 496 0000", "+441134960000", "fixed"),
        ("0113 496 0999", "+441134960999", "fixed"),
        ("020 7946 0123", "+442079460123", "fixed"),
        ("0191 498 0123", "+441914980123", "fixed"),
        ("01632 960123", "+441632960123", "fixed"),
        ("0808 157 0123", "+448081570123", "other"),
        ("+447700900123", "+447700900123", "mobile"),
    ],
)
def test_parse_phone(raw: str, e164: str, kind: str) -> None:
    assert parse_phone(raw) == Phone(raw, e164, True, kind)


@pytest.mark.parametrize(
    "raw",
    [
        "12",
        "call me",
        "123456",  # a local number without its area code
        "07700 90012",  # one digit short for a mobile
        "07700 9001234",  # one digit too many
        "0000000000000000",
        "<script>alert(1)</script>",
        "'; DROP TABLE phones; --",
        "+999 123",
        "0" * 10_000,
        "7" * 300,
    ],
)
def test_nonsense_is_not_valid(raw: str) -> None:
    assert parse_phone(raw) == Phone(raw, None, False, None)


@pytest.mark.parametrize("raw", [None, "", "   ", "unknown", "N/K", "-"])
def test_empty_and_placeholders_are_none(raw: str | None) -> None:
    assert parse_phone(raw) is None


def test_region_hint_reads_national_numbers() -> None:
    assert parse_phone("(202) 555-0123", region="US") == Phone(
        "(202) 555-0123", "+12025550123", True, "other"
    )


def test_leading_zero_lost_by_a_spreadsheet() -> None:
    assert parse_phone("7700900123") == Phone("7700900123", "+447700900123", True, "mobile")


DRAMA_MOBILE = st.integers(0, 999).map(lambda n: f"07700 900{n:03d}")
PHONE_LIKE = st.text(alphabet="0123456789 +()-.x", max_size=25)


@given(DRAMA_MOBILE)
def test_every_drama_mobile_normalises(raw: str) -> None:
    phone = parse_phone(raw)
    assert phone is not None and phone.valid and phone.kind == "mobile"
    assert phone.e164 == "+44" + raw[1:].replace(" ", "")


@given(st.text() | PHONE_LIKE)
def test_never_raises_and_e164_is_stable(raw: str) -> None:
    phone = parse_phone(raw)
    if phone is None:
        return
    assert phone.valid == (phone.e164 is not None)
    if phone.e164 is not None:
        assert parse_phone(phone.e164).e164 == phone.e164


# -- the GB fast path gives what phonenumbers gives ---------------------------------------

import phonenumbers  # noqa: E402

from joinedup.ingest.normalise.phones import _GB_WRITTEN, _usable  # noqa: E402


def _by_the_library(raw: str, region: str = "GB") -> Phone | None:
    """parse_phone with every number parsed by phonenumbers: the path the fast one skips."""
    text = raw.strip()
    if not text or text.lower() in {"unknown", "unk", "n/k", "nk", "not known", "n/a"} | {
        "none",
        "-",
        "?",
    }:
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return Phone(raw, None, False, None)
    e164, kind = _usable(number)
    return Phone(raw, e164, e164 is not None, kind)


@st.composite
def _written_numbers(draw: st.DrawFn) -> str:
    """A number as people write it: GB mostly (mobiles, landlines, drama ranges, the
    180020 prefix), of the right length or near it, grouped every way; foreign ones too."""
    lead = draw(st.sampled_from(["7700", "77009", "7", "1", "2", "3", "8", "9", "5", "180020"]))
    length = draw(st.sampled_from([10, 10, 10, 10, 9, 11, 8, 12]))
    national = (lead + draw(st.text(alphabet="0123456789", min_size=length, max_size=length)))[
        :length
    ]
    if draw(st.integers(0, 9)) == 0:
        national = "0" + national[1:]
    prefix = draw(
        st.sampled_from(
            ["0", "0", "+44", "+44 ", "+44-", "+44  ", "0044 ", "0044", "44", "", "+44 (0)"]
            + ["+44(0)", "(0", "00", "+1 ", "+33 ", "+353 ", "+", "0 ", "+440", "+4"]
        )
    )
    separators = draw(st.sampled_from([" ", " ", "-", "", "  ", ".", "/", " - "]))
    cuts = sorted(draw(st.lists(st.integers(1, max(1, len(national) - 1)), max_size=3)))
    parts, at = [], 0
    for cut in cuts:
        parts.append(national[at:cut])
        at = cut
    parts.append(national[at:])
    text = prefix + separators.join(p for p in parts if p)
    if prefix == "(0":
        text = "(0" + national[:3] + ") " + national[3:]
    suffix = draw(st.sampled_from(["", "", "", " ext 12", " x4", "#", " ", "a", "-"]))
    return draw(st.sampled_from(["", " ", "\t"])) + text + suffix


@given(_written_numbers())
def test_the_gb_fast_path_reads_numbers_as_phonenumbers_does(raw: str) -> None:
    written = _GB_WRITTEN.fullmatch(raw.strip())
    if written is not None:
        national = written.group(1).replace(" ", "").replace("-", "")
        assert phonenumbers.parse(raw.strip(), "GB") == phonenumbers.PhoneNumber(
            country_code=44, national_number=int(national)
        )
    assert parse_phone(raw) == _by_the_library(raw)
    assert parse_phone(raw, "US") == _by_the_library(raw, "US")


@st.composite
def _gb_shapes(draw: st.DrawFn) -> str:
    """Numbers in the fast path's own shapes, any ten digits: every range and type."""
    national = draw(st.sampled_from("123456789")) + draw(
        st.text(alphabet="0123456789", min_size=9, max_size=9)
    )
    prefix = draw(st.sampled_from(["0", "+44", "+44 ", "+44-"]))
    out = prefix + national[0]
    for digit in national[1:]:
        out += draw(st.sampled_from(["", "", "", " ", "-"])) + digit
    return out


@given(_gb_shapes())
def test_gb_numbers_in_the_fast_shapes_read_as_phonenumbers_reads_them(raw: str) -> None:
    written = _GB_WRITTEN.fullmatch(raw)
    assert written is not None
    national = written.group(1).replace(" ", "").replace("-", "")
    if not national.startswith("180020"):
        assert phonenumbers.parse(raw, "GB") == phonenumbers.PhoneNumber(
            country_code=44, national_number=int(national)
        )
    assert parse_phone(raw) == _by_the_library(raw)


@pytest.mark.parametrize(
    "raw",
    ["07700 900123", "+44 7700 900123", "+44-7700-900-123", "0113 496 0000", "01632960123"],
)
def test_common_gb_shapes_take_the_fast_path(raw: str) -> None:
    assert _GB_WRITTEN.fullmatch(raw) is not None
    assert parse_phone(raw) == _by_the_library(raw)


# -- GB numbers' types, as phonenumbers.number_type gives them ---------------------------

from joinedup.ingest.normalise.phones import _TYPES_44  # noqa: E402


def _library_type(national: str) -> int:
    number = phonenumbers.PhoneNumber(country_code=44, national_number=int(national))
    return phonenumbers.number_type(number)


def test_every_gb_range_has_the_librarys_type() -> None:
    """Every four-digit start of a national number (all of GB's ranges, and Guernsey's,
    Jersey's and the Isle of Man's), at the lengths GB numbers have and near them."""
    import random

    draw = random.Random(44)
    for start in range(1000, 10000):
        for length in (7, 9, 10, 10, 11):
            tail = "".join(draw.choice("0123456789") for _ in range(length - 4))
            national = str(start) + tail
            assert _TYPES_44.number_type(national) == _library_type(national), national


@given(st.text(alphabet="0123456789", min_size=1, max_size=14).filter(lambda s: s[0] != "0"))
def test_any_national_number_has_the_librarys_type(national: str) -> None:
    assert _TYPES_44.number_type(national) == _library_type(national)
