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
# Bracketed notes that are not nicknames: maiden names, status, relationships.
_NOT_NICKNAME = re.compile(
    r"^(?:n[ée]e|formerly|previously|deceased|dob|d\.o\.b|born|aged?|mum|dad|mother|father"
    r"|step\w*|brother|sister|son|daughter|partner|boyfriend|girlfriend|husband|wife|carer"
    r"|guardian|foster\w*|child|adult|male|female|unknown|not known)\b",
    re.IGNORECASE,
)
_NICKNAME_SHAPE = re.compile(r"^[^\W\d_][\w'’.\-]*(?:\s+[\w'’.\-]+){0,2}$")
_CAPS_WORD = re.compile(r"^[^\W\d_]+(?:['’\-][^\W\d_]+)*$")


class NameParts(NamedTuple):
    """A full name split into matching-form parts; the nickname is kept as written."""

    forename: str | None = None
    middle_names: str | None = None
    surname: str | None = None
    quoted_nickname: str | None = None


@lru_cache(maxsize=65536)
def clean_name(raw: str | None) -> str | None:
    """Return the matching form of a name, or None when it is empty or a placeholder.

    Accents are stripped and a few letters folded (ß -> ss); letters with no ASCII form
    (other scripts) are dropped, so such names are matched on their `raw` value instead.

    >>> clean_name("  O'Neil-SMITH  ")
    'oneil smith'
    """
    if raw is None:
        return None
    text = raw.translate(_APOSTROPHES)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
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
        # Brackets also hold notes ("(deceased)"), so only a capitalised word counts there.
        in_brackets = match.group(0)[0] in "(["
        if nickname is None and (not in_brackets or found[:1].isupper()):
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
        while caps < len(given) and _is_caps_word(given[caps]):
            caps += 1
        rest_mixed = not any(word.isupper() for word in given[caps:])
        if 0 < caps < len(given) and rest_mixed and clean_name(given[0]) not in TITLES:
            surname_first, given = given[:caps], given[caps:]

    given_parts = _name_tokens(given)
    had_title = False
    while given_parts and given_parts[0] in TITLES and len(given_parts) + len(surname_first) > 1:
        given_parts.pop(0)
        had_title = True
    while len(given_parts) > 1 and given_parts[-1] in SUFFIXES:
        given_parts.pop()

    if surname_first:
        surname_parts = [part for part in _name_tokens(surname_first) if part not in TITLES]
        forename, middle = (given_parts[0], given_parts[1:]) if given_parts else (None, [])
        surname = _join(surname_parts)
    elif not given_parts or given_parts == [None] or given_parts[0] in TITLES:
        forename, middle, surname = None, [], None
    elif len(given_parts) == 1:
        # "Mr Smith" names the surname; a lone word otherwise is taken as the forename.
        if had_title:
            forename, middle, surname = None, [], given_parts[0]
        else:
            forename, middle, surname = given_parts[0], [], None
    else:
        split_at = len(given_parts) - 1
        while split_at > 1 and given_parts[split_at - 1] in SURNAME_PARTICLES:
            split_at -= 1
        forename, middle = given_parts[0], given_parts[1:split_at]
        surname = _join(given_parts[split_at:])
    return NameParts(forename, _join(middle), surname, nickname)


def _is_caps_word(word: str) -> bool:
    return len(word) > 1 and word.isupper() and _CAPS_WORD.match(word) is not None


def _name_tokens(words: list[str]) -> list[str | None]:
    """Clean each word, keeping a None where a placeholder ("unknown") holds a place.

    Words of punctuation alone ("-", "&") are dropped.
    """
    tokens: list[str | None] = []
    for word in words:
        cleaned = clean_name(word)
        if cleaned is not None or _NOT_NAME_CHAR.sub("", word.lower()):
            tokens.append(cleaned)
    return tokens


def _join(parts: list[str | None]) -> str | None:
    return " ".join(part for part in parts if part) or None


_WORD_START = re.compile(r"(^|[\s\-'’\"“‘(\[])(\w)")


def _capitalise(match: re.Match[str]) -> str:
    letter = match.group(2)
    upper = letter.upper()
    return match.group(1) + (upper if len(upper) == 1 else letter)  # "ß" stays, not "SS"


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
        text = _WORD_START.sub(_capitalise, text.lower())
    return text
