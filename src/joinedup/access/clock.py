"""The access layer's clock: naive UTC datetimes, as the store's DateTime columns hold them.

Every function that reads the time takes `now: datetime | None = None`, so tests (and
replays) can inject the clock instead of patching it.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def as_utc(now: datetime | None) -> datetime:
    """`now` as naive UTC (an aware datetime is converted); the current time when None."""
    if now is None:
        return utcnow()
    if now.tzinfo is not None:
        return now.astimezone(UTC).replace(tzinfo=None)
    return now
