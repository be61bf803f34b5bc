"""The ground truth agrees with the files, slot by slot, and describes a plausible world."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime

from joinedup.feeds import get_spec
from joinedup.synth.names import ORIGINS

from .helpers import manifest, produced_slots, rows, truth_rows


def _ref(spec, row) -> str:
    return str(row.get(spec.record.source_ref.column))


def test_every_mention_in_truth_is_a_slot_in_the_files_and_back(city) -> None:
    truth: dict[tuple[str, str], dict[str, tuple[str, str]]] = defaultdict(dict)
    for r in truth_rows(city.folder, "mentions"):
        truth[(r["spec"], r["source_ref"])][r["slot"]] = (r["kind"], r["entity_id"])
    quarantined = {(q["spec"], q["source_ref"]) for q in truth_rows(city.folder, "quarantines")}
    checked = 0
    for entry in manifest(city.folder)["files"]:
        spec = get_spec(entry["spec"])
        for row in rows(city.folder / entry["path"], spec):
            key = (entry["spec"], _ref(spec, row))
            if key in quarantined:
                assert key not in truth  # a quarantined row has no mentions to score
                continue
            produced = produced_slots(spec, row)
            assert {s: k for s, (k, _) in truth[key].items()} == produced, key
            checked += 1
    assert checked > 5000


def test_entities_in_mentions_exist(city) -> None:
    ids = {
        "person": {r["person_id"] for r in truth_rows(city.folder, "persons")},
        "vehicle": {r["vehicle_id"] for r in truth_rows(city.folder, "vehicles")},
        "phone": {r["phone_id"] for r in truth_rows(city.folder, "phones")},
        "location": {r["location_id"] for r in truth_rows(city.folder, "locations")},
    }
    for name in ("mentions", "text_mentions"):
        for r in truth_rows(city.folder, name):
            assert r["entity_id"] in ids[r["kind"]], r


def test_text_mentions_point_at_the_text(city) -> None:
    texts = {}
    for entry in manifest(city.folder)["files"]:
        spec = get_spec(entry["spec"])
        for row in rows(city.folder / entry["path"], spec):
            for column in spec.free_text:
                if row.get(column):
                    texts.setdefault((entry["spec"], _ref(spec, row), column), set()).add(
                        row[column]
                    )
    found = truth_rows(city.folder, "text_mentions")
    assert len(found) > 50
    kinds = Counter(r["kind"] for r in found)
    assert {"person", "vehicle", "phone", "location"} <= set(kinds)
    assert any(r["partial"] == "true" for r in found)
    for r in found:
        start = int(r["slot"].rsplit(":", 1)[1])
        written = texts[(r["spec"], r["source_ref"], r["column"])]
        assert any(t[start : start + len(r["raw"])] == r["raw"] for t in written), r


def test_every_row_has_a_record_in_truth(city) -> None:
    records = truth_rows(city.folder, "records")
    by_spec = Counter(r["spec"] for r in records)
    for entry in manifest(city.folder)["files"]:
        spec = get_spec(entry["spec"])
        assert by_spec[entry["spec"]] == sum(1 for _ in rows(city.folder / entry["path"], spec))
    copies = Counter(r["copy"] for r in records)
    assert copies["original"] > 0.95 * len(records)
    assert copies["exact_duplicate"] > 0 and copies["resend"] > 0 and copies["malformed"] >= 1
    end = datetime.fromisoformat(manifest(city.folder)["city"]["end_date"] + " 23:59")
    for r in records:
        assert datetime.fromisoformat(r["received_date"]) <= end
        assert datetime.fromisoformat(r["received_date"]) >= datetime.fromisoformat(r["event_date"])
    quarantines = truth_rows(city.folder, "quarantines")
    assert len(quarantines) == copies["malformed"]
    assert all(q["spec"] == "missing_episodes" and "Feb" in q["value"] for q in quarantines)


def test_groups_lone_offenders_and_origins(city) -> None:
    groups = truth_rows(city.folder, "groups")
    real = [g for g in groups if g["kind"] == "group"]
    lone = [g for g in groups if g["kind"] == "lone"]
    assert len(real) >= 6 and len(lone) >= 3
    sizes = [int(g["size"]) for g in real]
    assert all(2 <= s <= 13 for s in sizes) and len(set(sizes)) >= 5
    assert all(1 <= int(g["core_size"]) < int(g["size"]) for g in real)
    assert {g["origin"] for g in real} == set(ORIGINS)
    assert sum(1 for g in groups if g["disrupted_date"]) >= 1
    members = truth_rows(city.folder, "group_members")
    assert Counter(m["role"] for m in members)["core"] == sum(int(g["core_size"]) for g in real)


def test_victims_follow_the_documented_risk_pattern(city) -> None:
    persons = {p["person_id"]: p for p in truth_rows(city.folder, "persons")}
    victims = {v for g in truth_rows(city.folder, "groups") for v in g["victims"].split(";") if v}
    children = [p for p in persons.values() if p["kind"] == "child"]
    assert len(victims) >= 10
    girls = sum(persons[v]["sex"] == "F" for v in victims)
    assert girls >= 0.7 * len(victims)

    def vuln(p) -> int:
        return len([x for x in p["vulnerabilities"].split(";") if x])

    mean_victim = sum(vuln(persons[v]) for v in victims) / len(victims)
    others = [p for p in children if p["person_id"] not in victims]
    assert mean_victim > 2 * sum(vuln(p) for p in others) / len(others)
    links = truth_rows(city.folder, "victim_offender")
    assert {link["victim_id"] for link in links} == victims
    timeline = truth_rows(city.folder, "timeline")
    kinds = Counter(e["kind"].split(":")[0] for e in timeline)
    for kind in ("contact", "gift", "lift", "party", "abuse", "missing", "hotel"):
        assert kinds[kind] > 0, kind


def test_names_realistically_common_and_shared(city) -> None:
    persons = truth_rows(city.folder, "persons")
    full = Counter((p["forename"], p["surname"]) for p in persons)
    assert full.most_common(1)[0][1] >= 3  # several people share the commonest name
    origins = Counter(p["name_origin"] for p in persons)
    assert set(origins) == set(ORIGINS)
    by_household = defaultdict(list)
    for p in persons:
        if p["household"] and p["kind"] == "child":
            by_household[p["household"]].append(p)
    twins = [k for k in by_household.values() if len({c["dob"] for c in k}) < len(k)]
    assert twins, "no twins in the city"
    assert any(len({c["surname"] for c in k}) == 1 and len(k) > 1 for k in by_household.values())


def test_evidence_is_sparse_and_late(city) -> None:
    records = [r for r in truth_rows(city.folder, "records") if r["copy"] == "original"]
    evidence = [r for r in records if r["evidence_of_exploitation"] == "true"]
    assert 0.03 * len(records) < len(evidence) < 0.25 * len(records)
    assert all(r["group_id"] for r in evidence)
    abuse = [
        e for e in truth_rows(city.folder, "timeline") if e["kind"] in ("abuse", "abuse_in_car")
    ]
    recorded_events = {r["timeline_event"] for r in evidence}
    assert sum(e["event_id"] in recorded_events for e in abuse) < 0.1 * len(abuse)
    lags = sorted(
        (datetime.fromisoformat(r["received_date"]) - datetime.fromisoformat(r["event_date"])).days
        for r in evidence
    )
    assert lags[len(lags) * 3 // 4] >= 2  # a quarter of the evidence arrives days or weeks late


def test_world_dates_are_sane(city) -> None:
    start = date.fromisoformat(manifest(city.folder)["city"]["start_date"])
    for p in truth_rows(city.folder, "persons"):
        age = (start - date.fromisoformat(p["dob"])).days // 365
        if p["kind"] == "child":
            assert 10 <= age <= 17
        else:
            assert age >= 17
