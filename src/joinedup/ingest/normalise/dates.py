"""Dates as agencies write them: exact formats first, then the common UK forms.

Each result keeps how much the source said (minute, day, month, year, approximate year).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache, partial
from operator import itemgetter
from typing import Any

from joinedup.pole import DatePrecision, ParsedDate

MIN_YEAR = 1900
MAX_YEAR = 2100
# Two-digit years up to this are 20xx, later ones 19xx, so "05" is 2005 and "85" is 1985.
TWO_DIGIT_PIVOT = 30

PLACEHOLDERS = frozenset(
    {"unknown", "unk", "n/k", "nk", "not known", "n/a", "na", "none", "null", "tbc", "-", "?"}
    | {"not stated", "not recorded", "not given"}
)

MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    MONTHS[calendar.month_name[_number].lower()] = _number
    MONTHS[calendar.month_abbr[_number].lower()] = _number
MONTHS["sept"] = 9

_TIME = (
    r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d{1,9})?)?"
    r"\s*(?P<ampm>[ap]\.?m\.?)?"
    r"\s*(?P<tz>z|utc|gmt|bst|[+-]\d{2}(?::?\d{2})?)?"
)
_DATE_THEN_TIME = re.compile(rf"^(?P<date>.*?\d)(?:\s*[t,]\s*|\s+(?:at\s+)?)(?:{_TIME})$")
_TIME_THEN_DATE = re.compile(rf"^(?:{_TIME})(?:\s*,\s*|\s+(?:on\s+)?)(?P<date>.+)$")
_WEEKDAY = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+")

_YMD = re.compile(r"^(?P<y>\d{4})([-/.])(?P<m>\d{1,2})\2(?P<d>\d{1,2})$")
_YMD_COMPACT = re.compile(r"^(?P<y>(?:19|20|21)\d{2})(?P<m>\d{2})(?P<d>\d{2})$")
_NUMERIC_DMY = re.compile(r"^(?P<a>\d{1,2})([-/.])(?P<b>\d{1,2})\2(?P<y>\d{4}|\d{2})$")
_DAY_MONTH_NAME = re.compile(
    r"^(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?[\s\-/.]*(?P<mon>[a-z]{3,9})\.?,?[\s\-/.]*"
    r"(?P<y>\d{4}|\d{2})$"
)
_MONTH_NAME_DAY = re.compile(
    r"^(?P<mon>[a-z]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})$"
)
_MONTH_NAME_YEAR = re.compile(r"^(?P<mon>[a-z]{3,9})\.?[\s\-/.,]+(?P<y>\d{4}|'?\d{2})$")
_MONTH_YEAR = re.compile(r"^(?P<m>\d{1,2})[-/.](?P<y>\d{4})$")
_YEAR_MONTH = re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})$")
_YEAR = re.compile(r"^(?P<y>\d{4})$")
_APPROX_YEAR = re.compile(
    r"^(?:(?:approx(?:imately)?|about|around|circa|abt|ca|c)\.?\s*|~\s*)(?P<y>\d{4})\s*\??$"
    r"|^(?P<y2>\d{4})\s*(?:\?|\(?\s*approx(?:imately)?\.?\s*\)?|ish|s)$"
)

_EXAMPLES = "dd/mm/yyyy, yyyy-mm-dd, 12 Mar 2021, March 2021 or 2021"


class DateError(ValueError):
    """A value that is not a real date, with a reason a person can act on."""

    def __init__(self, raw: str, reason: str) -> None:
        self.raw = raw
        self.reason = reason
        super().__init__(f"{_quote(raw)} {reason}")

    def __reduce__(self) -> tuple[type[DateError], tuple[str, str]]:
        return DateError, (self.raw, self.reason)


def _quote(raw: str) -> str:
    return repr(raw if len(raw) <= 60 else raw[:57] + "...")


class _Invalid(Exception):
    """Raised inside the parser; turned into a DateError naming the whole raw value."""


def parse_date(
    raw: str | None, formats: Sequence[str] = (), *, dayfirst: bool = True
) -> ParsedDate | None:
    """Parse a date or date-time; None for empty or placeholder values.

    `formats` (strptime formats, e.g. the ones a feed spec declares) are tried first and
    must match exactly; then the common forms. Numeric dates are day-first unless
    `dayfirst=False`. Raises DateError when the value is not a real date.
    """
    if raw is None:
        return None
    if formats:
        # Most values fit one of the spec's formats, and many are seen once (timestamps):
        # read them at once, without the cache. A value that fits a format with a
        # numeric field has a digit, so it is not empty nor a placeholder, and the formats
        # are tried in _parse_cached's order, each by the same reader: the same result.
        parsed = _quickly(raw.strip(), formats, _QUICK, _quick_reader, raw)
        if parsed is not None:
            return parsed
    result = _parse_cached(raw, tuple(formats), dayfirst)
    if isinstance(result, str):
        raise DateError(raw, result)
    return result


def parse_date_of_birth(
    raw: str | None, formats: Sequence[str] = (), *, dayfirst: bool = True
) -> ParsedDate | None:
    """`parse_date` for a value that comes again and again (a person's date of birth, in
    every record about them), cached: the same result, or the same DateError, for ~0.1 µs
    instead of ~2.5 µs once seen. Timestamps, which are seldom seen twice, stay uncached."""
    if raw is None:
        return None
    result = _date_of_birth_cached(raw, tuple(formats), dayfirst)
    if isinstance(result, str):
        raise DateError(raw, result)
    return result


@lru_cache(maxsize=65536)
def _date_of_birth_cached(
    raw: str, formats: tuple[str, ...], dayfirst: bool
) -> ParsedDate | str | None:
    try:
        return parse_date(raw, formats, dayfirst=dayfirst)
    except DateError as error:  # kept as its reason, so that the cache holds it too
        return error.reason


def _quickly(
    text: str,
    formats: Sequence[str],
    readers: dict[str, Any],
    make: Callable[[str], Any],
    *args: Any,
) -> Any:
    """What the first of `formats` to read `text` gives, by its quick reader (`readers`,
    made by `make`), or None: none read it, or a format before the one that would has no
    quick reader (the first without one leaves the rest to the cached path)."""
    for fmt in formats:
        quick = readers.get(fmt)
        if quick is None:
            quick = make(fmt)
        if not quick:
            return None
        found = quick(text, *args)
        if found is not None:
            return found
    return None


Moment = tuple[datetime | None, str | None]
NO_MOMENT: Moment = (None, None)


def parse_moment(raw: str | None, formats: Sequence[str] = (), *, dayfirst: bool = True) -> Moment:
    """`parse_date` as a record's or an event's time is stored: the span's first moment (a
    datetime) and the precision's name; (None, None) for no date. Raises DateError.

    Feed specs compiled to Python call this for every row's timestamps, which are seldom
    seen twice: most fit the spec's first format and go straight to a datetime, without
    a ParsedDate made and taken apart again.
    """
    if raw is None:
        return NO_MOMENT
    if formats:  # as in parse_date: a value that fits has a digit, so it is a date
        text = raw.strip()
        for fmt in formats:  # `_quickly`, inline: this runs for every timestamp
            quick = _QUICK_MOMENTS.get(fmt)
            if quick is None:
                quick = _quick_moment_reader(fmt)
            if not quick:
                break
            moment = quick(text)  # type: ignore[operator]
            if moment is not None:
                return moment  # type: ignore[no-any-return]
    parsed = parse_date(raw, formats, dayfirst=dayfirst)
    if parsed is None or parsed.value is None:
        return NO_MOMENT
    value = parsed.value
    if type(value) is not datetime:
        value = datetime(value.year, value.month, value.day)
    return value, parsed.precision.value if parsed.precision else None


@lru_cache(maxsize=65536)
def _parse_cached(raw: str, formats: tuple[str, ...], dayfirst: bool) -> ParsedDate | str | None:
    """Return the parsed date, None for no date, or the reason it is not a date.

    Errors are returned rather than raised so that the cache holds them too.
    """
    text = " ".join(raw.split()).lower()
    if not text or text in PLACEHOLDERS:
        return None
    stripped = raw.strip()
    for fmt in formats:
        reader = _READERS.get(fmt) or _reader(fmt)
        parsed = reader(stripped, raw)
        if parsed is not None:
            return parsed
    try:
        return _parse_common(text, raw, dayfirst)
    except _Invalid as error:
        return str(error)


# -- strptime, compiled --------------------------------------------------------------------
# datetime.strptime costs ~13 µs a call (a locale check, a cache look-up and a general
# conversion), most of an ANPR row's mapping. A format made only of the directives below
# is compiled once into the very regex CPython's _strptime builds for it (same patterns,
# same escaping, same whitespace rule, IGNORECASE), and the groups go straight to
# datetime(): same results and same ValueErrors, in ~2 µs. Month names are English (the C
# locale). Any other directive (%z, %p, %j, %a...) falls back to datetime.strptime.
# tests/ingest/normalise/test_dates.py checks the two agree, with hypothesis.

_DIRECTIVES = {
    "d": r"(?P<d>3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])",
    "f": r"(?P<f>[0-9]{1,6})",
    "H": r"(?P<H>2[0-3]|[0-1]\d|\d)",
    "m": r"(?P<m>1[0-2]|0[1-9]|[1-9])",
    "M": r"(?P<M>[0-5]\d|\d)",
    "S": r"(?P<S>6[0-1]|[0-5]\d|\d)",
    "y": r"(?P<y>\d\d)",
    "Y": r"(?P<Y>\d\d\d\d)",
    "B": "(?P<B>"
    + "|".join(
        sorted((calendar.month_name[i].lower() for i in range(1, 13)), key=len, reverse=True)
    )
    + ")",
    "b": "(?P<b>"
    + "|".join(
        sorted((calendar.month_abbr[i].lower() for i in range(1, 13)), key=len, reverse=True)
    )
    + ")",
    "%": "%",
}
_FULL_MONTHS = {calendar.month_name[i].lower(): i for i in range(1, 13)}
_ABBR_MONTHS = {calendar.month_abbr[i].lower(): i for i in range(1, 13)}
_REGEX_CHARS = re.compile(r"([\\.^$*+?\(\){}\[\]|])")
_WHITESPACE = re.compile(r"\s+")


@lru_cache(maxsize=256)
def _compiled_format(fmt: str) -> re.Pattern[str] | None:
    """The regex strptime would use for `fmt`; None when `fmt` needs strptime itself."""
    text = _WHITESPACE.sub(r"\\s+", _REGEX_CHARS.sub(r"\\\1", fmt))
    out: list[str] = []
    while "%" in text:
        at = text.index("%")
        directive = text[at + 1 : at + 2]
        if directive not in _DIRECTIVES:
            return None
        out.append(text[:at] + _DIRECTIVES[directive])
        text = text[at + 2 :]
    out.append(text)
    try:
        return re.compile("".join(out), re.IGNORECASE)
    except re.error:  # e.g. a directive given twice: let strptime say what is wrong
        return None


_NUMERIC_FIELDS = ("Y", "m", "d", "H", "M", "S")


@lru_cache(maxsize=256)
def _numeric_order(fmt: str) -> tuple[int, ...] | None:
    """For a format of numeric fields only, each of Y m d H M S's group number (0: absent)."""
    pattern = _compiled_format(fmt)
    if pattern is None or not set(pattern.groupindex) <= set(_NUMERIC_FIELDS):
        return None
    return tuple(pattern.groupindex.get(name, 0) for name in _NUMERIC_FIELDS)


def strptime(text: str, fmt: str) -> datetime:
    """`datetime.strptime(text, fmt)`, compiled for the formats feeds use."""
    pattern = _compiled_format(fmt)
    if pattern is None:
        return datetime.strptime(text, fmt)
    found = pattern.match(text)
    if found is None or found.end() != len(text):
        raise ValueError(f"time data {text!r} does not match format {fmt!r}")
    return _from_match(found, fmt)


def _strptime_or_none(text: str, fmt: str) -> datetime | None:
    """`strptime`, or None where it raises ValueError: a format that does not fit is the
    common case when a spec gives several, and raising costs more than the match."""
    pattern = _compiled_format(fmt)
    try:
        if pattern is None:
            return datetime.strptime(text, fmt)
        found = pattern.match(text)
        if found is None or found.end() != len(text):
            return None
        return _from_match(found, fmt)
    except ValueError:
        return None


def _from_match(found: re.Match[str], fmt: str) -> datetime:
    order = _numeric_order(fmt)
    if order is not None:  # the common case (ISO dates and times), without a groupdict
        groups = (None, *found.groups())
        y, mo, d = groups[order[0]], groups[order[1]], groups[order[2]]
        h, mi, sec = groups[order[3]], groups[order[4]], groups[order[5]]
        return datetime(
            int(y) if y else 1900,
            int(mo) if mo else 1,
            int(d) if d else 1,
            int(h) if h else 0,
            int(mi) if mi else 0,
            int(sec) if sec else 0,
        )
    g = found.groupdict()
    year = 1900
    if (y := g.get("Y")) is not None:
        year = int(y)
    elif (y := g.get("y")) is not None:
        year = int(y)
        year += 2000 if year <= 68 else 1900
    month = 1
    if (m := g.get("m")) is not None:
        month = int(m)
    elif (m := g.get("B") or g.get("b")) is not None:
        # The regex matches case-insensitively, so "ſep" (a long s) matches "sep" but is no
        # month's name in lower case: a ValueError, as strptime gives, never a KeyError.
        month = (_FULL_MONTHS if g.get("B") else _ABBR_MONTHS).get(m.lower(), 0)
        if not month:
            raise ValueError(f"{m!r} is not in list")
    fraction = g.get("f")
    return datetime(
        year,
        month,
        int(g.get("d") or 1),
        int(g.get("H") or 0),
        int(g.get("M") or 0),
        int(g.get("S") or 0),
        int(fraction + "0" * (6 - len(fraction))) if fraction else 0,
    )


# A spec format's reader: (stripped text, raw) -> the ParsedDate that strptime and
# _from_strptime give, or None where strptime raises. Feeds declare a handful of formats.
FormatReader = Callable[[str, str], ParsedDate | None]
_READERS: dict[str, FormatReader] = {}


def _reader(fmt: str) -> FormatReader:
    if len(_READERS) >= 256:
        _READERS.clear()
    reader = _READERS[fmt] = _numeric_reader(fmt) or _strptime_reader(fmt)
    return reader


# A format's reader for parse_date to try before its cache; False where the format has no
# numeric field (its match need not hold a digit) or needs strptime itself.
_QUICK: dict[str, FormatReader | bool] = {}
_DIGIT_FIELDS = frozenset("dfHmMSyY")


def _quick_reader(fmt: str) -> FormatReader | bool:
    if len(_QUICK) >= 256:
        _QUICK.clear()
    pattern = _compiled_format(fmt)
    digits = pattern is not None and not _DIGIT_FIELDS.isdisjoint(pattern.groupindex)
    quick = _QUICK[fmt] = (_READERS.get(fmt) or _reader(fmt)) if digits else False
    return quick


# `parse_moment`'s own readers: stripped text -> what it returns for a value the format
# reads, or None. Only for numeric formats, the common case.
MomentReader = Callable[[str], Moment | None]
_QUICK_MOMENTS: dict[str, MomentReader | bool] = {}


def _quick_moment_reader(fmt: str) -> MomentReader | bool:
    if len(_QUICK_MOMENTS) >= 256:
        _QUICK_MOMENTS.clear()
    order = _numeric_order(fmt)
    pattern = _compiled_format(fmt)
    if pattern is None or _DIGIT_FIELDS.isdisjoint(pattern.groupindex):
        _QUICK_MOMENTS[fmt] = False
        return False
    if order is None:  # month names or fractions: strptime's way, compiled
        _QUICK_MOMENTS[fmt] = quick = _moment_by_strptime(fmt)
        return quick
    _QUICK_MOMENTS[fmt] = read = _moment_reader(_datetimes_by_groups(pattern, order), fmt)
    return read


def _moment_by_strptime(fmt: str) -> MomentReader:
    """`_quick_moment_reader` for a compiled format that is not only numeric fields."""
    # never aware: compiled formats have no %z
    return _moment_reader(partial(_strptime_or_none, fmt=fmt), fmt)


def _moment_reader(otherwise: Callable[[str], datetime | None], fmt: str) -> MomentReader:
    """What `parse_moment` returns for what the format reads (a full-width text by slicing,
    any other by `otherwise`): cut to the format's precision."""
    precision = _format_precision(fmt)
    name = precision.value
    if precision is DatePrecision.minute:  # a timestamp: the moment as read, in one call
        return _full_width_first(fmt, otherwise, name)  # type: ignore[no-any-return]
    datetimes = _full_width_first(fmt, otherwise)

    def read(text: str) -> Moment | None:
        value = datetimes(text)
        if value is None:
            return None
        if precision is DatePrecision.day:
            return datetime(value.year, value.month, value.day), name
        if precision is DatePrecision.month:
            return datetime(value.year, value.month, 1), name
        return datetime(value.year, 1, 1), name

    return read


def _numeric_datetimes(
    pattern: re.Pattern[str], order: tuple[int, ...], fmt: str
) -> Callable[[str], datetime | None]:
    """The datetime a format of numeric fields reads in the whole text, or None."""
    return _full_width_first(fmt, _datetimes_by_groups(pattern, order))


def _full_width_first(
    fmt: str, otherwise: Callable[[str], datetime | None], moment: str | None = None
) -> Callable[[str], Any]:
    """`otherwise` (the format's regex, as strptime reads), with a text at the format's
    full width read by slicing instead where the format allows (`_fixed_width`).

    `moment`: a precision's name, for `_moment_reader`: then (datetime, moment) is
    returned for what is read (None stays None), without a second call per value."""
    fixed = _fixed_width(fmt)
    if fixed is None:
        if moment is None:
            return otherwise

        def as_moment(text: str) -> Moment | None:
            value = otherwise(text)
            return None if value is None else (value, moment)

        return as_moment
    width, fits, iso, hour_at = fixed
    from_iso = datetime.fromisoformat

    def read(text: str) -> Any:
        if len(text) != width or fits(text) is None:
            value = otherwise(text)  # other widths, other digits, other separators
        elif hour_at >= 0 and text[hour_at : hour_at + 2] > "23":
            return None  # as datetime() says; a newer fromisoformat reads 24:00
        else:
            try:
                value = from_iso(iso(text))
            except (ValueError, KeyError):  # out of range, or no month's name, as the regex says
                return None
        if moment is None or value is None:
            return value
        return value, moment

    return read


# -- numeric formats at their full width, the common case ----------------------------------
# A value written at a numeric format's full width (every field zero-padded, the year in
# four digits, each separator as the format has it) is read by slicing: its fields go to
# datetime.fromisoformat as an ISO text, in C (~0.4 µs against ~1.6 µs by the regex and
# int() of each group). A text of that shape is one the regex reads into the same fields
# (each directive's two-digit branch comes first, so the regex takes the same split), and
# fromisoformat refuses exactly the values datetime() refuses (out of range), so the
# result is the same; anything else (one-digit fields, other whitespace, other case, other
# digits than ASCII) goes the regex's way. tests/ingest/normalise/test_dates.py holds the
# two to it with hypothesis.

_FIELD_WIDTH = {"Y": 4, "m": 2, "b": 3, "d": 2, "H": 2, "M": 2, "S": 2}
_FIELD_SHAPE = {"b": "[A-Za-z]{3}"}  # a month's English abbreviation; the rest digits
# Which fields a format may have for this: a date, or a date with its minute or second;
# its month as a number or abbreviated (%b: "Mar", any case, as the regex reads it).
_FIXED_FIELDS = tuple(frozenset(day + time) for day in ("Ymd", "Ybd") for time in ("", "HM", "HMS"))
_MONTH_DIGITS = {calendar.month_abbr[i].lower(): f"{i:02d}" for i in range(1, 13)}
FixedWidth = tuple[int, Callable[[str], Any], Callable[[str], str], int]


@lru_cache(maxsize=256)
def _fixed_width(fmt: str) -> FixedWidth | None:
    """For a numeric format: its full width, a check that a text has that shape, the ISO
    text of such a text's fields, and where its hour is (-1: none); None if not such."""
    shape: list[str] = []  # the regex of the shape
    at: dict[str, int] = {}  # each field's position in the text
    width = 0
    i = 0
    while i < len(fmt):
        char = fmt[i]
        if char == "%":
            field = fmt[i + 1 : i + 2]
            if field == "%":
                shape.append("%")
                width += 1
            elif field in _FIELD_WIDTH and field not in at:
                at[field] = width
                shape.append(_FIELD_SHAPE.get(field, f"[0-9]{{{_FIELD_WIDTH[field]}}}"))
                width += _FIELD_WIDTH[field]
            else:
                return None  # a name, a fraction, a two-digit year, a field given twice
            i += 2
            continue
        if char.isspace() and char != " ":
            return None  # the regex reads any white space there: leave it to the regex
        shape.append(re.escape(char))
        width += 1
        i += 1
    if frozenset(at) not in _FIXED_FIELDS:
        return None
    return width, re.compile("".join(shape)).fullmatch, _iso_text(at, fmt), at.get("H", -1)


def _iso_text(at: dict[str, int], fmt: str) -> Callable[[str], str]:
    """The ISO text of a full-width value's fields (`at`: where each starts)."""
    if fmt in _ISO_FORMATS:  # the value is its own ISO text (with a letter after, maybe)
        return itemgetter(slice(0, _ISO_FORMATS[fmt]))
    y, d = at["Y"], at["d"]
    h, mi, sec = at.get("H", -1), at.get("M", -1), at.get("S", -1)
    if "b" in at:  # a name: its number (KeyError for no month's name)
        named, digits = at["b"], _MONTH_DIGITS

        def month(t: str) -> str:
            return digits[t[named : named + 3].lower()]
    else:
        mo = at["m"]

        def month(t: str) -> str:
            return t[mo : mo + 2]

    if h < 0:

        def iso(t: str) -> str:
            return f"{t[y : y + 4]}-{month(t)}-{t[d : d + 2]}"

    elif sec < 0:

        def iso(t: str) -> str:
            return f"{t[y : y + 4]}-{month(t)}-{t[d : d + 2]}T{t[h : h + 2]}:{t[mi : mi + 2]}"

    else:

        def iso(t: str) -> str:
            return (
                f"{t[y : y + 4]}-{month(t)}-{t[d : d + 2]}"
                f"T{t[h : h + 2]}:{t[mi : mi + 2]}:{t[sec : sec + 2]}"
            )

    return iso


# Formats whose full-width values start with their ISO text, of this length.
_ISO_FORMATS = {
    f"%Y-%m-%d{rest}": length
    for time, length in (
        ("", 10),
        ("T%H:%M", 16),
        (" %H:%M", 16),
        ("T%H:%M:%S", 19),
        (" %H:%M:%S", 19),
    )
    for rest in (time, time + "Z")
}


def _datetimes_by_groups(
    pattern: re.Pattern[str], order: tuple[int, ...]
) -> Callable[[str], datetime | None]:
    """`_numeric_datetimes` by the format's regex, for a text of any width."""
    match = pattern.match
    iy, imo, iday, ih, imi, isec = (i - 1 for i in order)  # -1: the format has no such field

    def read(text: str) -> datetime | None:
        found = match(text)
        if found is None or found.end() != len(text):
            return None
        g = found.groups()
        try:
            return datetime(
                int(g[iy]) if iy >= 0 else 1900,
                int(g[imo]) if imo >= 0 else 1,
                int(g[iday]) if iday >= 0 else 1,
                int(g[ih]) if ih >= 0 else 0,
                int(g[imi]) if imi >= 0 else 0,
                int(g[isec]) if isec >= 0 else 0,
            )
        except ValueError:
            return None

    return read


def _strptime_reader(fmt: str) -> FormatReader:
    datetimes = _full_width_first(fmt, partial(_strptime_or_none, fmt=fmt))

    def read(text: str, raw: str) -> ParsedDate | None:
        parsed = datetimes(text)
        return None if parsed is None else _from_strptime(parsed, fmt, raw)

    return read


def _numeric_reader(fmt: str) -> FormatReader | None:
    """`_strptime_reader(fmt)` for a format of numeric fields only, in fewer steps."""
    order = _numeric_order(fmt)
    pattern = _compiled_format(fmt)
    if order is None or pattern is None:
        return None
    datetimes = _numeric_datetimes(pattern, order, fmt)
    precision = _format_precision(fmt)

    def read(text: str, raw: str) -> ParsedDate | None:
        value = datetimes(text)
        return None if value is None else _precise(value, precision, raw)

    return read


def _from_strptime(parsed: datetime, fmt: str, raw: str) -> ParsedDate:
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return _precise(parsed, _format_precision(fmt), raw)


def _precise(parsed: datetime, precision: DatePrecision, raw: str) -> ParsedDate:
    """`parsed` cut to what the format read: the minute, the day, the month or the year."""
    if precision is DatePrecision.minute:
        return ParsedDate(parsed, precision, raw)
    if precision is DatePrecision.day:
        return ParsedDate(parsed.date(), precision, raw)
    if precision is DatePrecision.month:
        return ParsedDate(parsed.date().replace(day=1), precision, raw)
    return ParsedDate(date(parsed.year, 1, 1), precision, raw)


@lru_cache(maxsize=256)
def _format_precision(fmt: str) -> DatePrecision:
    """How much of a date `fmt` reads: to the minute, day, month or only the year."""
    if any(code in fmt for code in ("%H", "%I", "%M")):
        return DatePrecision.minute
    if any(code in fmt for code in ("%d", "%j")):
        return DatePrecision.day
    if any(code in fmt for code in ("%m", "%b", "%B")):
        return DatePrecision.month
    return DatePrecision.year


def _parse_common(text: str, raw: str, dayfirst: bool) -> ParsedDate:
    text = _WEEKDAY.sub("", text)
    has_time = ":" in text or "." in text
    if has_time and (match := _DATE_THEN_TIME.match(text) or _TIME_THEN_DATE.match(text)):
        day = _day_precision(match.group("date"), dayfirst)
        if day is None:
            raise _Invalid(f"is not a date in any known format (expected e.g. {_EXAMPLES})")
        return ParsedDate(_with_time(day, match), DatePrecision.minute, raw)
    if (day := _day_precision(text, dayfirst)) is not None:
        return ParsedDate(day, DatePrecision.day, raw)
    if match := _APPROX_YEAR.match(text):
        year = _year(match.group("y") or match.group("y2"))
        return ParsedDate(_real_date(year, 1, 1), DatePrecision.approx_year, raw)
    if match := _MONTH_NAME_YEAR.match(text):
        month = _month_number(match.group("mon"))
        year = _year(match.group("y").lstrip("'"))
        return ParsedDate(_real_date(year, month, 1), DatePrecision.month, raw)
    if match := _MONTH_YEAR.match(text) or _YEAR_MONTH.match(text):
        year, month = _year(match.group("y")), int(match.group("m"))
        return ParsedDate(_real_date(year, month, 1), DatePrecision.month, raw)
    if match := _YEAR.match(text):
        return ParsedDate(_real_date(_year(match.group("y")), 1, 1), DatePrecision.year, raw)
    raise _Invalid(f"is not a date in any known format (expected e.g. {_EXAMPLES})")


def _day_precision(text: str, dayfirst: bool) -> date | None:
    """Parse the forms that give a whole day; None when `text` has none of their shapes."""
    if match := _YMD.match(text) or _YMD_COMPACT.match(text):
        return _real_date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
    if match := _NUMERIC_DMY.match(text):
        first, second = int(match.group("a")), int(match.group("b"))
        day, month = (first, second) if dayfirst else (second, first)
        if dayfirst and month > 12 and first <= 12:
            raise _Invalid(
                f"is not a real date (there is no month {month}; if the source writes the "
                "month first, read it with dayfirst=False)"
            )
        return _real_date(_year(match.group("y")), month, day)
    if match := _DAY_MONTH_NAME.match(text) or _MONTH_NAME_DAY.match(text):
        month = _month_number(match.group("mon"))
        return _real_date(_year(match.group("y")), month, int(match.group("d")))
    return None


def _with_time(day: date, match: re.Match[str]) -> datetime:
    hour, minute = int(match.group("hour")), int(match.group("minute"))
    second = int(match.group("second") or 0)
    if ampm := match.group("ampm"):
        if not 1 <= hour <= 12:
            raise _Invalid(f"is not a real time (there is no {hour} o'clock in {ampm})")
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    limits = (("hour", hour, 23), ("minute", minute, 59), ("second", second, 59))
    for unit, number, highest in limits:
        if number > highest:
            raise _Invalid(f"is not a real time (there is no {unit} {number})")
    value = datetime(day.year, day.month, day.day, hour, minute, second)
    return value - _utc_offset(match.group("tz"))


def _utc_offset(zone: str | None) -> timedelta:
    if zone is None or zone in ("z", "utc", "gmt"):
        return timedelta(0)
    if zone == "bst":
        return timedelta(hours=1)
    digits = zone[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
    return offset if zone[0] == "+" else -offset


def _year(digits: str) -> int:
    year = int(digits)
    if len(digits) == 2:
        return 2000 + year if year <= TWO_DIGIT_PIVOT else 1900 + year
    return year


def _month_number(name: str) -> int:
    month = MONTHS.get(name)
    if month is None:
        raise _Invalid(f"is not a date ({name!r} is not a month name)")
    return month


def _real_date(year: int, month: int, day: int) -> date:
    if not 1 <= month <= 12:
        raise _Invalid(f"is not a real date (there is no month {month})")
    if day < 1:
        raise _Invalid(f"is not a real date (there is no day {day})")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _Invalid(f"has year {year}, outside the years {MIN_YEAR}-{MAX_YEAR} we accept")
    last_day = calendar.monthrange(year, month)[1]
    if day > last_day:
        month_name = calendar.month_name[month]
        if month == 2 and day == 29:
            raise _Invalid(f"is not a real date ({year} is not a leap year)")
        raise _Invalid(f"is not a real date ({month_name} has no day {day})")
    return date(year, month, day)
