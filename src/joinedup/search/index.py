"""The in-memory name index behind search: every person mention's name, nickname and
postcode, by entity, rebuilt once per resolution run (cheap to check, costly to build).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Connection, func, select

from joinedup.ingest.normalise.names import clean_name
from joinedup.resolve.aliases import Aliases, load_aliases
from joinedup.search.cache import PerStore
from joinedup.search.fuzzy import GramIndex
from joinedup.store import tables as t

Entry = tuple[int, int]  # (entity id, mention id)


@dataclass
class NameIndex:
    run_id: int | None
    names: list[str] = field(default_factory=list)  # distinct matching-form full names
    name_entries: list[list[Entry]] = field(default_factory=list)
    tokens: dict[str, set[int]] = field(default_factory=dict)  # token -> name positions
    words: list[str] = field(default_factory=list)  # the distinct tokens, for fuzzy words
    alias_keys: dict[str, set[int]] = field(default_factory=dict)  # alias group -> positions
    nicknames: list[str] = field(default_factory=list)
    nickname_entries: list[list[Entry]] = field(default_factory=list)
    nickname_raw: list[str] = field(default_factory=list)
    postcodes: dict[str, list[Entry]] = field(default_factory=dict)
    # Partial plates as sighted ("VP11*"): (pattern, entity id, mention id, as written).
    partial_plates: list[tuple[str, int, int, str]] = field(default_factory=list)
    aliases: Aliases | None = None
    # Blocked fuzzy look-ups (search.fuzzy): the same answers as a scan of the list.
    name_grams: GramIndex = field(default_factory=lambda: GramIndex([]))
    word_grams: GramIndex = field(default_factory=lambda: GramIndex([]))
    nickname_grams: GramIndex = field(default_factory=lambda: GramIndex([]))
    # Postcode district ("LS6") -> the full postcodes in it, in the order first seen.
    districts: dict[str, list[str]] = field(default_factory=dict)

    def alias_groups(self, token: str) -> set[str]:
        if self.aliases is None:
            return set()
        return set(self.aliases.forenames.keys(token)) | set(self.aliases.surnames.keys(token))


def latest_run(conn: Connection) -> int | None:
    r = t.resolution_run
    return conn.execute(select(func.max(r.c.id)).where(r.c.status == "done")).scalar()


def build_index(conn: Connection) -> NameIndex:
    """Read every current person membership once; names in matching form."""
    pm, em = t.person_mention, t.entity_member
    index = NameIndex(latest_run(conn), aliases=load_aliases())
    by_name: dict[str, list[Entry]] = defaultdict(list)
    by_nick: dict[str, list[Entry]] = defaultdict(list)
    nick_raw: dict[str, str] = {}
    query = select(
        em.c.entity_id, pm.c.id, pm.c.forename, pm.c.surname, pm.c.nickname, pm.c.postcode
    ).join_from(em, pm, (em.c.mention_kind == "person") & (pm.c.id == em.c.mention_id))
    for entity_id, mention_id, forename, surname, nickname, postcode in conn.execute(query):
        entry = (int(entity_id), int(mention_id))
        name = " ".join(p for p in (forename, surname) if p)
        if name:
            by_name[name].append(entry)
        nick = clean_name(nickname)
        if nick:
            by_nick[nick].append(entry)
            nick_raw.setdefault(nick, nickname)
        if postcode:
            index.postcodes.setdefault(postcode, []).append(entry)
    vm = t.vehicle_mention
    partial = select(em.c.entity_id, vm.c.id, vm.c.pattern, vm.c.raw).join_from(
        em, vm, (em.c.mention_kind == "vehicle") & (vm.c.id == em.c.mention_id)
    )
    for entity_id, mention_id, pattern, raw in conn.execute(
        partial.where(vm.c.pattern.is_not(None))
    ):
        index.partial_plates.append((pattern, int(entity_id), int(mention_id), raw or pattern))
    for position, (name, entries) in enumerate(sorted(by_name.items())):
        index.names.append(name)
        index.name_entries.append(entries)
        for token in name.split():
            index.tokens.setdefault(token, set()).add(position)
            for key in index.alias_groups(token):
                index.alias_keys.setdefault(key, set()).add(position)
    index.words = sorted(index.tokens)
    for nick, entries in sorted(by_nick.items()):
        index.nicknames.append(nick)
        index.nickname_entries.append(entries)
        index.nickname_raw.append(nick_raw[nick])
    index.name_grams = GramIndex(index.names)
    index.word_grams = GramIndex(index.words)
    index.nickname_grams = GramIndex(index.nicknames)
    for postcode in index.postcodes:
        index.districts.setdefault(postcode.split(" ")[0], []).append(postcode)
    return index


# One index per process, rebuilt when a new resolution run has finished.
CACHE: PerStore[NameIndex] = PerStore(latest_run, build_index)
