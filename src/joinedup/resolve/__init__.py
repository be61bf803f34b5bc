"""Resolution: which mentions are the same person, vehicle, phone or place.

Import from here: `resolve_all` runs a resolution; `mention_entities` is what evaluate reads.
"""

from joinedup.resolve.entities import mention_entities
from joinedup.resolve.run import RunResult, resolve_all

__all__ = ["RunResult", "mention_entities", "resolve_all"]
