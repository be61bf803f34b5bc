"""After the model: join what it left apart when the rest of the store makes it unambiguous.

Passes over the clusters the identifiers, decisions and the model produced. Each links only
when exactly **one** cluster fits, and every link still goes through the constrained
clustering (conflicting identifiers, analysts' `different` decisions and birth years more
than two years apart are refused exactly as for model links). A cluster is *anchored* when
a member has a date of birth or a strong identifier: a known person, never moved as a bloc.

- `same_phone` (on, `how = "context"`): clusters holding the same phone number join when at
  most one is anchored and a name in each is close (Jaro-Winkler >= 0.9 on any forename or
  surname, either way round): "A Mohammed" and "M Anwar" on Mohammed Anwar's mobile; never
  two fully named people whose forenames differ (Lauren and Leanne on a family landline).
- `similar_name` (on, `how = "name"`): a fully named mention in an unanchored cluster joins
  the one cluster one typing slip away: the same forename key and a surname one
  Damerau-Levenshtein edit away (Ikbal/Ikbl), or the same surname key and a forename one
  edit away (Afil/Adil); names of four letters or more; never when something written in
  either cluster tells them apart (a postcode in another sector, phones with none in
  common, another sex).
- `same_name` (off): per "forename surname" key, unanchored clusters join the one anchored
  cluster (or each other when none is anchored).
- `initials` (on, `how = "name"`): "A SHAH" joins the one cluster whose surname key
  matches and whose forename begins with that letter, when exactly one forename key fits.
- `companions` (on, `how = "context"`): a forename-only mention ("Peter", "Mo") joins the
  entity bearing that forename (or a nickname of it) that shares the most other records
  with the people beside this mention in its own record, when it is the only such bearer
  or shares at least COMPANION_MARGIN (3) times as many records as the next: "Mo" found
  with a child joins the Mohammed found with her in six other episodes, not the one seen
  with her once. A name alone still never merges anything.

- `same_post` (on, `how = "context"`): mentions in the same post (source, a POST_ROLES
  role, the record's event place: a school's staff member) whose names agree join. Alone
  it widens the South Asian gap past its bar on city 11 (-0.023); with `same_birth_date`
  after it the gap stays within (-0.018; docs/resolution.md).
- `same_birth_date` (on, `how = "context"`, last): a named mention with a full date of
  birth joins the one other cluster holding a mention born that day whose name fits (the
  same keys, one slip, swapped, or one part of the other): "Srah Jones" and Sarah Jones,
  "Mohd Sadiq" and Mohammed Siddiq, "Steve" and Steven Johnson. It moves known people:
  a date of birth both clusters hold is what it reads, and the constrained clustering
  still refuses conflicting identifiers and `different` decisions.

`same_name`, off, raises recall on the quality city but widens the South Asian recall gap
past its bar (docs/resolution.md): the full names it resolves are mostly those of people
with one unambiguous name in the city, while "Mohammed Khan" may be any of several, which
no rule here can tell apart. `initials` widens the gap on city 11 too (-0.011 to -0.015),
within the bar, and narrows it on cities 12 and 13.
Only names, dates of birth, phones, identifiers and which records mentions share are read:
never ethnicity, religion or nationality.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Hashable
from functools import lru_cache
from typing import Any, NamedTuple

import jellyfish
import pandas as pd

from joinedup.resolve.cluster import ConstrainedClusters

# The columns the passes read: a million mentions' rows of every column would be gigabytes.
_READ = (
    "unique_id", "forename", "forename_key", "forename_keys", "surname", "surname_key",
    "name_only", "dob_y", "dob", "ids", "phones", "postcode", "sex", "record_id", "post",
    "extracted",
)  # fmt: skip
COMPANION_MARGIN = 3  # a bearer wins over others when it shares this many times the records
NAME_STRENGTH = 0.8  # stored as the link's probability: at the model's threshold, no higher
CONTEXT_STRENGTH = 0.8


def complete_clusters(
    cc: ConstrainedClusters, features: pd.DataFrame, passes: tuple[str, ...] | None = None
) -> dict[str, int]:
    """Run the enabled passes in order; returns how many merges each made."""
    rows = features[[c for c in _READ if c in features]].to_dict("records")
    counts: dict[str, Any] = {}
    for name in PASSES if passes is None else passes:
        if name == "companions" and "record_id" not in features:
            continue
        started = time.perf_counter()
        counts[f"{name}_merges"] = int(_PASSES[name](cc, rows))
        counts[f"{name}_seconds"] = round(time.perf_counter() - started, 2)
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
        weak = sorted(r for r in roots if r not in anchored)
        if len(anchors) <= 1:  # two known people share the name: join nothing
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
    anchored = _anchored(cc, rows)
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
            if cc.find(uid) in anchored:  # a known person of its own: not moved as a bloc
                continue
            if cc.find(uid) != target and cc.union(target, uid, NAME_STRENGTH, "name"):
                merged += 1
    return merged


def _similar_name(cc: ConstrainedClusters, rows: list[dict[str, Any]]) -> int:
    """A fully named mention in a cluster with no date of birth and no identifier joins the
    one cluster with a fully named member one typing slip away: the same forename key and
    a surname one edit away (Ikbal/Ikbl), or the same surname key and a forename one edit
    away (Afil/Adil), names of four letters or more, when exactly one cluster fits."""
    # (the other part's key, a name with at most one letter dropped) -> (name, mentions):
    # two names one edit apart always share such a variant, so only those are compared
    # (without it this pass compared every pair of surnames under one forename).
    # Each distinct name is indexed and tested once, then its mentions (a common name is
    # thousands at a million mentions).
    fs_names: dict[tuple[str, str], list[int]] = defaultdict(list)  # (forename key, surname)
    sf_names: dict[tuple[str, str], list[int]] = defaultdict(list)  # (surname key, forename)
    for row in rows:
        if _full(row) and row.get("forename_key"):
            uid = int(row["unique_id"])
            fs_names[(row["forename_key"], row["surname"])].append(uid)
            sf_names[(row["surname_key"], row["forename"])].append(uid)
    by_forename: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(dict)
    by_surname: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(dict)
    for names, index in ((fs_names, by_forename), (sf_names, by_surname)):
        for (key, name), uids in names.items():
            for variant in _deletes(name):
                index[(key, variant)][name] = uids
    anchored = _anchored(cc, rows)
    byid = {int(row["unique_id"]): row for row in rows}
    members: dict[Hashable, list[int]] = defaultdict(list)
    for m in byid:
        members[cc.find(m)].append(m)
    merged = 0
    # The mentions one slip away from a name, by what `_elsewhere` reads of them; then,
    # per name and what `_elsewhere` reads of the mention, those nothing tells apart.
    slips: dict[tuple[Any, ...], dict[tuple[Any, ...], list[int]]] = {}
    near_by: dict[tuple[Any, ...], list[int]] = {}
    for row in rows:
        if not _full(row) or not row.get("forename_key"):
            continue
        uid, forename, surname = int(row["unique_id"]), row["forename"], row["surname"]
        here = byid[uid]
        own = cc.find(uid)
        if own in anchored:
            continue
        name_key = (forename, surname, row["forename_key"], row["surname_key"])
        told = _signature(here)
        near = near_by.get((name_key, told))
        if near is None:
            found = slips.get(name_key)
            if found is None:
                found = slips[name_key] = defaultdict(list)
                for own_name, index, key in (
                    (surname, by_forename, row["forename_key"]),
                    (forename, by_surname, row["surname_key"]),
                ):
                    if len(own_name) < 4:
                        continue
                    for variant in _deletes(own_name):
                        for name, others in index.get((key, variant), {}).items():
                            if len(name) >= 4 and _one_edit(name, own_name):
                                for other in others:
                                    found[_signature(byid[other])].append(other)
            near = near_by[(name_key, told)] = [
                other for sig, others in found.items() if not _apart(told, sig) for other in others
            ]
        fits = {cc.find(other) for other in near}
        fits -= {own}
        if len(fits) != 1:
            continue
        (target,) = fits
        # nothing written in either cluster may tell them apart, not only in the two names
        mine, theirs = (_written(byid, members.get(r, ())) for r in (own, target))
        if any(_elsewhere(x, y) for x in mine for y in theirs):
            continue
        if cc.union(target, uid, NAME_STRENGTH, "name"):
            merged += 1
            root = cc.find(uid)
            joined = members.pop(own, []) + members.pop(target, [])
            members[root] = joined
    return merged


def _signature(row: dict[str, Any]) -> tuple[Any, Any, Any]:
    """What `_elsewhere` reads of a mention: postcode sector, phones, sex (None if empty)."""
    pc, phones, sex = row.get("postcode"), row.get("phones"), row.get("sex")
    return (
        pc[:-2] if pc else None,
        frozenset(phones) if phones is not None and len(phones) else None,
        sex if sex else None,
    )


def _apart(a: tuple[Any, Any, Any], b: tuple[Any, Any, Any]) -> bool:
    """Whether two mentions' signatures tell them apart (see `_elsewhere`)."""
    (pa, fa, sa), (pb, fb, sb) = a, b
    if pa is not None and pb is not None and pa != pb:
        return True
    if fa is not None and fb is not None and not fa & fb:
        return True
    return sa is not None and sb is not None and sa != sb


def _written(byid: dict[int, dict[str, Any]], members: Any) -> list[dict[str, Any]]:
    """What _elsewhere reads of a cluster's members, each different combination once."""
    seen = {}
    for m in members:
        row = byid[m]
        phones = row.get("phones")
        phones = tuple(sorted(phones)) if phones is not None and len(phones) else None
        pc = row.get("postcode")
        key = (pc[:-2] if pc else None, phones, row.get("sex"))
        seen.setdefault(key, {"postcode": pc, "phones": phones, "sex": row.get("sex")})
    return list(seen.values())


def _elsewhere(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two mentions that something written in both tells apart: postcodes in different
    sectors (a UK sector: all but the last two characters; "4223": its first two digits),
    phone numbers with none in common, or different sexes: another person's name, not a
    typing slip."""
    return _apart(_signature(a), _signature(b))


@lru_cache(maxsize=1 << 18)
def _deletes(name: str) -> frozenset[str]:
    """The name and every form of it with one letter dropped (once per distinct name)."""
    return frozenset({name} | {name[:i] + name[i + 1 :] for i in range(len(name))})


def _one_edit(a: str, b: str) -> bool:
    return (
        a != b and abs(len(a) - len(b)) <= 1 and jellyfish.damerau_levenshtein_distance(a, b) <= 1
    )


def _sizes(cc: ConstrainedClusters, rows: list[dict[str, Any]]) -> dict[Hashable, int]:
    size: dict[Hashable, int] = defaultdict(int)
    for row in rows:
        size[cc.find(int(row["unique_id"]))] += 1
    return size


def _same_phone(cc: ConstrainedClusters, rows: list[dict[str, Any]]) -> int:
    """Clusters holding the same phone number join when at most one of them is anchored (a
    date of birth or an identifier) and a name written in each is close to a name written
    in the one they join (Jaro-Winkler >= 0.9 on any forename or surname, either way
    round): "A Mohammed" and "M Anwar" on Mohammed Anwar's number."""
    anchored = _anchored(cc, rows)
    holders: dict[str, set[Hashable]] = defaultdict(set)
    names: dict[Hashable, set[str]] = defaultdict(set)
    forenames: dict[Hashable, set[str]] = defaultdict(set)
    for row in rows:
        root = cc.find(int(row["unique_id"]))
        for name in (row.get("forename"), row.get("surname")):
            if name and len(name) > 1:
                names[root].add(name)
        if row.get("forename") and len(row["forename"]) > 1 and row.get("surname"):
            forenames[root].add(row["forename"])
        for phone in row.get("phones") if row.get("phones") is not None else ():
            holders[phone].add(root)
    merged = 0
    for roots in holders.values():
        if len(roots) < 2:
            continue
        anchors = sorted(r for r in roots if r in anchored)
        if len(anchors) > 1:
            continue
        weak = sorted(r for r in roots if r not in anchored)
        head, rest = (anchors[0], weak) if anchors else (weak[0], weak[1:])
        for other in rest:
            close = any(
                jellyfish.jaro_winkler_similarity(x, y) >= 0.9
                for x in names[other]
                for y in names[head]
            )
            # two fully named people whose forenames differ (Lauren and Leanne Williams on
            # the family's landline) are two people, whatever surname they share
            fo, fh = forenames[other], forenames[head]
            apart = bool(fo and fh) and not any(
                jellyfish.jaro_winkler_similarity(x, y) >= 0.9 for x in fo for y in names[head]
            )
            if close and not apart and cc.find(head) != cc.find(other):
                merged += cc.union(head, other, CONTEXT_STRENGTH, "context")
    return merged


def _single_name(row: dict[str, Any]) -> list[tuple[str, str]]:
    """The keys of a mention written with a forename only (its nickname keys too: "Mo" is
    borne by every Mohammed), or [] for any other mention."""
    if not row["name_only"]:
        return []
    if row.get("forename_key") and not row.get("surname_key"):
        keys = row.get("forename_keys")
        keys = list(keys) if keys is not None and len(keys) else [row["forename_key"]]
        return [("forename", k) for k in keys]
    return []  # a surname alone ("PC Shah") is shared by a whole family: never enough


def _bearers(cc: ConstrainedClusters, rows: list[dict[str, Any]]) -> dict[Any, set[Hashable]]:
    """(name kind, key) -> the clusters with a fully named member bearing it."""
    out: dict[tuple[str, str], set[Hashable]] = defaultdict(set)
    for row in rows:
        if row["name_only"] or not row.get("forename_key") or not row.get("surname_key"):
            continue
        root = cc.find(int(row["unique_id"]))
        keys = row.get("forename_keys")
        for key in {row["forename_key"], *(keys if keys is not None else ())}:
            out[("forename", key)].add(root)
    return out


def _companions(cc: ConstrainedClusters, rows: list[dict[str, Any]]) -> int:
    by_record: dict[Any, list[int]] = defaultdict(list)
    for row in rows:
        if row.get("record_id") is not None:
            by_record[row["record_id"]].append(int(row["unique_id"]))
    bearers = _bearers(cc, rows)
    root0 = {int(row["unique_id"]): cc.find(int(row["unique_id"])) for row in rows}
    # How many records each entity shares with each other one (clusters before this pass).
    beside: dict[Hashable, Counter[Hashable]] = defaultdict(Counter)
    for members in by_record.values():
        roots = {root0[m] for m in members}
        for r in roots:
            beside[r].update(roots - {r})
    size: dict[Hashable, int] = defaultdict(int)
    for root in root0.values():
        size[root] += 1
    merged = 0
    for row in rows:
        names = _single_name(row)
        if not names or row.get("record_id") is None:
            continue
        uid = int(row["unique_id"])
        own = root0[uid]
        if size[own] > 1:  # already joined to others (an identifier): not moved as a bloc
            continue
        mates = {root0[m] for m in by_record[row["record_id"]]} - {own}
        named = set().union(*(bearers.get(n, set()) for n in names)) - {own}
        # each bearer's evidence: the records it shares with this mention's companions
        # (read from the companions' side: a common forename has thousands of bearers)
        evidence: Counter[Hashable] = Counter()
        for m in mates:
            for c, n in beside[m].items():
                if c in named:
                    evidence[c] += n
        shared = sorted(((n, c) for c, n in evidence.items() if n > 0), key=lambda x: -x[0])
        if not shared:
            continue
        best, target = shared[0]
        runner_up = shared[1][0] if len(shared) > 1 else 0
        if runner_up and best < COMPANION_MARGIN * runner_up:
            continue  # two bearers fit about as well: leave it to an analyst
        if cc.find(target) != cc.find(uid) and cc.union(target, uid, CONTEXT_STRENGTH, "context"):
            merged += 1
    return merged


def _same_post(cc: ConstrainedClusters, rows: list[dict[str, Any]]) -> int:
    """Mentions in the same post (one source, one role of POST_ROLES, one place: a school's
    staff member raising concerns there) join when their names agree: the same forename
    key and the same surname key or a surname one typing slip away (Hussein/Husseni); an
    initial ("H Smith") joins the one full forename at that post beginning with it (with
    no full forename there, the same initial and surname join). At most one cluster in a
    group may be anchored, and nothing written in two mentions may tell them apart."""
    anchored = _anchored(cc, rows)
    posts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row.get("post") and row.get("forename") and row.get("surname") and not row["name_only"]:
            posts[row["post"]].append(row)
    merged = 0
    for members in posts.values():
        if len(members) > 1:
            for person in _people_at_post(members):
                merged += _join_post(cc, person, anchored)
    return merged


def _people_at_post(members: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The mentions at one post, grouped into the people their names say they are."""
    named: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    initials: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in members:
        if len(row["forename"]) > 1 and row.get("forename_key") and row.get("surname_key"):
            named[(row["forename_key"], row["surname_key"])].append(row)
        elif row.get("surname_key"):
            initials[(row["forename"][0], row["surname_key"])].append(row)
    # A surname one slip away under the same forename: the same person, when only one fits.
    keys = sorted(named, key=lambda k: -len(named[k]))
    for key in keys:
        if key not in named:
            continue
        for other in keys:
            if other == key or other not in named or other[0] != key[0]:
                continue
            sa, sb = named[key][0]["surname"], named[other][0]["surname"]
            slips = [k for k in named if k != other and k[0] == other[0]]
            if len(sa) >= 4 and len(sb) >= 4 and _one_edit(sa, sb) and len(slips) == 1:
                named[key].extend(named.pop(other))
    people = list(named.values())
    for (letter, skey), those in initials.items():
        fits = [k for k in named if k[0] and k[1] == skey and named[k][0]["forename"][0] == letter]
        if len(fits) == 1:
            named[fits[0]].extend(those)
        elif not any(k[1] == skey for k in named):
            people.append(those)
    return people


def _join_post(cc: ConstrainedClusters, person: list[dict[str, Any]], anchored: set[Any]) -> int:
    roots = sorted({cc.find(int(row["unique_id"])) for row in person})
    if len(roots) < 2 or sum(1 for r in roots if r in anchored) > 1:
        return 0
    if any(_elsewhere(a, b) for i, a in enumerate(person) for b in person[i + 1 :]):
        return 0
    anchors = [r for r in roots if r in anchored]
    weak = [r for r in roots if r not in anchored]
    return _link_group(cc, anchors + weak, "context", CONTEXT_STRENGTH)


def _same_birth_date(cc: ConstrainedClusters, rows: list[dict[str, Any]]) -> int:
    """A named mention with a full date of birth (the day known) joins the **one** other
    cluster holding a mention born that very day whose name fits its own (`_fits`): "Srah
    Jones" and Sarah Jones, "Mohd Sadiq" and Mohammed Siddiq, "Steve" and Steven Johnson.
    Two clusters that fit ("J Smith" born the day twins Jack and Jane Smith were) join
    neither; a month or a year alone is never enough. Mentions extracted from free text are
    not read."""
    born: dict[str, list[int]] = defaultdict(list)
    names: dict[int, _Name] = {}
    for row in rows:
        name = _name_of(row)
        if row.get("dob") and name is not None and not row.get("extracted"):
            uid = int(row["unique_id"])
            born[row["dob"]].append(uid)
            names[uid] = name
    merged = 0
    for members in born.values():
        if len(members) > 1:
            merged += _join_born(cc, members, names)
    return merged


def _join_born(cc: ConstrainedClusters, members: list[int], names: dict[int, _Name]) -> int:
    """`_same_birth_date` over the mentions born one day: each joins the one other cluster
    whose name fits. A date many mentions share (a much-recorded child) costs each distinct
    name and cluster once between merges, and the search stops at a second cluster."""
    by_name: dict[_Name, list[int]] = defaultdict(list)
    for uid in members:
        by_name[names[uid]].append(uid)
    merged = 0
    seen: set[tuple[_Name, Hashable]] = set()  # nothing fitted, since the last merge
    for uid in members:
        name, own = names[uid], cc.find(uid)
        if (name, own) in seen:
            continue
        fits: set[Hashable] = set()
        for other_name, others in by_name.items():
            if len(fits) > 1:
                break
            if _fits(name, other_name):
                fits.update(r for r in map(cc.find, others) if r != own)
        if len(fits) == 1 and cc.union(own, fits.pop(), CONTEXT_STRENGTH, "context"):
            merged += 1
            seen.clear()
        else:
            seen.add((name, own))
    return merged


class _Name(NamedTuple):
    """A mention's written name and its keys: what `_fits` compares."""

    forename: str | None  # "a" for an initial
    forename_keys: frozenset[str]  # the spelling group and every nickname group
    surname: str | None
    surname_keys: frozenset[str]


def _name_of(row: dict[str, Any]) -> _Name | None:
    """A mention's `_Name`, or None when it has neither a forename nor a surname."""
    forename, surname = row.get("forename") or None, row.get("surname") or None
    if forename is None and surname is None:
        return None
    keys = row.get("forename_keys")
    fkeys = {row.get("forename_key"), *(keys if keys is not None else ())}
    return _Name(
        forename,
        frozenset(k for k in fkeys if k),
        surname,
        frozenset({row["surname_key"]} if row.get("surname_key") else ()),
    )


def _near(a: str, akeys: frozenset[str], b: str, bkeys: frozenset[str]) -> bool:
    """Two name parts that may be one: a key in common (a spelling or a nickname: Mohd and
    Mohammed, Sadiq and Siddiq, Steve and Steven), the same letters, or one
    Damerau-Levenshtein slip between names of three letters or more (Srah and Sarah)."""
    if akeys & bkeys or a == b:
        return True
    return len(a) >= 3 and len(b) >= 3 and _one_edit(a, b)


@lru_cache(maxsize=1 << 16)
def _fits(a: _Name, b: _Name) -> bool:
    """Whether two written names may be one person's: forename and surname each `_near`
    (or the two swapped), when both are written in full; an initial and a forename it
    begins, with the surname `_near`; or one part of the other ("Steve" fits Steven
    Johnson, and so does "Johnson"; "Steve" and "Johnson" alone never fit each other)."""
    f1, f2, s1, s2 = a.forename, b.forename, a.surname, b.surname
    surnames = s1 is not None and s2 is not None and _near(s1, a.surname_keys, s2, b.surname_keys)
    if (f1 is not None and len(f1) == 1) or (f2 is not None and len(f2) == 1):
        return surnames and f1 is not None and f2 is not None and f1[0] == f2[0]
    if f1 is not None and f2 is not None:
        forenames = _near(f1, a.forename_keys, f2, b.forename_keys)
        if s1 is None or s2 is None:  # one of them a forename alone
            return forenames
        swapped = _near(f1, a.forename_keys, s2, b.surname_keys) and _near(
            s1, a.surname_keys, f2, b.forename_keys
        )
        return (forenames and surnames) or swapped
    return surnames  # one of them a surname alone (or neither has a forename)


_PASSES = {
    "same_phone": _same_phone,
    "same_name": _same_name,
    "similar_name": _similar_name,
    "initials": _initials,
    "companions": _companions,
    "same_post": _same_post,
    "same_birth_date": _same_birth_date,
}
# Enabled by default: those that, together, raise recall without widening the South Asian
# gap past its bar on the quality cities (docs/resolution.md, "After the model"):
# `same_post` without `same_birth_date` passes the bar on city 11.
PASSES: tuple[str, ...] = (
    "same_phone",
    "similar_name",
    "initials",
    "companions",
    "same_post",
    "same_birth_date",
)
