"""The workbench's settings: which store, cookie security, session lifetimes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from joinedup.access.sessions import ABSOLUTE_TTL, IDLE_TIMEOUT


@dataclass(frozen=True, slots=True)
class WebSettings:
    """How one workbench process runs. `db_url` is any store URL `make_engine` accepts."""

    db_url: str
    # Behind a TLS-terminating proxy the session cookie must be Secure; on loopback it cannot.
    secure_cookies: bool = False
    session_ttl: timedelta = ABSOLUTE_TTL
    idle_timeout: timedelta = IDLE_TIMEOUT
    api_token_ttl: timedelta = timedelta(hours=8)
