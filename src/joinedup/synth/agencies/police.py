"""Northvale Police: incidents and intelligence (JSONL, nested) and stop-checks (wide CSV).

Suspects' self- and officer-defined ethnicity is filled for about a third of suspect
mentions, as in the national data reviewed by the 2025 Casey audit.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from joinedup.synth.agencies.base import Agency, Built, CsvSink, JsonlSink
from joinedup.synth.dates import dmy, dmy_hm, iso_date, iso_seconds
from joinedup.synth.events import Incident, Stop
from joinedup.synth.identifiers import pnc_id
from joinedup.synth.model import Person
from joinedup.synth.protected import POLICE_IC, POLICE_SDE

ETHNICITY_RECORDED = {
    "S": 0.34,
    "V": 0.55,
    "W": 0.45,
    "RP": 0.4,
    "INV": 0.4,
    "SUBJ": 0.5,
    "OIC": 0.0,
}


class PoliceIncidents(Agency):
    spec = "police_incidents"
    filename = "police_incidents.jsonl"
    received_col = "received"
    header_rows = 0
    scribe_options = {
        "variant_rate": 0.15,
        "typo_rate": 0.03,
        "dob_missing": 0.15,
        "upper_surname": True,
    }

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self._seq: dict[int, int] = {}
        self._pnc_serial = 0

    def open_sink(self, path: Path) -> JsonlSink:
        return JsonlSink(path)

    def fmt_received(self, when: datetime) -> str:
        return iso_seconds(when)

    def pnc(self, p: Person, when: datetime) -> str:
        if not p.pnc:
            self._pnc_serial += 1
            p.pnc = pnc_id(
                min(when.year, p.dob.year + 18 + self.rng.randrange(15)),
                100000 + self._pnc_serial * 7,
            )
        return p.pnc

    def build(self, h: Incident) -> Built:  # type: ignore[override]
        rng, scribe = self.rng, self.scribe
        year = h.when.year % 100
        self._seq[year] = self._seq.get(year, 0) + rng.randrange(1, 4)
        ref = f"NV/{year:02d}/{self._seq[year]:06d}"
        received = h.when + timedelta(
            minutes=rng.randrange(5, 60 * 24 * (3 if h.code != "INTEL" else 20))
        )
        mentions: list[tuple[str, str, str]] = []
        persons = []
        for i, (p, role) in enumerate(h.persons):
            slot = f"person[{i}]"
            if role == "OIC":
                fore, sur = scribe.names(p)
                persons.append(
                    {"role": "OIC", "surname": sur, "forenames": fore[:1], "collar": p.collar}
                )
                mentions.append((slot, "person", p.pid))
                continue
            fore, sur = scribe.names(p)
            item: dict[str, object] = {"role": role, "surname": sur, "forenames": fore}
            dob = scribe.dob(p, missing=0.08 if role == "S" else 0.2)
            if dob:
                item["dob"] = iso_date(dob)
            if rng.random() < 0.95:
                item["sex"] = p.sex
            if p.street_name and (role == "S" or rng.random() < 0.3) and rng.random() < 0.6:
                item["aka"] = p.street_name
            addr = None
            if rng.random() < 0.6:
                item["address"], item["postcode"] = scribe.address(p.home)
                addr = p.home
            phone = None
            if rng.random() < 0.35 and p.kind == "adult":
                phone = self.world.phone(p)
                if phone:
                    item["phone"] = scribe.phone(phone.number)
            if role == "S" and (rng.random() < 0.7 or h.code == "ARREST"):
                item["pnc"] = self.pnc(p, h.when)
            if rng.random() < ETHNICITY_RECORDED.get(role, 0.4):
                r = rng.random()
                if r < 0.7:
                    item["sde"] = POLICE_SDE[p.ethnicity]
                if r > 0.4:
                    item["ic"] = POLICE_IC[p.ethnicity]
                if rng.random() < 0.3:
                    item["nationality"] = p.nationality
            elif rng.random() < 0.1:
                item["sde"] = "NS"
            persons.append(item)
            self.person_mention(mentions, slot, p, phone, addr)
        vehicles = []
        for i, v in enumerate(h.vehicles):
            vehicles.append(
                {
                    "vrm": scribe.plate(v),
                    "make": v.make.upper(),
                    "model": v.model,
                    "colour": v.colour.upper(),
                }
            )
            mentions.append((f"vehicle[{i}]", "vehicle", v.vid))
        loc = h.location
        location: dict[str, object] = {"name": loc.name}
        address, postcode = scribe.address(loc)
        location["address"] = address
        if postcode:
            location["postcode"] = postcode
        if rng.random() < 0.7:
            location["lat"] = round(loc.lat + rng.uniform(-0.0003, 0.0003), 5)
            location["lon"] = round(loc.lon + rng.uniform(-0.0003, 0.0003), 5)
        mentions.append(("scene", "location", loc.lid))
        narrative, texts = self.render(h.notes, "narrative")
        row: dict[str, object] = {
            "incident_no": ref,
            "opened": iso_seconds(h.when),
            "received": iso_seconds(received),
            "class": h.code,
            "grading": h.grading or None,
            "location": location,
            "narrative": narrative,
            "persons": persons,
            "vehicles": vehicles,
        }
        if not h.grading:
            del row["grading"]
        return Built(ref=ref, row=row, received=received, mentions=mentions, texts=texts)


class PoliceStops(Agency):
    spec = "police_stops"
    filename = "police_stops.csv"
    received_col = "DateEntered"
    scribe_options = {
        "variant_rate": 0.2,
        "typo_rate": 0.04,
        "dob_missing": 0.1,
        "phone_style": "plain",
    }
    OCCUPANTS = 5

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self._n = 0

    def open_sink(self, path: Path) -> CsvSink:
        header = [
            "StopRef",
            "StopDateTime",
            "StopLocation",
            "Lat",
            "Lon",
            "VRM",
            "VehMake",
            "VehModel",
            "VehColour",
            "DrvSurname",
            "DrvForename",
            "DrvDOB",
            "DrvSex",
            "DrvAddress",
            "DrvPostcode",
            "DrvPhone",
        ]
        for n in range(1, self.OCCUPANTS + 1):
            header += [f"Occ{n}Name", f"Occ{n}DOB", f"Occ{n}Sex"]
        header += ["Reason", "Outcome", "OfficerNo", "DateEntered"]
        return CsvSink(path, header)

    def fmt_received(self, when: datetime) -> str:
        return dmy(when)

    def build(self, h: Stop) -> Built:  # type: ignore[override]
        rng, scribe = self.rng, self.scribe
        self._n += 1
        ref = f"SS{h.when:%y%m%d}/{self._n % 1000:03d}{rng.randrange(10)}"
        received = h.when + timedelta(days=rng.randrange(0, 15), hours=rng.randrange(1, 10))
        mentions: list[tuple[str, str, str]] = []
        fore, sur = scribe.names(h.driver)
        dob = scribe.dob(h.driver)
        addr, postcode = scribe.address(h.driver.home)
        phone = self.world.phone(h.driver) if rng.random() < 0.4 else None
        row: dict[str, object] = {
            "StopRef": ref,
            "StopDateTime": dmy_hm(h.when),
            "StopLocation": h.location.name,
            "Lat": f"{h.location.lat:.4f}",
            "Lon": f"{h.location.lon:.4f}",
            "VRM": scribe.plate(h.vehicle, misread=0.015),
            "VehMake": h.vehicle.make,
            "VehModel": h.vehicle.model if rng.random() < 0.7 else "",
            "VehColour": h.vehicle.colour,
            "DrvSurname": sur,
            "DrvForename": fore,
            "DrvDOB": dmy(dob) if dob else "",
            "DrvSex": "Male" if h.driver.sex == "M" else "Female",
            "DrvAddress": addr,
            "DrvPostcode": postcode,
            "DrvPhone": scribe.phone(phone.number) if phone else "",
            "Reason": h.reason,
            "Outcome": h.outcome,
            "OfficerNo": rng.choice(self.world.by_role["officer"]).collar,
            "DateEntered": dmy(received),
        }
        mentions.append(("vehicle", "vehicle", h.vehicle.vid))
        self.person_mention(mentions, "driver", h.driver, phone, h.driver.home)
        mentions.append(("stop_location", "location", h.location.lid))
        slots = list(range(self.OCCUPANTS))
        if rng.random() < 0.15:
            rng.shuffle(slots)  # occupants entered in odd boxes, leaving gaps
        for p, k in zip(h.occupants, slots, strict=False):
            n = k + 1
            if p.kind == "child" or rng.random() < 0.5:
                name = scribe.full_name(p)
            else:
                name = scribe.as_told(p)
            row[f"Occ{n}Name"] = name
            dob = scribe.dob(p, missing=0.35)
            row[f"Occ{n}DOB"] = dmy(dob) if dob else ""
            row[f"Occ{n}Sex"] = ("Male" if p.sex == "M" else "Female") if rng.random() < 0.8 else ""
            mentions.append((f"occupant[{k}]", "person", p.pid))
        return Built(ref=ref, row=row, received=received, mentions=mentions)
