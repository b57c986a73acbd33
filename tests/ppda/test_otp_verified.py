"""Second-factor state from the user query: the session's device must still be the user's confirmed one."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from ppda.accounts.backends import ModelBackendWithNotifications
from ppda.otp_verified import OTPMiddleware, totp_device_pk
from ppda.session_store import SessionStore
from tests.conftest import login_verified
from tests.factories.directory import UserFactory

pytestmark = pytest.mark.django_db


def _verified_user(user_or_none, device_id):
    """request.user after the middleware, for a session naming `device_id`."""
    request = RequestFactory().get("/")
    request.session = SessionStore()
    if device_id is not None:
        request.session[DEVICE_ID_SESSION_KEY] = device_id
    request.user = (
        ModelBackendWithNotifications().get_user(user_or_none.pk) if user_or_none is not None else AnonymousUser()
    )
    seen = {}

    def view(req):
        seen["user"] = req.user
        seen["verified"] = req.user.is_verified()
        return HttpResponse()

    OTPMiddleware(view)(request)
    return seen, request.session


def _device(user, confirmed=True):
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=confirmed)


def test_the_session_device_verifies_without_a_device_query():
    user = UserFactory()
    device = _device(user)
    with CaptureQueriesContext(connection) as ctx:
        seen, session = _verified_user(user, device.persistent_id)
    assert seen["verified"] and session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert len(ctx.captured_queries) == 1 and "otp_totp_totpdevice" in ctx.captured_queries[0]["sql"]
    # The device itself loads when read, and is the user's.
    assert seen["user"].otp_device.pk == device.pk and seen["user"].otp_device.user_id == user.pk


@pytest.mark.parametrize("case", ["deleted", "unconfirmed", "another_users", "garbage"])
def test_a_device_that_is_no_longer_the_users_confirmed_one_does_not_verify(case):
    user = UserFactory()
    device = _device(user)
    device_id = device.persistent_id
    if case == "deleted":
        device.delete()
    elif case == "unconfirmed":
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=False)
    elif case == "another_users":
        device_id = _device(UserFactory()).persistent_id
    else:
        device_id = "otp_totp.totpdevice/not-a-number"
    seen, session = _verified_user(user, device_id)
    assert not seen["verified"] and seen["user"].otp_device is None
    assert DEVICE_ID_SESSION_KEY not in session


def test_no_device_in_the_session_and_anonymous_users_are_not_verified():
    user = UserFactory()
    _device(user)
    assert not _verified_user(user, None)[0]["verified"]
    assert not _verified_user(None, None)[0]["verified"]


def test_totp_device_pk_reads_only_totp_persistent_ids():
    assert totp_device_pk("otp_totp.totpdevice/42") == 42
    assert totp_device_pk("otp_static.staticdevice/42") is None
    assert totp_device_pk("otp_totp.totpdevice/") is None
    assert totp_device_pk(None) is None


def test_removing_the_authenticator_unverifies_a_live_session_at_its_next_request(client):
    user = UserFactory()
    login_verified(client, user)
    assert client.get(reverse("home")).status_code == 200
    TOTPDevice.objects.filter(user=user).delete()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:otp_enrol"))
    assert DEVICE_ID_SESSION_KEY not in client.session
