"""Children's social care (XLSX): referrals, assessments, CSE screenings, LAC reviews.

One unique child reference per child, legal status, vulnerability flags and concern
codes as attributes of the child, and an associated adult when one was named.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from joinedup.synth.agencies.base import Agency, Built, XlsxSink
from joinedup.synth.events import CareEntry
from joinedup.synth.model import Person
from joinedup.synth.protected import DFE

HEADER = [
    "Work Item ID",
    "Child Ref",
    "Forename",
    "Surname",
    "DOB",
    "Gender",
    "Ethnicity",
    "Address",
    "Postcode",
    "Legal Status",
    "Work Type",
    "Start Date",
    "Referral Source",
    "Concern Codes",
    "Missing Flag",
    "LD Flag",
    "Substance Flag",
    "MH Flag",
    "Abuse History Flag",
    "CSE Risk",
    "Associated Adult",
    "Adult Relationship",
    "Adult DOB",
    "Adult Address",
    "Team",
    "Date Received",
]


class SocialCare(Agency):
    spec = "social_care"
    filename = "social_care.xlsx"
    received_col = "Date Received"
    scribe_options = {
        "variant_rate": 0.1,
        "typo_rate": 0.02,
        "dob_missing": 0.01,
        "swap_rate": 0.01,
    }

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self._n = 0
        self._refs = 0
        self._status: dict[str, str] = {}

    def open_sink(self, path: Path) -> XlsxSink:
        return XlsxSink(path, HEADER, "Extract")

    def fmt_received(self, when: datetime) -> object:
        return when.date()

    def child_ref(self, child: Person) -> str:
        if not child.child_ref:
            self._refs += 1
            child.child_ref = f"NVC{200000 + self._refs * 13:06d}"
        return child.child_ref

    def legal_status(self, child: Person, h: CareEntry) -> str:
        if child.in_care:
            return "LAC"
        status = self._status.get(child.pid)
        if status is None or (h.evidence and status == "NONE"):
            if h.evidence:
                status = "CP" if self.rng.random() < 0.3 else "CIN"
            elif "previous_abuse" in child.vulnerabilities and self.rng.random() < 0.3:
                status = "CP"
            else:
                status = "CIN" if self.rng.random() < 0.6 else "NONE"
            self._status[child.pid] = status
        return status

    def build(self, h: CareEntry) -> Built:  # type: ignore[override]
        rng, scribe = self.rng, self.scribe
        self._n += 1
        ref = f"WI{1000000 + self._n * 7}"
        child = h.child
        received = h.when + timedelta(days=rng.randrange(0, 21), hours=rng.randrange(8))
        fore, sur = scribe.names(child)
        dob = scribe.dob(child)
        addr, postcode = scribe.address(child.home)
        vul = child.vulnerabilities
        yn = {True: "Y", False: "N"}
        row: dict[str, object] = {
            "Work Item ID": ref,
            "Child Ref": self.child_ref(child),
            "Forename": fore,
            "Surname": sur,
            "DOB": dob,
            "Gender": "1" if child.sex == "M" else "2",
            "Ethnicity": DFE[child.ethnicity] if rng.random() < 0.9 else "NOBT",
            "Address": addr,
            "Postcode": postcode,
            "Legal Status": self.legal_status(child, h),
            "Work Type": h.work_type,
            "Start Date": h.when.date(),
            "Referral Source": h.source,
            "Concern Codes": ";".join(h.concerns),
            "Missing Flag": yn["missing" in vul or (h.evidence and "MIS" in h.concerns)],
            "LD Flag": yn["learning_disability" in vul],
            "Substance Flag": yn["substance_use" in vul],
            "MH Flag": yn["mental_health" in vul],
            "Abuse History Flag": yn["previous_abuse" in vul],
            "CSE Risk": h.risk,
            "Team": rng.choice(("MASH", "CIN North", "CIN South", "LAC Team", "Exploitation Hub")),
            "Date Received": received.date(),
        }
        mentions: list[tuple[str, str, str]] = []
        self.person_mention(mentions, "child", child, None, child.home)
        if h.adult is not None:
            a = h.adult
            if h.adult_known_as:
                row["Associated Adult"] = h.adult_known_as
            elif h.evidence and rng.random() < 0.5:
                row["Associated Adult"] = scribe.as_told(a)
            else:
                row["Associated Adult"] = scribe.full_name(a)
            row["Adult Relationship"] = h.adult_rel
            if not h.evidence and rng.random() < 0.5:
                row["Adult DOB"] = scribe.dob(a)
            if rng.random() < (0.15 if h.evidence else 0.5):
                row["Adult Address"] = ", ".join(x for x in scribe.address(a.home) if x)
                mentions.append(("adult", "person", a.pid))
                mentions.append(("adult.address", "location", a.home.lid))
            else:
                mentions.append(("adult", "person", a.pid))
        return Built(ref=ref, row=row, received=received, mentions=mentions)
