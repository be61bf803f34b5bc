"""UK vehicle registration marks: full plates, partial plates as patterns, and misread variants.

Variants are for proposing candidate links to an analyst, never for merging vehicles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import product

# Checked in this order; the first format that fits names the plate.
PLATE_FORMATS: dict[str, re.Pattern[str]] = {
    "current": re.compile(r"[A-Z]{2}[0-9]{2}[A-Z]{3}"),  # AB12CDE, since 2001
    "prefix": re.compile(r"[A-Z][0-9]{1,3}[A-Z]{3}"),  # A123BCD, 1983-2001
    "suffix": re.compile(r"[A-Z]{3}[0-9]{1,3}[A-Z]"),  # ABC123D, 1963-1983
    # Northern Ireland codes always hold an I or a Z (AZ, IA, OI, ...), which GB never used.
    "northern_ireland": re.compile(r"[A-Z]?(?:[A-Z][IZ]|[IZ][A-Z])[0-9]{1,4}"),
    "dateless": re.compile(r"[A-Z]{1,3}[0-9]{1,4}|[0-9]{1,4}[A-Z]{1,3}"),
}
FULL_FORMATS = frozenset(PLATE_FORMATS)
UNKNOWN_MARKERS = "?*_#"

# Characters that a witness, an officer or a camera commonly reads as one another.
CONFUSABLE = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z", "6": "G"}
CONFUSABLE |= {letter: digit for digit, letter in CONFUSABLE.items()}

_PLACEHOLDERS = frozenset({"UNKNOWN", "UNK", "N/K", "NK", "NOTKNOWN", "N/A", "NONE", "TBC", "-"})
_ELLIPSIS = re.compile(r"\.{2,}|…")
_SEPARATORS = re.compile(r"[\s\-.]+")
_PARTIAL = re.compile(r"[A-Z0-9?*]+")
_RUN_OF_STARS = re.compile(r"\*{2,}")
_MAX_LENGTH = 7


@dataclass(frozen=True, slots=True)
class Plate:
    """A registration as written (`raw`) and what it says.

    `vrm` is the normalised registration ("FD51ABC") when the plate is complete and fits a
    UK format, else None. `pattern` is set for partial plates: "?" stands for one unknown
    character and "*" for any run of them. `format` is a key of PLATE_FORMATS, "partial"
    or "invalid".
    """

    raw: str
    vrm: str | None
    pattern: str | None
    format: str


def compact_plate(raw: str) -> str:
    """Upper-case `raw` without spaces, hyphens or dots; unknown characters become ? and *."""
    text = _ELLIPSIS.sub("*", raw.upper())
    text = _SEPARATORS.sub("", text).replace("_", "?").replace("#", "?")
    return _RUN_OF_STARS.sub("*", text)


def plate_format(compact: str) -> str:
    """Name the UK format a compacted registration fits: a full format, "partial" or "invalid"."""
    for name, regex in PLATE_FORMATS.items():
        if regex.fullmatch(compact):
            return name
    has_marker = "?" in compact or "*" in compact
    known = sum(ch.isalnum() for ch in compact)
    fixed_length = len(compact) - compact.count("*")
    if has_marker and known and fixed_length <= _MAX_LENGTH and _PARTIAL.fullmatch(compact):
        return "partial"
    return "invalid"


@lru_cache(maxsize=65536)
def parse_plate(raw: str | None) -> Plate | None:
    """Parse a registration; None when empty or a placeholder such as "unknown".

    >>> parse_plate("fd51 abc")
    Plate(raw='fd51 abc', vrm='FD51ABC', pattern=None, format='current')
    >>> parse_plate("FD5 ?BC").pattern
    'FD5?BC'
    """
    if raw is None:
        return None
    compact = compact_plate(raw)
    if not compact or compact in _PLACEHOLDERS:
        return None
    kind = plate_format(compact)
    if kind == "partial":
        return Plate(raw, None, compact, kind)
    if kind == "invalid":
        return Plate(raw, None, None, kind)
    return Plate(raw, compact, None, kind)


def plate_from_partial(prefix: str) -> Plate:
    """Turn the start of a plate ("the reg starts FD5") into the pattern "FD5*"."""
    compact = compact_plate(prefix)
    pattern = compact if compact.endswith("*") else compact + "*"
    if plate_format(pattern) != "partial":
        return Plate(prefix, None, None, "invalid")
    return Plate(prefix, None, pattern, "partial")


@lru_cache(maxsize=4096)
def _pattern_regex(pattern: str) -> re.Pattern[str]:
    parts = []
    for ch in compact_plate(pattern):
        if ch == "?":
            parts.append("[A-Z0-9]")
        elif ch == "*":
            parts.append("[A-Z0-9]*")
        else:
            parts.append(re.escape(ch))
    return re.compile("".join(parts))


def plate_matches(pattern: str, vrm: str) -> bool:
    """True when `vrm` fits `pattern` ("?" one character, "*" any run), ignoring case and spaces."""
    return _pattern_regex(pattern).fullmatch(compact_plate(vrm)) is not None


@lru_cache(maxsize=65536)
def _variants(compact: str) -> frozenset[str]:
    if not 2 <= len(compact) <= _MAX_LENGTH or not compact.isalnum():
        return frozenset()
    choices = [(ch, CONFUSABLE[ch]) if ch in CONFUSABLE else (ch,) for ch in compact]
    found = set()
    for chars in product(*choices):
        candidate = "".join(chars)
        if candidate != compact and plate_format(candidate) in FULL_FORMATS:
            found.add(candidate)
    return frozenset(found)


def plate_variants(vrm: str) -> set[str]:
    """Registrations that `vrm` may be a misread of (0/O, 1/I, 5/S, 8/B, 2/Z, 6/G).

    A swap is kept only where the result fits a UK format, that is where the format needs
    a letter and a digit was read, or the other way round. `vrm` itself is not included.
    Use these to propose candidate links for an analyst to confirm, never to merge.
    """
    return set(_variants(compact_plate(vrm)))
