"""Intake in a real browser at desktop and phone widths: the date and time received are typed (day, month, year
boxes and a 24-hour time) and start as now; a date of birth that does not exist is a clear error whose summary
link opens the identity details and focuses its day box; the corrected case is recorded in UK time. Every page
passes axe-core and, at 320 px, does not scroll sideways."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Case
from ppda.roles import Role
from tests.e2e.journey import WIDTHS, check, sign_in, with_authenticator
from tests.factories.directory import DistrictFactory, StaffMemberFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", WIDTHS)
def test_coordinator_records_a_case_with_typed_dates(live_server, page, axe_source, width):
    coordinator = with_authenticator(UserFactory(username="e2e.intake", roles=[Role.COORDINATOR]))
    DistrictFactory(name="Northfield")
    suspect = StaffMemberFactory(employee_number="E7700123")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, coordinator)

    page.goto(f"{live_server.url}/cases/new/")
    received = page.get_by_role("group", name="Date received")
    today = timezone.localdate()
    assert received.get_by_label("Day").input_value() == str(today.day)  # starts as today
    assert received.get_by_label("Year").input_value() == str(today.year)
    assert page.get_by_label("Time received (UK time)").input_value()  # and now
    assert page.locator("input[type=date], input[type=datetime-local]").count() == 0
    check(page, axe_source, "intake")

    page.get_by_label("Force case or crime reference").fill("DA/2026/770001")
    page.get_by_label("How the case came in").select_option("call")
    page.get_by_label("Category").select_option("police_perpetrator")
    page.locator("#id_party-0-is_police").select_option("no")
    page.locator("summary", has_text="Identity (if not police)").first.click()
    page.locator("#id_party-0-first_name").fill("Ada")
    page.locator("#id_party-0-last_name").fill("Synth")
    dob = page.get_by_role("group", name="Date of birth").first
    dob.get_by_label("Day").fill("30")
    dob.get_by_label("Month").fill("2")
    dob.get_by_label("Year").fill("1990")
    page.locator("#id_party-1-employee_number").fill(suspect.employee_number)
    yesterday = timezone.localtime() - dt.timedelta(days=1)
    received.get_by_label("Day").fill(str(yesterday.day))
    received.get_by_label("Month").fill(str(yesterday.month))
    received.get_by_label("Year").fill(str(yesterday.year))
    page.get_by_label("Time received (UK time)").fill("09:30")
    page.get_by_role("button", name="Record case").click()

    summary = page.locator(".govuk-error-summary")
    assert "The date of birth must be a real date" in summary.inner_text()
    check(page, axe_source, "intake date error")
    summary.get_by_role("link", name="The date of birth must be a real date").click()
    assert page.evaluate("document.activeElement.id") == "id_party-0-date_of_birth_day"  # its details are open
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("28")  # into the focused day box
    page.get_by_role("button", name="Record case").click()
    page.wait_for_url("**/recorded/")
    case = Case.objects.get(reference="DA/2026/770001")
    assert timezone.localtime(case.received_at).replace(tzinfo=None) == dt.datetime.combine(
        yesterday.date(), dt.time(9, 30)
    )
    assert case.parties.get(role="victim").date_of_birth == dt.date(1990, 2, 28)
    check(page, axe_source, "intake recorded")
    assert page.console_errors == []
