"""Who is a child, who is family or a professional, and the conduct ties between adults,
children, vehicles, places and phones that the rules read. Roles decide what a tie means.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from joinedup.detect.facts import Event, Facts, Person

CHILD_ROLES = frozenset({"missing_person", "pupil"})
# A child in these roles at a police incident is "recorded at" its scene (not a suspect).
ADDRESS_CHILD_ROLES = frozenset({"victim", "subject", "mentioned"})
# Adult links from ordinary contact: they count in the group graph only around a child at risk.
WEAK_LINKS = frozenset({"in a car with a child", "found together in public with a missing child"})
DIGIT = re.compile(r"\d")
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")


@dataclass(frozen=True, slots=True)
class Tie:
    """A conduct tie from a child to an adult or an object, evidenced by one event."""

    child: int
    kind: str  # person | vehicle | location | phone
    other: int
    weight: float
    how: str  # found_with, found_in, found_at, named, passenger, associate, victim_report...
    event: int
    day: date


class Kin:
    """One child's family and carers: those recorded as such (`direct`: reported her
    missing, a parent or carer beside her, named as family, sharing her home) and every
    adult sharing one of her surnames, looked up in the shared surname index rather than
    copied per child (in a city with a few hundred common surnames each child would
    otherwise hold thousands of adults, and memory would grow with children x adults)."""

    __slots__ = ("direct", "surnames", "by_surname")

    def __init__(self, by_surname: dict[str, set[int]] | None = None) -> None:
        self.direct: set[int] = set()
        self.surnames: tuple[str, ...] = ()
        self.by_surname = by_surname if by_surname is not None else {}

    def add(self, adult: int) -> None:
        self.direct.add(adult)

    def __contains__(self, adult: object) -> bool:
        if adult in self.direct:
            return True
        return any(adult in self.by_surname.get(s, ()) for s in self.surnames)

    def _sets(self) -> list[set[int]]:
        return [self.direct, *(self.by_surname.get(s, set()) for s in self.surnames)]

    def members(self) -> set[int]:
        return set().union(*self._sets())

    def __iter__(self) -> Iterator[int]:
        return iter(self.members())

    def __len__(self) -> int:
        return len(self.members())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Kin):
            return self.members() == other.members()
        if isinstance(other, (set, frozenset)):
            return self.members() == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Kin({sorted(self.members())!r})"


class AnyOf:
    """The union of some sets, for `in` (and iteration), without copying them into one."""

    __slots__ = ("sets",)

    def __init__(self, sets: list[set[int]]) -> None:
        self.sets = sets

    def __contains__(self, value: object) -> bool:
        return any(value in s for s in self.sets)

    def __iter__(self) -> Iterator[int]:
        return iter(set().union(*self.sets))


class Families(dict[int, Kin]):
    """child -> Kin; like a defaultdict, asking for a child not yet seen adds her."""

    def __init__(self, by_surname: dict[str, set[int]] | None = None) -> None:
        super().__init__()
        self.by_surname: dict[str, set[int]] = by_surname if by_surname is not None else {}

    def __missing__(self, child: int) -> Kin:
        kin = self[child] = Kin(self.by_surname)
        return kin


@dataclass
class Analysis:
    """The facts read as roles: classes of people and places, and the ties."""

    facts: Facts
    children: set[int]
    adults: set[int]
    professionals: set[int]
    family: Families  # child -> adults explained as family or carer (a Kin, set-like)
    place_class: dict[int, str]  # location -> hotel | residential | public
    homes: dict[int, set[int]]  # location -> persons living there
    ties: list[Tie] = field(default_factory=list)
    adult_links: list[tuple[int, int, str, int]] = field(default_factory=list)  # a, b, how, ev
    warning_notices: dict[int, list[int]] = field(default_factory=dict)  # child -> events
    missing: dict[int, list[int]] = field(default_factory=dict)  # child -> episode events
    ties_by_child: dict[int, list[Tie]] = field(default_factory=dict)
    family_homes: set[int] = field(default_factory=set)  # homes where a child lives
    names: dict[str, int] = field(default_factory=dict)  # single name -> its node id
    weights: dict[str, float] = field(default_factory=dict)  # tie weights (adults.yaml)
    _owners: dict[tuple[str, int], set[int]] = field(default_factory=dict)
    today: date | None = None  # the last event's day, once asked for
    address_classes: frozenset[str] = frozenset()  # incidents whose scene ties (adults.yaml)
    address_max_residents: int = 6
    _family_homes: dict[int, AnyOf] = field(default_factory=dict)
    _surname_homes: dict[str, set[int]] = field(default_factory=dict)

    def _homes_of(self, adults: Iterable[int]) -> set[int]:
        return {h for a in adults for h in self.facts.persons[a].homes}

    def family_homes_of(self, child: int) -> AnyOf:
        """The homes of her family and carers: her direct family's, and per surname the
        homes of everyone with it (built once per surname, shared by the children)."""
        if child not in self._family_homes:
            kin = self.family.get(child)
            sets: list[set[int]] = []
            if kin is not None:
                sets.append(self._homes_of(kin.direct))
                for s in kin.surnames:
                    if s not in self._surname_homes:
                        self._surname_homes[s] = self._homes_of(kin.by_surname.get(s, ()))
                    sets.append(self._surname_homes[s])
            self._family_homes[child] = AnyOf(sets)
        return self._family_homes[child]

    def name_id(self, name: str) -> int:
        return self.names.setdefault(name, -(len(self.names) + 1))

    def owners(self, kind: str, entity: int) -> set[int]:
        """Adults recorded as having this vehicle, phone or home."""
        if not self._owners:
            for a in self.adults:
                p = self.facts.persons[a]
                for v in p.vehicles:
                    self._owners.setdefault(("vehicle", v), set()).add(a)
                for ph in p.phones:
                    self._owners.setdefault(("phone", ph), set()).add(a)
                for h in p.homes:
                    self._owners.setdefault(("location", h), set()).add(a)
            self._owners[("", 0)] = set()  # built, even in a store with no objects
        return self._owners.get((kind, entity), set())


def classify_people(facts: Facts) -> tuple[set[int], set[int]]:
    """Children: under 18 at their first recorded event (date of birth), or with no date of
    birth and seen in a child's role (missing person, pupil). A child who turns 18 during
    the records stays a child for them: the events were about a child."""
    children, adults = set(), set()
    for entity, p in facts.persons.items():
        first = min((facts.events[e].day for e in p.events), default=None)
        age = p.age_on(first) if first else None
        if age is not None:
            (children if age < 18 else adults).add(entity)
        elif any(r in CHILD_ROLES for r in p.roles):
            children.add(entity)
        else:
            adults.add(entity)
    return children, adults


def is_professional(p: Person, roles: set[str], relationships: set[str]) -> bool:
    return any(r in roles for r in p.roles) or bool(p.relationships & relationships)


def classify_place(facts: Facts, entity: int) -> str:
    """hotel (a hotel register names it), residential (a house or flat number), or public."""
    if "hotel" in facts.location_types.get(entity, ()):
        return "hotel"
    label = (facts.location_labels.get(entity) or "").upper()
    return "residential" if DIGIT.search(POSTCODE.sub("", label)) else "public"


def analyse(facts: Facts, params: dict) -> Analysis:
    children, adults = classify_people(facts)
    prof_roles = set(params.get("professional_roles", ()))
    prof_rel = set(params.get("professional_relationships", ()))
    family_rel = set(params.get("family_relationships", ()))
    professionals = {a for a in adults if is_professional(facts.persons[a], prof_roles, prof_rel)}
    homes: dict[int, set[int]] = defaultdict(set)
    for entity, p in facts.persons.items():
        for h in p.homes:
            homes[h].add(entity)
    places = {loc: classify_place(facts, loc) for loc in facts.location_labels}
    by_surname: dict[str, set[int]] = defaultdict(set)
    family = Families(by_surname)
    an = Analysis(facts, children, adults, professionals, family, places, homes)
    an.family_homes = {h for h, people in homes.items() if people & children}
    an.weights = {k: float(v) for k, v in params["tie_weights"].items()}
    an.address_classes = frozenset(params.get("address_incident_classes", ()))
    an.address_max_residents = int(params.get("address_max_residents", 6))
    # Family and carers: reported the child missing, recorded as parent/guardian/carer or by a
    # family relationship beside the child, share the child's home, or share a surname.
    family_text = family_pattern(params.get("family_in_text", ()))
    for e in facts.events.values():
        kids = [x.entity for x in e.parts if x.kind == "person" and x.entity in children]
        if not kids:
            continue
        for x in e.parts:
            if x.kind != "person" or x.entity not in adults:
                continue
            rel = str(x.attrs.get("relationship") or "")
            if (
                x.role in ("reporting_person", "parent", "guardian", "carer")
                or rel in family_rel
                or (
                    x.role == "mentioned"
                    and _named_as_family(e.text, facts.persons[x.entity], family_text)
                )
            ):
                for k in kids:
                    an.family[k].add(x.entity)
    for a in adults:
        for name in facts.persons[a].surnames:
            by_surname[name].add(a)
    for k in children:
        kp = facts.persons[k]
        if not kp.homes and not kp.surnames:
            continue
        kin = an.family[k]
        for h in kp.homes:
            kin.direct |= homes.get(h, set()) & adults
        kin.surnames = tuple(sorted(n for n in kp.surnames if n in by_surname))
    for e in sorted(facts.events.values(), key=lambda x: (x.day, x.id)):
        _event_ties(an, e)
    an.ties += hotel_overlaps(an)
    an.ties += name_ties(an, params)
    for tie in an.ties:
        an.ties_by_child.setdefault(tie.child, []).append(tie)
    return an


def family_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """A name in quotes followed by a family word: "Collected by 'Graham', family member"."""
    words = sorted((re.escape(w) for w in words), key=len, reverse=True)
    if not words:
        return None
    return re.compile(
        r"'([^']{1,40})'\s*,\s*(?:her |his |a |the )?(?:" + "|".join(words) + r")\b", re.I
    )


def _named_as_family(text: str, p: Person, pattern: re.Pattern[str] | None) -> bool:
    if pattern is None or not text or p.has_name:
        return False
    return any(m.group(1).strip().upper() in p.names for m in pattern.finditer(text))


def _explained(an: Analysis, child: int, adult: int) -> bool:
    return adult in an.professionals or adult in an.family.get(child, ()) or adult == child


def _event_ties(an: Analysis, e: Event) -> None:
    W = an.weights  # noqa: N806 - the tie weights of the rule book, read often
    persons = [x for x in e.parts if x.kind == "person"]
    kids = [x for x in persons if x.entity in an.children]
    grown = [x for x in persons if x.entity in an.adults]
    day = e.day
    add = an.ties.append
    if e.type == "missing_episode":
        for k in (x for x in kids if x.role == "missing_person"):
            c = k.entity
            an.missing.setdefault(c, []).append(e.id)
            _address_ties(an, e, [c], ("mentioned",))
            found_at = [x.entity for x in e.parts if x.kind == "location" and x.role == "found_at"]
            cars = [x.entity for x in e.parts if x.kind == "vehicle"]
            child_homes = an.facts.persons[c].homes
            family_homes = an.family_homes_of(c)
            setting = "none"
            for loc in found_at:
                cls = an.place_class.get(loc, "public")
                if loc in child_homes or loc in family_homes or loc in an.family_homes:
                    setting = "home"  # her home, her family's, or a home where children live
                    continue
                setting = cls
                w = W["found_at_public" if cls == "public" else "found_at_private"]
                add(Tie(c, "location", loc, w, f"found_at_{cls}", e.id, day))
            if cars:
                setting = "vehicle"
            for v in cars:
                how = "named" if _named(e, v) else "found_in"
                add(Tie(c, "vehicle", v, W["found_in"], how, e.id, day))
            weight = {
                "home": 0.0,
                "public": W["found_with_public"],
                "none": W["found_with_unplaced"],
            }.get(setting, W["found_with_private"])
            for a in grown:
                if _explained(an, c, a.entity):
                    continue
                if a.role == "found_with" and weight:
                    add(Tie(c, "person", a.entity, weight, "found_with", e.id, day))
                elif a.role == "mentioned":
                    add(Tie(c, "person", a.entity, W["named"], "named", e.id, day))
            for x in e.parts:
                if x.kind == "phone" and x.role == "mentioned":
                    add(Tie(c, "phone", x.entity, W["named"], "named", e.id, day))
            others = [x.entity for x in grown if x.role == "found_with"]
            others = [a for a in others if not _explained(an, c, a)] if weight else []
            how = (
                "found together with a missing child"
                if weight >= 2
                else "found together in public with a missing child"
            )
            for i, a in enumerate(others):
                for b in others[i + 1 :]:
                    an.adult_links.append((a, b, how, e.id))
        return
    if e.type == "stop_check":
        passengers = [x.entity for x in kids if x.role == "passenger"]
        drivers = [x.entity for x in grown if x.role in ("driver", "passenger")]
        cawn = e.attrs.get("outcome") == "child_abduction_warning_notice"
        cars = [x.entity for x in e.parts if x.kind == "vehicle"]
        for c in passengers:
            if cawn:
                an.warning_notices.setdefault(c, []).append(e.id)
            for a in drivers:
                if _explained(an, c, a) or (an.facts.persons[a].school_contract and not cawn):
                    continue
                add(
                    Tie(
                        c,
                        "person",
                        a,
                        W["warning_notice" if cawn else "in_car"],
                        "in_car",
                        e.id,
                        day,
                    )
                )
            for v in cars:
                if not any(an.facts.persons[a].school_contract for a in drivers) or cawn:
                    add(
                        Tie(
                            c,
                            "vehicle",
                            v,
                            W["warning_notice" if cawn else "in_car"],
                            "in_car",
                            e.id,
                            day,
                        )
                    )
        if passengers:
            free = [a for a in drivers if not an.facts.persons[a].school_contract]
            for i, a in enumerate(free):
                for b in free[i + 1 :]:
                    an.adult_links.append((a, b, "in a car with a child", e.id))
        return
    if e.type == "police_incident":
        cls = e.attrs.get("incident_class")
        if cls in an.address_classes:
            _address_ties(an, e, [x.entity for x in kids if x.role in ADDRESS_CHILD_ROLES])
        if cls not in ("arrest", "intelligence_report", "concern_for_welfare"):
            return
        victims = [x.entity for x in kids if x.role == "victim"]
        suspects = [x.entity for x in grown if x.role in ("suspect", "associate", "mentioned")]
        # Intelligence needs corroboration; an arrest or a welfare call is a recorded fact.
        strength = W[
            {"arrest": "arrest", "concern_for_welfare": "welfare_concern"}.get(
                str(cls), "intelligence"
            )
        ]
        for c in victims:
            for a in suspects:
                if not _explained(an, c, a):
                    add(Tie(c, "person", a, strength, "victim_report", e.id, day))
            for x in e.parts:
                if x.kind in ("vehicle", "phone") and x.role == "mentioned":
                    add(
                        Tie(
                            c,
                            x.kind,
                            x.entity,
                            min(strength, W["named"]),
                            "victim_report",
                            e.id,
                            day,
                        )
                    )
        if cls in ("arrest", "intelligence_report") and victims:
            for i, a in enumerate(suspects):
                for b in suspects[i + 1 :]:
                    an.adult_links.append((a, b, "named together in an exploitation report", e.id))
        return
    subject_roles = {
        "referral": ("subject",),
        "assessment": ("subject",),
        "health_attendance": ("patient",),
        "education_concern": ("pupil",),
    }.get(e.type)
    if subject_roles is None:
        return
    for k in (x for x in kids if x.role in subject_roles):
        c = k.entity
        for a in grown:
            rel = str(a.attrs.get("relationship") or "")
            if _explained(an, c, a.entity) or a.role in ("staff", "officer"):
                continue
            if a.role == "mentioned" or (
                a.role in ("associate", "accompanying_adult")
                and rel in ("boyfriend", "friend", "unknown", "cousin", "")
            ):
                add(Tie(c, "person", a.entity, W["named"], "named", e.id, day))
        for x in e.parts:
            if x.kind in ("vehicle", "phone") and x.role == "mentioned":
                add(Tie(c, x.kind, x.entity, W["named"], "named", e.id, day))


def _address_ties(
    an: Analysis, e: Event, children: list[int], roles: tuple[str, ...] = ("location", "mentioned")
) -> None:
    """A child recorded at an address where adults live: the scene of a police incident
    naming her (an arrest, intelligence, a welfare concern, neighbours reporting girls
    coming and going), or an address her return interview names. Only a residential
    address that is not her home, her family's or a home where a child lives, and that the
    records give at most `address_max_residents` adult residents (not a hostel or a
    block's shared address); its residents join through their home (ownership edges)."""
    places = [x.entity for x in e.parts if x.kind == "location" and x.role in roles]
    for c in children:
        for loc in places:
            if an.place_class.get(loc) != "residential" or loc in an.family_homes:
                continue
            if loc in an.facts.persons[c].homes or loc in an.family_homes_of(c):
                continue
            if len(an.homes.get(loc, set()) & an.adults) > an.address_max_residents:
                continue
            an.ties.append(
                Tie(
                    c, "location", loc, an.weights.get("at_address", 2.0), "at_address", e.id, e.day
                )
            )


def _named(e: Event, vehicle: int) -> bool:
    return any(x.kind == "vehicle" and x.entity == vehicle and x.role == "mentioned"
               for x in e.parts)  # fmt: skip


def hotel_overlaps(an: Analysis) -> list[Tie]:
    """A hotel guest whose stay covers a day a missing child was found at that hotel."""
    stays: dict[int, list[tuple[date, date, int, int]]] = defaultdict(list)
    for e in an.facts.events.values():
        if e.type != "hotel_stay" or e.location is None or e.start is None:
            continue
        nights = int(e.attrs.get("nights") or 1)
        for x in e.parts:
            if x.kind == "person" and x.role == "guest" and x.entity in an.adults:
                start = e.start.date()
                stays[e.location].append(
                    (start, date.fromordinal(start.toordinal() + nights), x.entity, e.id)
                )
    out = []
    for t in an.ties:
        if t.kind == "location" and t.how == "found_at_hotel":
            for start, end, guest, ev in stays.get(t.other, ()):
                if start <= t.day <= end and not _explained(an, t.child, guest):
                    out.append(
                        Tie(
                            t.child,
                            "person",
                            guest,
                            an.weights["hotel_guest"],
                            "hotel_guest",
                            ev,
                            start,
                        )
                    )
    return out


def name_ties(an: Analysis, params: dict) -> list[Tie]:
    """Children who name an adult by the same single name ("Mo", "Bully"). Resolution never
    merges such mentions (a street name is shared by several men), but two children naming
    the same one is a tie worth seeing; a name many children use is no tie at all."""
    weight = float(params.get("shared_name_weight", 2.0))
    most = int(params.get("shared_name_max_children", 6))
    by_name: dict[str, list[Tie]] = defaultdict(list)
    for t in an.ties:
        if t.kind != "person" or t.how not in ("found_with", "named") or t.weight < 2:
            continue
        p = an.facts.persons[t.other]
        if p.has_name:
            continue
        for name in p.names:
            if len(name) >= 2:
                by_name[name].append(t)
    out = []
    for name, ties in by_name.items():
        kids = {t.child for t in ties}
        if 2 <= len(kids) <= most:
            key = an.name_id(name)
            out += [Tie(t.child, "name", key, weight, "shared_name", t.event, t.day) for t in ties]
    return out
