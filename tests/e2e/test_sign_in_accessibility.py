"""Sign in through the real password and OTP steps in a browser; axe-core finds no serious/critical issue."""

import hashlib
import hmac
import time

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from ppda.roles import Role
from tests.e2e.conftest import axe_violations
from tests.e2e.journey import check
from tests.factories.directory import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

KEY = "3132333435363738393031323334353637383930"  # the RFC 6238 test key; a test-only device


def totp_now(key_hex: str, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 TOTP, computed as an authenticator app would."""
    counter = int(time.time() // step).to_bytes(8, "big")
    digest = hmac.new(bytes.fromhex(key_hex), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def test_sign_in_with_password_and_code_then_home_is_accessible(live_server, page, axe_source):
    user = UserFactory(username="e2e.coordinator", roles=[Role.COORDINATOR, Role.AUDITOR])
    TOTPDevice.objects.filter(user=user).delete()
    TOTPDevice.objects.create(user=user, name="Authenticator app", key=KEY, confirmed=True)

    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url  # deny by default
    assert page.locator("h1").inner_text() == "Sign in"
    assert page.locator(".ppda-marking").first.inner_text().strip().endswith("OFFICIAL-SENSITIVE")
    assert axe_violations(page, axe_source) == []

    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/accounts/verify/**")
    assert axe_violations(page, axe_source) == []

    page.locator("input[name=code]").fill(totp_now(KEY))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/")

    assert page.locator("h1").inner_text().startswith("Welcome")
    assert page.locator("#card-coordinator").is_visible() and page.locator("#card-auditor").is_visible()
    assert "Case coordinator, Auditor" in page.locator(".ppda-user-bar").inner_text()
    # The module script ran under the CSP (GOV.UK Frontend initialised), and nothing was blocked.
    assert "govuk-frontend-supported" in page.locator("body").get_attribute("class")
    assert page.console_errors == []
    assert axe_violations(page, axe_source) == []

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url


def test_the_axe_check_finds_a_planted_violation(page, axe_source):
    """The check above can fail: an image without a text alternative is a critical violation."""
    page.set_content('<html lang="en"><head><title>t</title></head><body><main><img src="x.png"></main></body></html>')
    assert [v["id"] for v in axe_violations(page, axe_source)] == ["image-alt"]


def test_the_axe_check_finds_content_outside_any_landmark(page, axe_source):
    """A moderate rule the journeys still fail on: text outside every landmark (as the marking bars once were)."""
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><div>OFFICIAL-SENSITIVE</div><main><h1>Page</h1>'
        "</main></body></html>"
    )
    assert [v["id"] for v in axe_violations(page, axe_source)] == ["region"]
    with pytest.raises(AssertionError, match="region"):
        check(page, axe_source, "planted region")


def test_a_held_sign_in_asks_for_the_code_beside_the_password_and_lets_the_real_user_in(
    live_server, page, axe_source, settings
):
    """Issue 17: someone's failures from this address hold sign-in; the real user gets in with both factors."""
    settings.LOCKOUT_ADDRESS_BUDGET = 2
    user = UserFactory(username="e2e.held", roles=[Role.COORDINATOR])
    TOTPDevice.objects.filter(user=user).delete()
    TOTPDevice.objects.create(user=user, name="Authenticator app", key=KEY, confirmed=True)

    page.goto(f"{live_server.url}/accounts/login/")
    for name in ("someone.else", "another.name"):
        page.get_by_label("Username").fill(name)
        page.get_by_label("Password").fill("a wrong password")
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
    assert "too many failed sign-in attempts from your network" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Security code").is_visible()
    assert axe_violations(page, axe_source) == []

    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_label("Security code").fill(totp_now(KEY))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text().startswith("Welcome")
    assert page.console_errors == []
