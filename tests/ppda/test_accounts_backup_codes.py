"""Backup codes: stored hashed, single use, usable instead of the authenticator, replaceable."""

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ppda.accounts.services import backup_code_use, backup_codes_generate, backup_codes_remaining
from ppda.models import AccessLog, BackupCode
from tests.factories.directory import UserFactory

from .accounts_support import code_step, device_of, password_step, sign_in, totp_code

pytestmark = pytest.mark.django_db


def test_codes_are_stored_hashed_never_as_the_code():
    user = UserFactory()
    codes = backup_codes_generate(user=user)
    assert len(codes) == 10
    stored = list(BackupCode.objects.filter(user=user).values_list("code_hash", flat=True))
    plain = {c.replace("-", "") for c in codes}
    for value in stored:
        assert value not in plain
        assert not any(p in value for p in plain)
        assert "$" in value  # a Django password-hasher string: algorithm$salt$hash


def test_a_code_works_once(client):
    user = UserFactory()
    codes = backup_codes_generate(user=user)
    password_step(client, user)
    response = code_step(client, codes[3].upper().replace("-", " "))  # as typed from paper
    assert response.status_code == 302 and response.url == reverse("home")
    assert backup_codes_remaining(user=user) == 9
    other = Client()
    password_step(other, user)
    response = code_step(other, codes[3])
    assert response.status_code == 200
    assert "already been used" in response.content.decode()
    assert AccessLog.objects.filter(user=user, action=AccessLog.Action.OTP_FAILED, what="backup code").exists()


def test_the_service_claims_a_code_only_once():
    user = UserFactory()
    code = backup_codes_generate(user=user)[0]
    assert backup_code_use(user=user, code=code) is True
    assert backup_code_use(user=user, code=code) is False
    assert backup_code_use(user=user, code="zzzz-zzzz-zzzz") is False
    other = UserFactory()
    backup_codes_generate(user=other)
    assert backup_code_use(user=other, code=backup_codes_generate(user=user)[0]) is False


def test_signing_in_with_a_backup_code_warns_how_many_are_left(client):
    user = UserFactory()
    codes = backup_codes_generate(user=user)
    password_step(client, user)
    code_step(client, codes[0])
    page = client.get(reverse("home"))
    assert any("You have 9 left" in str(m) for m in page.context["messages"])


def test_regenerating_needs_an_authenticator_code_and_replaces_all_codes(client):
    user = UserFactory()
    old = backup_codes_generate(user=user)
    with time_machine.travel("2026-11-23 12:00:00+00:00", tick=False) as clock:
        sign_in(client, user)
        url = reverse("accounts:backup_codes_regenerate")
        assert client.get(url).status_code == 200
        response = client.post(url, {"code": old[0]})  # a backup code cannot make new backup codes
        assert response.status_code == 200 and "codes" not in response.context
        clock.shift(31)
        response = client.post(url, {"code": totp_code(device_of(user))})
        assert response.status_code == 200
        new = response.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert backup_code_use(user=user, code=old[1]) is False
    assert backup_code_use(user=user, code=new[1]) is True
    assert AccessLog.objects.filter(user=user, what="backup codes replaced").count() == 1


def test_regenerate_page_needs_a_verified_session(client):
    user = UserFactory()
    assert client.get(reverse("accounts:backup_codes_regenerate")).status_code == 302
    password_step(client, user)
    response = client.post(reverse("accounts:backup_codes_regenerate"), {"code": "123456"})
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:otp_verify"))
    assert not BackupCode.objects.filter(user=user).exists()
