"""How far the records allow person resolution to go: oracle clusterings by tier of evidence.

    python benchmarks/person_ceiling.py --seeds 11 12 13
    python benchmarks/person_ceiling.py --db sqlite:///city11.db --truth city11/truth

For each seeded city (`generate_city(seed=S, children=300, months=12)`, default noise,
ingested into a fresh SQLite store as tests/quality/conftest.py does, then
`resolve_all(full=True)`), or for one store already resolved, every structured person
mention (those `joinedup evaluate` scores) is labelled with its true person. Oracle
clusterings are then built that never join two true people (precision 1.0 by
construction): two mentions of one true person are linked only when what the stored
mentions hold (the normalised values the resolver reads, `person_features`) tells that
person apart from the others. Tiers are cumulative; a true person's mentions are joined
by union-find over the tier's links (components), never across people:

- T0: a shared strong identifier (NHS number, PNC id, child ref, UPN, licence, local id,
  collar number), as `strong_identifiers` reads them.
- T1: + the same full name (a forename key in common, counting nickname keys, and the
  same surname key; forenames of two letters or more) and at least one of: the same date
  of birth at the precision both hold (day, else month, else year), a phone in common,
  the same postcode and house number.
- T2: + the same full name where that written name fits only ONE true person in the city.
- T3: + forename-only, surname-only and initial mentions ("Mo", "Davies", "A SHAH") whose
  written form (with its spelling and nickname keys) fits only ONE true person in the
  city; such a mention links to that person's mentions the form fits.
- T4: + a name (partial or full) that fits several people in the city but only ONE among
  the people seen in a record with any of the people beside the mention in its own record
  (its companions); it links to that person's fitting mentions that share a companion.

T0-T4 compare names by their keys only. Three more tiers take the evidence the resolver's
own model and passes read (`similar_name`, `same_phone`, `initials`, `same_post`): names
that *fit* ("near": the same key, one slip (Damerau-Levenshtein 1, three letters or more),
forename and surname swapped, or one part of the other: "Sarah" fits "Sarah Wilson",
"S WILSON" fits both):

- T5: + a near name only ONE of the people sharing a date of birth (at the precision both
  hold), a phone or a postcode and house number with the mention fits ("Srah Wilson" and
  "Sarah Wilson" born the same day; "Sarah" on Sarah Wilson's mobile).
- T6: + a near name only ONE true person in the city fits, or only one among the people
  seen with the mention's companions (T2-T4 with near names).
- T7: + a near name only ONE of the people in the same post fits (one source, a `staff` or
  `reporting_person` role, one event place: `features._post`, what `same_post` reads).
- T8 (a guess, not proof): + of several people a near name fits, the one seen with the
  mention's companions in at least COMPANION_MARGIN (3) times as many other records as the
  next, as the `companions` pass guesses; the oracle links only when the guess is the
  right person, and counts how often it is not (T8_guesses_right / T8_guesses_wrong).

"Fits only one true person" counts true people with the truth labels: that is the
ceiling's generosity (a resolver does not know how many people share a name, only how
many clusters it has made). Everything else a link needs is in the stored mentions.
Mentions extracted from free text are neither scored (as in `joinedup evaluate`) nor used.

For the resolver's output on the same store, each true pair it left apart is put in the
first tier at which the oracle links it (or "none": no tier links it), and the true pairs
it did link that no tier supports are counted ("beyond_evidence"). "resolver_plus_tier"
is the recall of the resolver's correct links together with every link of a tier (what
fixing every loss up to that tier would give; its wrong merges split off), and B-cubed F1
at the resolver's own B-cubed precision. Prints one JSON object: per seed, the mean over
seeds, and the missed pairs summed over seeds.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import Any

import jellyfish
import pandas as pd

from joinedup.evaluate import load_truth
from joinedup.evaluate.labels import label_mentions
from joinedup.evaluate.metrics import pairs
from joinedup.evaluate.resolution import score_clustering
from joinedup.evaluate.store_view import resolution_output, stored_mentions
from joinedup.evaluate.thresholds import south_asian_gap
from joinedup.evaluate.truth import Truth
from joinedup.resolve.aliases import load_aliases
from joinedup.resolve.persons.context import COMPANION_MARGIN
from joinedup.resolve.persons.features import person_features, read_person_rows
from joinedup.store import make_engine

TIERS = ("T0", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8")
CITY = {"children": 300, "months": 12}


class _Union:
    def __init__(self, items: Iterable[int]) -> None:
        self.parent = {i: i for i in items}

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def union_all(self, items: Iterable[int]) -> None:
        first = None
        for i in items:
            if first is None:
                first = i
            else:
                self.union(first, i)


def build_city(seed: int, folder: Path) -> tuple[str, Path]:
    """Generate, ingest (as tests/quality/conftest.py does) and resolve one city."""
    from joinedup.ingest.batch import ingest_file, plan_paths
    from joinedup.resolve import resolve_all
    from joinedup.store import migrate
    from joinedup.synth import generate_city

    city = folder / f"city{seed}"
    generate_city(seed=seed, out_dir=city, **CITY)
    url = f"sqlite:///{folder / f'city{seed}.db'}"
    engine = make_engine(url)
    migrate(engine)
    for pf in plan_paths([city], None):
        ingest_file(engine, pf.path, pf.spec, actor="benchmark.ceiling")
    resolve_all(engine, "benchmark.ceiling", full=True)
    engine.dispose()
    return url, city / "truth"


# --- what each mention's written name is ---------------------------------------------


def _form(row: Any) -> tuple[str, frozenset[str]] | None:
    """("full" | "fore" | "sur" | "initial", keys) of a mention's written name."""
    fore, sk = row.forename, row.surname_key
    fkeys = frozenset(row.forename_keys or ())
    if fore and len(fore) > 1 and sk:
        return "full", frozenset(f"{fk}|{sk}" for fk in fkeys)
    if fore and len(fore) == 1 and sk:
        return "initial", frozenset({f"{sk}|{fore}"})
    if fore and len(fore) > 1:
        return "fore", fkeys
    if sk:
        return "sur", frozenset({sk})
    return None


def _fits_keys(row: Any) -> dict[str, frozenset[str]]:
    """The keys under which a mention is a candidate for each kind of written form."""
    fore, sk = row.forename, row.surname_key
    fkeys = frozenset(row.forename_keys or ())
    out: dict[str, frozenset[str]] = {}
    if fore and len(fore) > 1 and sk:
        out["full"] = frozenset(f"{fk}|{sk}" for fk in fkeys)
    if fore and sk:
        out["initial"] = frozenset({f"{sk}|{fore[:1]}"})
    if fore and len(fore) > 1:
        out["fore"] = fkeys
    if sk:
        out["sur"] = frozenset({sk})
    return out


def _dob_agrees(a: Any, b: Any) -> bool:
    for col in ("dob", "dob_ym", "dob_y"):
        if a[col] and b[col]:
            return bool(a[col] == b[col])
    return False


def _strong_agree(a: Any, b: Any) -> bool:
    if _dob_agrees(a, b):
        return True
    if a["phones"] and b["phones"] and set(a["phones"]) & set(b["phones"]):
        return True
    return bool(
        a["postcode"]
        and a["house_number"]
        and a["postcode"] == b["postcode"]
        and a["house_number"] == b["house_number"]
    )


# --- the oracle ----------------------------------------------------------------------


def oracle_components(
    feats: pd.DataFrame, label: dict[int, str], notes: dict[str, int] | None = None
) -> dict[str, dict[int, int]]:
    """{tier: {mention id: component}} for the labelled structured mentions; `notes` gets
    how often T8's guess picks the mention's own person and how often another."""
    ids = [int(i) for i in feats.unique_id if int(i) in label]
    rows = {int(r.unique_id): r for r in feats.itertuples(index=False) if int(r.unique_id) in label}
    dicts = {i: rows[i]._asdict() for i in ids}
    by_person: dict[str, list[int]] = defaultdict(list)
    for i in ids:
        by_person[label[i]].append(i)
    form = {i: _form(rows[i]) for i in ids}
    fits = {i: _fits_keys(rows[i]) for i in ids}
    # who holds each key, per kind of written form: {kind: {key: {person}}}
    holders: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for i in ids:
        for kind, keys in fits[i].items():
            for k in keys:
                holders[kind][k].add(label[i])

    def fitting(i: int, person: str) -> list[int]:
        """The mentions of `person` that mention i's written form fits (i itself too)."""
        kind, keys = form[i]  # type: ignore[misc]
        return [j for j in by_person[person] if fits[j].get(kind, frozenset()) & keys]

    def who_fits(i: int) -> set[str]:
        kind, keys = form[i]  # type: ignore[misc]
        return set().union(*(holders[kind].get(k, set()) for k in keys))

    uf = _Union(ids)
    out: dict[str, dict[int, int]] = {}

    # T0: strong identifiers
    for group in by_person.values():
        by_id: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i in group:
            for kind, value in (rows[i].ids or {}).items():
                by_id[(kind, value)].append(i)
        for members in by_id.values():
            uf.union_all(members)
    out["T0"] = {i: uf.find(i) for i in ids}

    # T1: the same full name and a date of birth, phone or house in common
    for group in by_person.values():
        by_name: dict[str, list[int]] = defaultdict(list)
        for i in group:
            if form[i] and form[i][0] == "full":  # type: ignore[index]
                for k in form[i][1]:  # type: ignore[index]
                    by_name[k].append(i)
        for members in by_name.values():
            for x, a in enumerate(members):
                for b in members[x + 1 :]:
                    if uf.find(a) != uf.find(b) and _strong_agree(dicts[a], dicts[b]):
                        uf.union(a, b)
    out["T1"] = {i: uf.find(i) for i in ids}

    # T2: a full name only one true person in the city holds
    fitted: dict[int, set[str]] = {i: who_fits(i) for i in ids if form[i]}
    for i in ids:
        if form[i] and form[i][0] == "full" and len(fitted[i]) == 1:  # type: ignore[index]
            uf.union_all(fitting(i, label[i]))
    out["T2"] = {i: uf.find(i) for i in ids}

    # T3: a forename, surname or initial only one true person in the city fits
    for i in ids:
        if form[i] and form[i][0] != "full" and len(fitted[i]) == 1:  # type: ignore[index]
            uf.union_all(fitting(i, label[i]))
    out["T3"] = {i: uf.find(i) for i in ids}

    # T4: a name only one of the people seen with this mention's companions fits
    record_of = {i: rows[i].record_id for i in ids}
    in_record: dict[Any, set[str]] = defaultdict(set)
    for i in ids:
        in_record[record_of[i]].add(label[i])
    records_of_person: dict[str, set[Any]] = defaultdict(set)
    for i in ids:
        records_of_person[label[i]].add(record_of[i])

    def seen_with(i: int) -> tuple[set[Any], set[str]]:
        """The records of the people beside mention i in its own record, and the people
        in those records (its companions left out): whom its companions are seen with."""
        companions = in_record[record_of[i]] - {label[i]}
        shared = set().union(*(records_of_person[c] for c in companions))
        return shared, set().union(*(in_record[r] for r in shared)) - companions

    for i in ids:
        if not form[i] or len(fitted[i]) <= 1:
            continue
        shared, pool = seen_with(i)
        if not shared:
            continue
        candidates = fitted[i] & pool
        if candidates == {label[i]}:
            # link to the fitting mentions of this person in a record with a companion
            near = [j for j in fitting(i, label[i]) if record_of[j] in shared]
            uf.union_all([i, *near])
    out["T4"] = {i: uf.find(i) for i in ids}

    # T5: a name that fits (near: one slip, swapped, or part of it) only one of the
    # people sharing a date of birth, a phone or a house with the mention
    names = _Names(rows, ids)
    for is_date, context in _attribute_contexts(dicts, ids):
        for i in context:
            if not form[i]:
                continue
            fit = [
                j
                for j in context
                if j != i
                and (not is_date or _dob_agrees(dicts[i], dicts[j]))
                and names.compat(i, j)
            ]
            if fit and {label[j] for j in fit} == {label[i]}:
                uf.union_all([i, *fit])
    out["T5"] = {i: uf.find(i) for i in ids}

    # T6: a near name only one true person fits, in the city or among the companions
    for i in ids:
        if not form[i]:
            continue
        near = names.candidates(i)
        who = {label[j] for j in near}
        if who == {label[i]}:
            uf.union_all([i, *near])
            continue
        shared, pool = seen_with(i)
        if shared and {p for p in who if p in pool} == {label[i]}:
            uf.union_all([i, *(j for j in near if record_of[j] in shared)])
    out["T6"] = {i: uf.find(i) for i in ids}

    # T7: a near name only one of the people in the same post fits (one source, a
    # staff or reporting role, one event place: `features._post`, what `same_post` reads)
    in_post: dict[str, list[int]] = defaultdict(list)
    for i in ids:
        if rows[i].post:
            in_post[rows[i].post].append(i)
    for members in in_post.values():
        for i in members:
            if not form[i]:
                continue
            fit = [j for j in members if j != i and names.compat(i, j)]
            if fit and {label[j] for j in fit} == {label[i]}:
                uf.union_all([i, *fit])
    out["T7"] = {i: uf.find(i) for i in ids}

    # T8 (a guess, not proof): of several people a near name fits, the one seen with the
    # mention's companions in at least COMPANION_MARGIN times as many other records as
    # the next (what `companions` does); counted right or wrong against the truth
    right = wrong = 0
    for i in ids:
        if not form[i]:
            continue
        companions = in_record[record_of[i]] - {label[i]}
        near = names.candidates(i)
        who = {label[j] for j in near} - companions
        if len(who) < 2 or not companions:
            continue
        shared = set().union(*(records_of_person[c] for c in companions)) - {record_of[i]}
        score = sorted(((len(records_of_person[q] & shared), q) for q in who), reverse=True)
        (best, guess), (second, _) = score[0], score[1]
        if best == 0 or best < COMPANION_MARGIN * second:
            continue
        if guess != label[i]:
            wrong += 1
            continue
        right += 1
        uf.union_all([i, *(j for j in near if label[j] == guess and record_of[j] in shared)])
    out["T8"] = {i: uf.find(i) for i in ids}
    if notes is not None:
        notes.update({"T8_guesses_right": right, "T8_guesses_wrong": wrong})
    return out


def _deletions(word: str) -> set[str]:
    return {word, *(word[:k] + word[k + 1 :] for k in range(len(word)))}


class _Names:
    """Which mentions' written names fit each other: the same key (spelling or nickname),
    one slip (Damerau-Levenshtein 1, names of three letters or more), forename and
    surname swapped, or one part of the other ("Sarah" fits "Sarah Wilson", "S WILSON"
    fits both)."""

    def __init__(self, rows: dict[int, Any], ids: list[int]) -> None:
        self.rows = rows
        self.by_fore: dict[str, set[int]] = defaultdict(set)
        self.by_sur: dict[str, set[int]] = defaultdict(set)
        for i in ids:
            r = rows[i]
            if r.forename and len(r.forename) > 1:
                for tok in self._tokens(r.forename, r.forename_keys):
                    self.by_fore[tok].add(i)
            if r.surname:
                for tok in self._tokens(r.surname, [r.surname_key]):
                    self.by_sur[tok].add(i)

    @staticmethod
    def _tokens(word: str, keys: Iterable[str | None] | None) -> set[str]:
        out = {f"k:{k}" for k in keys or () if k}
        if len(word) >= 3:
            out |= {f"d:{d}" for d in _deletions(word)}
        return out

    @staticmethod
    def _near(a: str, akeys: Iterable[str | None], b: str, bkeys: Iterable[str | None]) -> bool:
        if set(akeys or ()) & set(bkeys or ()) - {None}:
            return True
        if len(a) >= 3 and len(b) >= 3:
            return jellyfish.damerau_levenshtein_distance(a, b) <= 1
        return False

    def _parts(self, i: int) -> tuple[str | None, list[Any], str | None, list[Any]]:
        r = self.rows[i]
        return r.forename, list(r.forename_keys or ()), r.surname, [r.surname_key]

    def compat(self, i: int, j: int) -> bool:
        f1, fk1, s1, sk1 = self._parts(i)
        f2, fk2, s2, sk2 = self._parts(j)
        near = self._near
        init1 = bool(f1) and len(f1 or "") == 1
        init2 = bool(f2) and len(f2 or "") == 1
        full1 = bool(f1) and not init1 and bool(s1)
        full2 = bool(f2) and not init2 and bool(s2)
        fore_ok = (
            bool(f1 and f2) and not init1 and not init2 and near(f1, fk1, f2, fk2)  # type: ignore[arg-type]
        )
        sur_ok = bool(s1 and s2) and near(s1, sk1, s2, sk2)  # type: ignore[arg-type]
        if init1 or init2:  # an initial: the same surname and a forename it begins
            return sur_ok and bool(f1 and f2) and f1[:1] == f2[:1]  # type: ignore[index]
        if full1 and full2:
            swapped = near(f1, fk1, s2, sk2) and near(s1, sk1, f2, fk2)  # type: ignore[arg-type]
            return (fore_ok and sur_ok) or swapped
        if f1 and f2:
            return fore_ok and not (s1 and s2)
        if s1 and s2:
            return sur_ok and not (f1 and f2)
        return False

    def candidates(self, i: int) -> set[int]:
        """Every other mention whose name fits mention i's."""
        r = self.rows[i]
        found: set[int] = set()
        if r.surname:
            for tok in self._tokens(r.surname, [r.surname_key]):
                found |= self.by_sur.get(tok, set())
                found |= self.by_fore.get(tok, set())  # swapped
        if r.forename and len(r.forename) > 1:
            for tok in self._tokens(r.forename, r.forename_keys):
                found |= self.by_fore.get(tok, set())
                found |= self.by_sur.get(tok, set())
        found.discard(i)
        return {j for j in found if self.compat(i, j)}


def _attribute_contexts(
    dicts: dict[int, dict[str, Any]], ids: list[int]
) -> list[tuple[bool, list[int]]]:
    """(is a date, members) of the groups of mentions sharing a date of birth (day, month
    or year), a phone, or a postcode and house number. In a date's group only the pairs
    whose dates agree at the precision both hold share it (`_dob_agrees`)."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i in ids:
        d = dicts[i]
        for col in ("dob", "dob_ym", "dob_y"):
            if d[col]:
                groups[f"{col}:{d[col]}"].append(i)
        for phone in d["phones"] or ():
            groups[f"phone:{phone}"].append(i)
        if d["postcode"] and d["house_number"]:
            groups[f"house:{d['postcode']}|{d['house_number']}"].append(i)
    out = []
    for key, members in groups.items():
        kind = key.split(":", 1)[0]
        if kind == "dob_ym" and all(dicts[i]["dob"] for i in members):
            continue  # every member has a day: the day's group says it all
        if kind == "dob_y" and all(dicts[i]["dob_ym"] for i in members):
            continue
        if len(members) > 1:
            out.append((kind.startswith("dob"), members))
    return out


# --- scores --------------------------------------------------------------------------


def _score(
    mentions: list[Any], labels: list[str | None], predicted: list[Hashable | None], truth: Truth
) -> dict[str, Any]:
    people = truth.persons
    origins = [people[x].name_origin if x in people else None for x in labels]
    s = score_clustering(labels, predicted, origins)
    return {
        "pairwise_precision": s["pairwise"]["precision"],
        "pairwise_recall": s["pairwise"]["recall"],
        "bcubed_precision": s["bcubed"]["precision"],
        "bcubed_recall": s["bcubed"]["recall"],
        "bcubed_f1": s["bcubed"]["f1"],
        "south_asian_gap": south_asian_gap(s["by_name_origin"]),
        **_by_origin(s["by_name_origin"]),
        "clusters": s["clusters"],
    }


def _by_origin(by_origin: dict[str, dict[str, Any]]) -> dict[str, float | None]:
    """B-cubed recall of South Asian mentions and of all others pooled (the gap's terms)."""
    sa = by_origin.get("south_asian") or {}
    others = [v for k, v in by_origin.items() if k != "south_asian"]
    items = sum(v["items"] for v in others)
    pooled = sum(v["bcubed_recall"] * v["items"] for v in others) / items if items else None
    return {"bcubed_recall_south_asian": sa.get("bcubed_recall"), "bcubed_recall_others": pooled}


def _pairs_together(groups: Iterable[tuple[Hashable, ...]]) -> int:
    return sum(pairs(n) for n in Counter(groups).values())


def miss_breakdown(
    ids: list[int],
    label: dict[int, str],
    resolver: dict[int, Hashable],
    tiers: dict[str, dict[int, int]],
    origin: dict[str, str],
) -> dict[str, Any]:
    """The resolver's missed true pairs by the first tier that links them."""

    def rc(i: int) -> Hashable:
        c = resolver.get(i)
        return ("alone", i) if c is None else c

    def count(select: Any) -> dict[str, int]:
        sel = [i for i in ids if select(label[i])]
        true_pairs = _pairs_together((label[i],) for i in sel)
        together = _pairs_together((label[i], rc(i)) for i in sel)
        out = {"true_pairs": true_pairs, "missed": true_pairs - together}
        linkable_before = 0
        both_last = 0
        for t in TIERS:
            in_tier = _pairs_together((label[i], tiers[t][i]) for i in sel)
            both = _pairs_together((label[i], tiers[t][i], rc(i)) for i in sel)
            linkable = in_tier - both  # missed by the resolver, linked at this tier
            out[t] = linkable - linkable_before
            linkable_before, both_last = linkable, both
        out["none"] = out["missed"] - linkable_before
        out["beyond_evidence"] = together - both_last
        return out

    return {
        "all": count(lambda p: True),
        "south_asian": count(lambda p: origin.get(p) == "south_asian"),
        "others": count(lambda p: origin.get(p) != "south_asian"),
    }


def ceiling(db: str, truth_dir: str | Path) -> dict[str, Any]:
    truth = load_truth(truth_dir)
    engine = make_engine(db)
    with engine.connect() as conn:
        labelled = label_mentions(truth, "person", stored_mentions(conn, "person"))
        feats = person_features(read_person_rows(conn, with_place=True), load_aliases())
        resolved = resolution_output(conn)
    engine.dispose()
    if resolved.value is None:
        raise SystemExit(f"{db}: {resolved.reason}")
    clusters = resolved.value
    mentions, labels = labelled.structured()
    label = {m.id: lab for m, lab in zip(mentions, labels, strict=True) if lab is not None}
    ids = [m.id for m in mentions if m.id in label]
    notes: dict[str, int] = {}
    tiers = oracle_components(feats, label, notes)
    out: dict[str, Any] = {
        "mentions": len(mentions),
        "unlabelled": len(mentions) - len(ids),
        "true_people": len(set(label.values())),
        **notes,
    }
    out["resolver"] = _score(mentions, labels, [clusters.get(m.ref) for m in mentions], truth)
    for t in TIERS:
        comp = tiers[t]
        predicted: list[Hashable | None] = [
            (label[m.id], comp[m.id]) if m.id in label else None for m in mentions
        ]
        out[t] = _score(mentions, labels, predicted, truth)
    resolver = {m.id: clusters.get(m.ref) for m in mentions}
    origin = {p: v.name_origin for p, v in truth.persons.items()}
    out["resolver_missed_pairs_by_tier"] = miss_breakdown(ids, label, resolver, tiers, origin)
    out["resolver_plus_tier"] = {
        t: _plus(mentions, labels, label, resolver, tiers[t], truth, out["resolver"]) for t in TIERS
    }
    return out


def _plus(
    mentions: list[Any],
    labels: list[str | None],
    label: dict[int, str],
    resolver: dict[int, Hashable],
    comp: dict[int, int],
    truth: Truth,
    scored: dict[str, Any],
) -> dict[str, Any]:
    """Recall if the resolver also made every link of the tier (its wrong merges split
    off: recall only), and B-cubed F1 with the resolver's own B-cubed precision kept."""
    uf = _Union(label)
    cells: dict[tuple[str, Hashable], list[int]] = defaultdict(list)
    for i, c in resolver.items():
        if i in label and c is not None:
            cells[(label[i], c)].append(i)
    for members in cells.values():
        uf.union_all(members)
    by_comp: dict[tuple[str, int], list[int]] = defaultdict(list)
    for i in label:
        by_comp[(label[i], comp[i])].append(i)
    for members in by_comp.values():
        uf.union_all(members)
    predicted: list[Hashable | None] = [
        (label[m.id], uf.find(m.id)) if m.id in label else None for m in mentions
    ]
    s = _score(mentions, labels, predicted, truth)
    p = scored["bcubed_precision"]
    r = s["bcubed_recall"]
    return {
        "pairwise_recall": s["pairwise_recall"],
        "bcubed_recall": r,
        "bcubed_f1_at_resolver_precision": 2 * p * r / (p + r) if p and r else None,
        "south_asian_gap": s["south_asian_gap"],
        "bcubed_recall_south_asian": s["bcubed_recall_south_asian"],
        "bcubed_recall_others": s["bcubed_recall_others"],
    }


def _mean(results: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("resolver", *TIERS):
        out[key] = {}
        for metric in results[0][key]:
            values = [r[key][metric] for r in results]
            if all(isinstance(v, int | float) for v in values):
                out[key][metric] = sum(values) / len(values)
    out["resolver_plus_tier"] = {}
    for t in TIERS:
        out["resolver_plus_tier"][t] = {}
        for metric in results[0]["resolver_plus_tier"][t]:
            values = [r["resolver_plus_tier"][t][metric] for r in results]
            if all(isinstance(v, int | float) for v in values):
                out["resolver_plus_tier"][t][metric] = sum(values) / len(values)
    out["resolver_missed_pairs_by_tier_summed"] = {
        group: {
            k: sum(r["resolver_missed_pairs_by_tier"][group][k] for r in results)
            for k in results[0]["resolver_missed_pairs_by_tier"][group]
        }
        for group in results[0]["resolver_missed_pairs_by_tier"]
    }
    return out


def _rounded(data: Any) -> Any:
    if isinstance(data, float):
        return round(data, 4)
    if isinstance(data, dict):
        return {k: _rounded(v) for k, v in data.items()}
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[11, 12, 13])
    parser.add_argument("--db", help="a resolved store's URL (instead of building cities)")
    parser.add_argument("--truth", help="its city's truth/ folder (with --db)")
    parser.add_argument("--workdir", help="where cities are built (default: a temporary folder)")
    args = parser.parse_args()
    per: dict[str, Any] = {}
    if args.db:
        if not args.truth:
            parser.error("--db needs --truth")
        per[args.db] = ceiling(args.db, args.truth)
    else:
        with tempfile.TemporaryDirectory(prefix="ceiling-") as tmp:
            folder = Path(args.workdir or tmp)
            folder.mkdir(parents=True, exist_ok=True)
            for seed in args.seeds:
                url, truth_dir = build_city(seed, folder)
                per[str(seed)] = ceiling(url, truth_dir)
    report = {"per_city": per, "mean": _mean(list(per.values()))}
    print(json.dumps(_rounded(report), indent=2))


if __name__ == "__main__":
    main()
