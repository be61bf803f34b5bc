"""How values get written down: literal input -> expected output."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from joinedup.synth import generate_city
from joinedup.synth.identifiers import nhs_number, upn
from joinedup.synth.names import ascii_fold, variant
from joinedup.synth.noise import (
    format_phone,
    norm_phone,
    norm_plate,
    norm_postcode,
    wrong_date,
)

from .helpers import truth_rows


@pytest.mark.parametrize(
    ("style", "written"),
    [
        ("spaced", "07700 900123"),
        ("plain", "07700900123"),
        ("intl_spaced", "+44 7700 900123"),
        ("intl", "+447700900123"),
        ("brackets", "(07700) 900123"),
        ("dashes", "07700-900-123"),
        ("no_zero", "7700900123"),
    ],
)
def test_one_number_many_ways(style: str, written: str) -> None:
    assert format_phone("07700900123", style) == written
    assert norm_phone(written) == "+447700900123"


def test_landline_layout() -> None:
    assert format_phone("01134960108", "spaced") == "0113 496 0108"


@pytest.mark.parametrize(
    ("raw", "norm"),
    [("fd58 xyz", "FD58XYZ"), ("FD5", "FD5"), ("V808-WBA", "V808WBA")],
)
def test_plate_normal_form(raw: str, norm: str) -> None:
    assert norm_plate(raw) == norm


@pytest.mark.parametrize(("raw", "norm"), [("nv34qt", "NV3 4QT"), ("NV12 8XN", "NV12 8XN")])
def test_postcode_normal_form(raw: str, norm: str) -> None:
    assert norm_postcode(raw) == norm


@pytest.mark.parametrize(
    ("name", "folded"), [("Wiśniewski", "Wisniewski"), ("Łukasz", "Lukasz"), ("Smith", "Smith")]
)
def test_ascii_fold(name: str, folded: str) -> None:
    assert ascii_fold(name) == folded


def test_transliteration_variants() -> None:
    rng = random.Random(1)
    seen = {variant("Mohammed", rng) for _ in range(200)}
    assert {"Muhammad", "Mohd", "Mohammad"} <= seen
    assert {variant("Saddique", rng) for _ in range(100)} >= {"Siddique"}


def test_wrong_dates_stay_close() -> None:
    rng = random.Random(2)
    d = date(2005, 3, 7)
    for _ in range(100):
        w = wrong_date(d, rng)
        assert abs((w - d).days) <= 400


def test_nhs_numbers_valid_and_in_test_range() -> None:
    rng = random.Random(3)
    used: set[str] = set()
    for _ in range(50):
        n = nhs_number(rng, used)
        assert n.startswith("999") and len(n) == 10
        total = sum(int(c) * (10 - i) for i, c in enumerate(n[:9]))
        assert (11 - total % 11) % 11 == int(n[9])


def test_upn_check_letter() -> None:
    value = upn("889", "4017", 2007, 12)
    assert len(value) == 13 and value[0].isalpha() and value[1:].isdigit()


def test_noise_zero_is_clean(tmp_path: Path) -> None:
    generate_city(seed=9, children=80, months=4, out_dir=tmp_path, noise=0.0)
    copies = {r["copy"] for r in truth_rows(tmp_path, "records")}
    assert "exact_duplicate" not in copies and "malformed" not in copies
    assert not truth_rows(tmp_path, "quarantines")
