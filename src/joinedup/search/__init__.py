"""Finding and reading entities: search (names, aliases, nicknames, plates, phones,
postcodes, with the reason each hit matched), profiles and timelines, and which records a
reader's unit may see. The web workbench and the CLI call the same functions.
"""

from joinedup.search.profile import entity_profile
from joinedup.search.search import search
from joinedup.search.timeline import entity_timeline, group_timeline
from joinedup.search.visibility import NotFound, restrict_record

__all__ = [
    "NotFound",
    "entity_profile",
    "entity_timeline",
    "group_timeline",
    "restrict_record",
    "search",
]
