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
            self.regions.append((match, _first_desc(descs)))

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


_FIXED, _MOBILE = -1, -2  # the fixed-line and mobile descriptions in a _FirstDesc


class _FirstDesc:
    """`_Descs.type_of` with the special, fixed-line and mobile descriptions tried in one
    regex: each is an alternative (its possible lengths a lookahead before its pattern),
    in the order type_of tries them, and a full match takes the first alternative that
    matches the whole number, as that order does. A number of no region's ranges (most
    of those synthetic data uses: Ofcom's drama ranges) was tried against eleven patterns
    in each of GB, Guernsey and Jersey, each a call from Python; this is one (41 -> 24 µs
    a new number, most of the rest the library's own checks). Used only where no pattern
    has a capturing group of its own (the alternative that matched is told by its group);
    `_Descs.type_of` stays the reference, and tests/ingest/normalise/test_phones.py holds
    number_type to the library's over every GB range."""

    def __init__(self, descs: _Descs):
        self.descs = descs
        self.kinds: list[int] = []
        parts = []
        for desc, kind in [*descs.special, (descs.fixed, _FIXED), (descs.mobile, _MOBILE)]:
            if desc is None:
                continue
            lengths, fullmatch = desc
            pattern = fullmatch.__self__.pattern  # type: ignore[attr-defined]
            if re.compile(pattern).groups:
                raise ValueError("a description's pattern has a group of its own")
            ahead = (
                "(?=(?:" + "|".join(f".{{{n}}}" for n in sorted(lengths)) + r")\Z)"
                if lengths is not None
                else ""
            )
            parts.append(f"({ahead}(?:{pattern}))")
            self.kinds.append(kind)
        self.fullmatch = re.compile("|".join(parts)).fullmatch if parts else None

    def type_of(self, national: str) -> int:
        descs = self.descs
        if not _matches(national, descs.general):
            return PhoneNumberType.UNKNOWN
        found = self.fullmatch(national) if self.fullmatch is not None else None
        if found is None:
            return PhoneNumberType.UNKNOWN
        kind = self.kinds[found.lastindex - 1]  # type: ignore[operator]
        if kind == _FIXED:
            if descs.same or _matches(national, descs.mobile):
                return PhoneNumberType.FIXED_LINE_OR_MOBILE
            return PhoneNumberType.FIXED_LINE
        if kind == _MOBILE:
            return PhoneNumberType.UNKNOWN if descs.same else PhoneNumberType.MOBILE
        return kind


def _first_desc(descs: _Descs) -> _Descs | _FirstDesc:
    try:
        return _FirstDesc(descs)
    except (ValueError, re.error):  # pragma: no cover - metadata this does not take
        return descs


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
