"""Person names: the matching form, the parts of a full name, and a tidy display form.

Nothing here decides identity: a nickname is reported as written, never mapped to a name.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

# Values agencies type when they do not know the name (compared in matching form).
PLACEHOLDERS = frozenset(
    {
        "unknown",
        "unk",
        "n k",
        "nk",
        "not known",
        "n a",
        "not applicable",
        "not stated",
        "not recorded",
        "none",
        "null",
        "tbc",
    }
)

TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "master"})
SUFFIXES = frozenset({"jr", "jnr", "junior", "sr", "snr", "senior", "ii", "iii"})
# Lower-case particles that belong to the surname that follows them ("van der berg").
SURNAME_PARTICLES = frozenset(
    {"al", "el", "ul", "bin", "binti", "ibn", "abu", "van", "von", "der", "den", "de", "da", "di"}
    | {"du", "del", "della", "la", "le", "st"}
)

# Letters NFKD leaves alone but which have an obvious ASCII spelling.
_ASCII_FOLD = str.maketrans(
    {"ß": "ss", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "æ": "ae", "Æ": "ae", "œ": "oe"}
    | {"Œ": "oe", "đ": "d", "Đ": "d", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d", "ı": "i"}
)
_APOSTROPHES = str.maketrans(dict.fromkeys("'’‘`´ʼʻ", None))
_NOT_NAME_CHAR = re.compile(r"[^a-z0-9]+")

_QUOTED = re.compile(
    r"\"\s*([^\"]+?)\s*\"|“\s*([^”]+?)\s*”|‘\s*([^’]+?)\s*’"
    r"|(?<![\w'])'\s*([^']+?)\s*'(?!\w)|\(\s*([^)]*?)\s*\)|\[\s*([^\]]*?)\s*\]"
)
_AKA = re.compile(r"\s+(?:a\.?k\.?a\.?|also known as|known as)[\s:]+(.+)$", re.IGNORECASE)
_NOT_NICKNAME = re.compile(r"^(?:n[ée]e|formerly|deceased|dob|d\.o\.b|born|age)\b", re.IGNORECASE)
_NICKNAME_SHAPE = re.compile(r"^[^\W\d_][\w'’.\-]*(?:\s+[\w'’.\-]+){0,2}$")
_ALL_CAPS_WORD = re.compile(r"^[^\W\d_]{2,}$")


class NameParts(NamedTuple):
    """A full name split into matching-form parts; the nickname is kept as written."""

    forename: str | None = None
    middle_names: str | None = None
    surname: str | None = None
    quoted_nickname: str | None = None


@lru_cache(maxsize=65536)
def clean_name(raw: str | None) -> str | None:
    """Return the matching form of a name, or None when it is empty or a placeholder.

    >>> clean_name("  O'Neil-SMITH  ")
    'oneil smith'
    """
    if raw is None:
        return None
    text = raw.translate(_APOSTROPHES)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_ASCII_FOLD))
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = text.translate(_ASCII_FOLD)
    cleaned = _NOT_NAME_CHAR.sub(" ", text.lower()).strip()
    if not cleaned or cleaned in PLACEHOLDERS:
        return None
    return cleaned


def _nickname(candidate: str) -> str | None:
    candidate = " ".join(candidate.split())
    if not candidate or _NOT_NICKNAME.match(candidate) or not _NICKNAME_SHAPE.match(candidate):
        return None
    return candidate if clean_name(candidate) else None


@lru_cache(maxsize=65536)
def split_full_name(raw: str | None) -> NameParts:
    """Split a full name into forename, middle names and surname (each in matching form).

    Reads "SURNAME, Forename Middle", "Forename Middle Surname" and "SURNAME Forename"
    (a leading all-capitals surname in an otherwise mixed-case name). A single word is
    taken as the forename. Titles and suffixes are dropped. A nickname in quotes or
    brackets, or after "aka"/"known as", is returned as written in `quoted_nickname`.
    """
    if raw is None or clean_name(raw) is None:
        return NameParts()
    nickname: str | None = None

    def take_quoted(match: re.Match[str]) -> str:
        nonlocal nickname
        found = next(group for group in match.groups() if group is not None)
        if nickname is None:
            nickname = _nickname(found)
        return " "

    text = _QUOTED.sub(take_quoted, raw)
    aka = _AKA.search(text)
    if aka:
        if nickname is None:
            nickname = _nickname(aka.group(1))
        text = text[: aka.start()]

    surname_first: list[str] = []
    if "," in text:
        head, _, rest = text.partition(",")
        surname_first, given = head.split(), rest.replace(",", " ").split()
    else:
        given = text.split()
        caps = 0
        while caps < len(given) and _ALL_CAPS_WORD.match(given[caps]) and given[caps].isupper():
            caps += 1
        rest_mixed = all(not word.isupper() for word in given[caps:])
        if 0 < caps < len(given) and rest_mixed and clean_name(given[0]) not in TITLES:
            surname_first, given = given[:caps], given[caps:]

    given_parts = _clean_tokens(given)
    while given_parts and given_parts[0] in TITLES and len(given_parts) + len(surname_first) > 1:
        given_parts.pop(0)
    while given_parts and given_parts[-1] in SUFFIXES and len(given_parts) > 1:
        given_parts.pop()

    if surname_first:
        surname_parts = _clean_tokens(surname_first)
        while surname_parts and surname_parts[0] in TITLES and len(surname_parts) > 1:
            surname_parts.pop(0)
        surname = _join(surname_parts)
        forename = given_parts[0] if given_parts else None
        middle = _join(given_parts[1:])
    elif len(given_parts) <= 1:
        forename, middle, surname = (given_parts[0] if given_parts else None), None, None
    else:
        split_at = len(given_parts) - 1
        while split_at > 1 and given_parts[split_at - 1] in SURNAME_PARTICLES:
            split_at -= 1
        forename = given_parts[0]
        middle = _join(given_parts[1:split_at])
        surname = _join(given_parts[split_at:])
    if forename in TITLES and not middle and not surname:
        forename = None
    return NameParts(forename, middle, surname, nickname)


def _clean_tokens(words: list[str]) -> list[str]:
    """Clean each whitespace-separated word; words that clean to nothing are dropped."""
    return [cleaned for word in words if (cleaned := clean_name(word)) is not None]


def _join(parts: list[str]) -> str | None:
    return " ".join(parts) or None


_WORD_START = re.compile(r"(^|[\s\-'’])(\w)")


@lru_cache(maxsize=65536)
def display_name(raw: str | None) -> str | None:
    """Return a tidy name for display: single spaces, and title case if typed all in one case.

    Accents and punctuation are kept; mixed-case input ("McDonald", "de Souza") is left as
    typed. Placeholders give None.
    """
    if raw is None or clean_name(raw) is None:
        return None
    text = " ".join(raw.split())
    if text.isupper() or text.islower():
        text = _WORD_START.sub(lambda m: m.group(1) + m.group(2).upper(), text.lower())
    return text
