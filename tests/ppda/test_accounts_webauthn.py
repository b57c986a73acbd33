"""Passkeys and security keys as the second factor, through the real ceremonies with a software authenticator."""

import json

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp_webauthn.models import WebAuthnCredential

from ppda.models import AccessLog
from ppda.roles import Role
from tests.factories.directory import UserFactory
from tests.ppda.accounts_support import password_step
from tests.ppda.soft_authenticator import SoftAuthenticator

pytestmark = pytest.mark.django_db


def _post(client, name, data=None, query=""):
    return client.post(reverse(f"otp_webauthn:{name}") + query, json.dumps(data or {}), content_type="application/json")


def _key():
    return SoftAuthenticator(rp_id=settings.OTP_WEBAUTHN_RP_ID, origin=settings.OTP_WEBAUTHN_ALLOWED_ORIGINS[0])


def register(client, key) -> WebAuthnCredential:
    options = _post(client, "credential-registration-begin")
    assert options.status_code == 200, options.content
    done = _post(client, "credential-registration-complete", key.register(options.json()))
    assert done.status_code == 200, done.content
    return WebAuthnCredential.objects.get(pk=done.json()["id"])


@pytest.fixture
def user(db):
    return UserFactory(roles=[Role.COORDINATOR])


def test_a_key_registered_from_a_verified_session_is_a_second_factor(client, verified_client, user):
    key = _key()
    credential = register(verified_client(user), key)
    assert credential.user == user and credential.confirmed
    assert AccessLog.objects.filter(user=user, what="security key added").exists()

    password_step(client, user)
    page = client.get(reverse("accounts:otp_verify")).content.decode()
    assert "passkey-verification-placeholder" in page and "otp_webauthn_auth.js" in page
    key_before = client.session.session_key
    options = _post(client, "credential-authentication-begin")
    assert options.status_code == 200
    done = _post(client, "credential-authentication-complete", key.assert_(options.json()), query="?next=/audit/")
    assert done.status_code == 200, done.content
    assert done.json()["redirect_url"] == "/audit/"
    assert client.session.session_key != key_before
    assert client.get(reverse("home")).status_code == 200
    assert AccessLog.objects.filter(user=user, action=AccessLog.Action.LOGIN).exists()


def test_a_password_only_session_cannot_register_a_key(client, db):
    fresh = UserFactory(otp=False, roles=[Role.COORDINATOR])
    password_step(client, fresh)
    response = _post(client, "credential-registration-begin")
    assert response.status_code == 302  # the middleware sends it to the second factor
    assert not WebAuthnCredential.objects.filter(user=fresh).exists()


def test_a_tampered_assertion_is_refused_and_counted(client, verified_client, user):
    key = _key()
    register(verified_client(user), key)
    password_step(client, user)
    options = _post(client, "credential-authentication-begin")
    response = _post(client, "credential-authentication-complete", key.assert_(options.json(), tamper=True))
    assert response.status_code >= 400
    assert client.get(reverse("home")).status_code == 302
    assert AccessLog.objects.filter(user=user, action=AccessLog.Action.OTP_FAILED, what="security key").exists()


def test_a_replayed_challenge_is_refused(client, verified_client, user):
    key = _key()
    register(verified_client(user), key)
    password_step(client, user)
    options = _post(client, "credential-authentication-begin").json()
    answer = key.assert_(options)
    assert _post(client, "credential-authentication-complete", answer).status_code == 200
    assert _post(client, "credential-authentication-complete", answer).status_code >= 400


def test_another_users_key_does_not_verify_this_user(client, verified_client, user):
    other = UserFactory(roles=[Role.AUDITOR])
    key = _key()
    register(verified_client(other), key)
    password_step(client, user)
    options = _post(client, "credential-authentication-begin").json()
    assert _post(client, "credential-authentication-complete", key.assert_(options)).status_code >= 400
    assert client.get(reverse("home")).status_code == 302


def test_no_passwordless_sign_in_with_a_key(client):
    assert _post(client, "credential-authentication-begin").status_code == 302  # to the login page


def test_a_removed_key_no_longer_verifies_its_session(client, verified_client, user):
    key = _key()
    owner = verified_client(user)
    credential = register(owner, key)
    password_step(client, user)
    options = _post(client, "credential-authentication-begin").json()
    _post(client, "credential-authentication-complete", key.assert_(options))
    assert client.get(reverse("home")).status_code == 200
    page = owner.get(reverse("accounts:security")).content.decode()
    assert credential.name in page and "Add a passkey or security key" in page
    assert owner.post(reverse("accounts:security_key_remove", args=[credential.pk])).status_code == 302
    assert not WebAuthnCredential.objects.filter(pk=credential.pk).exists()
    assert client.get(reverse("home")).status_code == 302  # its session ended (and was verified by that key)
    other = UserFactory(roles=[Role.AUDITOR])
    theirs = register(verified_client(other), _key())
    assert owner.post(reverse("accounts:security_key_remove", args=[theirs.pk])).status_code == 404
