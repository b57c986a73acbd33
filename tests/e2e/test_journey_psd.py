"""The PSD representative's journey in a real browser, at desktop and phone widths. A coordinator looks at the
statistics and assigns the PSD representative to a case; the representative makes the first-open declaration,
opens the investigation record, posts a progress update and a change of officer in charge; then the SOO
allocated to the case signs in, is told, and sees both on the investigation page and the case timeline. Every
page passes axe-core and, at 320 px, does not scroll sideways."""

import pytest

from ppda.roles import Role
from tests.e2e.journey import WIDTHS, check, open_section, sign_in, switch_user, with_authenticator
from tests.factories.directory import PsdDepartmentFactory, StaffMemberFactory, UserFactory
from tests.factories.update_form import declared_coordinator, form_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _world():
    case, soo = form_case()
    coordinator = with_authenticator(declared_coordinator(case, username="e2e.coordinator"))
    psd = with_authenticator(
        UserFactory(
            username="e2e.psd",
            first_name="Morgan",
            last_name="Fairweather",
            staff=StaffMemberFactory(department=PsdDepartmentFactory()),
            roles=[Role.PSD_REP],
        )
    )
    new_officer = StaffMemberFactory(employee_number="IO40417", first_name="Jordan", last_name="Ellery")
    return case, with_authenticator(soo), coordinator, psd, new_officer


@pytest.mark.parametrize("width", WIDTHS)
def test_psd_posts_updates_and_the_soo_sees_them(live_server, page, axe_source, width):
    case, soo, coordinator, psd, new_officer = _world()
    page.set_viewport_size({"width": width, "height": 900})

    # The coordinator: the figures, then the PSD representative for this case.
    sign_in(page, live_server.url, coordinator)
    open_section(page, "Statistics")
    assert page.locator("h1").inner_text().strip() != ""
    check(page, axe_source, "statistics")
    page.goto(f"{live_server.url}/cases/{case.public_id}/investigation/")
    check(page, axe_source, "investigation not opened")
    page.get_by_role("link", name="PSD representatives").first.click()
    check(page, axe_source, "psd assignment")
    page.get_by_label("PSD representative").select_option(label=psd.display_name)
    page.get_by_role("button", name="Assign").click()
    assert f"{psd.display_name} is assigned" in page.locator(".govuk-notification-banner--success").inner_text()
    check(page, axe_source, "psd assigned")

    # The PSD representative: their cases, the first-open declaration, the record and two updates.
    switch_user(page, live_server.url, psd)
    check(page, axe_source, "psd home")
    open_section(page, "My investigations")
    check(page, axe_source, "my investigations")
    page.get_by_role("link", name=case.reference).click()
    page.wait_for_url("**/declare/**")
    page.get_by_label("I do not know the people in this case").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"**/cases/{case.public_id}/investigation/")
    page.get_by_role("link", name="Open the investigation record").click()
    check(page, axe_source, "open the investigation record")
    page.get_by_label("A criminal investigation").check()  # criminal only: no allegation date to enter
    page.get_by_role("button", name="Open the record").click()
    assert "The investigation record is open." in page.locator(".govuk-notification-banner--success").inner_text()
    check(page, axe_source, "investigation opened")

    page.get_by_role("link", name="Post an update").click()
    check(page, axe_source, "post a psd update")
    page.get_by_role("button", name="Post the update").click()  # nothing chosen: a GOV.UK error, not a 500
    assert "Choose the kind of update" in page.locator(".govuk-error-summary").inner_text()
    check(page, axe_source, "post a psd update errors")
    page.get_by_label("Progress update").check()
    page.get_by_label("Update", exact=True).fill("Witness statements taken; file with the CPS next month.")
    page.get_by_role("button", name="Post the update").click()
    page.wait_for_url(f"**/cases/{case.public_id}/investigation/")
    page.get_by_role("link", name="Post an update").click()
    page.get_by_label("Change of officer in charge").check()
    page.get_by_label("Which investigation").select_option(index=1)
    page.get_by_label("New officer in charge (employee number)").fill(new_officer.employee_number)
    page.get_by_role("button", name="Post the update").click()
    page.wait_for_url(f"**/cases/{case.public_id}/investigation/")
    check(page, axe_source, "investigation with updates")

    # The SOO of the case: told of the update, and sees both on the record and the timeline.
    switch_user(page, live_server.url, soo)
    open_section(page, "Notifications")
    assert f"PSD posted an update (progress update) on case {case.reference}." in page.locator("main").inner_text()
    check(page, axe_source, "soo notifications")
    page.get_by_role("link", name=case.reference).first.click()
    page.wait_for_url(f"**/cases/{case.public_id}/investigation/")
    record = page.locator("main").inner_text()
    assert "Witness statements taken; file with the CPS next month." in record
    assert f"to {new_officer.first_name} {new_officer.last_name}." in record
    assert "Post an update" not in record  # the SOO reads; only the PSD representative posts
    check(page, axe_source, "soo investigation")
    page.get_by_role("link", name="Case timeline").click()
    assert "Witness statements taken" in page.locator("main").inner_text()
    check(page, axe_source, "case timeline")
    assert page.console_errors == []
