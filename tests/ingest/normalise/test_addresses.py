"""Addresses: one comparable form, with postcode, flat, number and street pulled out.

Streets and the NV postcodes belong to an invented town.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.ingest.normalise.addresses import AddressParts, normalise_address


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "Flat 3, 12 High St, Newville, NV1 2AB",
            AddressParts("FLAT 3 12 HIGH STREET NEWVILLE", "NV1 2AB", "3", "12", "HIGH STREET"),
        ),
        (
            "12a Station Rd NV12AB",
            AddressParts("12A STATION ROAD", "NV1 2AB", None, "12A", "STATION ROAD"),
        ),
        (
            "12 St John's Rd",
            AddressParts("12 SAINT JOHNS ROAD", None, None, "12", "SAINT JOHNS ROAD"),
        ),
        (
            "Flat 3 St Marys Ct",
            AddressParts("FLAT 3 SAINT MARYS COURT", None, "3", None, "SAINT MARYS COURT"),
        ),
        (
            "Rose Cottage, Mill Ln, NV10 3CD",
            AddressParts("ROSE COTTAGE MILL LANE", "NV10 3CD", None, None, "MILL LANE"),
        ),
        (
            "14-16 Church St.",
            AddressParts("14-16 CHURCH STREET", None, None, "14-16", "CHURCH STREET"),
        ),
        (
            "Apt 5, Park View Gdns",
            AddressParts("APARTMENT 5 PARK VIEW GARDENS", None, "5", None, "PARK VIEW GARDENS"),
        ),
        (
            "7 Elm Ave.",
            AddressParts("7 ELM AVENUE", None, None, "7", "ELM AVENUE"),
        ),
        (
            "2 Oak Cres; 4 Ash Terr",
            AddressParts("2 OAK CRESCENT 4 ASH TERRACE", None, None, "2", "OAK CRESCENT"),
        ),
        (
            "9 Kings Sq, Newville",
            AddressParts("9 KINGS SQUARE NEWVILLE", None, None, "9", "KINGS SQUARE"),
        ),
        ("1 Canal Pl", AddressParts("1 CANAL PLACE", None, None, "1", "CANAL PLACE")),
        ("3 Mill Dr", AddressParts("3 MILL DRIVE", None, None, "3", "MILL DRIVE")),
        ("5 Lime Gdns", AddressParts("5 LIME GARDENS", None, None, "5", "LIME GARDENS")),
        (
            "Café Nero, 1 Market Sq",
            AddressParts("CAFE NERO 1 MARKET SQUARE", None, None, "1", "MARKET SQUARE"),
        ),
        ("NV1 2AB", AddressParts(None, "NV1 2AB")),
        ("", AddressParts()),
        ("  ,, ", AddressParts()),
        (None, AddressParts()),
        (
            "<script>alert(1)</script>",
            AddressParts("SCRIPT ALERT 1 SCRIPT", None, None, "1", None),
        ),
    ],
)
def test_normalise_address(raw: str | None, expected: AddressParts) -> None:
    assert normalise_address(raw) == expected


def test_same_address_written_two_ways() -> None:
    one = normalise_address("Flat 3, 12 High St, NV1 2AB")
    two = normalise_address("FLAT 3 12 HIGH STREET NV12AB")
    assert one == two


def test_long_input() -> None:
    parts = normalise_address("12 High St, " * 1000)
    assert parts.house_number == "12"
    assert parts.street == "HIGH STREET"


ADDRESS_LIKE = st.text(alphabet="0123456789 ,.-'ABCDNVSTRdstr\n", max_size=40)


@given(st.text() | ADDRESS_LIKE)
def test_normalise_address_is_idempotent(raw: str) -> None:
    parts = normalise_address(raw)
    if parts.address is not None:
        again = normalise_address(parts.address)
        assert again.address == parts.address
        assert again.postcode is None
        assert parts.address == parts.address.upper().strip()


def _take_postcodes_asking_every_token(tokens: list[str]) -> tuple[list[str], str | None]:
    """`_take_postcodes` as it was, parse_postcode asked of every token: the reference."""
    from joinedup.ingest.normalise.postcodes import parse_postcode

    first: str | None = None
    kept: list[str] = []
    for token in tokens:
        kept.append(token)
        if token == ",":
            continue
        found, cut = parse_postcode(token), len(kept) - 1
        if found is None and len(token) == 3:
            previous = len(kept) - 2
            while previous >= 0 and kept[previous] == ",":
                previous -= 1
            if previous >= 0:
                found, cut = parse_postcode(kept[previous] + token), previous
        if found is not None:
            first = first or found
            del kept[cut:]
    return kept, first


TOKEN = st.sampled_from(["NV1", "NV12", "N1", "NVA1", "2AB", "9ZZ", "NV12AB", "GIR", "0AA"]) | (
    st.text(alphabet="ABNV0129", min_size=1, max_size=9)
)


@given(st.lists(TOKEN | st.just(","), max_size=12))
def test_postcodes_are_taken_as_when_every_token_was_asked(tokens: list[str]) -> None:
    from joinedup.ingest.normalise.addresses import _take_postcodes

    assert _take_postcodes(list(tokens)) == _take_postcodes_asking_every_token(list(tokens))
