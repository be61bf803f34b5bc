"""Person mentions read from the store and turned into comparison features, in Python.

Reads person_mention (and the phones written beside a person) only: never
protected_characteristic. Phonetic keys come from jellyfish, aliases from the CSV tables.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import jellyfish
import pandas as pd
from sqlalchemy import Connection, select

from joinedup.ingest.normalise.addresses import normalise_address
from joinedup.ingest.normalise.names import clean_name
from joinedup.resolve.aliases import Aliases
from joinedup.resolve.persons.identifiers import RANK_AND_COLLAR, strong_identifiers
from joinedup.store import tables as t

COLUMNS = (
    "unique_id",
    "forename",
    "forename_key",
    "forename_keys",
    "forename_ph",
    "surname",
    "surname_key",
    "surname_ph",
    "surname2",
    "forename1",
    "surname1",
    "name_key",
    "nickname",
    "dob",
    "dob_ym",
    "dob_y",
    "dob_md",
    "sex",
    "postcode",
    "address_key",
    "phones",
    "phone1",
)
_MENTION_COLUMNS = (
    "id",
    "record_id",
    "role",
    "raw_name",
    "forename",
    "middle_names",
    "surname",
    "nickname",
    "dob",
    "dob_precision",
    "sex",
    "address",
    "postcode",
    "nhs_number",
    "pnc_id",
    "child_ref",
    "upn",
    "local_id",
    "licence_no",
    "attributes",
    "extracted",
)


def read_person_rows(
    conn: Connection, since_id: int = 0, only: Iterable[int] | None = None
) -> Iterable[dict[str, Any]]:
    """Person mentions with id > since_id (or the `only` ids), with source and phones."""
    m = t.person_mention
    phones: dict[int, list[str]] = defaultdict(list)
    p = t.phone_mention
    query = select(p.c.person_mention_id, p.c.e164).where(
        p.c.person_mention_id.is_not(None), p.c.e164.is_not(None), p.c.valid.is_(True)
    )
    for pid, e164 in conn.execute(query):
        phones[pid].append(e164)
    cols = [m.c[name] for name in _MENTION_COLUMNS]
    query = (
        select(*cols, t.record.c.source_id)
        .join(t.record, t.record.c.id == m.c.record_id)
        .where(m.c.id > since_id)
        .order_by(m.c.id)
    )
    if only is not None:
        query = query.where(m.c.id.in_(list(only)))
    for row in conn.execute(query).mappings():
        out = dict(row)
        out["phones"] = sorted(set(phones.get(row["id"], ())))
        yield out


# "PC Shah": a rank and a surname with no collar number.
_RANK_AND_NAME = re.compile(
    r"^\s*(?:PC|PS|DC|DS|DI|SGT|PCSO|INSP)\.?\s+([A-Za-z][A-Za-z'\-]+)\s*$", re.IGNORECASE
)


@lru_cache(maxsize=262144)
def phonetic(name: str | None) -> str | None:
    return jellyfish.nysiis(name) if name else None


def _officer_fix(row: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """'PC 1037 Taylor' is rank, collar number and surname, whatever the name split made of it."""
    found = RANK_AND_COLLAR.match(row["raw_name"] or "") or _RANK_AND_NAME.match(
        row["raw_name"] or ""
    )
    if found:  # the last group is the surname ("PC Shah": a surname-only mention)
        return None, None, clean_name(found.group(found.lastindex or 1))
    return row["forename"], row["middle_names"], row["surname"]


def person_features(rows: Iterable[dict[str, Any]], aliases: Aliases) -> pd.DataFrame:
    """One row per mention: the columns the Splink model compares, plus `ids` (strong ids)."""
    fa, sa = aliases.forenames, aliases.surnames
    out: dict[str, list[Any]] = {
        c: [] for c in (*COLUMNS, "ids", "name_only", "extracted", "record_id")
    }
    for row in rows:
        fore_all, _mid, surname = _officer_fix(row)
        tokens = fore_all.split() if fore_all else []
        forename = tokens[0] if tokens else None
        fkey, skey = fa.key(forename), sa.key(surname)
        dob, precision = row["dob"], row["dob_precision"]
        has_day = dob is not None and precision == "day"
        has_month = dob is not None and precision in ("day", "month")
        has_year = dob is not None and precision in ("day", "month", "year")
        addr = normalise_address(row["address"])
        values = {
            "unique_id": row["id"],
            "forename": forename,
            "forename_key": fkey,
            "forename_keys": list(fa.keys(forename)) or None,
            "forename_ph": phonetic(forename),
            "surname": surname,
            "surname_key": skey,
            "surname_ph": phonetic(surname.replace(" ", "") if surname else None),
            "surname2": surname[:2] if surname else None,
            "forename1": forename[:1] if forename else None,
            "surname1": surname[:1] if surname else None,
            "name_key": f"{fkey} {skey}" if fkey and skey else None,
            "nickname": (row["nickname"] or "").strip().lower() or None,
            "dob": dob.isoformat() if has_day else None,
            "dob_ym": dob.isoformat()[:7] if has_month else None,
            "dob_y": dob.isoformat()[:4] if has_year else None,
            "dob_md": dob.isoformat()[5:] if has_day else None,
            "sex": _sex(row["sex"]),
            "postcode": row["postcode"] or addr.postcode,
            "address_key": _address_key(addr.house_number, addr.street, addr.flat),
            "phones": row["phones"] or None,
            "phone1": row["phones"][0] if row["phones"] else None,
            "ids": strong_identifiers(row),
            "name_only": _name_only(forename, surname, has_day),
            "extracted": bool(row["extracted"]),
            "record_id": row.get("record_id"),
        }
        for key, value in values.items():
            out[key].append(value)
    return pd.DataFrame(out)


def _sex(value: str | None) -> str | None:
    if not value:
        return None
    v = value.strip().upper()[:1]
    return v if v in ("M", "F") else None


def _address_key(number: str | None, street: str | None, flat: str | None) -> str | None:
    if not number or not street:
        return None
    return f"{flat + '/' if flat else ''}{number} {street}"


def _name_only(forename: str | None, surname: str | None, full_dob: bool) -> bool:
    """A single name with nothing else to go on: never merged on that name alone. One name
    with a full date of birth ("Grierson, born 12/12/1918") goes to the model, which needs
    the date and more to agree before it links."""
    return (surname is None or forename is None) and not full_dob
