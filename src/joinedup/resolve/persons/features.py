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
from sqlalchemy import Connection, func, select

from joinedup.ingest.normalise.addresses import FLAT_WORDS, THOROUGHFARES, normalise_address
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
    "forename_sk",
    "surname_fk",
    "name_tokens",
    "locality",
    "initial_key",
    "si_key",
    "house_number",
    "street_key",
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
    conn: Connection,
    since_id: int = 0,
    only: Iterable[int] | None = None,
    *,
    with_place: bool = False,
) -> Iterable[dict[str, Any]]:
    """Person mentions with id > since_id (or the `only` ids), with source and phones, and
    with `with_place` the place of each record's event (what the `same_post` pass reads)."""
    m = t.person_mention
    phones: dict[int, list[str]] = defaultdict(list)
    p = t.phone_mention
    query = select(p.c.person_mention_id, p.c.e164).where(
        p.c.person_mention_id.is_not(None), p.c.e164.is_not(None), p.c.valid.is_(True)
    )
    for pid, e164 in conn.execute(query):
        phones[pid].append(e164)
    cols = [m.c[name] for name in _MENTION_COLUMNS]
    # The place of the record's event (a school, a home), for the post a mention holds
    # there (`_post`): a staff member raising concerns at one school over a year.
    query = select(*cols, t.record.c.source_id).join(t.record, t.record.c.id == m.c.record_id)
    if with_place:
        place = t.location_mention.alias("place")
        query = (
            query.add_columns(
                func.coalesce(place.c.property_ref, place.c.name, place.c.address).label("place")
            )
            .outerjoin(t.event, t.event.c.record_id == m.c.record_id)
            .outerjoin(place, place.c.id == t.event.c.location_mention_id)
        )
    query = query.where(m.c.id > since_id).order_by(m.c.id)
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
    """One row per mention: the columns the Splink model compares, plus `ids` (strong ids).

    What an address or a name gives is worked out once per distinct address or name (a
    household's members share the address, a city's people share names): at a million
    mentions that is most of the time this takes."""
    out: dict[str, list[Any]] = {
        c: [] for c in (*COLUMNS, "ids", "name_only", "one_name", "extracted", "record_id", "post")
    }
    address_cache: dict[str | None, dict[str, Any]] = {}
    name_cache: dict[tuple[str | None, ...], dict[str, Any]] = {}
    for row in rows:
        name_key = (row["raw_name"], row["forename"], row["middle_names"], row["surname"])
        names = name_cache.get(name_key)
        if names is None:
            names = name_cache[name_key] = _name_features(row, aliases)
        address = address_cache.get(row["address"])
        if address is None:
            address = address_cache[row["address"]] = _address_features(row["address"])
        forename, surname = names["forename"], names["surname"]
        dob, precision = row["dob"], row["dob_precision"]
        has_day = dob is not None and precision == "day"
        has_month = dob is not None and precision in ("day", "month")
        has_year = dob is not None and precision in ("day", "month", "year")
        iso = dob.isoformat() if dob is not None else None
        postcode, locality = row["postcode"] or address["postcode"], address["locality"]
        if not postcode and locality:  # an overseas postcode written in the line ("4223 NSW")
            postcode = _postal_code(locality)
            locality = [w for w in locality if w != postcode] or None
        address_key = address["address_key"]
        values = {
            **names["values"],
            "unique_id": row["id"],
            "nickname": (row["nickname"] or "").strip().lower() or None,
            "dob": iso if has_day else None,
            "dob_ym": iso[:7] if has_month and iso else None,
            "dob_y": iso[:4] if has_year and iso else None,
            "dob_md": iso[5:] if has_day and iso else None,
            "sex": _sex(row["sex"]),
            "postcode": postcode,
            "address_key": address_key,
            "house_number": address["house_number"],
            "phones": row["phones"] or None,
            "phone1": row["phones"][0] if row["phones"] else None,
            "locality": locality,
            "street_key": address["street_key"],
            "ids": strong_identifiers(row),
            "name_only": _name_only(forename, surname, has_day, address_key),
            "one_name": _name_only(forename, surname, has_day),
            "extracted": bool(row["extracted"]),
            "record_id": row.get("record_id"),
            "post": _post(row),
        }
        for key, value in values.items():
            out[key].append(value)
    return pd.DataFrame(out)


# Roles in which an organisation writes down its own people or those who report to it:
# a school's staff raising a concern, the person reporting a child missing from a home.
POST_ROLES = frozenset({"staff", "reporting_person"})


def _post(row: dict[str, Any]) -> str | None:
    """Source, role and place of a mention in a POST_ROLES role: the same name in the same
    post (a teacher at one school) is one person far more often than a common name is."""
    place = row.get("place")
    if row.get("role") not in POST_ROLES or not place or row.get("source_id") is None:
        return None
    return f"{row['source_id']}|{row['role']}|{' '.join(str(place).lower().split())}"


def _name_features(row: dict[str, Any], aliases: Aliases) -> dict[str, Any]:
    """What the model reads of a mention's name, and its forename and surname."""
    fa, sa = aliases.forenames, aliases.surnames
    fore_all, _mid, surname = _officer_fix(row)
    tokens = fore_all.split() if fore_all else []
    forename = tokens[0] if tokens else None
    fkey, skey = fa.key(forename), sa.key(surname)
    values = {
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
        # each name part keyed by the other part's table, for names written swapped
        "forename_sk": sa.key(forename),
        "surname_fk": fa.key(surname.split()[0] if surname else None),
        "name_tokens": _name_tokens(f"{fore_all or ''} {_mid or ''}", surname),
        # "A SHAH" meets "Aisha Shah": an initial's key against everyone's surname+initial
        "initial_key": _initial_key(skey, forename),
        "si_key": f"{skey} {forename[:1]}" if skey and forename else None,
    }
    return {"forename": forename, "surname": surname, "values": values}


def _address_features(raw: str | None) -> dict[str, Any]:
    addr = normalise_address(raw)
    return {
        "address_key": _address_key(addr),
        "locality": _locality(addr),
        "postcode": addr.postcode,
        "house_number": addr.house_number,
        "street_key": _street_key(addr),
    }


def _sex(value: str | None) -> str | None:
    if not value:
        return None
    v = value.strip().upper()[:1]
    return v if v in ("M", "F") else None


def _address_key(addr: Any) -> str | None:
    """Flat/number and street; when no thoroughfare word is recognised ("12 Pinkerton
    Circuit Bega"), the number and the two words after it."""
    words, start, end = _street_words(addr)
    if start < 0 or end <= start:
        return None
    flat = addr.flat
    return f"{flat + '/' if flat else ''}{addr.house_number} {' '.join(words[start:end])}"


_ADDRESS_NOISE = THOROUGHFARES | FLAT_WORDS


def _street_words(addr: Any) -> tuple[list[str], int, int]:
    """The address's words and where its street starts and ends (-1, 0: no street). With no
    thoroughfare word recognised, the house number must open the address (after any flat
    words): "Richlands 4223 QLD" has a postcode, not a house number."""
    words = (addr.address or "").split()
    number = addr.house_number
    at = words.index(number) if number and number in words else -1
    opens = at >= 0 and all(w in FLAT_WORDS or w == addr.flat for w in words[:at])
    if at < 0 or not (opens or addr.street):
        return words, -1, 0
    street = addr.street.split() if addr.street else words[at + 1 : at + 3]
    if not street or not all(w.isalpha() for w in street[:1]):
        return words, -1, 0
    return words, at + 1, at + 1 + len(street)


def _street_key(addr: Any) -> str | None:
    """House number and the street's first word ("592 DALRYMPLE"): a block for a street
    name whose type word is mistyped ("Dalrymple S Treet")."""
    words, start, end = _street_words(addr)
    return f"{addr.house_number} {words[start]}" if 0 <= start < end else None


def _locality(addr: Any) -> list[str] | None:
    """The words after number and street (district, town, a postcode or state written in
    the line), thoroughfare words dropped: "8 Stanley Street, Miami, Winston Hills 4223"
    -> MIAMI, WINSTON, HILLS, 4223. A UK postcode is compared on its own (`postcode`)."""
    words, start, end = _street_words(addr)
    rest = {w for w in words[end:] if w not in _ADDRESS_NOISE}
    return sorted(rest) or None


def _postal_code(locality: list[str]) -> str | None:
    """A postcode the UK normaliser does not know, written after the street: the one word
    of four or five digits among the locality words ("WINSTON HILLS 4223 NSW" -> 4223)."""
    codes = [w for w in locality if w.isdigit() and len(w) in (4, 5)]
    return codes[0] if len(codes) == 1 else None


def _initial_key(surname_key: str | None, forename: str | None) -> str | None:
    return f"{surname_key} {forename}" if surname_key and forename and len(forename) == 1 else None


def _name_tokens(forenames: str | None, surname: str | None) -> list[str] | None:
    """Every given name and surname word: the same names in another order compare equal."""
    words = {w for part in (forenames, surname) if part for w in part.split()}
    return sorted(words) or None


def _name_only(
    forename: str | None, surname: str | None, full_dob: bool, address: str | None = None
) -> bool:
    """A single name with nothing else to go on: never merged on that name alone. One name
    with a full date of birth ("Grierson, born 12/12/1918") or a house and street ("Ranson,
    34 Edge Place") goes to the model, which needs the date or the address and more to
    agree before it links (and a single name with an address links only to the one
    entity the model puts above the threshold: `pipeline.one_name_links`)."""
    return (surname is None or forename is None) and not full_dob and not address
