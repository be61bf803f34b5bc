"""Mentions found in free-text fields: vehicles, phones, postcodes, dates and nicknames.

Each extraction carries its offsets, so text[start:end] is exactly what was written. The
text is only ever matched against patterns; nothing in it is run or interpreted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from phonenumbers import Leniency, PhoneNumberMatcher

from joinedup.ingest.normalise.dates import DateError, parse_date
from joinedup.ingest.normalise.phones import parse_phone
from joinedup.ingest.normalise.plates import (
    FULL_FORMATS,
    compact_plate,
    parse_plate,
    plate_format,
    plate_from_partial,
)
from joinedup.ingest.normalise.postcodes import find_postcodes
from joinedup.pole import TextSpan

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = re.compile(
    r"(?<![\w/.\-])(?:"
    r"\d{1,2}([/.\-])\d{1,2}\1\d{4}"  # 12/03/2021, 12-03-2021, 12.03.2021
    r"|\d{1,2}/\d{1,2}/\d{2}"  # 12/3/21
    r"|\d{4}-\d{2}-\d{2}"  # 2021-03-12
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?i:{_MONTH})\.?,?\s+\d{{4}}"  # 12 March 2021
    r")(?![\w/]|[.\-]\d)"
)
# A phone number in running text must be written with its trunk 0 or international +,
# so reference numbers ("crime ref 1234567890") are not read as phones.
_PHONE_START = re.compile(r"\(?\s*(?:\+|0)")
_PHONE_WINDOW = re.compile(r"(?<![\d+])(?:\+|\(\s*\+?0|0)[\d\s().\-/]{6,24}\d")
_PLATE = re.compile(
    r"(?<![A-Za-z0-9])(?:"
    r"[A-Za-z]{2}[0-9]{2} ?[A-Za-z]{3}"  # current: FD51 ABC, also in lower case
    r"|[A-Z][0-9]{1,3} ?[A-Z]{3}"  # prefix: A123 BCD
    r"|[A-Z]{3} ?[0-9]{1,3}[A-Z]"  # suffix: ABC 123D
    r")(?![A-Za-z0-9])"
)
# Formats too long to be the start of another plate: "reg starts FD51ABC" is the whole plate.
_COMPLETE_FORMATS = frozenset({"current", "prefix", "suffix"})
# "plate starts FD5", "reg beginning FD5", "partial reg FD5?", "index no. AB 1234".
_PLATE_CONTEXT = re.compile(
    r"(?i:\b(?P<partial>part(?:ial)?\s+)?(?:reg(?:istration)?|plate|vrm|index)\b"
    r"(?:\s+(?:no|number|mark|plate))?\.?(?:\s+(?-i:was|is|of|number))*"  # lower case: not OF6
    r"(?:\s+(?P<verb>start(?:s|ed|ing)?|begin(?:s|ning)?|began|end(?:s|ed|ing)?)"
    r"(?:\s+(?:with|in))?)?"
    r"\s*[:\-]?\s*[\"'‘“(]?)"
    r"(?P<frag>[A-Za-z0-9?*_#]+(?:\.{3}|…)?(?: [A-Z0-9?*_#]{1,4}(?:\.{3}|…)?(?![A-Za-z0-9]))?)"
)
# Overlapping candidates (a lookahead at every quote) so one stray quote cannot hide the rest.
_QUOTED = re.compile(
    r"(?=\"(?P<a>[^\"\n]{1,40})\"|“(?P<b>[^”\n]{1,40})”|‘(?P<c>[^’\n]{1,40})’"
    r"|(?<![\w'’])'(?P<d>[^'\n]{1,40})'(?!\w))"
)
# A name word: a letter, then letters, digits and hyphens, with inner apostrophes (O'Neil).
_WORD = r"[^\W\d_](?:[\w\-]|['’](?=\w)){0,19}"
_KNOWN_AS = re.compile(
    r"(?i:\b(?:(?:also\s+)?known\s+as|calls?\s+(?:him|her|them)sel(?:f|ves)|a\.k\.a\.?|aka"
    r"|goes\s+by(?:\s+the\s+name(?:\s+of)?)?|nick-?named|street\s+name(?:\s+is)?)\s*[:\-]?\s*)"
    rf"[\"'‘“]?(?P<name>{_WORD}(?: {_WORD})?)(?![\w\-]|['’]\w)"
)
_NICKNAME_WORD = re.compile(_WORD)
# Capitalised words that are quoted for what they say, not as someone's name.
_NOT_NICKNAMES = frozenset(
    """yes no ok okay hi hello hey bye goodbye later thanks thank please sorry stop help
    fine what why who where when how i me you he she they we it the a an this that there
    nothing nobody nowhere everything whatever sure maybe never now soon come go run leave
    wait look listen out home mum dad police school love babe baby hun
    mr mrs ms miss dr sir madam""".split()
)


@dataclass(frozen=True, slots=True)
class Extraction:
    """One mention found in free text.

    `kind` is "vehicle", "phone", "postcode", "date" or "nickname"; `raw` is the text as
    written (text[span.start:span.end]); `value` its normal form: a VRM or plate pattern,
    an E.164 number, a postcode, an ISO date, or the nickname as written.
    """

    kind: str
    raw: str
    value: str
    span: TextSpan


def extract_mentions(field: str, text: str | None) -> list[Extraction]:
    """Find vehicles, phones, postcodes, dates and nicknames in one free-text field.

    Where two readings overlap the first found wins, in this order: dates, phones,
    plates, postcodes, nicknames (so a phone number is never also read as a plate).
    Results are in text order.
    """
    if not text:
        return []
    found = _Found(field, text)
    for match in _DATE.finditer(text):
        _add_date(found, match)
    _add_phones(found, text)
    for match in _PLATE_CONTEXT.finditer(text):
        _add_plate_in_context(found, match)
    for match in _PLATE.finditer(text):
        raw = match.group()
        plate = parse_plate(raw)
        if plate and plate.vrm and (raw.isupper() or raw.islower()):
            found.add("vehicle", match.start(), match.end(), plate.vrm)
    for postcode, start, end in find_postcodes(text):
        found.add("postcode", start, end, postcode)
    for match in _KNOWN_AS.finditer(text):
        _add_nickname(found, match.start("name"), match.group("name"), whole=False)
    for match in _QUOTED.finditer(text):
        group = next(name for name in "abcd" if match.group(name) is not None)
        _add_nickname(found, match.start(group), match.group(group), whole=True)
    return sorted(found.extractions, key=lambda item: (item.span.start, item.span.end))


class _Found:
    """The extractions so far, and which characters of the text they already cover."""

    def __init__(self, field: str, text: str) -> None:
        self.field = field
        self.text = text
        self.taken = bytearray(len(text))
        self.extractions: list[Extraction] = []

    def add(self, kind: str, start: int, end: int, value: str) -> None:
        if start >= end or any(self.taken[start:end]):
            return
        self.taken[start:end] = b"\x01" * (end - start)
        raw = self.text[start:end]
        self.extractions.append(Extraction(kind, raw, value, TextSpan(self.field, start, end)))


def _add_date(found: _Found, match: re.Match[str]) -> None:
    try:
        parsed = parse_date(match.group())
    except DateError:
        return
    if parsed is None or parsed.value is None:
        return
    value = parsed.value.date() if isinstance(parsed.value, datetime) else parsed.value
    found.add("date", match.start(), match.end(), value.isoformat())


def _add_phones(found: _Found, text: str) -> None:
    # The matcher is slow, so it only reads the stretches of text that could be numbers.
    for window in _PHONE_WINDOW.finditer(text):
        offset = window.start()
        for match in PhoneNumberMatcher(window.group(), "GB", leniency=Leniency.POSSIBLE):
            if not _PHONE_START.match(match.raw_string):
                continue
            phone = parse_phone(match.raw_string)
            if phone is not None and phone.e164 is not None:
                found.add("phone", offset + match.start, offset + match.end, phone.e164)


def _add_plate_in_context(found: _Found, match: re.Match[str]) -> None:
    fragment = match.group("frag")
    compact = compact_plate(fragment)
    has_marker = "?" in compact or "*" in compact
    if not (has_marker or any(ch.isdigit() for ch in compact) or fragment.isupper()):
        return  # "the reg was seen": an ordinary word, not a plate
    verb = (match.group("verb") or "").lower()
    kind = plate_format(compact)
    value: str | None = None
    if kind in _COMPLETE_FORMATS:
        value = compact
    elif verb.startswith("end"):
        pattern = compact if compact.startswith("*") else "*" + compact
        value = pattern if plate_format(pattern) == "partial" else None
    elif verb or (match.group("partial") and not has_marker):
        value = plate_from_partial(fragment).pattern
    elif kind in FULL_FORMATS:
        value = compact  # a dateless plate, trusted here because "reg" introduces it
    elif kind == "partial":
        value = compact
    if value is not None:
        found.add("vehicle", match.start("frag"), match.end("frag"), value)


def _add_nickname(found: _Found, start: int, candidate: str, *, whole: bool) -> None:
    """Add a nickname of one or two capitalised words.

    With `whole` (quoted text) every word must qualify; otherwise (after "known as") the
    capitalised words at the start are the name.
    """
    words = candidate.split(" ")
    kept: list[str] = []
    for word in words:
        if not _NICKNAME_WORD.fullmatch(word) or not word[0].isupper():
            break
        kept.append(word)
    if not kept or len(kept) > 2 or (whole and len(kept) != len(words)):
        return
    nickname = " ".join(kept)
    if nickname.lower() in _NOT_NICKNAMES:
        return
    found.add("nickname", start, start + len(nickname), nickname)
