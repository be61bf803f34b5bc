"""UK postcodes: format check and normal form ("NV1 2AB"), and finding them in free text.

The check is on shape only (A9, A99, AA9, AA99, A9A, AA9A + 9AA, and GIR 0AA), with no
list of real postcodes, so the synthetic town's made-up districts pass.
"""

from __future__ import annotations

import re
from functools import lru_cache

_OUTWARD = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_INWARD = r"[0-9][A-Z]{2}"
_POSTCODE = re.compile(rf"{_OUTWARD}{_INWARD}|GIR0AA")
_WHITESPACE = re.compile(r"\s+")
# Free text: upper case only, because lower case reads too often as text-speak ("b4 2nd").
_IN_TEXT = re.compile(rf"(?<![A-Za-z0-9])(?:{_OUTWARD}[ \t]?{_INWARD}|GIR[ \t]?0AA)(?![A-Za-z0-9])")


@lru_cache(maxsize=65536)
def parse_postcode(raw: str | None) -> str | None:
    """Return the postcode in normal form ("nv12ab" -> "NV1 2AB"), or None if it is not one."""
    if raw is None:
        return None
    compact = _WHITESPACE.sub("", raw).upper()
    if not 5 <= len(compact) <= 7:
        return None
    match = _POSTCODE.fullmatch(compact)
    if match is None:
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def outward(postcode: str | None) -> str | None:
    """The outward code (the district, "NV1") of a postcode, or None if it is not one."""
    normal = parse_postcode(postcode)
    return normal.split(" ")[0] if normal else None


def find_postcodes(text: str | None) -> list[tuple[str, int, int]]:
    """Postcodes written in upper case in `text`, as (normal form, start, end) offsets."""
    if not text:
        return []
    found = []
    for match in _IN_TEXT.finditer(text):
        normal = parse_postcode(match.group())
        if normal is not None:
            found.append((normal, match.start(), match.end()))
    return found
