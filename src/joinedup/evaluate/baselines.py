"""Naive reference points, NOT the pipeline: exact-match clusterings of the stored mentions.

They show how hard the city is (how much an exact key misses, per name origin) and give
later stages a floor to beat. Each is scored with the same functions as the pipeline.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from joinedup.evaluate.store_view import MentionRef, StoredMention


def _norm(value: Any) -> str:
    return " ".join(str(value).split()).casefold() if value not in (None, "") else ""


def _person(f: tuple[Any, ...]) -> Hashable | None:
    forename, surname, dob = _norm(f[0]), _norm(f[1]), f[2]
    return ("person", forename, surname, str(dob)) if forename and surname and dob else None


def _vehicle(f: tuple[Any, ...]) -> Hashable | None:
    return ("vehicle", f[0]) if f[0] else None


def _phone(f: tuple[Any, ...]) -> Hashable | None:
    return ("phone", f[0]) if f[0] and f[1] else None


def _location(f: tuple[Any, ...]) -> Hashable | None:
    postcode, place = _norm(f[0]), _norm(f[1]) or _norm(f[2])
    return ("location", postcode, place) if place else None


# kind -> (mention columns read, key function); a mention with no key is left alone.
EXACT_KEYS: dict[str, tuple[tuple[str, ...], Callable[[tuple[Any, ...]], Hashable | None]]] = {
    "person": (("forename", "surname", "dob"), _person),
    "vehicle": (("vrm",), _vehicle),
    "phone": (("e164", "valid"), _phone),
    "location": (("postcode", "address", "name"), _location),
}

DESCRIPTIONS = {
    "person": "exact normalised (forename, surname, date of birth); any of them missing: alone",
    "vehicle": "exact VRM; partial plates and unreadable plates: alone",
    "phone": "exact E.164 of a valid number; invalid numbers: alone",
    "location": "exact (postcode, address); the name stands in for a missing address, "
    "the postcode may be missing; neither address nor name: alone",
}


def exact_clusters(kind: str, mentions: list[StoredMention]) -> dict[MentionRef, Hashable]:
    """{mention: its exact key} for mentions that have one (read with EXACT_KEYS columns)."""
    _, key = EXACT_KEYS[kind]
    out: dict[MentionRef, Hashable] = {}
    for m in mentions:
        k = key(m.fields)
        if k is not None:
            out[m.ref] = k
    return out
