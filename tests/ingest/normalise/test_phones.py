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
