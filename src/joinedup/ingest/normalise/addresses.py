"""Postal addresses: one upper-case comparable form, with postcode, flat, number and street.

Abbreviations are spelt out ("Rd" -> "ROAD") so that the same address written two ways
compares equal; this is a normal form, not a lookup against any address file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from joinedup.ingest.normalise.postcodes import parse_postcode

ABBREVIATIONS = {
    "RD": "ROAD",
    "AVE": "AVENUE",
    "AV": "AVENUE",
    "LN": "LANE",
    "CRES": "CRESCENT",
    "CT": "COURT",
    "DR": "DRIVE",
    "PL": "PLACE",
    "SQ": "SQUARE",
    "TERR": "TERRACE",
    "TCE": "TERRACE",
    "GDNS": "GARDENS",
    "CL": "CLOSE",
    "GRV": "GROVE",
    "PK": "PARK",
    "APT": "APARTMENT",
}
# Words that end a street name; the street is read up to the first of them.
THOROUGHFARES = frozenset(
    {"STREET", "ROAD", "AVENUE", "LANE", "CRESCENT", "COURT", "DRIVE", "PLACE", "SQUARE"}
    | {"TERRACE", "GARDENS", "CLOSE", "GROVE", "PARK", "WAY", "WALK", "HILL", "ROW", "MEWS"}
    | {"GREEN", "PARADE", "RISE", "VIEW", "BOULEVARD", "PASSAGE", "YARD"}
)
FLAT_WORDS = frozenset({"FLAT", "APARTMENT", "UNIT", "ROOM", "SUITE"})

_APOSTROPHES = str.maketrans(dict.fromkeys("'’‘`´ʼ", None))
# A comma, semicolon or new line separates the lines of an address; kept as a "," token.
_TOKEN = re.compile(r"[0-9]+(?:-[0-9]+)?[A-Z]?\b|[A-Z0-9]+|[,;\n]")
_HOUSE_NUMBER = re.compile(r"[0-9]+(?:-[0-9]+)?[A-Z]?")
_SEPARATOR = ","


@dataclass(frozen=True, slots=True)
class AddressParts:
    """An address in comparable form; every field is None when the source did not give it.

    `address` is the whole address (flat and house numbers included, postcode removed);
    `postcode` is the postcode found in it; `flat` the flat/unit number; `house_number` the
    first number that is not the flat's; `street` the thoroughfare when one is recognisable.
    """

    address: str | None = None
    postcode: str | None = None
    flat: str | None = None
    house_number: str | None = None
    street: str | None = None


@lru_cache(maxsize=65536)
def normalise_address(raw: str | None) -> AddressParts:
    """Normalise an address ("Flat 3, 12 High St, NV1 2AB" -> "FLAT 3 12 HIGH STREET")."""
    if raw is None:
        return AddressParts()
    text = raw.translate(_APOSTROPHES)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    tokens = [_SEPARATOR if token in ";\n" else token for token in _TOKEN.findall(text.upper())]
    tokens, postcode = _take_postcodes(tokens)
    tokens = _expand(tokens)
    words = [token for token in tokens if token != _SEPARATOR]
    if not words:
        return AddressParts(postcode=postcode)
    flat, house_number, street = _flat_number_street(tokens)
    return AddressParts(" ".join(words), postcode, flat, house_number, street)


def _take_postcodes(tokens: list[str]) -> tuple[list[str], str | None]:
    """Remove every postcode from the tokens; return the remaining tokens and the first one.

    Removing all of them, including ones that only form once another is gone, means the
    result holds no postcode, so normalising a normalised address changes nothing.
    """
    first: str | None = None
    kept: list[str] = []
    for token in tokens:
        kept.append(token)
        if token == _SEPARATOR:
            continue
        # A token is upper-case letters and digits, no space: a postcode only if it has
        # a postcode's 5 to 7 characters, as parse_postcode checks first (most words and
        # house numbers are not asked at all).
        found, cut = (parse_postcode(token) if 5 <= len(token) <= 7 else None), len(kept) - 1
        if found is None and len(token) == 3:
            previous = len(kept) - 2
            while previous >= 0 and kept[previous] == _SEPARATOR:
                previous -= 1
            if previous >= 0 and 2 <= len(kept[previous]) <= 4:
                found, cut = parse_postcode(kept[previous] + token), previous
        if found is not None:
            first = first or found
            del kept[cut:]
    return kept, first


def _expand(tokens: list[str]) -> list[str]:
    """Spell out abbreviations. "ST" opening a line before a name is SAINT, else STREET."""
    expanded = []
    for i, token in enumerate(tokens):
        if token == "ST":
            opens_line = i == 0 or tokens[i - 1] == _SEPARATOR or tokens[i - 1][0].isdigit()
            before_name = i + 1 < len(tokens) and tokens[i + 1] != _SEPARATOR
            expanded.append("SAINT" if opens_line and before_name else "STREET")
        else:
            expanded.append(ABBREVIATIONS.get(token, token))
    return expanded


def _flat_number_street(tokens: list[str]) -> tuple[str | None, str | None, str | None]:
    flat = house_number = street = None
    flat_at = -1
    for i, token in enumerate(tokens[:-1]):
        if token in FLAT_WORDS and tokens[i + 1] != _SEPARATOR:
            flat, flat_at = tokens[i + 1], i + 1
            break
    number_at = -1
    for i, token in enumerate(tokens):
        if i != flat_at and _HOUSE_NUMBER.fullmatch(token):
            house_number, number_at = token, i
            break
    start = max(number_at, flat_at) + 1
    line: list[str] = []
    for token in tokens[start:]:
        if token == _SEPARATOR:
            if street:
                break
            line = []
        elif street and token not in THOROUGHFARES:
            break
        else:
            line.append(token)
            if token in THOROUGHFARES and len(line) > 1:
                street = " ".join(line)  # extended by further ones: "PARK VIEW GARDENS"
    return flat, house_number, street
