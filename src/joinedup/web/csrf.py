"""CSRF protection for every unsafe request: a per-session token derived by HMAC.

A signed-in browser sends `HMAC(session token, label)` in a form field or header; an
attacker's page can neither read the HttpOnly session cookie nor compute the token. Before
sign-in a random pre-session cookie is double-submitted instead. Requests that carry no
cookie at all (API scripts with a bearer token) hold no ambient authority and need none.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_COOKIE = "ju_session"
PRESESSION_COOKIE = "ju_presession"
FIELD = "csrf"
HEADER = "x-csrf-token"
_LABEL = b"joinedup-csrf-v1"


class CsrfRefused(Exception):
    """An unsafe request without a valid CSRF token, or from another origin."""


def token_for(session_token: str) -> str:
    return hmac.new(session_token.encode("utf-8"), _LABEL, hashlib.sha256).hexdigest()


def new_presession() -> str:
    return secrets.token_urlsafe(24)


def expected_token(request: Request) -> str | None:
    """The token this browser must send: from its session, else its pre-session cookie."""
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        return token_for(session)
    return request.cookies.get(PRESESSION_COOKIE) or None


async def check_csrf(request: Request) -> None:
    """App-wide dependency: refuse unsafe requests that fail the CSRF or origin check."""
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise CsrfRefused(f"request from another origin ({origin}) refused")
    cookies = request.cookies
    if SESSION_COOKIE not in cookies and PRESESSION_COOKIE not in cookies:
        if request.url.path.startswith("/api/"):
            return  # a script: bearer token or credentials in the body, no cookie to ride on
    expected = expected_token(request)
    sent = request.headers.get(HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(sent, expected):
        raise CsrfRefused("missing or invalid CSRF token: reload the page and try again")
