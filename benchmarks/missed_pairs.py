"""Where person recall is lost: the true pairs a resolved store left apart, broken down.

    python benchmarks/missed_pairs.py --db sqlite:///city12.db --truth city12/truth [--top 10]

Reads a store after `joinedup resolve` and its city's truth folder. Counts the true pairs
of structured person mentions (those `joinedup evaluate` scores) that are not in one
entity, by the true person's part in the city (officer, teacher, parent, offender...),
by the pair of (feed, role) the two mentions come from, and by what the two mentions
hold (forename, surname, date of birth: "FSD", "FS-", "F--"...). Then the people who
lose most pairs, with how their mentions were split. Pairwise recall weighs a person by
the square of their mentions, so a few people seen in many records (an officer in most
incidents) dominate it: the breakdown shows whether what is lost could be linked from
what the records hold at all. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import text

from joinedup.evaluate import load_truth
from joinedup.evaluate.labels import label_mentions
from joinedup.evaluate.store_view import entity_members, stored_mentions
from joinedup.store import make_engine


def _holds(row: Any) -> str:
    return "".join(c if v else "-" for c, v in zip("FSD", (row[1], row[2], row[3]), strict=True))


def missed_pairs(db: str, truth_dir: str, top: int) -> dict[str, Any]:
    truth = load_truth(truth_dir)
    engine = make_engine(db)
    with engine.connect() as conn:
        labelled = label_mentions(truth, "person", stored_mentions(conn, "person"))
        clusters = entity_members(conn)
        info = {
            r[0]: r
            for r in conn.execute(
                text("SELECT id, forename, surname, dob, role, raw_name FROM person_mention")
            )
        }
    engine.dispose()
    mentions, labels = labelled.structured()
    by_person: dict[str, list[Any]] = defaultdict(list)
    for m, label in zip(mentions, labels, strict=True):
        if label is not None:
            by_person[label].append(m)
    by_part: Counter[str] = Counter()
    by_roles: Counter[str] = Counter()
    by_holds: Counter[str] = Counter()
    per_person: Counter[str] = Counter()
    true_pairs = 0
    for label, group in by_person.items():
        true_pairs += len(group) * (len(group) - 1) // 2
        part = truth.persons[label].world_role if label in truth.persons else "?"
        for i, a in enumerate(group):
            ea = clusters.get(a.ref)
            for b in group[i + 1 :]:
                if ea is not None and ea == clusters.get(b.ref):
                    continue
                ra, rb = info[a.ref[1]], info[b.ref[1]]
                by_part[part] += 1
                by_roles[" + ".join(sorted((f"{a.spec}:{ra[4]}", f"{b.spec}:{rb[4]}")))] += 1
                by_holds[" + ".join(sorted((_holds(ra), _holds(rb))))] += 1
                per_person[label] += 1
    missed = sum(per_person.values())
    worst = []
    for label, n in per_person.most_common(top):
        split = Counter(clusters.get(m.ref) or f"alone:{m.ref[1]}" for m in by_person[label])
        names = Counter(info[m.ref[1]][5] for m in by_person[label])
        worst.append(
            {
                "person": label,
                "part": truth.persons[label].world_role,
                "missed_pairs": n,
                "mentions": len(by_person[label]),
                "split": sorted(split.values(), reverse=True)[:8],
                "names": dict(names.most_common(5)),
            }
        )
    return {
        "true_pairs": true_pairs,
        "missed_pairs": missed,
        "recall": round(1 - missed / true_pairs, 4) if true_pairs else None,
        "by_part": dict(by_part.most_common()),
        "by_feed_and_role": dict(by_roles.most_common(top)),
        "by_what_they_hold": dict(by_holds.most_common(top)),
        "worst_people": worst,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="a resolved store's URL")
    parser.add_argument("--truth", required=True, help="the city's truth/ folder")
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    print(json.dumps(missed_pairs(args.db, args.truth, args.top), indent=2))


if __name__ == "__main__":
    main()
