"""How an entity is shown: the label each kind of mention gives it.

Resolution labels an entity by its members' most common label (resolve/run.py); an
erasure labels what is left of one the same way (ingest/erasure.py), so both read the
columns and the rule here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# The mention columns a label is made of, per kind, in the order `label` reads them.
LABEL_COLUMNS: dict[str, tuple[str, ...]] = {
    "person": ("forename", "surname"),
    "vehicle": ("vrm", "pattern", "raw"),
    "phone": ("e164",),
    "location": ("name", "address", "postcode"),
}


def label(kind: str, values: Sequence[Any]) -> str | None:
    """A person's forename and surname in title case; for the others the first of its
    columns that is set (a vehicle's VRM, else its partial pattern, else what was written)."""
    if kind == "person":
        return " ".join(part.title() for part in values if part) or None
    return next((value for value in values if value), None)
