"""Missing-person episodes (CSV): reported by, found with (';'-separated), found at, return
interview notes. Return interviews done later are re-sent as a late copy with the notes.

A tiny share of rows carry an impossible reported date (31-Feb): expected quarantines.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from joinedup.synth.agencies.base import Agency, Built, CsvSink
from joinedup.synth.dates import d_mon_y, d_mon_y_hm
from joinedup.synth.events import Happening, MissingEpisode
from joinedup.synth.model import Person

REL = {
    "carer_staff": "STAFF",
    "foster_carer": "FOSTER",
    "parent": "PARENT",
    "relative": "RELATIVE",
}


class MissingEpisodes(Agency):
    spec = "missing_episodes"
    filename = "missing_episodes.csv"
    received_col = "LastUpdated"
    scribe_options = {
        "variant_rate": 0.2,
        "typo_rate": 0.05,
        "dob_missing": 0.03,
        "phone_style": "spaced",
    }
    HEADER = [
        "EpisodeID",
        "MPRef",
        "Category",
        "ChildSurname",
        "ChildForename",
        "ChildDOB",
        "ChildSex",
        "HomeAddress",
        "HomePostcode",
        "ReportedDateTime",
        "ReportedBy",
        "ReportedByRelationship",
        "ReportedByPhone",
        "RiskLevel",
        "FoundDateTime",
        "FoundWith",
        "FoundAt",
        "FoundAtPostcode",
        "FoundInVRM",
        "LocatedBy",
        "RHIDate",
        "RHINotes",
        "LastUpdated",
    ]

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self._n = 0
        self._mp = 0
        self.malformed = 0

    def open_sink(self, path: Path) -> CsvSink:
        return CsvSink(path, self.HEADER)

    def fmt_received(self, when: datetime) -> str:
        return d_mon_y_hm(when)

    def mp_ref(self, child: Person) -> str:
        if not child.missing_ref:
            self._mp += 1
            child.missing_ref = f"MP{10000 + self._mp * 3}"
        return child.missing_ref

    def _found_name(self, p: Person) -> str:
        rng, scribe = self.rng, self.scribe
        if p.role == "officer":
            return (
                f"PC {p.collar} {self.scribe.registered(p)[2]}"
                if rng.random() < 0.7
                else f"PC {self.scribe.registered(p)[2]}"
            )
        if p.kind == "child":
            return scribe.full_name(p) if rng.random() < 0.6 else scribe.registered(p)[0]
        if p.group:
            return scribe.as_told(p)
        return scribe.full_name(p) if rng.random() < 0.7 else scribe.as_told(p)

    def build(self, h: MissingEpisode) -> Built:  # type: ignore[override]
        rng, scribe = self.rng, self.scribe
        self._n += 1
        ref = f"{'MFC' if h.category == 'care' else 'MFH'}-{self._n:06d}"
        child = h.child
        mentions: list[tuple[str, str, str]] = []
        fore, sur = scribe.names(child)
        dob = scribe.dob(child)
        addr, postcode = scribe.address(child.home)
        row: dict[str, object] = {
            "EpisodeID": ref,
            "MPRef": self.mp_ref(child),
            "Category": "MFC" if h.category == "care" else "MFH",
            "ChildSurname": sur,
            "ChildForename": fore,
            "ChildDOB": d_mon_y(dob) if dob else "",
            "ChildSex": child.sex,
            "HomeAddress": addr,
            "HomePostcode": postcode,
            "ReportedDateTime": d_mon_y_hm(h.when),
            "RiskLevel": rng.choice(("Low", "Medium", "Medium", "High")),
        }
        self.person_mention(mentions, "child", child, None, child.home)
        if h.reporter is not None:
            rp = h.reporter
            row["ReportedBy"] = (
                scribe.full_name(rp) if rng.random() < 0.8 else scribe.registered(rp)[0]
            )
            row["ReportedByRelationship"] = REL.get(rp.role, "OTHER")
            phone = None
            if rp.role == "carer_staff" and child.home.phone is not None:
                phone = child.home.phone  # the home's landline
            elif rng.random() < 0.7:
                phone = self.world.phone(rp)
            if phone is not None:
                row["ReportedByPhone"] = scribe.phone(phone.number)
                mentions.append(("reporter", "person", rp.pid))
                mentions.append(("reporter.phone", "phone", phone.phid))
            else:
                mentions.append(("reporter", "person", rp.pid))
        found = h.end
        received = h.when + timedelta(hours=rng.randrange(1, 30))
        if found <= self.extract_end:
            row["FoundDateTime"] = d_mon_y_hm(found)
            names = []
            for p in h.found_with:
                names.append(self._found_name(p))
                mentions.append((f"found_with[{len(names) - 1}]", "person", p.pid))
            sep = "; " if rng.random() < 0.7 else ";"
            row["FoundWith"] = sep.join(names)
            if h.found_at is not None:
                loc = h.found_at
                if loc.type in ("home", "flat", "childrens_home"):
                    a, pc = scribe.address(loc)
                else:
                    a, pc = (loc.name or loc.address), (loc.postcode if rng.random() < 0.3 else "")
                row["FoundAt"] = a
                row["FoundAtPostcode"] = pc
                mentions.append(("found_at", "location", loc.lid))
            if h.found_in is not None:
                row["FoundInVRM"] = scribe.plate(h.found_in)
                mentions.append(("found_in", "vehicle", h.found_in.vid))
            if h.located_by is not None:
                row["LocatedBy"] = f"PC {h.located_by.collar} {scribe.registered(h.located_by)[2]}"
                mentions.append(("located_by", "person", h.located_by.pid))
            received = found + timedelta(hours=rng.randrange(1, 48))
        b = Built(ref=ref, row=row, received=received, mentions=mentions)
        if h.notes:
            rhi = found + timedelta(
                days=rng.randrange(1, 5) if rng.random() < 0.6 else rng.randrange(5, 30)
            )
            text, texts = self.render(h.notes, "RHINotes", h.child.sex)
            if h.notes_late:
                late = dict(row)
                late["RHIDate"] = d_mon_y(rhi)
                late["RHINotes"] = text
                b.resend, b.resend_at, b.resend_texts = (
                    late,
                    rhi + timedelta(hours=rng.randrange(2, 72)),
                    texts,
                )
            elif rhi <= self.extract_end:
                row["RHIDate"] = d_mon_y(rhi)
                row["RHINotes"] = text
                b.texts = texts
                received = max(received, rhi)
                b.received = received
        row["LastUpdated"] = d_mon_y_hm(received)
        return b

    def handle(self, h: Happening) -> None:
        if self.level > 0 and (self.noise.chance(0.0015) or (self._n == 40 and not self.malformed)):
            self._malformed(h)  # type: ignore[arg-type]
            return
        super().handle(h)

    def _malformed(self, h: MissingEpisode) -> None:
        """An impossible date typed into the required reported-date column."""
        b = self.build(h)
        if b.received > self.extract_end:
            return
        bad = f"{self.rng.choice(('30', '31'))}-Feb-{h.when.year} {h.when:%H:%M}"
        b.row["ReportedDateTime"] = bad
        self.malformed += 1
        self.emit(b.row, b.ref, "malformed", h, b.received)
        self.truth.quarantine(
            self.spec, b.ref, self.rows, self.rows + 1, "ReportedDateTime", bad, "impossible date"
        )
