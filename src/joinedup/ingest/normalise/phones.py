"""Telephone numbers in E.164, parsed by the `phonenumbers` library. A number of a possible
length counts even when no operator holds its range, so Ofcom's drama ranges (07700 900xxx,
0113 496 0xxx) that synthetic data uses normalise like real numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType
from phonenumbers import ValidationResult as Possible

_KINDS = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "fixed",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "other",
}
_PLACEHOLDERS = frozenset({"unknown", "unk", "n/k", "nk", "not known", "n/a", "none", "-", "?"})
_MAX_INPUT = 250  # phonenumbers refuses longer input; check first to skip the exception


@dataclass(frozen=True, slots=True)
class Phone:
    """A number as written (`raw`); `e164` ("+447700900123") when it is a usable number.

    `valid` is True when the number has a possible length for its country (see the module
    docstring). `kind` is "mobile", "fixed", "other", or None when the number is unusable.
    """

    raw: str
    e164: str | None
    valid: bool
    kind: str | None


# The shapes most GB numbers are written in: 0 or +44, then a ten-digit national number
# not starting 0, in groups split by single spaces or dashes. For these phonenumbers.parse
# gives PhoneNumber(44, the ten digits) (tests/ingest/normalise/test_phones.py checks it
# against the library, with hypothesis), so they skip the parse, and differently written
# copies of one number share one look-up of its type. National numbers starting 180020
# are left to the library: that is one of GB's national prefixes too.
_GB_WRITTEN = re.compile(r"(?:\+44[ -]?|0)([1-9](?:[ -]?[0-9]){9})")
_SEPARATORS = str.maketrans("", "", " -")


@lru_cache(maxsize=65536)
def parse_phone(raw: str | None, region: str = "GB") -> Phone | None:
    """Parse a phone number, reading national numbers as numbers of `region`.

    Returns None for empty or placeholder values, and Phone(raw, None, False, None) for
    anything that is not a usable number. Never raises.

    >>> parse_phone("(0044)7700-900-123").e164
    '+447700900123'
    """
    if raw is None:
        return None
    text = raw.strip()
    if not text or text.lower() in _PLACEHOLDERS:
        return None
    if region == "GB" and (written := _GB_WRITTEN.fullmatch(text)) is not None:
        national = written.group(1).translate(_SEPARATORS)
        if not national.startswith("180020"):
            e164, kind = _gb_usable(national)
            return Phone(raw, e164, e164 is not None, kind)
    if len(text) > _MAX_INPUT:
        return Phone(raw, None, False, None)
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return Phone(raw, None, False, None)
    e164, kind = _usable(number)
    return Phone(raw, e164, e164 is not None, kind)


@lru_cache(maxsize=65536)
def _gb_usable(national: str) -> tuple[str | None, str | None]:
    """`_usable` of the GB number with this national number (ten digits)."""
    return _usable(phonenumbers.PhoneNumber(country_code=44, national_number=int(national)))


def _usable(number: phonenumbers.PhoneNumber) -> tuple[str | None, str | None]:
    """The number's E.164 form and kind, or (None, None) when it is not usable."""
    # number_type is UNKNOWN exactly when is_valid_number is False; one call does both.
    number_type = phonenumbers.number_type(number)
    if number_type != PhoneNumberType.UNKNOWN:
        kind = _KINDS.get(number_type, "other")
    else:
        kind = _unallocated_kind(number)
        if kind is None:
            return None, None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164), kind


def _unallocated_kind(number: phonenumbers.PhoneNumber) -> str | None:
    """The kind of a number no operator holds, or None when its length is not possible.

    For UK numbers the leading digit says what length the number needs: 07 mobiles have
    ten digits after the 0, and 01/02 geographic numbers their own lengths.
    """
    if phonenumbers.is_possible_number_with_reason(number) != Possible.IS_POSSIBLE:
        return None
    if number.country_code != 44:
        return "other"
    national = phonenumbers.national_significant_number(number)
    if national.startswith("7") and not national.startswith(("70", "76")):
        wanted, kind = PhoneNumberType.MOBILE, "mobile"
    elif national.startswith(("1", "2")):
        wanted, kind = PhoneNumberType.FIXED_LINE, "fixed"
    else:
        return "other"
    reason = phonenumbers.is_possible_number_for_type_with_reason(number, wanted)
    return kind if reason == Possible.IS_POSSIBLE else None
