"""The auditor's journey in a real browser at desktop and phone widths: sign in, open the audit trail, search a
period typed in the GOV.UK day, month and year boxes (a date that does not exist is a clear error that links to
its day box). Every page passes axe-core and, at 320 px, does not scroll sideways."""

import pytest
from django.utils import timezone

from ppda.roles import Role
from tests.e2e.journey import WIDTHS, check, sign_in, with_authenticator
from tests.factories.directory import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", WIDTHS)
def test_auditor_reads_the_trail(live_server, page, axe_source, width):
    auditor = with_authenticator(UserFactory(username="e2e.auditor", roles=[Role.AUDITOR]))
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, auditor)
    check(page, axe_source, "auditor home")
    page.get_by_role("link", name="Audit trail").first.click()
    assert page.locator(".govuk-service-navigation__item--active").inner_text().strip() == "Audit trail"
    check(page, axe_source, "audit trail")

    from_box = page.get_by_role("group", name="From")
    from_box.get_by_label("Day").fill("31")
    from_box.get_by_label("Month").fill("2")
    from_box.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Search").click()
    summary = page.locator(".govuk-error-summary")
    assert "The start date must be a real date" in summary.inner_text()
    check(page, axe_source, "audit trail date error")
    summary.get_by_role("link", name="The start date must be a real date").click()
    assert page.evaluate("document.activeElement.id") == "id_date_from_day"

    today = timezone.localdate()
    from_box.get_by_label("Day").fill("1")
    from_box.get_by_label("Month").fill("1")
    to_box = page.get_by_role("group", name="To")
    to_box.get_by_label("Day").fill(str(today.day))
    to_box.get_by_label("Month").fill(str(today.month))
    to_box.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Search").click()
    assert page.locator(".govuk-error-summary").count() == 0
    assert "entr" in page.locator("caption").inner_text()  # the search ran (it logs itself)
    assert from_box.get_by_label("Day").input_value() == "1"  # the boxes keep the period
    check(page, axe_source, "audit trail by period")
    assert page.console_errors == []
