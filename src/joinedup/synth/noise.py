"""Realistic imperfection: how names, dates, plates, phones and addresses get written down.

Every probability is a base rate multiplied by the city's noise level (0 = clean,
1 = realistic, 2 = harsh). Each agency keeps its own "registered" spelling of a person,
so one system is mostly self-consistent while systems disagree with each other.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

from joinedup.synth.model import Location, Person, Vehicle
from joinedup.synth.names import STREET_ABBREV, ascii_fold, misspell, variant

MISREAD = {"O": "0", "0": "O", "I": "1", "1": "I", "S": "5", "5": "S", "B": "8", "8": "B",
           "Z": "2", "2": "Z", "D": "0", "G": "6", "6": "G", "E": "F", "F": "E"}  # fmt: skip
PHONE_STYLES = ("spaced", "plain", "intl_spaced", "intl", "brackets", "dashes", "no_zero")


class Noise:
    """Scaled coin flips for one agency (each agency has its own stream)."""

    def __init__(self, level: float, rng: random.Random):
        self.level = level
        self.rng = rng
        self._p: dict[float, float] = {}

    def p(self, base: float) -> float:
        p = self._p.get(base)
        if p is None:
            p = self._p[base] = min(0.95, base * self.level) if self.level > 0 else -1.0
        return p

    def chance(self, base: float) -> bool:
        return self.rng.random() < self.p(base)


class Scribe:
    """How one agency writes things down."""

    def __init__(
        self,
        noise: Noise,
        *,
        variant_rate: float = 0.2,
        typo_rate: float = 0.03,
        swap_rate: float = 0.02,
        dob_missing: float = 0.05,
        dob_wrong: float = 0.03,
        postcode_missing: float = 0.15,
        phone_style: str = "spaced",
        fold: bool = False,
        upper_surname: bool = False,
    ):
        self.noise = noise
        self.rng = noise.rng
        self.variant_rate = variant_rate
        self.typo_rate = typo_rate
        self.swap_rate = swap_rate
        self.dob_missing = dob_missing
        self.dob_wrong = dob_wrong
        self.postcode_missing = postcode_missing
        self.phone_style = phone_style
        self.fold = fold
        self.upper_surname = upper_surname
        self._registered: dict[str, tuple[str, str, str]] = {}
        self._dob: dict[str, date | None] = {}
        # Per-mention probabilities, scaled once (these run for every name written).
        self._p_slip = noise.p(typo_rate / 3)
        self._p_swap = noise.p(swap_rate)
        self._p_abbrev = noise.p(0.2)
        self._p_lower = noise.p(0.05)
        self._p_no_postcode = noise.p(postcode_missing)
        self._p_postcode_typo = noise.p(0.01)
        self._p_phone_typo = noise.p(0.01)

    # names -----------------------------------------------------------------------------
    def registered(self, p: Person) -> tuple[str, str, str]:
        """(forename, middle, surname) as this agency first recorded them."""
        reg = self._registered.get(p.pid)
        if reg is None:
            n, rng = self.noise, self.rng
            fore, mid, sur = p.forename, p.middle, p.surname
            if n.chance(self.variant_rate):
                fore = variant(fore, rng)
            if n.chance(self.variant_rate):
                sur = variant(sur, rng)
            if n.chance(self.typo_rate):
                fore = misspell(fore, rng)
            if n.chance(self.typo_rate):
                sur = misspell(sur, rng)
            if self.fold:
                fore, mid, sur = ascii_fold(fore), ascii_fold(mid), ascii_fold(sur)
            reg = (fore, mid, sur)
            self._registered[p.pid] = reg
        return reg

    def names(self, p: Person) -> tuple[str, str]:
        """(forenames, surname) for one mention: registered spelling with this mention's slips."""
        fore, mid, sur = self._registered.get(p.pid) or self.registered(p)
        rng = self.rng
        r = rng.random
        if r() < self._p_slip:
            fore = misspell(fore, rng)
        if r() < self._p_slip:
            sur = misspell(sur, rng)
        if mid and r() < 0.5:
            fore = f"{fore} {mid}"
        if r() < self._p_swap:
            fore, sur = sur, fore
        if self.upper_surname:
            sur = sur.upper()
        return fore, sur

    def full_name(self, p: Person) -> str:
        fore, sur = self.names(p)
        return f"{fore} {sur}"

    def as_told(self, p: Person) -> str:
        """A name as a child, a witness or a carer would give it: often only part of it."""
        rng = self.rng
        r = rng.random()
        if p.street_name and r < 0.45:
            return p.street_name
        if p.alias and r < 0.55:
            return p.alias
        if r < 0.7 and p.nickname:
            return p.nickname
        if r < 0.8:
            return self.registered(p)[0]
        return self.full_name(p)

    # dates -----------------------------------------------------------------------------
    def dob(self, p: Person, missing: float | None = None) -> date | None:
        n, rng = self.noise, self.rng
        if n.chance(self.dob_missing if missing is None else missing):
            return None
        d = self._dob.get(p.pid, p.dob)
        if p.pid not in self._dob:
            if n.chance(self.dob_wrong):
                d = wrong_date(p.dob, rng)
            self._dob[p.pid] = d
        return d

    # vehicles, phones, places ----------------------------------------------------------
    def plate(self, v: Vehicle, misread: float = 0.01) -> str:
        vrm = v.vrm
        if self.rng.random() < 0.5:
            vrm = vrm.replace(" ", "")
        if self.noise.chance(misread):
            vrm = misread_plate(vrm, self.rng)
        return vrm

    def phone(self, number: str, style: str | None = None) -> str:
        if self.rng.random() < self._p_phone_typo:
            i = self.rng.randrange(5, len(number))
            number = number[:i] + str((int(number[i]) + 1) % 10) + number[i + 1 :]
        return format_phone(number, style or self.phone_style)

    def address(self, loc: Location) -> tuple[str, str]:
        """(address, postcode) with abbreviations, missing postcodes and the odd typo."""
        r = self.rng.random
        addr = loc.address
        if r() < self._p_abbrev:
            words = addr.split(" ")
            addr = " ".join(
                STREET_ABBREV.get(w.rstrip(","), w.rstrip(",")) + ("," if w.endswith(",") else "")
                for w in words
            )
        if r() < self._p_lower:
            addr = addr.lower()
        if loc.hood >= 0 and r() < 0.3:
            addr += ", Northvale"
        postcode = loc.postcode
        if postcode and r() < self._p_no_postcode:
            postcode = ""
        elif postcode and r() < self._p_postcode_typo:
            postcode = postcode[:-2] + postcode[-1] + postcode[-2]
        elif postcode and r() < 0.1:
            postcode = postcode.replace(" ", "")
        return addr, postcode


def wrong_date(d: date, rng: random.Random) -> date:
    kind = rng.randrange(4)
    try:
        if kind == 0 and d.day <= 12 and d.day != d.month:
            return d.replace(day=d.month, month=d.day)
        if kind == 1:
            return d.replace(year=d.year + rng.choice((-1, 1)))
        if kind == 2:
            return d + timedelta(days=rng.choice((-1, 1, 10, -10)))
        return d.replace(day=min(28, rng.randrange(1, 29)))
    except ValueError:
        return d + timedelta(days=1)


def misread_plate(vrm: str, rng: random.Random) -> str:
    positions = [i for i, c in enumerate(vrm) if c in MISREAD]
    if not positions:
        return vrm
    i = rng.choice(positions)
    return vrm[:i] + MISREAD[vrm[i]] + vrm[i + 1 :]


def format_phone(number: str, style: str) -> str:
    """One number, written the many ways people write it (07700 900123, +44 7700 900123...)."""
    n = number
    if n.startswith("01") and style in ("spaced", "intl_spaced", "brackets"):
        local = f"{n[1:4]} {n[4:7]} {n[7:]}"
        return {
            "spaced": f"0{local}",
            "intl_spaced": f"+44 {local}",
            "brackets": f"(0{n[1:4]}) {n[4:7]} {n[7:]}",
        }[style]
    if style == "spaced":
        return f"{n[:5]} {n[5:]}"
    if style == "plain":
        return n
    if style == "intl_spaced":
        return f"+44 {n[1:5]} {n[5:]}"
    if style == "intl":
        return "+44" + n[1:]
    if style == "brackets":
        return f"({n[:5]}) {n[5:]}"
    if style == "dashes":
        return f"{n[:5]}-{n[5:8]}-{n[8:]}"
    if style == "no_zero":
        return n[1:]
    raise ValueError(style)


# Normal forms used as truth keys for free-text extractions.
def norm_phone(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    if digits.startswith("44"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = digits[1:]
    return "+44" + digits


def norm_plate(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def norm_postcode(text: str) -> str:
    compact = re.sub(r"\s", "", text.upper())
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def norm_nickname(text: str) -> str:
    return text.strip().strip("'\"").strip()
