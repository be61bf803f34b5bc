"""Every route is checked for each role on the server: the test enumerates app.routes, so
a new route without a permission check (or a place in PUBLIC_ROUTES) fails here."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from joinedup.access.roles import ROLE_PERMISSIONS
from joinedup.pole import UserRole
from joinedup.web.auth import PUBLIC_ROUTES
from tests.web.helpers import ROLE_USER, csrf, sign_in


def guard_of(route: APIRoute):
    """(permission or None for any signed-in user, purpose?) of the route's guard."""
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if dep.call is not None and hasattr(dep.call, "permission"):
            return dep.call.permission, dep.call.purpose
        stack.extend(dep.dependencies)
    return "missing", False


def routes(app):
    for route in app.routes:
        if isinstance(route, APIRoute):
            for method in sorted(route.methods):
                yield method, route


def sample_path(path: str, seeded) -> str:
    values = {"entity_id": seeded.known_entity, "username": "oscar.other"}
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(values.get(m.group(1), 1)), path)


def test_every_route_has_a_guard_or_is_public(app) -> None:
    unguarded = [
        f"{method} {route.path}"
        for method, route in routes(app)
        if (method, route.path) not in PUBLIC_ROUTES and guard_of(route)[0] == "missing"
    ]
    assert not unguarded, f"routes with no permission check: {unguarded}"


def test_signed_out_requests_are_turned_away(app, seeded) -> None:
    client = TestClient(app)
    for method, route in routes(app):
        if (method, route.path) in PUBLIC_ROUTES:
            continue
        response = client.request(method, sample_path(route.path, seeded), follow_redirects=False)
        if route.path.startswith("/api/"):
            assert response.status_code in (401, 403), f"{method} {route.path}"
        else:
            assert response.status_code in (303, 403), f"{method} {route.path}"
            if response.status_code == 303:
                assert response.headers["location"].startswith("/signin")


@pytest.mark.parametrize("role", [r.value for r in UserRole])
def test_each_role_reaches_exactly_what_its_permissions_allow(app, seeded, role) -> None:
    client = TestClient(app)
    assert sign_in(client, ROLE_USER[role], purpose="Op TEST-roles").status_code == 303
    held = ROLE_PERMISSIONS[UserRole(role)]
    token = csrf(client)
    for method, route in routes(app):
        if (method, route.path) in PUBLIC_ROUTES:
            continue
        permission, _purpose = guard_of(route)
        allowed = permission is None or permission in held
        if method != "GET" and allowed:
            continue  # state-changing requests by allowed roles are tested page by page
        response = client.request(
            method, sample_path(route.path, seeded), headers={"x-csrf-token": token},
            follow_redirects=False,
        )  # fmt: skip
        where = f"{role}: {method} {route.path} -> {response.status_code}"
        if allowed:
            assert response.status_code not in (401, 403) and response.status_code < 500, where
        else:
            assert response.status_code == 403, where


@pytest.mark.parametrize("role", ["researcher", "auditor", "admin"])
def test_roles_without_read_personal_never_receive_a_name(app, seeded, role) -> None:
    client = TestClient(app)
    sign_in(client, ROLE_USER[role], purpose="Op TEST-leak")
    surname = seeded.known_name.split()[-1]
    for method, route in routes(app):
        if method != "GET" or (method, route.path) in PUBLIC_ROUTES:
            continue
        if route.path.startswith(("/audit", "/api/audit")):
            continue  # the audit itself (search terms included) is what auditors are for
        response = client.get(sample_path(route.path, seeded), params={"q": seeded.known_name})
        assert surname.lower() not in response.text.lower(), f"{role}: {route.path}"
