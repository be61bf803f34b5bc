"""Health attendances (CSV, Windows-1252, ';'-delimited): A&E, walk-in and sexual health.

Names as "SURNAME, Forename"; NHS numbers, except that sexual health clinics often see
people without one (and sometimes by first name only). Sent in monthly batches.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from joinedup.synth.agencies.base import Agency, Built, CsvSink
from joinedup.synth.dates import ymd, ymd_hm
from joinedup.synth.events import Attendance
from joinedup.synth.protected import NHS

SITES = {"hospital": "ED", "clinic": "SHC"}
HEADER = [
    "AttendanceNo",
    "Site",
    "ArrivalDateTime",
    "NHSNumber",
    "PatientName",
    "DateOfBirth",
    "Sex",
    "Address",
    "Postcode",
    "ContactNumber",
    "EthnicCategory",
    "PresentingComplaint",
    "AccompaniedByName",
    "AccompaniedByRelationship",
    "SafeguardingFlag",
    "ClinicalNotes",
    "ExtractDate",
]


class HealthAttendances(Agency):
    spec = "health_attendances"
    filename = "health_attendances.csv"
    received_col = "ExtractDate"
    scribe_options = {
        "variant_rate": 0.2,
        "typo_rate": 0.03,
        "dob_missing": 0.02,
        "phone_style": "plain",
        "fold": True,
    }

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self._n = 0

    def open_sink(self, path: Path) -> CsvSink:
        return CsvSink(path, HEADER, delimiter=";", encoding="cp1252")

    def fmt_received(self, when: datetime) -> str:
        return ymd(when)

    def build(self, h: Attendance) -> Built:  # type: ignore[override]
        rng, scribe = self.rng, self.scribe
        self._n += 1
        ref = f"RNV{40000000 + self._n * 3}"
        p = h.patient
        # Monthly extract: everything in a month arrives early the month after.
        nxt = (h.when.replace(day=1) + timedelta(days=32)).replace(day=1)
        received = datetime(nxt.year, nxt.month, 1 + rng.randrange(10), 6, 0)
        site_code = "WIC" if h.site.name.startswith("Castle Hill") else SITES.get(h.site.type, "ED")
        sexual_health = site_code == "SHC"
        fore, sur = scribe.names(p)
        if sexual_health and rng.random() < 0.25:
            name = f"{sur.upper()}, {fore[:1]}" if rng.random() < 0.5 else fore.split(" ")[0]
        else:
            name = f"{sur.upper()}, {fore}"
        dob = scribe.dob(p)
        mentions: list[tuple[str, str, str]] = []
        row: dict[str, object] = {
            "AttendanceNo": ref,
            "Site": site_code,
            "ArrivalDateTime": ymd_hm(h.when),
            "PatientName": name,
            "DateOfBirth": ymd(dob) if dob else "",
            "Sex": {"M": "1", "F": "2"}[p.sex] if rng.random() < 0.97 else "9",
            "EthnicCategory": NHS[p.ethnicity] if rng.random() < 0.7 else "Z",
            "PresentingComplaint": h.complaint,
            "SafeguardingFlag": "Y" if h.safeguarding else "N",
            "ExtractDate": ymd(received),
        }
        if not (sexual_health and rng.random() < 0.8) and rng.random() < 0.92:
            nhs = self.world.nhs(p)
            row["NHSNumber"] = f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}" if rng.random() < 0.4 else nhs
        address = None
        if not (sexual_health and rng.random() < 0.5):
            row["Address"], row["Postcode"] = scribe.address(p.home)
            address = p.home
        phone = None
        if rng.random() < 0.6 and (p.kind == "adult" or (p.dob.year < h.when.year - 12)):
            phone = self.world.phone(p)
            if phone:
                row["ContactNumber"] = scribe.phone(phone.number)
            else:
                phone = None
        self.person_mention(mentions, "patient", p, phone, address)
        if h.escort is not None:
            e = h.escort
            row["AccompaniedByName"] = (
                scribe.as_told(e) if h.evidence and rng.random() < 0.6 else scribe.full_name(e)
            )
            row["AccompaniedByRelationship"] = h.escort_rel
            mentions.append(("escort", "person", e.pid))
        mentions.append(("site", "location", h.site.lid))
        texts: list[tuple] = []
        if h.notes:
            row["ClinicalNotes"], texts = self.render(h.notes, "ClinicalNotes", p.sex)
        return Built(ref=ref, row=row, received=received, mentions=mentions, texts=texts)
