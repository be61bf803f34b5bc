"""After the model: join what it leaves apart when the rest of the store makes it unambiguous.

Three passes over the clusters the model (and identifiers, decisions) produced, each one
linking only when exactly **one** entity fits, and every link still going through the
constrained clustering (conflicting identifiers, analysts' `different` decisions and birth
years more than two years apart are refused exactly as for model links):

1. **Same full name** (`how = "name"`): mentions with a forename and a surname but no date
   of birth are often written by agencies that never record one (a `found_with`, a hotel
   guest). For each spelling-group key "forename surname", the clusters holding it are
   split into *anchored* ones (some member has a date of birth or a strong identifier) and
   the rest. With exactly one anchored cluster, the rest join it; with none, they join each
   other. Two or more anchored clusters (two known people share the name) join nothing.
2. **Initials** (`how = "name"`): "A SHAH", "T Wisniewski" join the one cluster whose
   surname key matches and whose forename begins with that letter, when that surname and
   initial fit exactly one forename key and one cluster in the whole store.
3. **One name and the same companions** (`how = "context"`): a mention with a single name
   ("Peter", "Kamil", "PC Shah") is never merged on that name alone, because a forename or
   a street name ("Spider") is shared by many people. It joins an entity only when that
   entity bears the name (forename key, or surname key for a surname-only mention) **and**
   appears in another record beside a person who is also beside this mention in its own
   record (the care worker who reports the same child missing, the friend found with the
   same child), and exactly one entity meets both conditions.

Only names, dates of birth, strong identifiers and which records mentions share are read:
never ethnicity, religion or nationality.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from typing import Any

import pandas as pd

from joinedup.resolve.cluster import ConstrainedClusters

NAME_STRENGTH = 0.8  # stored as the link's probability: at the model's threshold, no higher
CONTEXT_STRENGTH = 0.8


def complete_clusters(cc: ConstrainedClusters, features: pd.DataFrame) -> dict[str, int]:
    """Run the three passes in order; returns how many merges each made."""
    rows = features.to_dict("records")
    counts = {"name_merges": _same_name(cc, rows), "initial_merges": _initials(cc, rows)}
    counts["context_merges"] = _companions(cc, rows) if "record_id" in features else 0
    return counts


def _full(row: dict[str, Any]) -> bool:
    f = row.get("forename")
    return bool(f) and len(f) > 1 and bool(row.get("surname_key")) and not row["name_only"]


def _anchored(cc: ConstrainedClusters, rows: list[dict[str, Any]]) -> set[Hashable]:
    out = set()
    for row in rows:
        if row.get("dob_y") or row.get("ids"):
            out.add(cc.find(int(row["unique_id"])))
    return out


def _link_group(cc: ConstrainedClusters, roots: list[Hashable], how: str, p: float) -> int:
    merged = 0
    head = roots[0]
    for other in roots[1:]:
        if cc.find(head) != cc.find(other) and cc.union(head, other, p, how):
            merged += 1
    return merged


def _same_name(cc: ConstrainedClusters, rows: list[dict[str, Any]]) -> int:
    anchored = _anchored(cc, rows)
    by_name: dict[str, set[Hashable]] = defaultdict(set)
    for row in rows:
        if _full(row) and row.get("forename_key"):
            key = f"{row['forename_key']} {row['surname_key']}"
            by_name[key].add(cc.find(int(row["unique_id"])))
    merged = 0
    for roots in by_name.values():
        if len(roots) < 2:
            continue
        anchors = sorted(r for r in roots if r in anchored)
        if len(anchors) > 1:
            continue
        weak = sorted(r for r in roots if r not in anchored)
        merged += _link_group(cc, anchors + weak, "name", NAME_STRENGTH)
    return merged


def _initials(cc: ConstrainedClusters, rows: list[dict[str, Any]]) -> int:
    fkeys: dict[tuple[str, str], set[str]] = defaultdict(set)  # (surname key, initial)
    roots: dict[tuple[str, str], set[Hashable]] = defaultdict(set)
    for row in rows:
        if _full(row):
            key = (row["surname_key"], row["forename"][0])
            fkeys[key].add(row["forename_key"])
            roots[key].add(cc.find(int(row["unique_id"])))
    merged = 0
    for row in rows:
        f, s = row.get("forename"), row.get("surname_key")
        if not f or len(f) != 1 or not s or row["name_only"]:
            continue
        key = (s, f)
        if len(fkeys.get(key, ())) != 1:
            continue
        targets = {cc.find(r) for r in roots[key]}
        if len(targets) == 1:
            (target,) = targets
            uid = int(row["unique_id"])
            if cc.find(uid) != target and cc.union(target, uid, NAME_STRENGTH, "name"):
                merged += 1
    return merged


def _single_name(row: dict[str, Any]) -> tuple[str, str] | None:
    """('forename_key' or 'surname_key', key) for a mention written with one name only."""
    if not row["name_only"]:
        return None
    if row.get("forename_key") and not row.get("surname_key"):
        return ("forename_key", row["forename_key"])
    if row.get("surname_key") and not row.get("forename_key"):
        return ("surname_key", row["surname_key"])
    return None


def _companions(cc: ConstrainedClusters, rows: list[dict[str, Any]]) -> int:
    by_record: dict[Any, list[int]] = defaultdict(list)
    for row in rows:
        if row.get("record_id") is not None:
            by_record[row["record_id"]].append(int(row["unique_id"]))
    bearers: dict[tuple[str, str], set[Hashable]] = defaultdict(set)
    for row in rows:
        if row["name_only"]:
            continue
        for col in ("forename_key", "surname_key"):
            if row.get(col):
                bearers[(col, row[col])].add(cc.find(int(row["unique_id"])))
    root0 = {int(row["unique_id"]): cc.find(int(row["unique_id"])) for row in rows}
    # Which entities appear in a record beside which (as of the clusters before this pass).
    beside: dict[Hashable, set[Hashable]] = defaultdict(set)
    for members in by_record.values():
        roots = {root0[m] for m in members}
        for r in roots:
            beside[r] |= roots - {r}
    merged = 0
    for row in rows:
        single = _single_name(row)
        if single is None or row.get("record_id") is None:
            continue
        uid = int(row["unique_id"])
        own = root0[uid]
        mates = {root0[m] for m in by_record[row["record_id"]]} - {own}
        fits = {c for c in bearers.get(single, ()) if c != own and beside[c] & mates}
        if len(fits) == 1:
            (target,) = fits
            if cc.find(target) != cc.find(uid) and cc.union(target, uid, CONTEXT_STRENGTH, "context"):
                merged += 1
    return merged
