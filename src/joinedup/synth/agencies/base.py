"""What every agency writer shares: file sinks, free-text rendering, duplicates, late re-sends.

A writer turns a happening into one row in its agency's layout and tells the truth
writer which true entity sits in each mention slot of that row.
"""

from __future__ import annotations

import codecs
import csv
import heapq
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from joinedup.synth.events import Happening, Note
from joinedup.synth.names import ascii_fold
from joinedup.synth.noise import (
    Noise,
    Scribe,
    format_phone,
    norm_nickname,
    norm_phone,
    norm_plate,
    norm_postcode,
)
from joinedup.synth.population import World
from joinedup.synth.rng import stream
from joinedup.synth.truth import TruthWriter


def _fold_errors(err: UnicodeError) -> tuple[str, int]:
    # Characters the target code page lacks are stripped of accents, as older systems do.
    assert isinstance(err, UnicodeEncodeError)
    return ascii_fold(err.object[err.start : err.end]) or "?", err.end


codecs.register_error("synth_fold", _fold_errors)
# In running text a number is written with its leading 0 or +44, however it is spaced.
_PRONOUN = re.compile(r"\b(?:she|She|her|Her)\b")
_HE = {"she": "he", "She": "He", "her": "his", "Her": "His"}
TEXT_PHONE_STYLES = ("spaced", "plain", "intl_spaced", "intl", "brackets", "dashes")


class CsvSink:
    def __init__(
        self, path: Path, header: list[str], delimiter: str = ",", encoding: str = "utf-8"
    ):
        self.header = header
        self._f = open(
            path, "w", encoding=encoding, errors="synth_fold", newline="", buffering=1 << 20
        )  # noqa: SIM115
        self._w = csv.writer(self._f, delimiter=delimiter, lineterminator="\r\n")
        self._w.writerow(header)

    def write(self, row: dict[str, object] | list[object]) -> None:
        # A list is already in header order (the hot ANPR path); a dict is looked up.
        self._w.writerow(row if isinstance(row, list) else [row.get(c, "") for c in self.header])

    def close(self) -> None:
        self._f.close()


class JsonlSink:
    def __init__(self, path: Path):
        self._f = open(path, "w", encoding="utf-8", newline="\n", buffering=1 << 20)  # noqa: SIM115

    def write(self, row: dict[str, object]) -> None:
        self._f.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")

    def close(self) -> None:
        self._f.close()


class XlsxSink:
    def __init__(self, path: Path, header: list[str], sheet: str):
        from joinedup.synth.xlsx import XlsxWriter

        self.header = header
        self._w = XlsxWriter(path, sheet)
        self._w.append(list(header))

    def write(self, row: dict[str, object]) -> None:
        self._w.append([row.get(c) for c in self.header])

    def close(self) -> None:
        self._w.close()


@dataclass(slots=True)
class Built:
    """One row ready to write, with its truth."""

    ref: str
    row: dict[str, object] | list[object]
    received: datetime
    mentions: list[tuple[str, str, str]] = field(default_factory=list)  # (slot, kind, entity id)
    texts: list[tuple] = field(default_factory=list)  # see TruthWriter.text
    resend: dict[str, object] | None = None  # an amended copy to send later, if any
    resend_at: datetime | None = None
    resend_texts: list[tuple] = field(default_factory=list)


class Agency:
    """Base writer. Subclasses set `spec`, `filename`, and implement `build`."""

    spec = ""
    filename = ""
    received_col = ""
    header_rows = 1  # rows before the first record: file row = record row + this (0 for JSONL)
    scribe_options: dict[str, object] = {}

    def __init__(self, out_dir: Path, world: World, truth: TruthWriter, level: float, seed: int):
        self.world = world
        self.truth = truth
        self.level = level
        self.rng = stream(seed, f"agency/{self.spec}")
        self.noise = Noise(level, self.rng)
        self.scribe = Scribe(self.noise, **self.scribe_options)  # type: ignore[arg-type]
        self.extract_end = datetime.combine(world.end, datetime.max.time()).replace(microsecond=0)
        self.path = out_dir / self.filename
        self.sink = self.open_sink(self.path)
        self.rows = 0
        self.dropped_late = 0
        self._pending: list[tuple] = []
        self._p_duplicate = self.noise.p(0.004)
        self._p_resend = self.noise.p(0.006)
        self._pending_seq = 0

    # to implement ----------------------------------------------------------------------
    def open_sink(self, path: Path) -> CsvSink | JsonlSink | XlsxSink:
        raise NotImplementedError

    def build(self, h: Happening) -> Built | None:
        raise NotImplementedError

    def fmt_received(self, when: datetime) -> object:
        raise NotImplementedError

    # shared machinery ------------------------------------------------------------------
    def handle(self, h: Happening) -> None:
        b = self.build(h)
        if b is None:
            return
        if b.received > self.extract_end:
            self.dropped_late += 1  # not yet received when the extract was taken
            return
        self.emit(b.row, b.ref, "original", h, b.received)
        self.truth.mentions(self.spec, b.ref, b.mentions)
        self.truth.texts(self.spec, b.ref, b.texts)
        r = self.rng.random()
        if r < self._p_duplicate:
            self.emit(b.row, b.ref, "exact_duplicate", h, b.received)
        resend, when = b.resend, b.resend_at
        if resend is None and self._p_duplicate <= r < self._p_duplicate + self._p_resend:
            resend = list(b.row) if isinstance(b.row, list) else dict(b.row)
            when = b.received + timedelta(days=self.rng.randrange(20, 150))
        if resend is not None and when is not None and when <= self.extract_end:
            if isinstance(resend, list):
                resend[self.sink.header.index(self.received_col)] = self.fmt_received(when)  # type: ignore[union-attr]
            else:
                resend[self.received_col] = self.fmt_received(when)
            self._pending_seq += 1
            heapq.heappush(
                self._pending, (when, self._pending_seq, resend, b.ref, h, b.resend_texts)
            )

    def emit(
        self, row: dict[str, object], ref: str, copy: str, h: Happening, received: datetime
    ) -> None:
        self.sink.write(row)
        self.rows += 1
        self.truth.record(
            self.spec, ref, self.rows, self.rows + self.header_rows, copy, h, received
        )

    def release(self, until: datetime) -> None:
        """Write the re-sent records that arrived by `until`."""
        while self._pending and self._pending[0][0] <= until:
            when, _, row, ref, h, texts = heapq.heappop(self._pending)
            self.emit(row, ref, "resend", h, when)
            self.truth.texts(self.spec, ref, texts)

    def close(self) -> None:
        self.release(self.extract_end)
        self._pending.clear()
        self.sink.close()

    # helpers for subclasses ------------------------------------------------------------
    def render(self, notes: list[Note], column: str, sex: str = "F") -> tuple[str, list[tuple]]:
        """Free text from notes, and the extractable values in it with their offsets."""
        rng = self.rng
        parts: list[str] = []
        pos = 0
        found: list[tuple] = []
        for note in notes:
            text = note.text
            kind = note.kind
            if kind:
                ent = note.entity
                if kind == "phone":
                    text = format_phone(
                        text, TEXT_PHONE_STYLES[rng.randrange(len(TEXT_PHONE_STYLES))]
                    )
                    found.append((column, pos, "phone", text, norm_phone(text), ent.phid, False))  # type: ignore[union-attr]
                elif kind in ("plate", "plate_partial"):
                    if kind == "plate" and rng.random() < 0.5:
                        text = text.replace(" ", "")
                    value = norm_plate(text) + ("*" if kind == "plate_partial" else "")
                    found.append(
                        (column, pos, "vehicle", text, value, ent.vid, kind == "plate_partial")
                    )  # type: ignore[union-attr]
                elif kind == "postcode":
                    if not text:
                        continue
                    found.append(
                        (column, pos, "location", text, norm_postcode(text), ent.lid, False)
                    )  # type: ignore[union-attr]
                elif kind == "nickname":
                    found.append((column, pos, "person", text, norm_nickname(text), ent.pid, False))  # type: ignore[union-attr]
            elif sex == "M":
                text = _PRONOUN.sub(lambda m: _HE[m.group()], text)
            parts.append(text)
            pos += len(text)
        return "".join(parts), found

    def person_mention(
        self, mentions: list, slot: str, p: object, phone: object = None, address: object = None
    ) -> None:
        mentions.append((slot, "person", p.pid))  # type: ignore[attr-defined]
        if phone is not None:
            mentions.append((f"{slot}.phone", "phone", phone.phid))  # type: ignore[attr-defined]
        if address is not None:
            mentions.append((f"{slot}.address", "location", address.lid))  # type: ignore[attr-defined]
