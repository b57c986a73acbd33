"""Issue 17 defect 7: someone at the same address (a force's shared proxy) must not be able to lock a
colleague out. Each browser has its own count; the holds across browsers and across names ask for both
factors at once instead of locking anyone out."""

import logging

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from ppda.accounts.services import HELD_REFUSAL, HOLD_MESSAGE
from ppda.models import AccessLog, Notification, SignInLockout
from ppda.roles import Role
from tests.factories.directory import TEST_PASSWORD, UserFactory

from .accounts_support import device_of, password_step, sign_in, totp_code

pytestmark = pytest.mark.django_db

NOON = "2026-11-23 12:00:00+00:00"
OFFICE = "10.20.30.40"  # the force's shared proxy: everyone's address
WRONG = "wrong password!"


@pytest.fixture
def watchers(db):
    return [
        UserFactory(username="watch-auditor", roles=[Role.AUDITOR]),
        UserFactory(username="watch-coord", roles=[Role.COORDINATOR]),
    ]


def _held_sign_in(client, user, *, code, password=TEST_PASSWORD, ip=OFFICE):
    data = {"username": user.username, "password": password, "code": code}
    return client.post(reverse("accounts:login"), data, REMOTE_ADDR=ip)


def _wrong_code(device):
    return "000000" if totp_code(device) != "000000" else "999999"


def _messages(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def test_six_wrong_passwords_from_one_client_do_not_lock_the_user_out_of_a_fresh_browser(watchers):
    """Failed before the fix: the attacker's failures counted for every browser without a signed-in token."""
    victim = UserFactory(username="victim")
    with time_machine.travel(NOON, tick=False):
        attacker = Client()
        for _ in range(6):
            password_step(attacker, victim, password=WRONG, ip=OFFICE)
        fresh = Client()
        assert fresh.get(reverse("accounts:login"), REMOTE_ADDR=OFFICE).status_code == 200
        sign_in(fresh, victim, ip=OFFICE)
        assert fresh.get(reverse("home"), REMOTE_ADDR=OFFICE).status_code == 200


def test_every_client_gets_a_browser_token_on_the_sign_in_page(settings):
    client = Client()
    response = client.get(reverse("accounts:login"))
    cookie = response.cookies[settings.SIGNIN_DEVICE_COOKIE_NAME]
    assert cookie.value and cookie["httponly"] and cookie["samesite"] == "Lax"
    # Kept, not replaced, on the next visit.
    assert settings.SIGNIN_DEVICE_COOKIE_NAME not in client.get(reverse("accounts:login")).cookies


def test_the_attackers_own_browser_is_locked_even_with_both_factors(watchers):
    victim = UserFactory(username="victim")
    device = device_of(victim)
    with time_machine.travel(NOON, tick=False):
        attacker = Client()
        for _ in range(5):
            password_step(attacker, victim, password=WRONG, ip=OFFICE)
        response = password_step(attacker, victim, ip=OFFICE)
        assert "too many failed sign-in attempts for this account from this device" in _messages(response)
        response = _held_sign_in(attacker, victim, code=totp_code(device))
        assert "too many failed sign-in attempts for this account from this device" in _messages(response)
        assert "_auth_user_id" not in attacker.session
    assert Notification.objects.filter(kind="signin_lockout").count() == 2  # the auditor and the coordinator


def test_dropping_the_cookie_buys_a_guesser_only_the_accounts_hold(watchers, settings):
    """A fresh token is a fresh browser count; LOCKOUT_ACCOUNT_ADDRESS_BUDGET failures for the name from all
    browsers here then hold it: a right password alone is not even checked."""
    settings.LOCKOUT_ACCOUNT_ADDRESS_BUDGET = 10
    victim = UserFactory(username="victim")
    bystander = UserFactory(username="bystander")
    with time_machine.travel(NOON, tick=False):
        for _ in range(10):
            password_step(Client(), victim, password=WRONG, ip=OFFICE)
        response = password_step(Client(), victim, ip=OFFICE)
        assert response.status_code == 200 and HOLD_MESSAGE in _messages(response)
        assert 'id="id_code"' in response.content.decode()
        # Held for that name only, and only from this address.
        assert password_step(Client(), bystander, ip=OFFICE).status_code == 302
        assert password_step(Client(), victim, ip="10.99.0.1").status_code == 302
    assert Notification.objects.filter(kind="signin_hold").count() == 2
    assert not SignInLockout.objects.filter(device="*", username="victim", locked_until__isnull=True).exists()


def test_the_address_budget_trips_across_usernames(watchers, settings, caplog):
    """A few passwords sprayed at every account: LOCKOUT_ADDRESS_BUDGET failures from one address, whatever
    the names and browsers, hold sign-in for every name from there; logged and alerted without the names."""
    settings.LOCKOUT_ADDRESS_BUDGET = 12
    accounts = [UserFactory(username=f"sprayed-{n}") for n in range(4)]
    untouched = UserFactory(username="untouched")
    caplog.set_level(logging.WARNING, logger="ppda.accounts.services.lockout")
    with time_machine.travel(NOON, tick=False):
        for password in ("Winter2026!", "Password123!", "Summer2026!"):
            for account in accounts:
                response = password_step(Client(), account, password=password, ip=OFFICE)
        assert HOLD_MESSAGE in _messages(response)  # the twelfth failure started the hold, and says so
        response = password_step(Client(), untouched, ip=OFFICE)
        assert response.status_code == 200 and HOLD_MESSAGE in _messages(response)
        # Known from the address alone: the page asks for the code before a name is typed.
        page = Client().get(reverse("accounts:login"), REMOTE_ADDR=OFFICE)
        assert 'id="id_code"' in page.content.decode()
        assert 'id="id_code"' not in Client().get(reverse("accounts:login"), REMOTE_ADDR="10.99.0.1").content.decode()
        assert password_step(Client(), untouched, ip="10.99.0.1").status_code == 302
    held = AccessLog.objects.get(what__startswith="sign-in held for this address")
    assert held.username == "" and held.user is None and held.ip_address == OFFICE
    alerts = Notification.objects.filter(kind="signin_hold")
    assert sorted(a.recipient.username for a in alerts) == ["watch-auditor", "watch-coord"]
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "both factors" in logged
    for text in [alert.message for alert in alerts] + [logged, held.what]:
        assert "sprayed" not in text and "untouched" not in text and OFFICE not in text


def test_the_real_user_with_password_and_code_gets_through_a_hold(watchers, settings):
    settings.LOCKOUT_ADDRESS_BUDGET = 6
    user = UserFactory(username="real-user")
    with time_machine.travel(NOON, tick=False):
        for n in range(6):
            password_step(Client(), UserFactory(username=f"other-{n}"), password=WRONG, ip=OFFICE)
        browser = Client()
        response = password_step(browser, user, ip=OFFICE)
        assert HOLD_MESSAGE in _messages(response) and "_auth_user_id" not in browser.session
        response = _held_sign_in(browser, user, code=totp_code(device_of(user)))
        assert response.status_code == 302 and response.url == reverse("home")
        assert browser.get(reverse("home"), REMOTE_ADDR=OFFICE).status_code == 200
    assert AccessLog.objects.filter(user=user, action=AccessLog.Action.LOGIN).exists()


def test_a_backup_code_also_gets_through_a_hold(watchers, settings):
    from ppda.accounts.services import backup_codes_generate

    settings.LOCKOUT_ADDRESS_BUDGET = 3
    user = UserFactory(username="real-user")
    codes = backup_codes_generate(user=user)
    with time_machine.travel(NOON, tick=False):
        for _ in range(3):
            password_step(Client(), user, password=WRONG, ip=OFFICE)
        browser = Client()
        response = _held_sign_in(browser, user, code=codes[0])
        assert response.status_code == 302
        assert "backup code" in _messages(browser.get(reverse("home"), REMOTE_ADDR=OFFICE))


def test_while_held_a_right_password_tells_a_guesser_nothing(watchers, settings):
    """One message whatever was wrong, and the code is only checked after the right password, so a guesser
    cannot run up the real user's authenticator throttle either."""
    settings.LOCKOUT_ADDRESS_BUDGET = 3
    settings.LOCKOUT_THRESHOLD = 50  # the browser's own lock is not what is tested here
    user = UserFactory(username="target")
    device = device_of(user)
    with time_machine.travel(NOON, tick=False) as clock:
        for _ in range(3):
            password_step(Client(), user, password=WRONG, ip=OFFICE)
        guesser = Client()
        wrong_password = _held_sign_in(guesser, user, password=WRONG, code="123456")
        device.refresh_from_db()
        assert device.throttling_failure_count == 0
        clock.shift(120)
        right_password = _held_sign_in(guesser, user, code=_wrong_code(device))
        for response in (wrong_password, right_password):
            assert response.status_code == 200 and HELD_REFUSAL in _messages(response)
            assert "not correct" not in _messages(response)
        assert "_auth_user_id" not in guesser.session
        # A malformed code is refused before the password is looked at (and counts nothing).
        before = SignInLockout.objects.get(username="*").failures
        response = _held_sign_in(guesser, user, code="x")
        assert "Enter the 6-digit code" in _messages(response)
        assert SignInLockout.objects.get(username="*").failures == before


def test_a_hold_is_released_by_the_command_and_the_admin_action_releases_any_row(
    watchers, settings, superuser_no_role, verified_client
):
    settings.LOCKOUT_ADDRESS_BUDGET = 5
    user = UserFactory(username="target")
    with time_machine.travel(NOON, tick=True):
        for _ in range(5):
            Client().post(
                reverse("accounts:login"), {"username": "no-such-name", "password": WRONG}, REMOTE_ADDR=OFFICE
            )
        assert HOLD_MESSAGE in _messages(password_step(Client(), user, ip=OFFICE))
        call_command("release_lockout", "--address-hold", OFFICE)
        assert password_step(Client(), user, ip=OFFICE).status_code == 302

        # The admin's action works on rows, also a hashed name's (its stored key is not a name to release).
        stranger = Client()
        for _ in range(5):
            stranger.post(
                reverse("accounts:login"), {"username": "no-such-name", "password": WRONG}, REMOTE_ADDR=OFFICE
            )
        locked = SignInLockout.objects.filter(locked_until__isnull=False)
        assert locked.filter(username__startswith="unknown-").exclude(device="*").exists()
        admin = verified_client(superuser_no_role)
        response = admin.post(
            reverse("admin:ppda_signinlockout_changelist"),
            {"action": "release", "_selected_action": list(locked.values_list("pk", flat=True))},
        )
        assert response.status_code == 302
        assert not SignInLockout.objects.filter(locked_until__isnull=False).exists()
        assert password_step(Client(), user, ip=OFFICE).status_code == 302


def test_the_sign_in_page_and_a_failed_attempt_cost_a_fixed_number_of_queries(django_assert_num_queries, watchers):
    """Held or not, and however many rows the table holds: one query to show the page, a fixed few to count
    a failure (the three counts under row locks, the access log)."""
    user = UserFactory(username="target")
    for n in range(5):
        password_step(Client(), UserFactory(username=f"earlier-{n}"), password=WRONG, ip=OFFICE)
    client = Client()
    client.get(reverse("accounts:login"), REMOTE_ADDR=OFFICE)
    with django_assert_num_queries(1):
        client.get(reverse("accounts:login"), REMOTE_ADDR=OFFICE)
    # Lock check, hold check, the user (twice: authenticate and the log's account), three counts under row
    # locks (select, insert or update; with get_or_create's savepoints), the access log, the spread sum.
    with django_assert_num_queries(21):
        password_step(client, user, password=WRONG, ip=OFFICE)


def test_budgets_below_one_are_refused_at_start_up():
    import os
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ppda.settings.test", "LOCKOUT_ADDRESS_BUDGET": "0"}
    script = "import django; django.setup()"
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "must be at least 1" in result.stderr
    env["LOCKOUT_ADDRESS_BUDGET"] = "50"
    assert subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, timeout=60).returncode == 0
