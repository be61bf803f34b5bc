"""Hotel registers (CSV), as a hotel group's booking system exports them: US-style dates
(month first), one free-text guest name, the guest's phone and car registration, notes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from joinedup.synth.agencies.base import Agency, Built, CsvSink
from joinedup.synth.dates import mdy
from joinedup.synth.events import HotelStay

HEADER = [
    "Property",
    "PropertyPostcode",
    "BookingRef",
    "GuestName",
    "GuestPhone",
    "CheckIn",
    "CheckOut",
    "Nights",
    "Adults",
    "Room",
    "CarReg",
    "Notes",
    "ExportedOn",
]


class HotelRegister(Agency):
    spec = "hotel_register"
    filename = "hotel_register.csv"
    received_col = "ExportedOn"
    scribe_options = {"variant_rate": 0.25, "typo_rate": 0.06, "phone_style": "intl_spaced"}

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self._n = 0

    def open_sink(self, path: Path) -> CsvSink:
        return CsvSink(path, HEADER)

    def fmt_received(self, when: datetime) -> str:
        return mdy(when)

    def build(self, h: HotelStay) -> Built:  # type: ignore[override]
        rng, scribe = self.rng, self.scribe
        self._n += 1
        ref = f"BK{700000 + self._n * 17}"
        g = h.guest
        # Registers are obtained on request: quarterly, some weeks after the quarter ends.
        q_end_month = ((h.when.month - 1) // 3 + 1) * 3
        q_end = datetime(h.when.year + (q_end_month // 12), q_end_month % 12 + 1, 1)
        received = q_end + timedelta(days=rng.randrange(5, 50))
        fore, sur = scribe.names(g)
        title = "Mr" if g.sex == "M" else rng.choice(("Mrs", "Ms", "Miss"))
        r = rng.random()
        if h.use_alias:
            name = f"{g.alias} {sur}" if rng.random() < 0.5 else g.alias
        elif r < 0.35:
            name = f"{title} {fore[:1]} {sur}"
        elif r < 0.8:
            name = f"{fore.split(' ')[0]} {sur}"
        elif r < 0.9:
            name = f"{sur}, {fore.split(' ')[0]}"
        else:
            name = f"{title} {sur}"
        checkout = h.when + timedelta(days=h.nights)
        row: dict[str, object] = {
            "Property": h.hotel.name,
            "PropertyPostcode": h.hotel.postcode,
            "BookingRef": ref,
            "GuestName": name,
            "CheckIn": mdy(h.when),
            "CheckOut": mdy(checkout),
            "Nights": str(h.nights),
            "Adults": str(h.guests),
            "Room": str(100 * (1 + rng.randrange(4)) + rng.randrange(1, 40)),
            "ExportedOn": mdy(received),
        }
        mentions: list[tuple[str, str, str]] = []
        if h.phone is not None:
            row["GuestPhone"] = scribe.phone(h.phone.number)
        self.person_mention(mentions, "guest", g, h.phone)
        if h.vehicle is not None:
            row["CarReg"] = (
                scribe.plate(h.vehicle, misread=0.03).lower()
                if rng.random() < 0.1
                else scribe.plate(h.vehicle, misread=0.03)
            )
            mentions.append(("car", "vehicle", h.vehicle.vid))
        mentions.append(("hotel", "location", h.hotel.lid))
        texts: list[tuple] = []
        if h.notes:
            row["Notes"], texts = self.render(h.notes, "Notes")
        return Built(ref=ref, row=row, received=received, mentions=mentions, texts=texts)
