"""Account lockout per account name + address: password and second-factor failures, expiry, release, alerts."""

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from ppda.accounts.services import lockout_release
from ppda.models import AccessLog, Notification, SignInLockout
from ppda.roles import Role
from tests.factories.directory import UserFactory

from .accounts_support import code_step, device_of, password_step, sign_in, totp_code

pytestmark = pytest.mark.django_db

NOON = "2026-11-23 12:00:00+00:00"


def _fail_passwords(client, user, n, ip="10.0.0.1"):
    for _ in range(n):
        response = password_step(client, user, password="wrong password!", ip=ip)
    return response


@pytest.fixture
def watchers(db):
    return [
        UserFactory(username="watch-auditor", roles=[Role.AUDITOR]),
        UserFactory(username="watch-coord", roles=[Role.COORDINATOR]),
        UserFactory(username="bystander", roles=[Role.SOO]),
    ]


def test_five_wrong_passwords_lock_this_account_from_this_address(client, settings, watchers):
    settings.LOCKOUT_THRESHOLD = 5
    user = UserFactory(username="target")
    with time_machine.travel(NOON, tick=False):
        response = _fail_passwords(client, user, 4)
        assert "too many failed sign-in attempts" not in response.content.decode()
        response = _fail_passwords(client, user, 1)
        body = response.content.decode()
        assert "too many failed sign-in attempts" in body
        assert "Try again after 12:15" in body  # 15 minutes, shown in UK time (GMT in November)
        # Even the right password is refused while locked, and not checked at all.
        response = password_step(client, user)
        assert response.status_code == 200 and "too many failed sign-in attempts" in response.content.decode()
        assert "_auth_user_id" not in client.session
    assert AccessLog.objects.filter(user=user, action=AccessLog.Action.LOGIN_FAILED).count() == 5


def test_lockout_does_not_reach_the_same_account_from_another_address(client, watchers):
    user = UserFactory()
    with time_machine.travel(NOON, tick=False):
        _fail_passwords(client, user, 5, ip="203.0.113.9")
        other = Client()
        sign_in(other, user, ip="10.1.1.1")
        assert other.get(reverse("home")).status_code == 200


def test_lockout_expires_after_the_configured_minutes(client, settings, watchers):
    settings.LOCKOUT_MINUTES = 15
    user = UserFactory()
    with time_machine.travel(NOON, tick=False) as clock:
        _fail_passwords(client, user, 5)
        clock.shift(14 * 60)
        assert "too many failed" in password_step(client, user).content.decode()
        clock.shift(61)
        response = password_step(client, user)
        assert response.status_code == 302 and response.url == reverse("accounts:otp_verify")


def test_failures_spread_beyond_the_window_do_not_lock(client, watchers):
    user = UserFactory()
    with time_machine.travel(NOON, tick=False) as clock:
        _fail_passwords(client, user, 4)
        clock.shift(16 * 60)
        response = _fail_passwords(client, user, 4)
        assert "too many failed" not in response.content.decode()


def test_second_factor_failures_count_towards_the_same_lock(client, watchers):
    user = UserFactory()
    device = device_of(user)
    with time_machine.travel(NOON, tick=False) as clock:
        _fail_passwords(client, user, 2)
        password_step(client, user)
        wrong = "000000" if totp_code(device) != "000000" else "999999"
        for _ in range(3):
            clock.shift(120)  # outlast the device throttle, so the account lock is what stops it
            response = code_step(client, wrong)
        assert "too many failed sign-in attempts" in response.content.decode()
        clock.shift(120)
        response = code_step(client, totp_code(device))
        assert response.status_code == 200 and "too many failed" in response.content.decode()
        assert client.get(reverse("home")).status_code == 302
    assert AccessLog.objects.filter(user=user, action=AccessLog.Action.OTP_FAILED).count() == 3


def test_full_sign_in_clears_earlier_failures(client, watchers):
    user = UserFactory()
    with time_machine.travel(NOON, tick=False):
        _fail_passwords(client, user, 4)
        sign_in(client, user)
        client.post(reverse("accounts:logout"))
        response = _fail_passwords(client, user, 4)
        assert "too many failed" not in response.content.decode()


def test_password_success_alone_does_not_clear_failures(client, watchers):
    """Otherwise someone with the password could alternate it with code guesses forever."""
    user = UserFactory()
    with time_machine.travel(NOON, tick=False):
        _fail_passwords(client, user, 4)
        assert password_step(client, user).status_code == 302
        assert SignInLockout.objects.exclude(device="*").get(username=user.username).failures == 4


def test_lock_alerts_auditors_and_coordinators_once_without_identifying_anyone(
    client, watchers, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(username="jsmith-target")
    with time_machine.travel(NOON, tick=False), django_capture_on_commit_callbacks(execute=True):
        _fail_passwords(client, user, 7, ip="198.51.100.7")
    alerts = Notification.objects.filter(kind="signin_lockout")
    assert sorted(a.recipient.username for a in alerts) == ["watch-auditor", "watch-coord"]
    for alert in alerts:
        assert "jsmith" not in alert.message and "198.51.100.7" not in alert.message
    assert len(mailoutbox) == 2
    for mail in mailoutbox:
        assert "jsmith" not in mail.body and "198.51.100.7" not in mail.body


def test_unknown_account_names_are_locked_the_same_way(client, watchers):
    with time_machine.travel(NOON, tick=False):
        for _ in range(5):
            response = client.post(reverse("accounts:login"), {"username": "ghost", "password": "wrong password!"})
    assert "too many failed sign-in attempts" in response.content.decode()


def test_admin_release_service_and_command(client, watchers):
    user = UserFactory(username="locked-out")
    with time_machine.travel(NOON, tick=False):
        _fail_passwords(client, user, 5)
        assert "too many failed" in password_step(client, user).content.decode()
        call_command("release_lockout", "locked-out")
        assert password_step(client, user).status_code == 302
        client.post(reverse("accounts:logout"))
        _fail_passwords(client, user, 5)
        # This browser's lock, and the name's hold from this address (ten failures from all browsers).
        assert lockout_release(username="LOCKED-OUT", ip_address="10.0.0.1") == 2
        assert password_step(client, user).status_code == 302
    row = SignInLockout.objects.exclude(device="*").get(username="locked-out")
    assert row.released_at is not None and row.locked_until is None


def test_admin_release_action(client, watchers, superuser_no_role, verified_client):
    user = UserFactory(username="locked-out")
    with time_machine.travel(NOON, tick=True):
        _fail_passwords(client, user, 5)
        row = SignInLockout.objects.exclude(device="*").get(username="locked-out")
        admin = verified_client(superuser_no_role)
        page = admin.get(reverse("admin:ppda_signinlockout_changelist"))
        assert page.status_code == 200 and b"locked-out" in page.content
        response = admin.post(
            reverse("admin:ppda_signinlockout_changelist"),
            {"action": "release", "_selected_action": [row.pk]},
        )
        assert response.status_code == 302
        assert password_step(client, user).status_code == 302
    row.refresh_from_db()
    assert row.released_by == superuser_no_role


def test_forwarded_for_is_not_trusted_without_a_configured_proxy(client, watchers):
    """Otherwise a guesser sends a new X-Forwarded-For each time and is never locked."""
    user = UserFactory()
    with time_machine.travel(NOON, tick=False):
        for n in range(5):
            response = client.post(
                reverse("accounts:login"),
                {"username": user.username, "password": "wrong password!"},
                HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
            )
    assert "too many failed" in response.content.decode()


def test_behind_one_proxy_the_last_forwarded_hop_is_the_client(client, settings, watchers):
    settings.TRUSTED_PROXY_COUNT = 1
    user = UserFactory()
    with time_machine.travel(NOON, tick=False):
        for n in range(5):
            response = client.post(
                reverse("accounts:login"),
                {"username": user.username, "password": "wrong password!"},
                HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.5",
                REMOTE_ADDR="10.9.9.9",
            )
    assert "too many failed" in response.content.decode()
    assert set(SignInLockout.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


def test_guesses_spread_over_many_addresses_alert_once_per_window(client, settings, watchers):
    settings.LOCKOUT_SPREAD_ALERT = 15
    user = UserFactory(username="spread-target")
    with time_machine.travel(NOON, tick=False):
        for n in range(20):
            password_step(Client(), user, password="wrong password!", ip=f"192.0.2.{n}")
        # No address reached five failures, so nobody was locked out ...
        assert not SignInLockout.objects.filter(locked_until__isnull=False).exists()
        assert password_step(client, user, ip="192.0.2.200").status_code == 302
    # ... but auditors and coordinators heard about it, once, without the account name.
    alerts = Notification.objects.filter(kind="signin_failures_spread")
    assert sorted(a.recipient.username for a in alerts) == ["watch-auditor", "watch-coord"]
    assert all("spread-target" not in a.message and "spread-target" not in a.event_key for a in alerts)


def test_a_colleague_behind_the_same_proxy_cannot_lock_a_user_out_of_their_usual_browser(watchers, settings):
    """Forces put everyone behind one address; each browser keeps its own count."""
    user = UserFactory(username="target")
    with time_machine.travel(NOON, tick=False) as clock:
        own = sign_in(Client(), user, ip="10.0.0.1")
        cookie = own.cookies[settings.SIGNIN_DEVICE_COOKIE_NAME]
        assert cookie["httponly"] and cookie["samesite"] == "Lax"
        own.post(reverse("accounts:logout"))
        clock.shift(31)

        attacker = Client()
        _fail_passwords(attacker, user, 5, ip="10.0.0.1")
        assert "too many failed" in password_step(attacker, user, ip="10.0.0.1").content.decode()
        # The token names the browser, not an account: signing in to another account in it changes nothing.
        other = UserFactory()
        sign_in(attacker, other, ip="10.0.0.1")
        attacker.post(reverse("accounts:logout"))
        assert "too many failed" in password_step(attacker, user, ip="10.0.0.1").content.decode()

        # The user's own browser, same address, signs in as usual.
        sign_in(own, user, ip="10.0.0.1")
        assert own.get(reverse("home")).status_code == 200


def test_failures_from_the_usual_browser_still_lock_it(watchers, settings):
    user = UserFactory()
    with time_machine.travel(NOON, tick=False):
        own = sign_in(Client(), user)
        own.post(reverse("accounts:logout"))
        response = _fail_passwords(own, user, 5)
        assert "too many failed" in response.content.decode()


def test_a_name_that_is_no_account_is_never_written_down(client, watchers):
    """Issue 17 (gap): a password typed into the username box must not land in the lockout table or the log.
    The table keeps a keyed hash of such a name (it still counts, and can still be released by the name)."""
    typed = "Correct-Horse-Battery-9"
    with time_machine.travel(NOON, tick=False):
        for _ in range(5):
            response = client.post(reverse("accounts:login"), {"username": typed, "password": "whatever"})
        assert "too many failed sign-in attempts" in response.content.decode()
        assert lockout_release(username=typed) == 1  # released by the name, though it is stored hashed
    rows = list(SignInLockout.objects.values_list("username", flat=True))
    assert rows and all(typed.lower() not in row and "horse" not in row for row in rows)
    assert not AccessLog.objects.filter(username__icontains="horse").exists()
    assert not AccessLog.objects.filter(what__icontains="horse").exists()
