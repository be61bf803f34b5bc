"""Strong identifiers: NHS number, PNC ID, child reference, UPN, local ids, collar numbers.

Two mentions sharing one link deterministically; two holding different values of the same
kind can never be merged. Malformed values (a failed check digit) are ignored, not trusted.
"""

from __future__ import annotations

import re
from typing import Any

_NON_ALNUM = re.compile(r"[^0-9A-Z]")
# "PC 1037 Taylor": an officer's rank, collar number and surname, in any role.
RANK_AND_COLLAR = re.compile(
    r"^\s*(?:PC|PS|DC|DS|DI|SGT|PCSO|INSP)\.?\s*(\d{2,6})\s+([^\d].*?)\s*$", re.IGNORECASE
)
OFFICER_ROLES = frozenset({"officer"})


def valid_nhs(value: str | None) -> str | None:
    """A 10-digit NHS number whose modulus-11 check digit holds, else None."""
    if not value:
        return None
    digits = re.sub(r"\D", "", value)
    if len(digits) != 10:
        return None
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return digits if check != 10 and check == int(digits[9]) else None


def clean_ref(value: str | None) -> str | None:
    if not value:
        return None
    cleaned = _NON_ALNUM.sub("", value.upper())
    return cleaned or None


def strong_identifiers(row: dict[str, Any]) -> dict[str, str]:
    """{kind: value} of the strong identifiers one mention carries."""
    ids: dict[str, str] = {}
    nhs = valid_nhs(row.get("nhs_number"))
    if nhs:
        ids["nhs"] = nhs
    for kind in ("pnc_id", "child_ref", "upn", "licence_no"):
        value = clean_ref(row.get(kind))
        if value:
            ids[kind] = value
    local = clean_ref(row.get("local_id"))
    if local and row.get("source_id") is not None:  # an agency's own id: unique in that agency
        ids[f"local:{row['source_id']}"] = local
    found = RANK_AND_COLLAR.match(row.get("raw_name") or "")
    collar = found.group(1) if found else None
    if row.get("role") in OFFICER_ROLES:
        collar = collar or (row.get("attributes") or {}).get("collar_number")
    if collar:
        ids["collar"] = str(collar)
    return ids
