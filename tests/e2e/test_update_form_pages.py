"""The update form in a browser, at desktop and phone widths: the SOO saves a section, sees the redaction
preview, and the panel view; axe-core finds no serious or critical issue on any of these pages."""

import pytest

from tests.conftest import login_verified
from tests.e2e.conftest import axe_violations
from tests.factories.update_form import form_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, user):
    from django.test import Client

    client = login_verified(Client(), user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


@pytest.mark.parametrize("width", [1280, 320])
def test_soo_saves_support_and_sees_the_preview_and_panel_view(live_server, page, axe_source, width):
    case, soo = form_case()
    _sign_in(page, live_server, soo)
    page.set_viewport_size({"width": width, "height": 900})
    base = f"{live_server.url}/update-form/{case.public_id}/"

    page.goto(base)
    assert page.locator("h1").inner_text() == "Case update form"
    assert "Sections incomplete (5)" in page.locator("main").inner_text()
    assert axe_violations(page, axe_source) == []

    page.goto(f"{base}support/")
    assert axe_violations(page, axe_source) == []
    # The form posts back to its own URL: wait for the answer itself, not for a URL the page already has.
    with page.expect_navigation():
        page.get_by_role("button", name="Save support").click()  # nothing chosen: errors, linked from the summary
    assert page.locator(".govuk-error-summary").is_visible()
    assert axe_violations(page, axe_source) == []
    for radio in page.locator("input[type=radio][value=offered]").all():
        radio.check()
    page.locator("textarea[name=idva_note]").fill("Hope met the IDVA on Tuesday.")
    with page.expect_navigation(url=f"{base}support/"):
        page.get_by_role("button", name="Save support").click()
    assert page.locator("mark.ppda-redacted").first.inner_text() == "Hope"
    assert axe_violations(page, axe_source) == []
    # Nothing scrolls sideways at phone width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    page.goto(f"{base}panel-view/")
    panel = page.locator(".ppda-panel-form").inner_text()
    assert "Victim A met the IDVA on Tuesday." in panel and "Hope" not in panel
    assert axe_violations(page, axe_source) == []
    page.goto(f"{base}history/")
    assert axe_violations(page, axe_source) == []
    assert page.console_errors == []
