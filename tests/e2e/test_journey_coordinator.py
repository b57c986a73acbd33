"""The coordinator's journey in a real browser, at desktop and phone widths: sign in (password and code),
the inbox, filter it, open and triage a new case (with its history), allocate the first suggested SOO with
the keyboard alone, seeing an excluded SOO's reason and an override reason revealed only for its person.
Every page passes axe-core (no serious or critical violation) and, at 320 px, does not scroll sideways."""

import pytest

from ppda.roles import Role
from tests.e2e.journey import WIDTHS, check, docs_shot, sign_in, with_authenticator
from tests.factories.cases import CaseFactory, CivilianVictimFactory, PoliceSuspectFactory
from tests.factories.directory import PsdDepartmentFactory, StaffMemberFactory, UserFactory
from tests.factories.oversight import soo_with_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _world():
    coordinator = with_authenticator(
        UserFactory(username="e2e.coordinator", first_name="Priya", last_name="Hallam", roles=[Role.COORDINATOR])
    )
    for _ in range(26):  # more than a page of the inbox
        CaseFactory()
    case = CaseFactory(reference="DA/2026/777001")
    CivilianVictimFactory(case=case, first_name="Hope", last_name="Sample")
    suspect = PoliceSuspectFactory(case=case, staff=StaffMemberFactory(first_name="Lewis", last_name="Dunmore"))
    earlier = CaseFactory(reference="DA/2025/000042")
    PoliceSuspectFactory(case=earlier, staff=suspect.staff)
    first = soo_with_user(first_name="Avery", last_name="Suitable")
    soo_with_user(first_name="Blake", last_name="Suitable")
    soo_with_user(first_name="Casey", last_name="Inpsd", department=PsdDepartmentFactory())
    soo_with_user(first_name="Drew", last_name="Local", district=case.incident_district)
    return coordinator, case, earlier, first


@pytest.mark.parametrize("width", WIDTHS)
def test_coordinator_triages_and_allocates(live_server, page, axe_source, width):
    coordinator, case, earlier, first = _world()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, coordinator)
    check(page, axe_source, "coordinator home")

    page.goto(f"{live_server.url}/cases/")
    assert page.locator("h1").inner_text() == "Inbox"
    check(page, axe_source, "inbox")
    docs_shot(page, "coordinator-inbox", top=".ppda-filter")
    if width >= 1280:  # the whole table is on screen: Deadline and Triage columns are not clipped
        header = page.get_by_role("columnheader", name="Triage").bounding_box()
        assert header["x"] + header["width"] <= width
        # "Received" keeps its date on one line rather than wrapping each row tall.
        received = page.locator("tbody tr").first.locator("td").nth(1).locator(".ppda-nowrap")
        line = page.evaluate("parseFloat(getComputedStyle(document.body).lineHeight) || 25")
        assert received.bounding_box()["height"] < 1.5 * line
    else:  # the filter is behind "Show filter" and never covers the page
        page.get_by_role("button", name="Show filter").click()
    page.get_by_label("Reference").fill(case.reference)
    page.get_by_role("button", name="Apply filters").click()
    assert "1 case matching the filters" in page.locator("caption").inner_text()
    check(page, axe_source, "inbox filtered")

    page.get_by_role("link", name=case.reference).click()
    page.wait_for_url("**/declare/**")  # the first-open declaration
    check(page, axe_source, "first-open declaration")
    page.get_by_label("I do not know the people in this case").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"**/cases/{case.public_id}/")
    assert page.locator(".govuk-breadcrumbs").get_by_role("link", name="Inbox").is_visible()
    assert page.locator(".govuk-service-navigation__item--active").inner_text().strip() == "Inbox"
    assert earlier.reference in page.locator("main").inner_text()  # history: the same officer's earlier case
    check(page, axe_source, "case page received")

    page.get_by_role("link", name="Triage this case").click()
    check(page, axe_source, "triage")
    page.get_by_label("High").check()
    page.get_by_label("Off duty").check()
    page.get_by_label("Summary").fill("Reported by a neighbour.")
    page.get_by_role("button", name="Save triage").click()
    page.wait_for_url(f"**/cases/{case.public_id}/")
    status_on_case = page.locator("h1 .govuk-tag").get_attribute("class")
    check(page, axe_source, "case page triaged")

    page.get_by_role("link", name="Allocate an SOO").click()
    page.wait_for_url("**/allocate/")
    check(page, axe_source, "allocate")
    # The case status tag looks the same as on the case page.
    assert page.locator(".govuk-summary-list .govuk-tag").first.get_attribute("class") == status_on_case
    # Who cannot be allocated, by reason, with the names behind a details element.
    page.locator("summary", has_text="Who").first.click()
    assert "Works in PSD: Casey Inpsd" in page.locator("main").inner_text()
    # The override reason shows only for the person it applies to.
    district_box = page.get_by_label("Based in the district where the abuse happened")
    assert not district_box.is_visible()
    page.get_by_label("Choose Drew Local").check()
    assert district_box.is_visible() and not page.get_by_label("Declined this case before").is_visible()
    check(page, axe_source, "allocate override shown")
    docs_shot(page, "allocation-exclusions", top=".govuk-inset-text", height=1250)

    # Allocate the first suggested with the keyboard alone.
    page.get_by_label(f"Choose {first.full_name}").focus()
    page.keyboard.press("Space")
    assert not district_box.is_visible()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Allocate":
            break
    else:
        pytest.fail("the Allocate button cannot be reached with the Tab key")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    banners = page.locator(".govuk-notification-banner--success")
    assert banners.count() == 1 and first.full_name in banners.inner_text()
    check(page, axe_source, "allocated")
    assert page.console_errors == []
