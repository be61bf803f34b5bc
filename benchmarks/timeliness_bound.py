"""How early could any detector name each true group? A bound read from a synthetic city's
truth alone (no ingest, no resolution, no detection).

A group counts as nameable on the received date of the first original record after which
some child has been recorded together with two of the group's offenders, accumulated over
records: directly (both in her records), or through a vehicle or phone an offender keeps.
With --homes, also through an address in her records where an offender lives.

The truth knows every keeper, phone owner and home; the records often do not (a man whose
address no agency wrote down). With --recorded, a vehicle, phone or home counts for an
offender only once a record received so far has stated it: his phone or address beside his
name (`driver.phone`, `person[2].address`), or he drove, held a licence for or booked with
the record's one vehicle. That is all a detector reading the records can know. The delay is
counted from the group's first evidence record, as `joinedup evaluate` counts it (its
timeliness is also rounded up to the weekly as-of step, which this bound is not).

    python benchmarks/timeliness_bound.py city11/truth city12/truth city13/truth \
        [--homes] [--recorded]
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from datetime import datetime
from pathlib import Path


def rows(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def median(delays: list[int | None]) -> float | None:
    """Median with a group never nameable counting as infinitely late (as evaluate does)."""
    xs = sorted(float("inf") if d is None else float(d) for d in delays)
    n = len(xs)
    m = xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2
    return None if m == float("inf") else m


KEEPS = ("driver", "guest", "holder")  # a person slot that keeps the record's one vehicle


def owned(slots: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """(kind, object, person) ownerships one record states: `X.phone` / `X.address` beside
    person slot X, and the one vehicle of a record with a driver, guest or licence holder."""
    person = {slot: e for slot, kind, e in slots if kind == "person"}
    out = []
    for slot, kind, e in slots:
        head, _, tail = slot.rpartition(".")
        if tail in ("phone", "address") and head in person:
            out.append((kind, e, person[head]))
    cars = [e for slot, kind, e in slots if kind == "vehicle" and not slot.startswith("text:")]
    if len(cars) == 1:
        out += [("vehicle", cars[0], e) for slot, e in person.items() if slot in KEEPS]
    return out


def bound(
    truth: Path, homes: bool, recorded: bool = False
) -> tuple[dict[str, int | None], float | None]:
    persons = {r["person_id"]: r for r in rows(truth, "persons.csv")}
    groups = {r["group_id"]: r for r in rows(truth, "groups.csv") if r["kind"] == "group"}
    keeper = {r["vehicle_id"]: r["keeper_id"] for r in rows(truth, "vehicles.csv")}
    owner = {r["phone_id"]: r["owner_person_id"] for r in rows(truth, "phones.csv")}
    residents: dict[str, set[str]] = defaultdict(set)
    for p in persons.values():
        if p["home_location_id"]:
            residents[p["home_location_id"]].add(p["person_id"])
    records = {(r["spec"], r["source_ref"]): r for r in rows(truth, "records.csv")
               if r["copy"] == "original"}  # fmt: skip
    named: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    slots: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)
    for r in rows(truth, "mentions.csv") + rows(truth, "text_mentions.csv"):
        named[(r["spec"], r["source_ref"])].add((r["kind"], r["entity_id"]))
        slots[(r["spec"], r["source_ref"])].append((r["slot"], r["kind"], r["entity_id"]))
    if recorded:  # known only from the records, as they arrive
        keepers: dict[str, set[str]] = defaultdict(set)
        owners: dict[str, set[str]] = defaultdict(set)
        residents = defaultdict(set)
    else:
        keepers = defaultdict(set, {v: {a} for v, a in keeper.items()})
        owners = defaultdict(set, {ph: {a} for ph, a in owner.items()})
    order = sorted(records, key=lambda k: records[k]["received_date"])
    first: dict[str, str] = {}
    for k in order:
        r = records[k]
        if r["evidence_of_exploitation"] == "true" and r["group_id"]:
            first.setdefault(r["group_id"], r["received_date"])
    around: dict[str, set[str]] = defaultdict(set)  # child -> adults recorded with her
    nameable: dict[str, str] = {}
    kind_of = {p: persons[p]["kind"] for p in persons}
    for k in order:
        es = named.get(k, set())
        if recorded:
            for kind, e, a in owned(slots.get(k, [])):
                {"vehicle": keepers, "phone": owners, "location": residents}[kind][e].add(a)
        kids = [e for kind, e in es if kind == "person" and kind_of.get(e) == "child"]
        if not kids:
            continue
        adults = {e for kind, e in es if kind == "person" and kind_of.get(e) == "adult"}
        for kind, e in es:
            adults |= keepers.get(e, set()) if kind == "vehicle" else set()
            adults |= owners.get(e, set()) if kind == "phone" else set()
        if homes:
            for kind, e in es:
                if kind == "location" and len(residents.get(e, ())) <= 6:  # not an institution
                    adults |= residents[e]
        for c in kids:
            around[c] |= adults
        for gid, g in groups.items():
            members = set(g["members"].split(";"))
            if gid not in nameable and any(len(around[c] & members) >= 2 for c in kids):
                nameable[gid] = records[k]["received_date"]
    delays: dict[str, int | None] = {}
    for gid in groups:
        start = datetime.fromisoformat(first[gid]).date()
        end = nameable.get(gid)
        delays[gid] = (datetime.fromisoformat(end).date() - start).days if end else None
    return delays, median(list(delays.values()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("truth", nargs="+", type=Path, help="a city's truth/ folder")
    ap.add_argument("--homes", action="store_true", help="also count offenders' home addresses")
    ap.add_argument(
        "--recorded", action="store_true", help="only keepers, owners, homes the records state"
    )
    args = ap.parse_args()
    for folder in args.truth:
        delays, med = bound(folder, args.homes, args.recorded)
        shown = ", ".join(f"{g} {d if d is not None else 'never'}" for g, d in delays.items())
        print(f"{folder}: median {med if med is not None else 'not defined'} days ({shown})")


if __name__ == "__main__":
    main()
