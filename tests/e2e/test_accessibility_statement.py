"""The accessibility statement in a real browser at desktop and phone widths: reached from the footer after sign-in,
it passes axe-core and, at 320 px, does not scroll sideways (it says so of the service, so it must be true of it)."""

import pytest

from ppda.roles import Role
from tests.e2e.journey import WIDTHS, check, sign_in, with_authenticator
from tests.factories.directory import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", WIDTHS)
def test_accessibility_statement_from_the_footer(live_server, page, axe_source, width):
    user = with_authenticator(UserFactory(username="e2e.statement", roles=[Role.SOO]))
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, user)
    page.locator("footer").get_by_role("link", name="Accessibility statement").click()
    assert page.locator("h1").inner_text().startswith("Accessibility statement for")
    check(page, axe_source, "accessibility statement")
    assert page.console_errors == []
