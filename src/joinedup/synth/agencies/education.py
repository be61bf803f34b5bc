"""Education safeguarding and attendance concerns (CSV), keyed by Unique Pupil Number."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from joinedup.synth.agencies.base import Agency, Built, CsvSink
from joinedup.synth.dates import dmy, dmy2
from joinedup.synth.events import EduConcern
from joinedup.synth.protected import DFE

HEADER = [
    "ConcernRef",
    "UPN",
    "LegalSurname",
    "LegalForename",
    "PreferredName",
    "DOB",
    "Gender",
    "YearGroup",
    "SENStatus",
    "Ethnicity",
    "School",
    "DateRaised",
    "Category",
    "Details",
    "RaisedBy",
    "RaisedByRole",
    "ActionTaken",
    "DateLogged",
]


class EducationConcerns(Agency):
    spec = "education_concerns"
    filename = "education_concerns.csv"
    received_col = "DateLogged"
    scribe_options = {"variant_rate": 0.1, "typo_rate": 0.02, "dob_missing": 0.01}

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self._n: dict[str, int] = {}

    def open_sink(self, path: Path) -> CsvSink:
        return CsvSink(path, HEADER)

    def fmt_received(self, when: datetime) -> str:
        return dmy2(when)

    def build(self, h: EduConcern) -> Built:  # type: ignore[override]
        rng, scribe = self.rng, self.scribe
        school = h.school
        code = school.lid[-4:]
        self._n[code] = self._n.get(code, 0) + 1
        ref = f"EC{code}-{self._n[code]:05d}"
        p = h.pupil
        received = h.when + timedelta(days=rng.randrange(0, 45), hours=rng.randrange(6))
        fore, sur = scribe.names(p)
        dob = scribe.dob(p)
        year = min(13, max(7, h.when.year - p.dob.year - (1 if h.when.month < 9 else 0) - 4))
        sen = (
            "E"
            if "learning_disability" in p.vulnerabilities and rng.random() < 0.6
            else ("K" if "learning_disability" in p.vulnerabilities else "N")
        )
        upn = p.upn if rng.random() < 0.97 else ""
        details, texts = self.render(h.notes, "Details", p.sex)
        row: dict[str, object] = {
            "ConcernRef": ref,
            "UPN": upn,
            "LegalSurname": sur,
            "LegalForename": fore,
            "PreferredName": p.nickname if p.nickname and rng.random() < 0.3 else "",
            "DOB": dmy(dob) if dob else "",
            "Gender": p.sex,
            "YearGroup": str(year),
            "SENStatus": sen,
            "Ethnicity": DFE[p.ethnicity] if rng.random() < 0.95 else "REFU",
            "School": school.name,
            "DateRaised": dmy2(h.when),
            "Category": h.category,
            "Details": details,
            "ActionTaken": rng.choice(
                ("Logged", "Parent contacted", "Referred to MASH", "Monitor", "DSL informed")
            ),
            "DateLogged": dmy2(received),
        }
        mentions: list[tuple[str, str, str]] = []
        self.person_mention(mentions, "pupil", p)
        if h.staff is not None:
            s = h.staff
            fore_s, sur_s = scribe.names(s)
            row["RaisedBy"] = f"{fore_s[:1]} {sur_s}" if rng.random() < 0.5 else f"{fore_s} {sur_s}"
            row["RaisedByRole"] = "DSL" if s.collar == "DSL" else "TCH"
            mentions.append(("staff", "person", s.pid))
        mentions.append(("school", "location", school.lid))
        return Built(ref=ref, row=row, received=received, mentions=mentions, texts=texts)
