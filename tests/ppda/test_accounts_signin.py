"""Two-step sign-in: password, then authenticator (or enrolment), with session rotation and safe `next`."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from ppda.models import AccessLog, BackupCode, EnrolmentPermit, UserSession
from tests.factories.directory import UserFactory

from .accounts_support import code_step, device_of, password_step, sign_in, totp_code

pytestmark = pytest.mark.django_db


def test_password_step_goes_to_verify_and_rotates_the_session_key(client):
    user = UserFactory()
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key
    response = password_step(client, user)
    assert response.status_code == 302
    assert response.url == reverse("accounts:otp_verify")
    after_password = client.session.session_key
    assert after_password and after_password != before
    assert UserSession.objects.filter(user=user, session_key=after_password).exists()

    response = code_step(client, totp_code(device_of(user)))
    assert response.status_code == 302 and response.url == reverse("home")
    after_code = client.session.session_key
    assert after_code != after_password
    # The session bookkeeping follows the rotated key.
    assert list(UserSession.objects.filter(user=user).values_list("session_key", flat=True)) == [after_code]
    assert client.get(reverse("home")).status_code == 200
    assert AccessLog.objects.filter(user=user, action=AccessLog.Action.LOGIN).count() == 1


@pytest.mark.parametrize("path_name", ["home", "admin:index", "accounts:security", "accounts:password_change"])
def test_password_only_session_reaches_nothing_but_the_second_step(client, path_name):
    user = UserFactory(is_superuser=True, is_staff=True)
    password_step(client, user)
    response = client.get(reverse(path_name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:otp_verify"))


def test_user_without_device_is_sent_to_enrolment_and_nowhere_else(client):
    user = UserFactory(otp=False)
    response = password_step(client, user)
    assert response.url == reverse("accounts:otp_enrol")
    for name in ["home", "accounts:security", "admin:index"]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:otp_enrol")), name
    # The verify page itself sends an unenrolled user to enrolment too.
    assert client.get(reverse("accounts:otp_verify")).url == reverse("accounts:otp_enrol")


def test_enrolment_shows_qr_and_key_then_backup_codes_once(client):
    user = UserFactory(otp=False)
    password_step(client, user)
    page = client.get(reverse("accounts:otp_enrol"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert page.context["secret"].replace(" ", "") in device.config_url
    qr = client.get(reverse("accounts:otp_enrol_qr"))
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content

    key_before = client.session.session_key
    response = client.post(reverse("accounts:otp_enrol"), {"code": totp_code(device)}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    for code in codes:
        assert code.encode() in response.content
    assert "no-store" in response["Cache-Control"]
    assert client.session.session_key != key_before
    device.refresh_from_db()
    assert device.confirmed
    assert BackupCode.objects.filter(user=user).count() == 10
    assert client.get(reverse("home")).status_code == 200
    # With a device confirmed, the QR code of a new one is not on offer.
    assert client.get(reverse("accounts:otp_enrol_qr")).status_code == 404
    assert client.get(reverse("accounts:otp_enrol")).status_code == 302


def test_enrolment_refuses_a_wrong_code(client):
    user = UserFactory(otp=False)
    password_step(client, user)
    client.get(reverse("accounts:otp_enrol"))
    response = client.post(reverse("accounts:otp_enrol"), {"code": "000000"}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert AccessLog.objects.filter(user=user, action=AccessLog.Action.OTP_FAILED, allowed=False).count() == 1
    assert client.get(reverse("home")).status_code == 302


def test_wrong_code_is_refused_and_logged(client):
    user = UserFactory()
    password_step(client, user)
    response = code_step(client, "123456" if totp_code(device_of(user)) != "123456" else "654321")
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and "not correct" in body
    assert AccessLog.objects.filter(user=user, action=AccessLog.Action.OTP_FAILED, allowed=False).count() == 1
    assert client.get(reverse("home")).status_code == 302


def test_device_throttle_refuses_even_the_right_code_straight_after_a_wrong_one(client):
    user = UserFactory()
    device = device_of(user)
    with time_machine.travel("2026-11-23 10:00:00+00:00", tick=False) as clock:
        password_step(client, user)
        wrong = "111111" if totp_code(device) != "111111" else "222222"
        code_step(client, wrong)
        code_step(client, wrong)
        response = code_step(client, totp_code(device))
        assert "too many wrong codes. Wait a minute" in response.content.decode()
        assert client.get(reverse("home")).status_code == 302
        # The device waits 1 s, then 2 s, then 4 s ...: after the wait the right code works.
        clock.shift(5)
        response = code_step(client, totp_code(device))
        assert response.status_code == 302 and response.url == reverse("home")


def test_a_used_code_cannot_be_replayed_in_another_session(client, django_user_model):
    user = UserFactory()
    device = device_of(user)
    with time_machine.travel("2026-11-23 10:00:05+00:00", tick=False):
        code = totp_code(device)
        password_step(client, user)
        assert code_step(client, code).status_code == 302
        other = Client()
        password_step(other, user)
        response = code_step(other, code)
        assert response.status_code == 200


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/accounts/security/", "/accounts/security/"),
        ("https://evil.example/steal", "/"),
        ("//evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("a b", "/"),
        ("a\x00b", "/"),
        ("home", "/"),
        ("/\\evil.example", "/"),
    ],
)
def test_next_is_followed_only_inside_the_site(client, next_url, expected):
    user = UserFactory()
    response = password_step(client, user, next_url=next_url)
    assert "evil" not in response.url and "javascript" not in response.url
    response = code_step(client, totp_code(device_of(user)), next_url=next_url)
    assert response.status_code == 302
    assert response.url == expected


def test_anonymous_request_is_sent_to_sign_in_with_the_page_as_next(client):
    response = client.get("/accounts/security/?tab=1")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/accounts/security/%3Ftab%3D1"


def test_password_only_get_carries_next_through_to_verify(client):
    user = UserFactory()
    password_step(client, user)
    response = client.get("/accounts/security/")
    assert response.url == "/accounts/verify/?next=%2Faccounts%2Fsecurity%2F"
    response = code_step(client, totp_code(device_of(user)), next_url="/accounts/security/")
    assert response.url == "/accounts/security/"


def test_wrong_password_is_refused_and_logged_without_saying_which_part_was_wrong(client):
    user = UserFactory()
    response = password_step(client, user, password="not the password")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a correct username and password" in body
    assert AccessLog.objects.filter(user=user, action=AccessLog.Action.LOGIN_FAILED, allowed=False).count() == 1
    response = client.post(reverse("accounts:login"), {"username": "nobody", "password": "x" * 12})
    assert "Enter a correct username and password" in response.content.decode()
    unknown = AccessLog.objects.get(action=AccessLog.Action.LOGIN_FAILED, user__isnull=True)
    assert unknown.username == ""  # a mistyped name (maybe a password) is not written down


def test_inactive_user_cannot_sign_in(client):
    user = UserFactory(is_active=False)
    response = password_step(client, user)
    assert response.status_code == 200
    assert client.get(reverse("home")).status_code == 302


def test_sign_in_pages_render_accessibly_labelled_fields(client):
    body = client.get(reverse("accounts:login")).content.decode()
    assert '<label class="govuk-label" for="id_username">' in body
    assert '<label class="govuk-label" for="id_password">' in body
    assert body.count("<h1") == 1


def test_logout_is_post_only_and_logged(client):
    user = UserFactory()
    sign_in(client, user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.url == reverse("accounts:login")
    assert client.get(reverse("home")).status_code == 302
    assert AccessLog.objects.filter(user=user, action=AccessLog.Action.LOGOUT).count() == 1
    assert not UserSession.objects.filter(user=user).exists()


def _parameterless_paths():
    """Every URL of the project that takes no argument, wherever it is included."""
    from django.urls import URLResolver, get_resolver

    found = []

    def walk(patterns, prefix):
        for p in patterns:
            route = str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + route)
            elif "<" not in route and "(" not in route and not route.startswith("^"):
                found.append("/" + (prefix + route).lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def test_no_page_of_the_project_is_reachable_before_the_second_factor(client):
    from ppda.middleware import OPEN_URL_NAMES

    user = UserFactory(otp=False, is_superuser=True, is_staff=True)
    password_step(client, user)
    # The allow-list is short and each entry is deliberate (the API authenticates by its own token).
    assert {
        "accounts:login",
        "accounts:logout",
        # Single sign-on: the way to the identity provider and back (the IdP's token is the first factor).
        "accounts:sso_start",
        "accounts:sso_callback",
        "health",
        "api_case_intake",
        "api_openapi",
    } == OPEN_URL_NAMES
    open_paths = {reverse(name) for name in OPEN_URL_NAMES} | {
        reverse("accounts:login"),
        reverse("accounts:logout"),
        reverse("accounts:otp_enrol"),
        reverse("accounts:otp_enrol_qr"),
        reverse("accounts:otp_verify"),
        reverse("health"),
        # Using a security key is the second step itself (POST-only JSON ceremonies; GET is 405).
        reverse("otp_webauthn:credential-authentication-begin"),
        reverse("otp_webauthn:credential-authentication-complete"),
        reverse("otp_webauthn:js-i18n-catalog"),
    }
    paths = _parameterless_paths()
    assert len(paths) > 10
    for path in paths:
        if path in open_paths:
            continue
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code == 302, (path, response.status_code)
            assert response.url.startswith(reverse("accounts:otp_enrol")), (path, response.url)


def test_a_dormant_account_cannot_enrol_until_an_administrator_resets_it(
    client, settings, superuser_no_role, verified_client
):
    settings.ENROLMENT_WINDOW_DAYS = 7
    user = UserFactory(otp=False, date_joined=timezone.now() - timedelta(days=8))
    password_step(client, user)
    page = client.get(reverse("accounts:otp_enrol"))
    assert page.status_code == 200
    assert "Ask an administrator to reset" in page.content.decode()
    assert "secret" not in page.context
    assert client.get(reverse("accounts:otp_enrol_qr")).status_code == 404
    assert client.post(reverse("accounts:otp_enrol"), {"code": "123456"}).status_code == 200
    assert not TOTPDevice.objects.filter(user=user).exists()

    admin = verified_client(superuser_no_role)
    admin.post(reverse("admin:ppda_user_changelist"), {"action": "reset_second_factor", "_selected_action": [user.pk]})
    fresh = Client()
    password_step(fresh, user)
    assert fresh.get(reverse("accounts:otp_enrol")).status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = fresh.post(reverse("accounts:otp_enrol"), {"code": totp_code(device)})
    assert len(response.context["codes"]) == 10
    assert not EnrolmentPermit.objects.filter(user=user).exists()


def test_a_new_account_may_enrol_within_the_window(client, settings):
    settings.ENROLMENT_WINDOW_DAYS = 7
    user = UserFactory(otp=False)
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        password_step(client, user)
        assert "secret" in client.get(reverse("accounts:otp_enrol")).context


def test_signing_in_with_both_fields_empty_names_each_field(client):
    """Issue 16: not "This field is required." twice, but each field named, in the summary and at the field."""
    response = client.post(reverse("accounts:login"), {"username": "", "password": ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert "This field is required" not in body
    assert '<a href="#id_username">Enter your username</a>' in body
    assert '<a href="#id_password">Enter your password</a>' in body
    assert body.count('<span class="govuk-visually-hidden">Error:</span> Enter your username') == 1
    assert body.count('<span class="govuk-visually-hidden">Error:</span> Enter your password') == 1
    assert "<title>Error: Sign in" in body
    assert not AccessLog.objects.filter(action=AccessLog.Action.LOGIN_FAILED).exists()
