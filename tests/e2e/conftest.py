"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser) against live_server.

Create the test's rows before using `page` where you can; `page` closes whatever connection the test
body opened while Playwright was running.
"""

from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(autouse=True)
def role_groups(transactional_db):
    """Roles are groups made by a data migration; an earlier transactional test's flush removes them. After a
    serialized_rollback test the flush does not run post_migrate either, so content types and permissions
    (guardian's grants need cases.view_case) are gone too: put them back (a no-op when present)."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.management import create_contenttypes

    from ppda.roles import Role

    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0)
        create_permissions(app_config, verbosity=0)
    for role in Role:
        Group.objects.get_or_create(name=role.value)


@pytest.fixture
def page(live_server, role_groups, monkeypatch):
    """A fresh browser page. The browser lives for one test: set up after the database, closed before its flush."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run 'make system' (bin/install-system installs Debian's chromium).")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop in this thread; the ORM calls of the test itself are
    # ordinary synchronous code (the live server answers from its own threads).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "1")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.console_errors = []
        page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        yield page
        # ORM calls made while Playwright runs get their own connection (its loop gives them another
        # context): close it here, in that context, or the test database cannot be dropped at the end.
        connections.close_all()
        context.close()
        browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run 'make assets' (npm ci).")
    return AXE.read_text()


# Moderate in axe, but issue 16 found it on every page (markings and banners outside any landmark): kept fixed.
ALWAYS = ("region",)


def axe_violations(page, axe_source: str, impacts=("serious", "critical"), always=ALWAYS) -> list[dict]:
    """Run axe-core (WCAG 2.x A/AA rules and best practice) on the page; return violations of these impacts,
    and of the rules in `always` whatever their impact.

    axe is evaluated through the DevTools protocol, not a <script> tag, so the page's CSP stays as served.
    """
    page.evaluate(axe_source)
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in impacts or v["id"] in always
    ]
