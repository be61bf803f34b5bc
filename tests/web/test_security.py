"""Security of the workbench: sign-in, lockout, CSRF, session expiry, headers, hostile
names, unit restrictions and the audit of every consultation (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import datetime
from importlib import resources

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from joinedup.access.audit import list_events
from joinedup.store import tables as t
from joinedup.web.security import CSP
from tests.web.helpers import PASSWORD, csrf, csrf_of, set_purpose, sign_in
from tests.web.seed import HOSTILE


def test_sign_in_sets_a_strict_session_cookie_and_lands_on_the_role_page(client) -> None:
    response = sign_in(client, "ann.analyst")
    assert response.status_code == 303 and response.headers["location"] == "/dashboard"
    cookie = response.headers["set-cookie"]
    assert "ju_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_wrong_password_and_lockout(client) -> None:
    for _ in range(5):
        response = sign_in(client, "lou.lockout", "wrong password entirely")
        assert response.status_code == 401
    assert "locked" in response.text
    response = sign_in(client, "lou.lockout", PASSWORD)  # even the right one, while locked
    assert response.status_code == 401 and "locked" in response.text
    assert client.get("/api/me").status_code == 401


def test_csrf_is_refused_without_a_token_with_a_wrong_one_and_cross_origin(client) -> None:
    assert sign_in(client, "ann.analyst").status_code == 303
    assert client.post("/purpose", data={"purpose": "Op TEST-9"}).status_code == 403
    bad = client.post("/purpose", data={"purpose": "Op TEST-9", "csrf": "0" * 64})
    assert bad.status_code == 403
    token = csrf(client)
    cross = client.post(
        "/purpose", data={"purpose": "Op TEST-9", "csrf": token},
        headers={"origin": "http://evil.example"},
    )  # fmt: skip
    assert cross.status_code == 403
    ok = client.post("/purpose", data={"purpose": "Op TEST-9", "csrf": token},
                     follow_redirects=False)  # fmt: skip
    assert ok.status_code == 303
    signin = client.post("/signin", data={"username": "ann.analyst", "password": PASSWORD})
    assert signin.status_code == 403  # the sign-in form needs its pre-session token too


def test_an_expired_or_revoked_session_opens_nothing(client, seeded) -> None:
    sign_in(client, "ann.analyst", purpose="Op TEST-2")
    assert client.get("/api/me").status_code == 200
    with seeded.engine.begin() as conn:
        conn.execute(
            update(t.user_session)
            .where(t.user_session.c.revoked_at.is_(None))
            .values(expires_at=datetime(2000, 1, 1))
        )
    assert client.get("/api/me").status_code == 401
    page = client.get("/search?q=x", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/signin")
    sign_in(client, "ann.analyst")
    token = csrf(client)
    client.post("/signout", data={"csrf": token})
    assert client.get("/api/me").status_code == 401


def test_every_response_carries_the_csp_and_security_headers(client) -> None:
    for path in ("/signin", "/api/me", "/static/app.css", "/nowhere"):
        headers = client.get(path).headers
        assert headers["content-security-policy"] == CSP
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
    assert client.get("/signin").headers["cache-control"] == "no-store"


def test_no_template_or_asset_names_an_external_url() -> None:
    root = resources.files("joinedup.web")
    found = []
    for folder in ("templates", "static"):
        for path in (root / folder).rglob("*"):  # type: ignore[attr-defined]
            if path.is_dir() or path.suffix not in (".html", ".js", ".css"):
                continue
            text = path.read_text(encoding="utf-8")
            urls = re.findall(r"https?://[^\s\"')]+", text)
            if path.parent.name == "vendor":  # licence comments in the vendored files only
                urls = [u for u in urls if not u.startswith(VENDOR_COMMENT_URLS)]
            found += [f"{path.name}: {u}" for u in urls]
    assert not found, found
    for template in (root / "templates").iterdir():  # type: ignore[attr-defined]
        text = template.read_text(encoding="utf-8")
        assert "<script>" not in text and " style=" not in text and " on" + "click" not in text


VENDOR_COMMENT_URLS = (
    "http://en.wikipedia.org/wiki/MIT_License",
    "http://engelschall.com",
    "http://opensource.org/licenses/MIT",
    "https://github.com/gre/bezier-easing",
)


def test_hostile_names_are_displayed_inert(client, seeded) -> None:
    sign_in(client, "ann.analyst", purpose="Op TEST-3")
    for key, entity in seeded.hostile_entities.items():
        page = client.get(f"/entity/{entity}")
        assert page.status_code == 200
        assert HOSTILE[key] not in page.text  # never verbatim markup
        assert "<img src=x" not in page.text and "<script>alert" not in page.text
    page = client.get("/entity/{}".format(seeded.hostile_entities["script"]))
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in page.text
    result = client.get("/search", params={"q": HOSTILE["sql"]})
    assert result.status_code == 200 and "<script>alert" not in result.text
    with seeded.engine.connect() as conn:  # the SQL in the name did nothing
        assert conn.execute(select(t.record.c.id).limit(1)).first() is not None


def test_a_record_restricted_to_another_unit_cannot_be_opened_by_id(app, seeded) -> None:
    north, south = TestClient(app), TestClient(app)
    sign_in(north, "ann.analyst", purpose="Op TEST-4")
    sign_in(south, "oscar.other", purpose="Op TEST-4")
    eid = seeded.restricted_entity
    for path in (f"/entity/{eid}", f"/api/entities/{eid}", f"/api/entities/{eid}/timeline"):
        assert north.get(path, follow_redirects=False).status_code == 404, path
        assert south.get(path, follow_redirects=False).status_code == 200, path
    missing = north.get("/api/entities/999999")
    assert north.get(f"/api/entities/{eid}").json() == {
        "detail": missing.json()["detail"].replace("999999", str(eid))
    }  # the same answer as an entity that does not exist


def test_personal_data_needs_a_purpose_and_every_look_is_audited_with_it(client, seeded) -> None:
    with seeded.engine.connect() as conn:
        start = conn.execute(select(func.max(t.audit_event.c.seq))).scalar_one()
    sign_in(client, "sue.supervisor")
    first = client.get(f"/entity/{seeded.known_entity}", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].startswith("/purpose")
    assert client.get(f"/api/entities/{seeded.known_entity}").status_code == 428
    set_purpose(client, "Case REF-77 strategy meeting")
    assert client.get(f"/entity/{seeded.known_entity}").status_code == 200
    assert client.get("/api/search", params={"q": seeded.known_name}).status_code == 200
    with seeded.engine.connect() as conn:
        rows = [e for e in list_events(conn, actor="sue.supervisor")
                if e.category == "consultation" and e.seq > start]  # fmt: skip
    actions = {(e.action, e.object_id) for e in rows}
    assert ("profile", str(seeded.known_entity)) in actions and ("search", None) in actions
    assert all(e.purpose == "Case REF-77 strategy meeting" for e in rows)


def test_api_tokens_for_scripts(client, seeded) -> None:
    bad = client.post("/api/token", json={"username": "ann.analyst", "password": "nope nope"})
    assert bad.status_code == 401
    got = client.post(
        "/api/token",
        json={"username": "ann.analyst", "password": PASSWORD, "purpose": "Op TEST-5 script"},
    ).json()
    script = TestClient(client.app)
    auth = {"authorization": f"Bearer {got['token']}"}
    assert script.get("/api/me", headers=auth).json()["purpose"] == "Op TEST-5 script"
    hits = script.get("/api/search", params={"q": seeded.known_name}, headers=auth)
    assert hits.status_code == 200 and hits.json()["hits"]
    browser = TestClient(client.app)
    sign_in(browser, "ann.analyst")
    web_token = browser.cookies["ju_session"]  # a browser session is not an API token
    assert (
        script.get("/api/me", headers={"authorization": f"Bearer {web_token}"}).status_code == 401
    )
    assert script.delete("/api/token", headers=auth).json() == {"revoked": True}
    assert script.get("/api/me", headers=auth).status_code == 401


def test_the_openapi_schema_documents_the_api(client) -> None:
    sign_in(client, "rex.researcher")
    schema = client.get("/api/openapi.json").json()
    assert "/api/search" in schema["paths"] and "/api/entities/{entity_id}" in schema["paths"]
    assert all(p.startswith("/api/") for p in schema["paths"])


def test_csrf_field_is_on_every_form(client, seeded) -> None:
    sign_in(client, "ann.analyst", purpose="Op TEST-6")
    for path in ("/purpose", f"/entity/{seeded.known_entity}", "/search"):
        html = client.get(path).text
        forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", html, re.S)
        assert forms and all('name="csrf"' in f for f in forms), path
        assert csrf_of(html)
