"""The SOO's journey in a real browser, at desktop and phone widths: sign in, My cases, accept an allocation
(one declaration), record a completed contact in the GOV.UK date and time boxes, edit the update form (a section
naming the victim: saved, with the redaction warning and the name marked) and open the closure page. Every page
passes axe-core and, at 320 px, does not scroll sideways."""

import datetime as dt

import pytest
from django.utils import timezone

from oversight.models import Allocation
from tests.e2e.journey import WIDTHS, check, docs_shot, sign_in, with_authenticator
from tests.factories.cases import SafeContactFactory
from tests.factories.oversight import PendingAllocationFactory, triaged_case_with_parties

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", WIDTHS)
def test_soo_accepts_logs_a_contact_and_opens_the_update_form(live_server, page, axe_source, width):
    case = triaged_case_with_parties(reference="DA/2026/888001")
    SafeContactFactory(party=case.parties.get(role="victim"))
    allocation = PendingAllocationFactory(case=case, allocated_at=timezone.now() - dt.timedelta(hours=3))
    soo = with_authenticator(allocation.soo.user)
    soo.first_name, soo.last_name = "Alex", "Barraclough"
    soo.save(update_fields=["first_name", "last_name"])
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, soo)
    check(page, axe_source, "soo home")

    page.get_by_role("link", name="My cases").first.click()
    assert page.locator("h1").inner_text() == "My cases"
    check(page, axe_source, "soo dashboard pending")

    page.get_by_role("link", name=f"Accept or decline case {case.reference}").click()
    # One declaration: the response page itself, with no first-open declaration page before it and no checkbox.
    page.wait_for_url("**/respond/")
    assert page.get_by_text("Do you know anyone in this case?").count() == 0
    assert page.locator("input[type=checkbox][name=confirm]").count() == 0
    check(page, axe_source, "respond")
    page.get_by_label("Accept this allocation").check()
    page.get_by_role("button", name="Send my response").click()
    page.wait_for_url("**/oversight/")
    assert page.locator(".govuk-notification-banner--success").count() == 1
    check(page, axe_source, "soo dashboard accepted")
    # Each case's deadline and actions are on screen at every width (stacked under their names on a phone).
    for label in ("Next deadline", "Actions"):
        cell = page.locator(f'td[data-label="{label}"]').first.bounding_box()
        assert cell["x"] >= 0 and cell["x"] + cell["width"] <= width + 1, (label, cell)
    assert page.get_by_role("link", name=f"Contact log for case {case.reference}").bounding_box()["x"] < width
    docs_shot(page, "soo-dashboard")
    allocation.refresh_from_db()
    assert allocation.status == Allocation.Status.ACCEPTED
    assert "I confirm that I do not know" in allocation.no_conflict_declaration

    page.get_by_role("link", name=f"Contact log for case {case.reference}").click()
    assert page.locator(".govuk-service-navigation__item--active").inner_text().strip() == "My cases"
    check(page, axe_source, "contact log")
    page.goto(f"{live_server.url}/contacts/{case.public_id}/record/")
    check(page, axe_source, "record contact")
    page.get_by_role("button", name="Save contact").click()  # no time, method or outcome: GOV.UK messages
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Enter the time of the contact" in summary
    check(page, axe_source, "record contact errors")
    assert page.get_by_label("Day").input_value()  # the date starts as today
    contacted = timezone.localtime() - dt.timedelta(minutes=1)
    page.get_by_label("Day").fill(str(contacted.day))
    page.get_by_label("Month").fill(str(contacted.month))
    page.get_by_label("Year").fill(str(contacted.year))
    page.get_by_label("Time of contact (UK time)").fill(contacted.strftime("%H:%M"))
    page.get_by_label("Phone").check()
    page.get_by_label("Completed").check()
    page.get_by_role("button", name="Save contact").click()
    page.wait_for_url(f"**/contacts/{case.public_id}/")
    check(page, axe_source, "contact log with a contact")

    page.goto(f"{live_server.url}/update-form/{case.public_id}/")
    check(page, axe_source, "update form")
    # The SOO writes the victim's name in the form: saved, with a warning and the name marked for redaction.
    page.get_by_role("link", name="Record investigation").click()
    check(page, axe_source, "update form investigation")
    victim = case.parties.get(role="victim")
    page.locator("textarea[name=progress]").fill(f"{victim.first_name} has been told the OIC is changing.")
    page.get_by_role("button", name="Save investigation").click()
    page.wait_for_url(f"**/update-form/{case.public_id}/investigation/")
    warning = page.locator(".govuk-notification-banner").inner_text()
    assert "Some of what you wrote will be redacted before the panel sees it" in warning
    assert page.locator("mark.ppda-redacted").first.inner_text() == victim.first_name
    check(page, axe_source, "update form redaction warning")
    page.get_by_role("link", name="Back to the update form").click()
    assert "Redaction warnings (1)" in page.locator("main").inner_text()
    page.goto(f"{live_server.url}/closure/cases/{case.public_id}/")
    check(page, axe_source, "closure")
    assert page.console_errors == []
