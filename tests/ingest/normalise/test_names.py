"""Names: matching form, splitting a full name, display form. All names are invented."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.ingest.normalise.names import NameParts, clean_name, display_name, split_full_name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Tariq Hussain", "tariq hussain"),
        ("  TARIQ   HUSSAIN ", "tariq hussain"),
        ("O'Neil", "oneil"),
        ("O’Neil", "oneil"),
        ("Smith-Jones", "smith jones"),
        ("Zoë Brontë", "zoe bronte"),
        ("José Ñúñez", "jose nunez"),
        ("Łukasz Øster", "lukasz oster"),
        ("Strauß", "strauss"),
        ("Mary.Ann", "mary ann"),
        ('=HYPERLINK("http://x","y")', "hyperlink http x y"),
        ("Robert'); DROP TABLE persons;--", "robert drop table persons"),
        ("", None),
        ("   ", None),
        (None, None),
        ("unknown", None),
        ("UNKNOWN", None),
        ("n/k", None),
        ("N/K", None),
        ("Not Known", None),
        ("-", None),
        ("?", None),
        ("nk", None),
        ("NK", None),
        ("---", None),
    ],
)
def test_clean_name(raw: str | None, expected: str | None) -> None:
    assert clean_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Tariq Hussain", NameParts("tariq", None, "hussain")),
        ("Tariq Ahmed Hussain", NameParts("tariq", "ahmed", "hussain")),
        ("Tariq Ahmed Bilal Hussain", NameParts("tariq", "ahmed bilal", "hussain")),
        ("HUSSAIN, Tariq Ahmed", NameParts("tariq", "ahmed", "hussain")),
        ("Hussain, Tariq", NameParts("tariq", None, "hussain")),
        ("HUSSAIN Tariq", NameParts("tariq", None, "hussain")),
        ("Tariq HUSSAIN", NameParts("tariq", None, "hussain")),
        ("TARIQ HUSSAIN", NameParts("tariq", None, "hussain")),
        ('Tariq "Taz" Hussain', NameParts("tariq", None, "hussain", "Taz")),
        ("Tariq ‘Taz’ Hussain", NameParts("tariq", None, "hussain", "Taz")),
        ("Tariq 'Taz' Hussain", NameParts("tariq", None, "hussain", "Taz")),
        ("Kasia (Kaz) Nowak", NameParts("kasia", None, "nowak", "Kaz")),
        ("Kasia Nowak [Kaz]", NameParts("kasia", None, "nowak", "Kaz")),
        ("Kasia Nowak aka Kaz", NameParts("kasia", None, "nowak", "Kaz")),
        ("Kasia (deceased) Nowak", NameParts("kasia", None, "nowak")),
        ("Kasia Nowak (mum)", NameParts("kasia", None, "nowak")),
        ("Kasia Nowak (nee Brown)", NameParts("kasia", None, "nowak")),
        ("Kaz", NameParts("kaz")),
        ("Mr Tariq Hussain", NameParts("tariq", None, "hussain")),
        ("Dr. Jane Okafor", NameParts("jane", None, "okafor")),
        ("Miss J Smith", NameParts("j", None, "smith")),
        ("Mr Smith", NameParts(None, None, "smith")),
        ("Mrs", NameParts()),
        ("Sean O'Neil", NameParts("sean", None, "oneil")),
        ("Mary-Jane Smith-Jones", NameParts("mary jane", None, "smith jones")),
        ("Jan van der Berg", NameParts("jan", None, "van der berg")),
        ("Maria de Souza", NameParts("maria", None, "de souza")),
        ("Unknown Smith", NameParts(None, None, "smith")),
        ("Tariq Hussain Jnr", NameParts("tariq", None, "hussain")),
        ("Tariq - Hussain", NameParts("tariq", None, "hussain")),
        ('"Taz"', NameParts(None, None, None, "Taz")),
        ("n/k", NameParts()),
        ("", NameParts()),
        (None, NameParts()),
    ],
)
def test_split_full_name(raw: str | None, expected: NameParts) -> None:
    assert split_full_name(raw) == expected


def test_split_full_name_never_maps_nicknames_to_names() -> None:
    # "Taz" is not turned into "Tariq" or anything else: identity is resolve's job.
    assert split_full_name('"Taz" Hussain') == NameParts("hussain", None, None, "Taz")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  tariq   hussain ", "Tariq Hussain"),
        ("TARIQ HUSSAIN", "Tariq Hussain"),
        ("SEAN O'NEIL-SMITH", "Sean O'Neil-Smith"),
        ("zoë brontë", "Zoë Brontë"),
        ('tariq "taz" hussain', 'Tariq "Taz" Hussain'),
        ("Jan van der Berg", "Jan van der Berg"),
        ("Aisha McDonald", "Aisha McDonald"),
        ('=HYPERLINK("http://x","y")', '=HYPERLINK("http://x","y")'),
        ("n/k", None),
        ("", None),
        (None, None),
    ],
)
def test_display_name(raw: str | None, expected: str | None) -> None:
    assert display_name(raw) == expected


def test_long_input() -> None:
    raw = "Tariq " * 2000
    assert clean_name(raw) == ("tariq " * 2000).strip()
    assert split_full_name(raw).forename == "tariq"
    assert display_name(raw) is not None


@given(st.text())
def test_clean_name_is_idempotent_and_ascii(raw: str) -> None:
    cleaned = clean_name(raw)
    if cleaned is not None:
        assert cleaned.isascii()
        assert cleaned == cleaned.lower().strip()
        assert "  " not in cleaned
        assert clean_name(cleaned) == cleaned


@given(st.text())
def test_split_parts_are_clean(raw: str) -> None:
    parts = split_full_name(raw)
    for part in (parts.forename, parts.middle_names, parts.surname):
        assert part is None or clean_name(part) == part


@given(st.text())
def test_display_name_keeps_the_words(raw: str) -> None:
    shown = display_name(raw)
    assert shown is None or shown.casefold() == " ".join(raw.split()).casefold()
