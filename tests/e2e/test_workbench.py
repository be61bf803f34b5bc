"""The workbench in real Chromium: sign-in and lockout, search, profile, link chart
expansion, a match decision, researcher restrictions, and audit rows appearing."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from joinedup.store import tables as t
from tests.e2e.server import sign_in


def wait_until(page, expression: str, timeout: float = 20.0):  # type: ignore[no-untyped-def]
    """Poll with page.evaluate: the CSP (no eval) forbids Playwright's wait_for_function."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = page.evaluate(expression)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {expression}")


def test_sign_in_and_lockout(page) -> None:
    sign_in(page, "lou.lockout", "not the password at all")
    assert "unknown username or wrong password" in page.inner_text("main")
    for _ in range(4):
        sign_in(page, "lou.lockout", "not the password at all")
    assert "locked" in page.inner_text("main")
    sign_in(page, "ann.analyst")
    page.wait_for_url("**/dashboard")
    assert "ann.analyst" in page.inner_text("header")
    assert not page.console_problems


def test_search_then_profile(page, e2e_store) -> None:
    sign_in(page, "ann.analyst", purpose="Op E2E-1")
    page.goto("/search")
    page.fill("#q", e2e_store.known_name)
    page.click("main form button[type=submit]")
    page.wait_for_selector("table.hits")  # swapped in by htmx, no page load
    assert "why it matched" in page.inner_text("#results")
    page.click(f"table.hits a[href='/entity/{e2e_store.known_entity}'] >> nth=0")
    page.wait_for_url(f"**/entity/{e2e_store.known_entity}")
    text = page.inner_text("main")
    assert "Source records" in text and "Why these records are one person" in text
    assert not page.console_problems, page.console_problems


def test_link_chart_expands_a_neighbour(page, e2e_store) -> None:
    sign_in(page, "ann.analyst", purpose="Op E2E-2")
    page.goto(f"/chart?start={e2e_store.known_entity}")
    wait_until(page, "window.joinedupChart && window.joinedupChart.nodes().length > 1")
    before = page.evaluate("window.joinedupChart.nodes().length")
    # Expand every neighbour of the centre as an analyst would, one double-click at a time.
    ids = page.evaluate(
        "window.joinedupChart.nodes().filter(n => !n.data('centre')).map(n => n.id())"
    )
    for node_id in ids[:5]:
        page.evaluate(f"window.joinedupChart.getElementById('{node_id}').emit('dbltap') && null")
        wait_until(page, "!document.getElementById('status').textContent.startsWith('expanding')")
    after = page.evaluate("window.joinedupChart.nodes().length")
    assert after > before
    page.evaluate(f"window.joinedupChart.getElementById('{ids[0]}').emit('tap') && null")
    assert page.is_visible("#expand")
    assert not page.console_problems, page.console_problems


def test_a_match_decision_from_the_review_queue(page, e2e_store) -> None:
    sign_in(page, "sue.supervisor", purpose="Op E2E-3 review")
    page.goto("/review")
    first = page.locator("section.pair").first
    a = first.locator("input[name=a]").get_attribute("value")
    first.locator("input[name=reason]").fill("same date of birth and address")
    first.locator("button[value=same]").click()
    page.wait_for_url("**/review?done=*")
    assert "Recorded" in page.inner_text("main")
    with e2e_store.engine.connect() as conn:
        assert (
            conn.execute(
                select(func.count())
                .select_from(t.match_decision)
                .where(t.match_decision.c.a_ref == a)
            ).scalar_one()
            == 1
        )


def test_researcher_sees_no_personal_data(page, e2e_store) -> None:
    sign_in(page, "rex.researcher")
    nav = page.inner_text("header nav")
    assert "Search" not in nav and "Link chart" not in nav
    page.goto(f"/entity/{e2e_store.known_entity}")
    assert "Not authorised" in page.inner_text("main")
    assert e2e_store.known_name not in page.content()
    response = page.request.get(f"/api/entities/{e2e_store.known_entity}")
    assert response.status == 403


def test_flag_triage(page, e2e_store) -> None:
    sign_in(page, "ann.analyst", purpose="Op E2E-4 triage")
    page.goto("/flags?status=new")
    page.click("#flag-list tbody a[href^='/flags/'] >> nth=0")
    page.wait_for_selector("#triage")
    page.select_option("#triage select[name=status]", "under_review")
    page.fill("#triage input[name=reason]", "looking at the missing episodes")
    page.click("#triage button[type=submit]")
    page.wait_for_selector("p.notice")
    assert "under_review" in page.inner_text("p.notice").replace(
        " ", "_"
    ) or "under" in page.inner_text("p.notice")
    assert "looking at the missing episodes" in page.inner_text("main")
    assert not page.console_problems, page.console_problems


def test_audit_entries_appear_for_the_auditor(browser, base_url, e2e_store) -> None:
    analyst = browser.new_context(base_url=base_url).new_page()
    sign_in(analyst, "sue.supervisor", purpose="Op E2E-5 audit check")
    analyst.goto(f"/entity/{e2e_store.known_entity}")
    auditor = browser.new_context(base_url=base_url).new_page()
    sign_in(auditor, "aud.auditor")
    auditor.goto("/audit?actor=sue.supervisor&category=consultation")
    rows = auditor.inner_text("#audit-rows")
    assert "profile" in rows and "Op E2E-5 audit check" in rows
    auditor.goto("/audit/verify")
    assert "The chain is intact" in auditor.inner_text("#verify-result")
