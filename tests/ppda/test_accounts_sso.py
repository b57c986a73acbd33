"""Single sign-on through a real OpenID Connect provider process (tests/oidc_provider.py), the full redirect flow.

Django's test client is the browser on our side; the provider's own sign-in page is posted to over HTTP; the
callback then has mozilla-django-oidc fetch the token from the provider, check its signature against the
provider's JWKS, its nonce, state, expiry, issuer and audience (ppda.accounts.oidc).
"""

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from ppda.accounts import oidc
from ppda.accounts.services import IDP_MFA_SESSION_KEY
from ppda.models import AccessLog, UserSession
from ppda.roles import Role
from tests.factories.directory import StaffMemberFactory, UserFactory
from tests.oidc_provider import provider_start, provider_stop, sign_in_at_provider
from tests.ppda.accounts_support import code_step, device_of, password_step, totp_code

pytestmark = pytest.mark.django_db


def _start(client, next_url=None):
    response = client.get(reverse("accounts:sso_start"), {"next": next_url} if next_url else {})
    assert response.status_code == 302
    return response.url


def _callback(client, location: str):
    parts = urlsplit(location)
    assert parts.path == reverse("accounts:sso_callback")
    return client.get(parts.path, parse_qs(parts.query))


def sso_sign_in(client, provider, sub, *, next_url=None):
    """Start at ppda, sign in at the provider, come back: the callback's response."""
    return _callback(client, sign_in_at_provider(_start(client, next_url), sub))


@pytest.fixture
def staff_user(db):
    return UserFactory(staff=StaffMemberFactory(employee_number="E424242"), roles=[Role.COORDINATOR])


def test_the_request_to_the_provider_carries_state_nonce_and_pkce(client, sso):
    url = _start(client)
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(sso.issuer + "/oauth2/authorize")
    assert query["client_id"] == ["ppda-test"] and query["response_type"] == ["code"]
    assert query["redirect_uri"] == ["http://testserver/accounts/sso/callback/"]
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["code_challenge_method"] == ["S256"]


def test_a_matched_user_without_the_idps_mfa_goes_on_to_ppdas_second_factor(client, sso, staff_user):
    sub = sso.user(employeeid="E424242", amr=["pwd"])
    response = sso_sign_in(client, sso, sub, next_url="/audit/")
    assert response.status_code == 302
    assert response.url == reverse("accounts:otp_verify") + "?next=%2Faudit%2F"
    assert int(client.session["_auth_user_id"]) == staff_user.pk
    assert IDP_MFA_SESSION_KEY not in client.session
    # The session is first-factor only: every page sends it to the second factor.
    assert client.get(reverse("home")).url.startswith(reverse("accounts:otp_verify"))
    key_before = client.session.session_key
    response = code_step(client, totp_code(device_of(staff_user)), next_url="/audit/")
    assert response.status_code == 302 and response.url == "/audit/"
    assert client.session.session_key != key_before
    assert client.get(reverse("home")).status_code == 200
    assert AccessLog.objects.filter(user=staff_user, action=AccessLog.Action.LOGIN).count() == 2


def test_the_idps_mfa_is_the_second_factor_when_the_token_says_so(client, sso, staff_user):
    anonymous_key = client.get(reverse("accounts:login")) and client.session.session_key
    sub = sso.user(employeeid="E424242", amr=["pwd", "mfa"])
    response = sso_sign_in(client, sso, sub)
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.session.session_key != anonymous_key
    assert client.session[IDP_MFA_SESSION_KEY] == staff_user.pk and DEVICE_ID_SESSION_KEY not in client.session
    assert client.get(reverse("home")).status_code == 200
    assert UserSession.objects.filter(user=staff_user, session_key=client.session.session_key).exists()
    row = AccessLog.objects.get(user=staff_user, action=AccessLog.Action.LOGIN)
    assert row.what == "single sign-on with the IdP's MFA"


def test_a_configured_acr_counts_as_mfa_and_an_unlisted_one_does_not(client, sso, staff_user, settings):
    settings.OIDC_MFA_ACR_VALUES = ["urn:force:loa:mfa"]
    sub = sso.user(employeeid="E424242", acr="urn:force:loa:mfa")
    assert sso_sign_in(client, sso, sub).url == reverse("home")
    client.post(reverse("accounts:logout"))
    sub = sso.user(employeeid="E424242", acr="urn:force:loa:password")
    assert sso_sign_in(client, sso, sub).url == reverse("accounts:otp_verify")


def test_the_idps_mfa_is_ignored_when_the_setting_says_so(client, sso, staff_user, settings):
    settings.OIDC_ACCEPT_IDP_MFA = False
    sub = sso.user(employeeid="E424242", amr=["mfa"])
    assert sso_sign_in(client, sso, sub).url == reverse("accounts:otp_verify")


def test_mfa_claimed_only_in_userinfo_does_not_count(client, sso, staff_user, monkeypatch):
    """The MFA decision reads the signed ID token only, never the userinfo response."""
    sub = sso.user(employeeid="E424242")
    real = oidc.StaffOIDCBackend.get_userinfo
    monkeypatch.setattr(oidc.StaffOIDCBackend, "get_userinfo", lambda self, *a: {**real(self, *a), "amr": ["mfa"]})
    assert sso_sign_in(client, sso, sub).url == reverse("accounts:otp_verify")


def test_the_idp_session_marker_verifies_only_its_own_user(client, sso, staff_user):
    sub = sso.user(employeeid="E424242", amr=["mfa"])
    sso_sign_in(client, sso, sub)
    session = client.session
    session[IDP_MFA_SESSION_KEY] = staff_user.pk + 1000
    session.save()
    assert client.get(reverse("home")).url.startswith(reverse("accounts:otp_verify"))
    assert IDP_MFA_SESSION_KEY not in client.session


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: None, "no_staff_record"),
        (lambda: StaffMemberFactory(employee_number="E424242"), "no_account"),
        (
            lambda: UserFactory(staff=StaffMemberFactory(employee_number="E424242", is_active=False), roles=[Role.SOO]),
            "staff_inactive",
        ),
        (
            lambda: UserFactory(staff=StaffMemberFactory(employee_number="E424242"), is_active=False, roles=[Role.SOO]),
            "account_inactive",
        ),
        (lambda: UserFactory(staff=StaffMemberFactory(employee_number="E424242")), "no_role"),
    ],
)
def test_an_unmatched_person_is_refused_logged_and_no_account_is_made(client, sso, make, reason, django_user_model):
    make()
    users_before = django_user_model.objects.count()
    sub = sso.user(employeeid="E424242", amr=["mfa"], email="someone@force.example")
    response = sso_sign_in(client, sso, sub)
    assert response.status_code == 403
    assert b"You cannot sign in to ppda" in response.content
    assert "_auth_user_id" not in client.session
    assert django_user_model.objects.count() == users_before
    row = AccessLog.objects.get(action=AccessLog.Action.LOGIN_FAILED)
    assert row.what == f"single sign-on refused: {reason}" and not row.allowed


def test_a_person_is_matched_by_employee_number_never_by_name_or_email(client, sso, staff_user):
    sub = sso.user(
        employeeid="E999999",
        email=staff_user.email,
        given_name=staff_user.first_name,
        family_name=staff_user.last_name,
        preferred_username=staff_user.username,
    )
    assert sso_sign_in(client, sso, sub).status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_token_without_the_employee_number_claim_is_refused(client, sso, staff_user):
    response = sso_sign_in(client, sso, sso.user(email=staff_user.email))
    assert response.status_code == 403 and b"did not send an employee number" in response.content


def test_the_employee_number_claim_is_configurable(client, sso, staff_user, settings):
    settings.OIDC_EMPLOYEE_NUMBER_CLAIM = "payroll_id"
    assert sso_sign_in(client, sso, sso.user(payroll_id="E424242", employeeid="E0")).url == reverse(
        "accounts:otp_verify"
    )


def _tamper(id_token: str) -> str:
    """Change one claim of a signed token and keep the signature: what an attacker in the middle could do."""
    header, payload, signature = id_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["employeeid"] = "E424242"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def _refused_because(caplog, what: str) -> bool:
    return any(what in record.getMessage() for record in caplog.records)


def test_a_tampered_token_is_refused(client, sso, staff_user, monkeypatch, caplog):
    real = oidc.StaffOIDCBackend.get_token

    def get_token(self, payload):
        token = real(self, payload)
        return {**token, "id_token": _tamper(token["id_token"])}

    monkeypatch.setattr(oidc.StaffOIDCBackend, "get_token", get_token)
    response = sso_sign_in(client, sso, sso.user(employeeid="E000001", amr=["mfa"]))
    assert response.status_code == 400 and b"could not be checked" in response.content
    assert "_auth_user_id" not in client.session
    assert AccessLog.objects.get(action=AccessLog.Action.LOGIN_FAILED).what == "single sign-on refused: token"
    assert _refused_because(caplog, "InvalidSignatureError")


def test_a_token_signed_by_another_key_is_refused(client, sso, staff_user, settings, caplog):
    """The ID token is checked against the configured provider's keys: another provider's token fails."""
    other = provider_start()
    try:
        settings.OIDC_OP_JWKS_ENDPOINT = f"{other.issuer}/jwks"
        response = sso_sign_in(client, sso, sso.user(employeeid="E424242", amr=["mfa"]))
    finally:
        provider_stop(other)
    assert response.status_code == 400 and "_auth_user_id" not in client.session
    assert _refused_because(caplog, "InvalidSignatureError") or _refused_because(caplog, "Could not find a valid JWKS")


def test_a_token_from_another_issuer_is_refused(client, sso, staff_user, settings, caplog):
    settings.OIDC_ISSUER = "https://login.example.test/other"
    assert sso_sign_in(client, sso, sso.user(employeeid="E424242", amr=["mfa"])).status_code == 400
    assert _refused_because(caplog, "InvalidIssuerError")


def test_a_token_issued_to_another_client_is_refused(client, sso, staff_user, monkeypatch, caplog):
    """A token the provider issued to another application (aud) is not a sign-in to ppda."""
    real = oidc.StaffOIDCBackend.get_token

    def get_token(self, payload):
        return real(self, {**payload, "client_id": "another-client"})

    monkeypatch.setattr(oidc.StaffOIDCBackend, "get_token", get_token)
    start = _start(client).replace("client_id=ppda-test", "client_id=another-client")
    location = sign_in_at_provider(start, sso.user(employeeid="E424242", amr=["mfa"]))
    assert _callback(client, location).status_code == 400
    assert _refused_because(caplog, "InvalidAudienceError")


def test_an_expired_token_is_refused(client, settings, staff_user, caplog):
    expired = provider_start("--token-max-age", "-300")
    try:
        for name, value in expired.settings().items():
            setattr(settings, name, value)
        response = sso_sign_in(client, expired, expired.user(employeeid="E424242", amr=["mfa"]))
    finally:
        provider_stop(expired)
    assert response.status_code == 400 and "_auth_user_id" not in client.session
    assert _refused_because(caplog, "ExpiredSignatureError")


def test_a_replayed_state_is_refused(client, sso, staff_user, caplog):
    location = sign_in_at_provider(_start(client), sso.user(employeeid="E424242", amr=["mfa"]))
    assert _callback(client, location).status_code == 302
    # The same callback URL again (state and code), in the same browser: the state was spent.
    assert _callback(client, location).status_code == 400
    assert _refused_because(caplog, "state not found")
    # And after signing out: no state at all.
    client.post(reverse("accounts:logout"))
    response = _callback(client, location)
    assert response.status_code == 400 and "_auth_user_id" not in client.session


def test_a_state_from_another_browser_is_refused(client, sso, staff_user):
    from django.test import Client

    location = sign_in_at_provider(_start(Client()), sso.user(employeeid="E424242", amr=["mfa"]))
    _start(client)  # this browser has a state of its own, not that one
    assert _callback(client, location).status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_provider_error_is_a_clear_refusal(client, sso):
    url = _start(client)
    state = parse_qs(urlsplit(url).query)["state"][0]
    response = client.get(reverse("accounts:sso_callback"), {"error": "access_denied", "state": state})
    assert response.status_code == 403 and b"did not sign you in" in response.content


def test_sso_pages_do_not_exist_when_no_provider_is_configured(client):
    assert client.get(reverse("accounts:sso_start")).status_code == 404
    assert client.get(reverse("accounts:sso_callback"), {"code": "x", "state": "y"}).status_code == 404
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Sign in with" not in page and 'name="password"' in page


def test_the_login_page_shows_the_forces_button(client, sso):
    page = client.get(reverse("accounts:login"), {"next": "/audit/"}).content.decode()
    assert "Sign in with Test Force account" in page
    assert reverse("accounts:sso_start") + "?next=%2Faudit%2F" in page


def test_an_unsafe_next_is_dropped(client, sso, staff_user):
    response = sso_sign_in(client, sso, sso.user(employeeid="E424242", amr=["mfa"]), next_url="https://evil.test/")
    assert response.url == reverse("home")


def test_password_sign_in_can_be_limited_to_break_glass_accounts(client, sso, staff_user, settings):
    settings.PASSWORD_SIGNIN_ENABLED = False
    settings.PASSWORD_SIGNIN_BREAK_GLASS = ["breakglass"]
    response = password_step(client, staff_user)
    assert response.status_code == 200 and b"Passwords are for emergency accounts only" in response.content
    assert "_auth_user_id" not in client.session
    assert b"Emergency (break-glass) accounts" in client.get(reverse("accounts:login")).content
    glass = UserFactory(username="breakglass", is_superuser=True, is_staff=True)
    assert password_step(client, glass).url.startswith(reverse("accounts:otp_verify"))


def test_group_roles_are_synced_only_with_an_explicit_mapping(client, sso, settings):
    from django.contrib.auth.models import Group

    user = UserFactory(staff=StaffMemberFactory(employee_number="E555555"), roles=[Role.SOO, Role.AUDITOR])
    sub = sso.user(employeeid="E555555", amr=["mfa"], groups=["PPDA-Coordinators"])
    sso_sign_in(client, sso, sub)
    assert set(user.groups.values_list("name", flat=True)) == {"soo", "auditor"}  # no mapping: untouched
    client.post(reverse("accounts:logout"))
    settings.OIDC_GROUP_ROLES = {"PPDA-Coordinators": "coordinator", "PPDA-SOO": "soo"}
    assert Group.objects.filter(name="coordinator").exists()
    sso_sign_in(client, sso, sub)
    # soo is mapped and not in the token: removed; auditor is not mapped: ppda's own, kept.
    assert set(user.groups.values_list("name", flat=True)) == {"coordinator", "auditor"}
    # Each synced change is in the grant history, made by single sign-on (no administrator).
    from ppda.models import GrantEvent

    synced = GrantEvent.objects.filter(user=user, source="sso")
    assert set(synced.values_list("group", "change", "by_id")) == {
        ("coordinator", "granted", None),
        ("soo", "removed", None),
    }
