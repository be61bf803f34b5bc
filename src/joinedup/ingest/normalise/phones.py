"""Telephone numbers in E.164, parsed by the `phonenumbers` library. A number of a possible
length counts even when no operator holds its range, so Ofcom's drama ranges (07700 900xxx,
0113 496 0xxx) that synthetic data uses normalise like real numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

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
    number = phonenumbers.PhoneNumber(country_code=44, national_number=int(national))
    return _usable(number, _TYPES_44.number_type(national))


# A number description as `_is_number_matching_desc` reads it: the possible lengths (None:
# any) and the pattern's fullmatch; None for a description that matches nothing.
_Desc = tuple[frozenset[int] | None, Callable[[str], object]] | None


class _RegionTypes:
    """`phonenumbers.number_type` for the numbers of one country calling code, step by
    step as the library takes it (`_region_code_for_number_from_list`, then
    `_number_type_helper`), each pattern of its metadata compiled once. The library looks
    every pattern up in re's cache again on each call, which made the type most of a GB
    number's cost. tests/ingest/normalise/test_phones.py compares the two over every
    GB range.
    """

    _SPECIAL = (
        ("premium_rate", PhoneNumberType.PREMIUM_RATE),
        ("toll_free", PhoneNumberType.TOLL_FREE),
        ("shared_cost", PhoneNumberType.SHARED_COST),
        ("voip", PhoneNumberType.VOIP),
        ("personal_number", PhoneNumberType.PERSONAL_NUMBER),
        ("pager", PhoneNumberType.PAGER),
        ("uan", PhoneNumberType.UAN),
        ("voicemail", PhoneNumberType.VOICEMAIL),
    )

    def __init__(self, country_code: int):
        self.regions = []
        for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[country_code]:
            metadata = phonenumbers.PhoneMetadata.metadata_for_region(region.upper(), None)
            if metadata is None:
                continue
            leading = metadata.leading_digits
            descs = _Descs(
                _desc(metadata.general_desc),
                [(_desc(getattr(metadata, name)), kind) for name, kind in self._SPECIAL],
                _desc(metadata.fixed_line),
                _desc(metadata.mobile),
                bool(metadata.same_mobile_and_fixed_line_pattern),
            )
            match = re.compile(leading).match if leading is not None else None
            self.regions.append((match, descs))

    def number_type(self, national: str) -> int:
        """The type of the number with this national significant number."""
        for leading, descs in self.regions:
            if leading is not None:
                if leading(national):
                    return descs.type_of(national)
            else:
                found = descs.type_of(national)
                if found != PhoneNumberType.UNKNOWN:
                    return found
        return PhoneNumberType.UNKNOWN  # no region holds it


class _Descs(NamedTuple):
    """One region's number descriptions, in the order `_number_type_helper` tries them."""

    general: _Desc
    special: list[tuple[_Desc, int]]
    fixed: _Desc
    mobile: _Desc
    same: bool  # same_mobile_and_fixed_line_pattern

    def type_of(self, national: str) -> int:
        if not _matches(national, self.general):
            return PhoneNumberType.UNKNOWN
        for desc, kind in self.special:
            if _matches(national, desc):
                return kind
        if _matches(national, self.fixed):
            if self.same or _matches(national, self.mobile):
                return PhoneNumberType.FIXED_LINE_OR_MOBILE
            return PhoneNumberType.FIXED_LINE
        if not self.same and _matches(national, self.mobile):
            return PhoneNumberType.MOBILE
        return PhoneNumberType.UNKNOWN


def _desc(desc: phonenumbers.PhoneNumberDesc | None) -> _Desc:
    if desc is None or not desc.national_number_pattern:
        return None
    lengths = frozenset(desc.possible_length) if len(desc.possible_length) > 0 else None
    return lengths, re.compile(desc.national_number_pattern).fullmatch


def _matches(national: str, desc: _Desc) -> bool:
    if desc is None:
        return False
    lengths, fullmatch = desc
    if lengths is not None and len(national) not in lengths:
        return False
    return fullmatch(national) is not None


_TYPES_44 = _RegionTypes(44)


def _usable(
    number: phonenumbers.PhoneNumber, number_type: int | None = None
) -> tuple[str | None, str | None]:
    """The number's E.164 form and kind, or (None, None) when it is not usable.
    `number_type`: the number's type, when it is known already."""
    # number_type is UNKNOWN exactly when is_valid_number is False; one call does both.
    if number_type is None:
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
