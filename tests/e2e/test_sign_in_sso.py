"""A browser signs in through the force's identity provider: a real OIDC provider process (tests/oidc_provider.py)."""

import pytest

from ppda.roles import Role
from tests.e2e.conftest import axe_violations
from tests.factories.directory import StaffMemberFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(page):
    # The provider's page links a stylesheet from a CDN; this machine has no internet, so do not wait for it.
    page.route("https://**/*", lambda route: route.abort())
    return page


def test_sign_in_with_the_forces_account_and_its_mfa(live_server, page, sso, axe_source):
    user = UserFactory(staff=StaffMemberFactory(employee_number="E777001"), roles=[Role.AUDITOR])
    sub = sso.user(employeeid="E777001", amr=["pwd", "mfa"])

    page.goto(f"{live_server.url}/audit/")
    assert "/accounts/login/" in page.url
    assert axe_violations(page, axe_source) == []
    page.get_by_role("button", name="Sign in with Test Force account").click()
    # At the provider: choose the account (its own sign-in page).
    page.wait_for_url(f"{sso.issuer}/oauth2/authorize*")
    page.get_by_label("Subject").fill(sub)
    page.get_by_role("button", name="Authorize", exact=True).click()
    # Back at ppda, signed in with the provider's MFA as the second factor, on the page first asked for.
    page.wait_for_url(f"{live_server.url}/audit/")
    assert page.locator("h1").first.is_visible()
    assert user.username in page.content() or page.url.endswith("/audit/")


def test_a_person_without_a_staff_record_sees_a_clear_refusal(live_server, page, sso):
    sub = sso.user(employeeid="E000404", amr=["mfa"])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Sign in with Test Force account").click()
    page.wait_for_url(f"{sso.issuer}/oauth2/authorize*")
    page.get_by_label("Subject").fill(sub)
    page.get_by_role("button", name="Authorize", exact=True).click()
    page.wait_for_url(f"{live_server.url}/accounts/sso/callback/*")
    assert page.locator("h1").inner_text() == "You cannot sign in to ppda"
    assert "no staff record" in page.content()
