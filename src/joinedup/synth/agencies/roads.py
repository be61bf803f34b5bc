"""Vehicle sources: ANPR reads (CSV, no persons) and the council's taxi licences (CSV)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from joinedup.synth.agencies.base import Agency, Built, CsvSink
from joinedup.synth.dates import d_month_y, iso_seconds_z
from joinedup.synth.events import AnprRead, Licence
from joinedup.synth.noise import misread_plate

ANPR_HEADER = (
    "read_id", "camera_id", "camera_name", "lat", "lon", "direction", "read_ts", "vrm",
    "confidence", "ingest_ts",
)  # fmt: skip


class AnprReads(Agency):
    spec = "anpr_reads"
    filename = "anpr_reads.csv"
    received_col = "ingest_ts"

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self._n = 0
        self._cams: dict[str, tuple[str, str, str, str]] = {}
        self._misread = self.noise.p(0.008)

    def open_sink(self, path: Path) -> CsvSink:
        return CsvSink(path, list(ANPR_HEADER))

    def fmt_received(self, when: datetime) -> str:
        return iso_seconds_z(when)

    def build(self, h: AnprRead) -> Built:  # type: ignore[override]
        rng = self.rng
        self._n += 1
        ref = f"R{3000000000 + self._n * 11}"
        cam = h.camera
        fields = self._cams.get(cam.lid)
        if fields is None:
            fields = self._cams[cam.lid] = (
                f"NVCAM{int(cam.lid[1:]) % 10000:04d}",
                cam.name,
                f"{cam.lat:.5f}",
                f"{cam.lon:.5f}",
            )
        vrm = h.vehicle.vrm.replace(" ", "")
        r = rng.random()
        confidence = 70 + int(r * 30)
        if r < self._misread:  # the camera misreads a character
            vrm = misread_plate(vrm, rng)
            confidence = 40 + int(rng.random() * 35)
        received = h.when + timedelta(seconds=2 + int(rng.random() * 600))
        row: list[object] = [
            ref,
            *fields,
            "NB" if r < 0.5 else "SB",
            iso_seconds_z(h.when),
            vrm,
            str(confidence),
            iso_seconds_z(received),
        ]  # in ANPR_HEADER order
        mentions = [("vehicle", "vehicle", h.vehicle.vid), ("camera", "location", cam.lid)]
        return Built(ref=ref, row=row, received=received, mentions=mentions)


class TaxiLicences(Agency):
    spec = "taxi_licences"
    filename = "taxi_licences.csv"
    received_col = "Processed"
    scribe_options = {
        "variant_rate": 0.1,
        "typo_rate": 0.01,
        "dob_missing": 0.0,
        "phone_style": "spaced",
    }

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self._n = 0

    def open_sink(self, path: Path) -> CsvSink:
        header = [
            "ApplicationNo",
            "LicenceNo",
            "LicenceType",
            "Status",
            "Title",
            "FirstName",
            "LastName",
            "DateOfBirth",
            "Address",
            "Postcode",
            "Mobile",
            "VehicleReg",
            "VehicleMake",
            "VehicleModel",
            "VehicleColour",
            "SchoolContract",
            "IssueDate",
            "ExpiryDate",
            "Processed",
        ]
        return CsvSink(path, header)

    def fmt_received(self, when: datetime) -> str:
        return d_month_y(when)

    def build(self, h: Licence) -> Built:  # type: ignore[override]
        rng, scribe = self.rng, self.scribe
        self._n += 1
        ref = f"APP{500000 + self._n * 5}"
        p = h.holder
        received = h.when + timedelta(days=rng.randrange(0, 8))
        fore, sur = scribe.names(p)
        dob = scribe.dob(p)
        addr, postcode = scribe.address(p.home)
        phone = self.world.phone(p)
        row = {
            "ApplicationNo": ref,
            "LicenceNo": f"{h.licence_type}/{h.licence_no}",
            "LicenceType": h.licence_type,
            "Status": h.status,
            "Title": ("Mr" if p.sex == "M" else rng.choice(("Mrs", "Ms", "Miss"))),
            "FirstName": fore,
            "LastName": sur,
            "DateOfBirth": d_month_y(dob) if dob else "",
            "Address": addr,
            "Postcode": postcode,
            "Mobile": scribe.phone(phone.number) if phone else "",
            "VehicleReg": h.vehicle.vrm,
            "VehicleMake": h.vehicle.make,
            "VehicleModel": h.vehicle.model,
            "VehicleColour": h.vehicle.colour,
            "SchoolContract": "Y" if p.school_contract else "N",
            "IssueDate": d_month_y(h.when),
            "ExpiryDate": d_month_y(h.expiry),
            "Processed": d_month_y(received),
        }
        mentions: list[tuple[str, str, str]] = []
        self.person_mention(mentions, "holder", p, phone, p.home)
        mentions.append(("vehicle", "vehicle", h.vehicle.vid))
        return Built(ref=ref, row=row, received=received, mentions=mentions)
