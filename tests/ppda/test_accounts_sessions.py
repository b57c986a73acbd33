"""Sessions: idle and absolute expiry; logout, deactivation, password and authenticator changes end the others."""

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from ppda.accounts.services import user_deactivate
from ppda.models import AccessLog, UserSession
from tests.factories.directory import TEST_PASSWORD, UserFactory

from .accounts_support import device_of, password_step, sign_in, totp_code

pytestmark = pytest.mark.django_db

START = "2026-11-23 09:00:00+00:00"


def _two_sessions(user, clock):
    first = sign_in(Client(), user, ip="10.0.0.1")
    clock.shift(31)  # a fresh TOTP time step: a code is accepted once only
    second = sign_in(Client(), user, ip="10.0.0.2")
    clock.shift(31)
    assert first.get(reverse("home")).status_code == 200
    assert second.get(reverse("home")).status_code == 200
    return first, second


def _signed_out(client) -> bool:
    response = client.get(reverse("home"))
    return response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_idle_session_expires_and_active_one_does_not(settings):
    # No write per request: the session store stamps each save, and an active session is re-saved once a minute.
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and not settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_ENGINE == "ppda.session_store" and settings.SESSION_TOUCH_SECONDS == 60
    user = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        active = sign_in(Client(), user)
        clock.shift(31)
        idle = sign_in(Client(), user)
        for _ in range(4):  # every 20 minutes for 80 minutes: never idle for 30
            clock.shift(20 * 60)
            assert active.get(reverse("home")).status_code == 200
        assert _signed_out(idle)


def test_idle_just_under_the_limit_is_kept():
    user = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        client = sign_in(Client(), user)
        clock.shift(29 * 60)
        assert client.get(reverse("home")).status_code == 200
        clock.shift(31 * 60)
        assert _signed_out(client)


def test_session_ends_after_the_absolute_limit_however_active(settings):
    settings.SESSION_MAX_HOURS = 12
    user = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        client = sign_in(Client(), user)
        for _ in range(12 * 3):
            clock.shift(20 * 60)
            assert client.get(reverse("home")).status_code == 200
        clock.shift(20 * 60)
        assert _signed_out(client)


def test_logout_ends_every_session_of_the_account():
    user = UserFactory()
    bystander = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        first, second = _two_sessions(user, clock)
        keep = sign_in(Client(), bystander)
        first.post(reverse("accounts:logout"))
        assert _signed_out(first) and _signed_out(second)
        assert keep.get(reverse("home")).status_code == 200
    assert not UserSession.objects.filter(user=user).exists()


def test_signing_out_of_a_password_only_session_ends_only_that_session():
    """Issue 17, defect 4: someone with only the password must not sign the real user out everywhere."""
    user = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        real = sign_in(Client(), user, ip="10.0.0.1")
        clock.shift(31)
        half = Client()
        assert password_step(half, user, ip="10.0.0.9").status_code == 302
        half.post(reverse("accounts:logout"), REMOTE_ADDR="10.0.0.9")
        assert _signed_out(half)
        assert real.get(reverse("home")).status_code == 200
    assert UserSession.objects.filter(user=user).count() == 1


def test_signing_out_of_other_sessions_keeps_this_one():
    user = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        first, second = _two_sessions(user, clock)
        response = first.post(reverse("accounts:sessions_end_others"))
        assert response.url == reverse("accounts:security")
        assert first.get(reverse("accounts:security")).status_code == 200
        assert _signed_out(second)


def test_password_change_needs_password_and_code_and_ends_other_sessions():
    user = UserFactory()
    new_password = "a new long passphrase 9917"
    with time_machine.travel(START, tick=False) as clock:
        first, second = _two_sessions(user, clock)
        second_key = second.session.session_key
        url = reverse("accounts:password_change")
        key_before = first.session.session_key
        response = first.post(
            url,
            {
                "current_password": "wrong",
                "code": totp_code(device_of(user)),
                "new_password1": new_password,
                "new_password2": new_password,
            },
        )
        assert response.status_code == 200 and "current password is not correct" in response.content.decode()
        response = first.post(
            url,
            {
                "current_password": TEST_PASSWORD,
                "code": "000000",
                "new_password1": new_password,
                "new_password2": new_password,
            },
        )
        assert response.status_code == 200
        clock.shift(31)
        response = first.post(
            url,
            {
                "current_password": TEST_PASSWORD,
                "code": totp_code(device_of(user)),
                "new_password1": new_password,
                "new_password2": new_password,
            },
        )
        assert response.status_code == 302, response.content
        assert first.session.session_key != key_before
        assert first.get(reverse("home")).status_code == 200
        # Ended by us, not only by Django's password-hash check: the session row itself is gone.
        assert not Session.objects.filter(session_key=second_key).exists()
        assert _signed_out(second)
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert list(UserSession.objects.filter(user=user).values_list("session_key", flat=True)) == [
        first.session.session_key
    ]
    assert AccessLog.objects.filter(user=user, what="password changed").count() == 1


@pytest.mark.parametrize(
    ("new", "message"),
    [("short", "too short"), ("password123456", "too common"), ("12345678901234", "entirely numeric")],
)
def test_password_change_applies_djangos_validators(verified_client, new, message):
    user = UserFactory()
    client = verified_client(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"current_password": TEST_PASSWORD, "code": "123456", "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 200 and message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_authenticator_reset_needs_a_code_ends_other_sessions_and_leads_to_set_up():
    user = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        first, second = _two_sessions(user, clock)
        old_device = device_of(user)
        url = reverse("accounts:authenticator_reset")
        response = first.post(url, {"code": "000000"})
        assert response.status_code == 200
        assert TOTPDevice.objects.filter(pk=old_device.pk).exists()
        clock.shift(31)
        response = first.post(url, {"code": totp_code(old_device)})
        assert response.url == reverse("accounts:otp_enrol")
        assert not TOTPDevice.objects.filter(pk=old_device.pk).exists()
        assert _signed_out(second)
        # This session is back to password-only: set-up is the only page left.
        response = first.get(reverse("home"))
        assert response.url.startswith(reverse("accounts:otp_enrol"))
        first.get(reverse("accounts:otp_enrol"))
        new_device = TOTPDevice.objects.get(user=user, confirmed=False)
        response = first.post(reverse("accounts:otp_enrol"), {"code": totp_code(new_device)})
        assert response.status_code == 200 and len(response.context["codes"]) == 10
        assert first.get(reverse("home")).status_code == 200


def test_deactivation_ends_every_session(superuser_no_role):
    user = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        first, second = _two_sessions(user, clock)
        keys = [first.session.session_key, second.session.session_key]
        user_deactivate(user=user, by=superuser_no_role)
        assert not Session.objects.filter(session_key__in=keys).exists()
        assert _signed_out(first) and _signed_out(second)


def test_deactivation_in_the_admin_ends_sessions(superuser_no_role, verified_client):
    user = UserFactory()
    with time_machine.travel(START, tick=True) as clock:
        first, second = _two_sessions(user, clock)
        admin = verified_client(superuser_no_role)
        response = admin.post(
            reverse("admin:ppda_user_changelist"),
            {"action": "deactivate_and_sign_out", "_selected_action": [user.pk]},
        )
        assert response.status_code == 302
        assert _signed_out(first) and _signed_out(second)
    user.refresh_from_db()
    assert not user.is_active


def test_admin_two_factor_reset_sends_the_user_back_to_set_up(superuser_no_role, verified_client):
    user = UserFactory()
    with time_machine.travel(START, tick=True) as clock:
        first, _ = _two_sessions(user, clock)
        admin = verified_client(superuser_no_role)
        admin.post(
            reverse("admin:ppda_user_changelist"),
            {"action": "reset_second_factor", "_selected_action": [user.pk]},
        )
        assert _signed_out(first)
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AccessLog.objects.filter(user=superuser_no_role, what="two-factor reset by admin").exists()


def test_security_page_lists_only_my_sessions(verified_client):
    user = UserFactory()
    other = UserFactory()
    with time_machine.travel(START, tick=False):
        sign_in(Client(), other, ip="192.0.2.77")
        client = sign_in(Client(), user, ip="192.0.2.10")
        body = client.get(reverse("accounts:security")).content.decode()
    assert "192.0.2.10" in body and "192.0.2.77" not in body


def test_admin_password_set_and_deactivation_form_end_sessions(superuser_no_role, verified_client):
    user = UserFactory()
    with time_machine.travel(START, tick=True) as clock:
        first, _ = _two_sessions(user, clock)
        admin = verified_client(superuser_no_role)
        url = reverse("admin:auth_user_password_change", args=[user.pk])
        response = admin.post(url, {"password1": "another long passphrase 3", "password2": "another long passphrase 3"})
        assert response.status_code == 302, response.content
        assert _signed_out(first)
        assert admin.get(reverse("admin:index")).status_code == 200

        clock.shift(31)
        again = sign_in(Client(), user, password="another long passphrase 3")
        change = admin.get(reverse("admin:ppda_user_change", args=[user.pk]))
        data = {k: v for k, v in change.context["adminform"].form.initial.items() if v is not None}
        data.update(
            {
                "is_active": "",
                "date_joined_0": user.date_joined.strftime("%d/%m/%Y"),
                "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
                "staff": user.staff_id,
                "groups": [],
                "user_permissions": [],
            }
        )
        data.pop("last_login", None)
        data.pop("date_joined", None)
        data.pop("password", None)
        response = admin.post(reverse("admin:ppda_user_change", args=[user.pk]), data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert _signed_out(again)
    user.refresh_from_db()
    assert not user.is_active
    assert not UserSession.objects.filter(user=user).exists()


@pytest.mark.parametrize("sessions", [1, 8])
def test_security_page_query_count_does_not_grow_with_sessions(verified_client, django_assert_num_queries, sessions):
    from django.utils import timezone

    user = UserFactory()
    client = verified_client(user)
    UserSession.objects.bulk_create(
        UserSession(user=user, session_key=f"k{n:039d}", created_at=timezone.now()) for n in range(sessions)
    )
    client.get(reverse("accounts:security"))
    # user (with roles and confirmed authenticators), session list, backup-code count, security keys; the session
    # is read from Redis and, saved under a minute ago, not written
    with django_assert_num_queries(4):
        response = client.get(reverse("accounts:security"))
    assert response.status_code == 200
    assert len(response.context["sessions"]) == sessions


def test_purge_removes_ended_sessions_and_stale_counters_only():
    from datetime import timedelta

    from django.utils import timezone

    from ppda.accounts.services import signin_records_purge
    from ppda.models import SignInLockout
    from ppda.tasks import signin_records_purge_task

    user = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        ended = sign_in(Client(), user)
        ended_key = ended.session.session_key
        clock.shift(60 * 60)  # the first session idles out
        live = sign_in(Client(), user)
        now = timezone.now()
        old = now - timedelta(days=2)
        SignInLockout.objects.create(username="stale", ip_address="10.0.0.2", failures=2, last_failure_at=old)
        SignInLockout.objects.create(
            username="still-locked",
            ip_address="10.0.0.3",
            failures=5,
            last_failure_at=old,
            locked_until=now + timedelta(minutes=5),
        )
        SignInLockout.objects.create(username="fresh", ip_address="10.0.0.4", failures=1, last_failure_at=now)
        assert signin_records_purge() == {"user_sessions": 1, "lockouts": 1}
        assert not UserSession.objects.filter(session_key=ended_key).exists()
        assert UserSession.objects.filter(session_key=live.session.session_key).exists()
        assert sorted(SignInLockout.objects.values_list("username", flat=True)) == ["fresh", "still-locked"]
        assert live.get(reverse("home")).status_code == 200
        assert signin_records_purge_task.apply().get() == {"user_sessions": 0, "lockouts": 0}
