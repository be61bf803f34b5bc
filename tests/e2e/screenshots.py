"""Screenshots of every workbench page for docs/web.md, taken in real Chromium against a
freshly seeded synthetic store:

    python -m tests.e2e.screenshots docs/screenshots
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from joinedup.store import make_engine, migrate
from joinedup.synth import generate_city
from tests.e2e.server import chromium, running_server, sign_in
from tests.web.helpers import PASSWORD
from tests.web.seed import seed_store


def _sign_in(context, username: str, purpose: str | None = None):  # type: ignore[no-untyped-def]
    page = context.new_page()
    sign_in(page, username, purpose=purpose)
    return page


def _wait(page, expression: str) -> None:  # type: ignore[no-untyped-def]
    for _ in range(200):
        if page.evaluate(expression):
            return
        time.sleep(0.1)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="joinedup-shots-"))
    city = work / "city"
    generate_city(out_dir=city, seed=11, children=40, months=4)
    url = f"sqlite:///{work / 'shots.db'}"
    engine = make_engine(url)
    migrate(engine)
    seeded = seed_store(engine, city, work)
    with running_server(url, engine) as base, chromium() as browser:

        def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
            page.screenshot(path=str(out / f"{name}.png"))  # the first screenful: small files

        context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto("/signin")
        page.fill("input[name=username]", "ann.analyst")
        shot(page, "signin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto("/purpose?next=/search")
        page.fill("input[name=purpose]", "Op NORTHVALE-7: repeat missing episodes")
        shot(page, "purpose")
        page.click("main button[type=submit]")
        page.goto("/dashboard")
        shot(page, "dashboard")
        surname = seeded.known_name.split()[-1]
        page.goto(f"/search?q={surname}")
        shot(page, "search")
        page.goto(f"/entity/{seeded.known_entity}")
        shot(page, "profile")
        page.goto(f"/entity/{seeded.known_entity}/timeline")
        shot(page, "timeline")
        page.goto(f"/chart?start={seeded.known_entity}")
        _wait(page, "window.joinedupChart && window.joinedupChart.nodes().length > 1")
        first = page.evaluate(
            "window.joinedupChart.nodes().filter(n => !n.data('centre')).map(n => n.id())[0]"
        )
        page.evaluate(f"window.joinedupChart.getElementById('{first}').emit('dbltap') && null")
        time.sleep(1.5)
        page.evaluate(f"window.joinedupChart.getElementById('{first}').emit('tap') && null")
        shot(page, "chart")
        page.goto("/flags")
        shot(page, "flags")
        flag = page.get_attribute("#flag-list tbody a[href^='/flags/']", "href")
        if flag:
            page.goto(flag)
            shot(page, "flag")
        context.close()

        context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
        page = _sign_in(context, "sue.supervisor", "Op NORTHVALE-7: match review")
        page.goto("/review?limit=5")
        shot(page, "review")
        context.close()
        for user, path, name in (
            ("rex.researcher", "/stats", "stats"),
            ("rex.researcher", f"/entity/{seeded.known_entity}", "researcher-refused"),
            ("aud.auditor", "/audit?limit=40", "audit"),
            ("aud.auditor", "/audit/verify", "audit-verify"),
            ("ada.admin", "/admin/users", "users"),
        ):
            context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
            page = _sign_in(context, user)
            page.goto(path)
            shot(page, name)
            context.close()
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
