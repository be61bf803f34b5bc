"""Dates: the forms agencies write, their precision, and the errors people see."""

from __future__ import annotations

import pickle
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.ingest.normalise.dates import DateError, parse_date
from joinedup.pole import DatePrecision, ParsedDate

DAY = DatePrecision.day
MINUTE = DatePrecision.minute
MONTH = DatePrecision.month
YEAR = DatePrecision.year
APPROX = DatePrecision.approx_year


@pytest.mark.parametrize(
    ("raw", "value", "precision"),
    [
        ("2021-03-12", date(2021, 3, 12), DAY),
        ("2021/03/12", date(2021, 3, 12), DAY),
        ("20210312", date(2021, 3, 12), DAY),
        ("2021-03-12T14:30", datetime(2021, 3, 12, 14, 30), MINUTE),
        ("2021-03-12 14:30", datetime(2021, 3, 12, 14, 30), MINUTE),
        ("2021-03-12T14:30:59", datetime(2021, 3, 12, 14, 30, 59), MINUTE),
        ("2021-03-12T14:30:00Z", datetime(2021, 3, 12, 14, 30), MINUTE),
        ("2021-03-12T14:30:00.123Z", datetime(2021, 3, 12, 14, 30), MINUTE),
        ("2021-03-12T14:30:00+01:00", datetime(2021, 3, 12, 13, 30), MINUTE),
        ("2021-03-12T00:30:00+0100", datetime(2021, 3, 11, 23, 30), MINUTE),
        ("12/03/2021", date(2021, 3, 12), DAY),
        ("12-03-2021", date(2021, 3, 12), DAY),
        ("12.03.2021", date(2021, 3, 12), DAY),
        ("1/3/2021", date(2021, 3, 1), DAY),
        ("1/3/21", date(2021, 3, 1), DAY),
        ("1/3/30", date(2030, 3, 1), DAY),
        ("1/3/31", date(1931, 3, 1), DAY),
        ("1/3/85", date(1985, 3, 1), DAY),
        ("1/3/00", date(2000, 3, 1), DAY),
        ("12/03/2021 14:30", datetime(2021, 3, 12, 14, 30), MINUTE),
        ("12/03/2021 2:30pm", datetime(2021, 3, 12, 14, 30), MINUTE),
        ("12/03/2021 12:05 am", datetime(2021, 3, 12, 0, 5), MINUTE),
        ("14:30 12/03/2021", datetime(2021, 3, 12, 14, 30), MINUTE),
        ("12 Mar 2021", date(2021, 3, 12), DAY),
        ("12 March 2021", date(2021, 3, 12), DAY),
        ("12th of March 2021", date(2021, 3, 12), DAY),
        ("Friday 12 March 2021", date(2021, 3, 12), DAY),
        ("12-MAR-21", date(2021, 3, 12), DAY),
        ("March 12, 2021", date(2021, 3, 12), DAY),
        ("1 Sept 2021", date(2021, 9, 1), DAY),
        ("March 2021", date(2021, 3, 1), MONTH),
        ("mar 2021", date(2021, 3, 1), MONTH),
        ("03/2021", date(2021, 3, 1), MONTH),
        ("3/2021", date(2021, 3, 1), MONTH),
        ("2021-03", date(2021, 3, 1), MONTH),
        ("2021", date(2021, 1, 1), YEAR),
        ("approx 1990", date(1990, 1, 1), APPROX),
        ("Approx. 1990", date(1990, 1, 1), APPROX),
        ("c.1990", date(1990, 1, 1), APPROX),
        ("c. 1990", date(1990, 1, 1), APPROX),
        ("circa 1990", date(1990, 1, 1), APPROX),
        ("about 1990", date(1990, 1, 1), APPROX),
        ("1990?", date(1990, 1, 1), APPROX),
        ("1990s", date(1990, 1, 1), APPROX),
        ("29/02/2020", date(2020, 2, 29), DAY),
        ("  12/03/2021  ", date(2021, 3, 12), DAY),
    ],
)
def test_parse_date(raw: str, value: date, precision: DatePrecision) -> None:
    assert parse_date(raw) == ParsedDate(value, precision, raw)


@pytest.mark.parametrize("raw", [None, "", "   ", "unknown", "N/K", "not known", "-", "?"])
def test_empty_and_placeholders_are_none(raw: str | None) -> None:
    assert parse_date(raw) is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("31/02/2009", "'31/02/2009' is not a real date (February has no day 31)"),
        ("2009-13-01", "'2009-13-01' is not a real date (there is no month 13)"),
        ("00/00/0000", "'00/00/0000' is not a real date (there is no month 0)"),
        ("00/01/2020", "'00/01/2020' is not a real date (there is no day 0)"),
        ("29/02/2021", "'29/02/2021' is not a real date (2021 is not a leap year)"),
        ("31 April 2021", "'31 April 2021' is not a real date (April has no day 31)"),
        ("1850", "'1850' has year 1850, outside the years 1900-2100 we accept"),
        ("12/03/2101", "'12/03/2101' has year 2101, outside the years 1900-2100 we accept"),
        ("12/03/2021 25:00", "'12/03/2021 25:00' is not a real time (there is no hour 25)"),
        ("Smarch 2021", "'Smarch 2021' is not a date ('smarch' is not a month name)"),
        ("banana", "'banana' is not a date in any known format (expected e.g. dd/mm/yyyy"),
        ("12/25/2021", "there is no month 25; if the source writes the month first"),
        ("<script>alert(1)</script>", "is not a date in any known format"),
    ],
)
def test_impossible_dates_raise_date_error(raw: str, message: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(raw)
    assert message in str(caught.value)
    assert caught.value.raw == raw
    assert isinstance(caught.value, ValueError)


def test_errors_are_raised_every_time_even_when_cached() -> None:
    for _ in range(3):
        with pytest.raises(DateError):
            parse_date("31/02/2009")


def test_date_error_pickles() -> None:
    error = DateError("31/02/2009", "is not a real date")
    assert str(pickle.loads(pickle.dumps(error))) == str(error)


def test_long_input_is_an_error_with_a_short_message() -> None:
    with pytest.raises(DateError) as caught:
        parse_date("1" * 10_000)
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize(
    ("raw", "formats", "expected"),
    [
        ("12/03/2021", ["%d/%m/%Y"], ParsedDate(date(2021, 3, 12), DAY, "12/03/2021")),
        ("2021|03", ["%Y|%m"], ParsedDate(date(2021, 3, 1), MONTH, "2021|03")),
        (
            "12032021 1430",
            ("%d%m%Y %H%M",),
            ParsedDate(datetime(2021, 3, 12, 14, 30), MINUTE, "12032021 1430"),
        ),
        # A given format that does not fit falls back to the common forms.
        ("2021-03-12", ["%d/%m/%Y"], ParsedDate(date(2021, 3, 12), DAY, "2021-03-12")),
    ],
)
def test_given_formats_first(raw: str, formats: list[str], expected: ParsedDate) -> None:
    assert parse_date(raw, formats) == expected


def test_month_first_when_asked() -> None:
    assert parse_date("03/12/2021", dayfirst=False) == ParsedDate(
        date(2021, 3, 12), DAY, "03/12/2021"
    )


DATE_LIKE = st.text(alphabet="0123456789/-.:, TZapmcirtshMarch+?", max_size=30)


@given(st.text() | DATE_LIKE)
def test_only_date_error_is_raised(raw: str) -> None:
    try:
        result = parse_date(raw)
    except DateError:
        return
    assert result is None or (result.value is not None and result.precision is not None)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_round_trips(value: date) -> None:
    assert parse_date(value.strftime("%d/%m/%Y")).value == value
    assert parse_date(value.isoformat()).value == value
    assert parse_date(value.strftime("%d %B %Y")).value == value


@given(st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2100, 12, 30)))
def test_iso_datetimes_round_trip_to_the_second(value: datetime) -> None:
    value = value.replace(microsecond=0)
    parsed = parse_date(value.isoformat())
    assert parsed == ParsedDate(value, MINUTE, value.isoformat())


# -- the compiled strptime agrees with datetime.strptime ---------------------------------

from joinedup.ingest.normalise.dates import _compiled_format, strptime  # noqa: E402

FEED_FORMATS = [
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y%m%d%H%M",
    "%Y%m%d",
    "%d-%b-%Y %H:%M",
    "%d-%b-%Y",
    "%d %B %Y",
    "%d/%m/%y",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y",
    "%Y-%m-%d %H:%M:%S.%f",
    "%H:%M",
    "%Y",
    "%b %Y (%d)",
    "%d.%m.%Y",
    "%%d %d",
]


def _strptime_outcome(fn, text: str, fmt: str) -> datetime | str:
    try:
        return fn(text, fmt)
    except ValueError:
        return "ValueError"


@st.composite
def _date_texts(draw: st.DrawFn) -> tuple[str, str]:
    fmt = draw(st.sampled_from(FEED_FORMATS))
    moment = draw(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2099, 12, 31)))
    text = moment.strftime(fmt)
    mutate = draw(st.integers(0, 5))
    if mutate == 1:  # a digit changed, perhaps making it impossible (31/02, month 13)
        at = draw(st.integers(0, max(0, len(text) - 1)))
        text = text[:at] + draw(st.sampled_from("0123459 ")) + text[at + 1 :]
    elif mutate == 2:  # unpadded or padded differently
        text = text.replace("0", "", draw(st.integers(1, 2)))
    elif mutate == 3:
        text = text + draw(st.sampled_from(["", " ", "Z", "0", "x"]))
    elif mutate == 4:
        text = draw(st.text(alphabet="0123456789-/: TZadejnopru", max_size=20))
    elif mutate == 5:
        text = text.upper() if draw(st.booleans()) else text.replace(" ", "  ")
    return text, fmt


@given(_date_texts())
def test_compiled_strptime_agrees_with_datetime_strptime(case: tuple[str, str]) -> None:
    text, fmt = case
    assert _strptime_outcome(strptime, text, fmt) == _strptime_outcome(datetime.strptime, text, fmt)


@pytest.mark.parametrize("fmt", FEED_FORMATS)
def test_every_feed_format_is_compiled(fmt: str) -> None:
    assert _compiled_format(fmt) is not None


@pytest.mark.parametrize("fmt", ["%Y-%m-%d %z", "%I:%M %p", "%j/%Y"])
def test_other_directives_fall_back_to_strptime(fmt: str) -> None:
    assert _compiled_format(fmt) is None
    text = datetime(2021, 3, 12, 14, 30).strftime(fmt)
    assert _strptime_outcome(strptime, text, fmt) == _strptime_outcome(datetime.strptime, text, fmt)


def test_a_directive_given_twice_is_left_to_strptime() -> None:
    assert _compiled_format("%d %d") is None  # strptime's own error then reaches the spec check


@given(_date_texts())
def test_format_readers_agree_with_datetime_strptime(case: tuple[str, str]) -> None:
    """Each spec format's reader (numeric ones have their own) gives strptime's date."""
    from joinedup.ingest.normalise.dates import _from_strptime, _reader

    text, fmt = case
    try:
        expected = _from_strptime(datetime.strptime(text, fmt), fmt, text)
    except ValueError:
        expected = None
    assert repr(_reader(fmt)(text, text)) == repr(expected)


# -- the quick paths agree with the cached, general one ---------------------------------

from joinedup.ingest.normalise.dates import PLACEHOLDERS, _parse_cached, parse_moment  # noqa: E402

SPEC_FORMATS = [*FEED_FORMATS, "%Y-%m-%d %z", "%I:%M %p", "-", "unknown %Y", "%b"]


@st.composite
def _spec_dates(draw: st.DrawFn) -> tuple[str, tuple[str, ...], bool]:
    """A value as a feed writes it, and a spec's formats: the value's own format often
    first, sometimes later or absent; placeholders and padding around the value too."""
    text, fmt = draw(_date_texts())
    others = draw(st.lists(st.sampled_from(SPEC_FORMATS), max_size=2))
    formats = [fmt, *others] if draw(st.booleans()) else [*others, fmt]
    if draw(st.integers(0, 5)) == 0:
        text = draw(st.sampled_from(sorted(PLACEHOLDERS) + ["", " ", "March", "UNKNOWN"]))
    if draw(st.booleans()):
        text = (
            draw(st.sampled_from(["", " ", "\t", "  "])) + text + draw(st.sampled_from(["", " "]))
        )
    return text, tuple(formats), draw(st.booleans())


def _date_outcome(raw: str, formats: tuple[str, ...], dayfirst: bool) -> object:
    try:
        return repr(parse_date(raw, formats, dayfirst=dayfirst))
    except DateError as exc:
        return ("DateError", exc.reason)


@given(_spec_dates())
def test_the_quick_path_agrees_with_the_cached_path(
    case: tuple[str, tuple[str, ...], bool],
) -> None:
    raw, formats, dayfirst = case
    slow = _parse_cached(raw, formats, dayfirst)
    expected = ("DateError", slow) if isinstance(slow, str) else repr(slow)
    assert _date_outcome(raw, formats, dayfirst) == expected


@given(_spec_dates())
def test_parse_moment_is_parse_date_taken_apart(case: tuple[str, tuple[str, ...], bool]) -> None:
    raw, formats, dayfirst = case
    try:
        parsed = parse_date(raw, formats, dayfirst=dayfirst)
    except DateError as exc:
        with pytest.raises(DateError) as caught:
            parse_moment(raw, formats, dayfirst=dayfirst)
        assert caught.value.reason == exc.reason
        return
    moment = parse_moment(raw, formats, dayfirst=dayfirst)
    if parsed is None:
        assert moment == (None, None)
        return
    value = parsed.value
    expected = (
        value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    )
    assert moment == (expected, parsed.precision.value)
    assert type(moment[0]) is datetime


@pytest.mark.parametrize(
    ("raw", "formats", "expected"),
    [
        (
            "2021-03-12T14:30:59Z",
            ("%Y-%m-%dT%H:%M:%SZ",),
            (datetime(2021, 3, 12, 14, 30, 59), "minute"),
        ),
        (" 20210312 ", ("%Y%m%d%H%M", "%Y%m%d"), (datetime(2021, 3, 12), "day")),
        ("2021|03", ("%Y|%m",), (datetime(2021, 3, 1), "month")),
        ("2021", ("%Y",), (datetime(2021, 1, 1), "year")),
        ("n/k", ("%Y",), (None, None)),
        ("about 1990", ("%Y",), (datetime(1990, 1, 1), "approx_year")),
    ],
)
def test_parse_moment(raw: str, formats: tuple[str, ...], expected: tuple) -> None:
    assert parse_moment(raw, formats) == expected


# -- a numeric format's full-width values are read by slicing ----------------------------

import re  # noqa: E402
from functools import partial  # noqa: E402

from joinedup.ingest.normalise.dates import (  # noqa: E402
    _datetimes_by_groups,
    _fixed_width,
    _full_width_first,
    _numeric_datetimes,
    _numeric_order,
    _strptime_or_none,
)

FIXED_FORMATS = [
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y%m%d%H%M",
    "%Y%m%d",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%H:%M %d-%m-%Y",
    "%%%Y-%m-%d",
    "%d-%b-%Y %H:%M",
    "%d-%b-%Y",
    "%b %d %Y",
]


@st.composite
def _full_width_texts(draw: st.DrawFn) -> tuple[str, str]:
    """A format, and a text of its full width: its separators, and any ASCII digits in its
    fields (often out of range: month 13, day 00, hour 24, second 60, year 0000), now and
    then with one character changed."""
    fmt = draw(st.sampled_from(FIXED_FORMATS))
    fixed = _fixed_width(fmt)
    assert fixed is not None
    width = fixed[0]
    text = draw(st.datetimes(min_value=datetime(1000, 1, 1))).strftime(fmt)
    digits = [i for i, char in enumerate(text) if char.isdigit()]
    for at in draw(st.lists(st.sampled_from(digits), max_size=4)):
        text = text[:at] + draw(st.sampled_from("0123456789")) + text[at + 1 :]
    if "%b" in fmt and draw(st.booleans()):  # a month's name in any case, or no month's
        name = draw(st.sampled_from(["jan", "FEB", "Mar", "sEp", "dec", "Foo", "ſep", "Ja1"]))
        found = re.search("[A-Za-z]{3}", text)
        assert found is not None
        text = text[: found.start()] + name + text[found.end() :]
    if draw(st.integers(0, 4)) == 0:
        at = draw(st.integers(0, width - 1))
        text = text[:at] + draw(st.sampled_from("x t/-:٣ ")) + text[at + 1 :]
    return text, fmt


@given(_full_width_texts())
def test_full_width_values_read_as_the_regex_reads_them(case: tuple[str, str]) -> None:
    text, fmt = case
    pattern, order = _compiled_format(fmt), _numeric_order(fmt)
    assert pattern is not None
    by_regex = _strptime_or_none(text, fmt)
    if order is not None:
        assert _datetimes_by_groups(pattern, order)(text) == by_regex
        assert _numeric_datetimes(pattern, order, fmt)(text) == by_regex
    assert _full_width_first(fmt, partial(_strptime_or_none, fmt=fmt))(text) == by_regex
    assert _strptime_outcome(datetime.strptime, text, fmt) == (by_regex or "ValueError")


@pytest.mark.parametrize("fmt", ["%d/%m/%y", "%d %B %Y", "%Y-%m-%d %H:%M:%S.%f", "%H:%M", "%Y"])
def test_other_formats_are_not_read_by_slicing(fmt: str) -> None:
    assert _fixed_width(fmt) is None


def test_hour_24_is_no_time_even_where_fromisoformat_reads_it() -> None:
    fmt = "%Y-%m-%dT%H:%M:%S"
    pattern, order = _compiled_format(fmt), _numeric_order(fmt)
    assert pattern is not None and order is not None
    assert _numeric_datetimes(pattern, order, fmt)("2019-01-01T24:00:00") is None


def test_a_month_name_matched_only_case_insensitively_is_no_date_not_a_crash() -> None:
    # "ſ" (a long s) matches "s" case-insensitively, but "ſep" is no month's name:
    # strptime raises ValueError; so must the compiled reader (it raised KeyError).
    assert _strptime_outcome(strptime, "01-ſep-2000", "%d-%b-%Y") == "ValueError"
    assert _strptime_outcome(strptime, "01 ſeptember 2000", "%d %B %Y") == "ValueError"
    with pytest.raises(DateError):
        parse_date("01-ſep-2000", ["%d-%b-%Y"])


# -- dates of birth: parse_date, cached -------------------------------------------------

from joinedup.ingest.normalise.dates import parse_date_of_birth  # noqa: E402


def _outcome(fn: object, raw: str, formats: tuple[str, ...], dayfirst: bool) -> object:
    try:
        return ("value", fn(raw, formats, dayfirst=dayfirst))  # type: ignore[operator]
    except DateError as error:
        return ("error", str(error), error.raw, error.reason)


@given(
    _date_texts() | st.tuples(st.text() | DATE_LIKE, st.sampled_from(FEED_FORMATS)),
    st.booleans(),
    st.booleans(),
)
def test_a_date_of_birth_parses_as_parse_date_parses_it(
    case: tuple[str, str], with_format: bool, dayfirst: bool
) -> None:
    raw, fmt = case
    formats = (fmt,) if with_format else ()
    expected = _outcome(parse_date, raw, formats, dayfirst)
    assert _outcome(parse_date_of_birth, raw, formats, dayfirst) == expected
    assert _outcome(parse_date_of_birth, raw, formats, dayfirst) == expected  # cached


def test_a_date_of_birth_that_is_no_date_fails_every_time() -> None:
    for _ in range(2):  # the second from the cache
        with pytest.raises(DateError, match="31/02/2009"):
            parse_date_of_birth("31/02/2009")
    assert parse_date_of_birth(None) is None
    assert parse_date_of_birth("unknown") is None
