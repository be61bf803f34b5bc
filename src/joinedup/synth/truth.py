"""The ground truth, written to DIR/truth/ as CSV: who every mention really is, and what happened.

The pipeline never reads these files; evaluate/ compares pipeline output against them.
Columns are documented in docs/synth.md.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from joinedup.synth.identifiers import e164
from joinedup.synth.model import Group

if TYPE_CHECKING:
    from joinedup.synth.events import Happening
    from joinedup.synth.population import World
    from joinedup.synth.timeline import Timeline

FILES = {
    "mentions": ("spec", "source_ref", "slot", "kind", "entity_id"),
    "text_mentions": (
        "spec",
        "source_ref",
        "column",
        "slot",
        "kind",
        "value",
        "raw",
        "partial",
        "entity_id",
    ),
    "records": (
        "spec",
        "source_ref",
        "row",
        "file_row",
        "copy",
        "evidence_of_exploitation",
        "group_id",
        "timeline_event",
        "event_date",
        "received_date",
    ),
    "quarantines": ("spec", "source_ref", "row", "file_row", "column", "value", "reason"),
}


def _bool(v: bool) -> str:
    return "true" if v else "false"


class TruthWriter:
    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._files = {}
        self._w = {}
        for name, header in FILES.items():
            f = open(folder / f"{name}.csv", "w", encoding="utf-8", newline="", buffering=1 << 20)  # noqa: SIM115
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            self._files[name] = f
            self._w[name] = w
        self._text_keys: set[tuple] = set()
        self.evidence_records = 0
        self.counts: Counter[str] = Counter()

    # streamed while agencies write -----------------------------------------------------
    def mentions(self, spec: str, ref: str, mentions: list[tuple[str, str, str]]) -> None:
        self._w["mentions"].writerows(
            [(spec, ref, slot, kind, eid) for slot, kind, eid in mentions]
        )

    def texts(self, spec: str, ref: str, texts: list[tuple]) -> None:
        w = self._w["text_mentions"].writerow
        for column, start, kind, raw, value, eid, partial in texts:
            key = (spec, ref, column, kind, value)
            if key in self._text_keys:
                continue
            self._text_keys.add(key)
            w((spec, ref, column, f"text:{column}:{start}", kind, value, raw, _bool(partial), eid))

    def record(
        self,
        spec: str,
        ref: str,
        row: int,
        file_row: int,
        copy: str,
        h: Happening,
        received: datetime,
    ) -> None:
        self._w["records"].writerow(
            (
                spec,
                ref,
                row,
                file_row,
                copy,
                _bool(h.evidence),
                h.group,
                h.tl,
                str(h.when)[:16],
                str(received)[:16],
            )
        )
        self.counts[spec] += 1
        if h.evidence and copy == "original":
            self.evidence_records += 1

    def quarantine(
        self, spec: str, ref: str, row: int, file_row: int, column: str, value: str, reason: str
    ) -> None:
        self._w["quarantines"].writerow((spec, ref, row, file_row, column, value, reason))

    def close(self) -> None:
        for f in self._files.values():
            f.close()

    # written once at the end -----------------------------------------------------------
    def world(self, world: World, groups: list[Group], timeline: Timeline) -> None:
        d = self.folder

        def table(name: str, header: tuple[str, ...], rows) -> None:
            with open(d / f"{name}.csv", "w", encoding="utf-8", newline="") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(header)
                w.writerows(rows)

        table(
            "persons",
            (
                "person_id",
                "forename",
                "middle_names",
                "surname",
                "dob",
                "sex",
                "name_origin",
                "kind",
                "world_role",
                "group_id",
                "group_role",
                "vulnerabilities",
                "in_care",
                "placement",
                "ethnicity",
                "nationality",
                "nickname",
                "street_name",
                "alias",
                "home_location_id",
                "household",
                "nhs_number",
                "upn",
                "pnc_id",
                "child_ref",
                "missing_ref",
                "school_location_id",
                "is_taxi_driver",
                "on_school_contract",
                "workplace_location_id",
            ),
            (
                (
                    p.pid,
                    p.forename,
                    p.middle,
                    p.surname,
                    p.dob.isoformat(),
                    p.sex,
                    p.origin,
                    p.kind,
                    p.role,
                    p.group,
                    p.group_role,
                    ";".join(p.vulnerabilities),
                    _bool(p.in_care),
                    p.placement,
                    p.ethnicity,
                    p.nationality,
                    p.nickname,
                    p.street_name,
                    p.alias,
                    p.home.lid,
                    p.household if p.household >= 0 else "",
                    p.nhs,
                    p.upn,
                    p.pnc,
                    p.child_ref,
                    p.missing_ref,
                    p.school.lid if p.school else "",
                    _bool(p.is_taxi_driver),
                    _bool(p.school_contract),
                    p.workplace.lid if p.workplace else "",
                )
                for p in world.persons
            ),
        )
        table(
            "groups",
            (
                "group_id",
                "kind",
                "size",
                "core_size",
                "origin",
                "origin_mix",
                "start_date",
                "end_date",
                "disrupted_date",
                "members",
                "core_members",
                "victims",
                "flats",
                "hotels",
                "base_neighbourhood",
            ),
            (
                (
                    g.gid,
                    g.kind,
                    len(g.members),
                    len(g.core),
                    g.origin,
                    ";".join(
                        f"{o}:{n}" for o, n in sorted(Counter(m.origin for m in g.members).items())
                    ),
                    g.start.isoformat(),
                    g.end.isoformat(),
                    g.disrupted.isoformat() if g.disrupted else "",
                    ";".join(m.pid for m in g.members),
                    ";".join(m.pid for m in g.core),
                    ";".join(v.pid for v in g.victims),
                    ";".join(f.lid for f in g.flats),
                    ";".join(h.lid for h in g.hotels),
                    f"NV{g.hood + 1}",
                )
                for g in groups
            ),
        )
        table(
            "group_members",
            ("group_id", "person_id", "role", "street_name", "alias"),
            (
                (g.gid, m.pid, m.group_role, m.street_name, m.alias)
                for g in groups
                for m in g.members
            ),
        )
        table(
            "victim_offender",
            (
                "group_id",
                "victim_id",
                "offender_id",
                "first_event",
                "last_event",
                "events",
                "first_kind",
            ),
            (
                (
                    gid,
                    vid,
                    oid,
                    a.isoformat(timespec="minutes"),
                    b.isoformat(timespec="minutes"),
                    n,
                    kind,
                )
                for (gid, vid, oid), (a, b, n, kind) in timeline.links.items()
            ),
        )
        table(
            "timeline",
            (
                "event_id",
                "when",
                "kind",
                "group_id",
                "victim_id",
                "offender_ids",
                "location_id",
                "vehicle_id",
            ),
            timeline.events,
        )
        table(
            "school_runs",
            ("driver_id", "child_id", "school_location_id"),
            (
                (driver, kid.pid, kid.school.lid if kid.school else "")
                for driver, kids in world.school_runs.items()
                for kid in kids
            ),
        )
        table(
            "vehicles",
            (
                "vehicle_id",
                "vrm",
                "make",
                "model",
                "colour",
                "keeper_id",
                "is_taxi",
                "on_school_contract",
            ),
            (
                (
                    v.vid,
                    v.vrm,
                    v.make,
                    v.model,
                    v.colour,
                    v.keeper.pid if v.keeper else "",
                    _bool(v.is_taxi),
                    _bool(v.school_contract),
                )
                for v in world.vehicles
            ),
        )
        landline_owner = {loc.phone.phid: loc.lid for loc in world.town.locations if loc.phone}
        table(
            "phones",
            ("phone_id", "number", "e164", "owner_person_id", "owner_location_id"),
            (
                (
                    ph.phid,
                    ph.number,
                    e164(ph.number),
                    ph.owner.pid if ph.owner else "",
                    landline_owner.get(ph.phid, ""),
                )
                for ph in world.phones
            ),
        )
        table(
            "locations",
            ("location_id", "name", "type", "address", "postcode", "lat", "lon", "neighbourhood"),
            (
                (
                    loc.lid,
                    loc.name,
                    loc.type,
                    loc.address,
                    loc.postcode,
                    loc.lat,
                    loc.lon,
                    f"NV{loc.hood + 1}" if loc.hood >= 0 else "",
                )
                for loc in world.town.locations
            ),
        )
