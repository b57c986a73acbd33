"""Shared fixtures: the fixed cast of users, and clients logged in through both factors."""

import os

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from ppda import caches
from ppda.roles import Role
from tests.celery_fixtures import celery_worker  # noqa: F401 - the shared real-worker fixture
from tests.factories.directory import UserFactory
from tests.oidc_provider import oidc_provider, sso  # noqa: F401 - a real OpenID Connect provider process


@pytest.fixture(autouse=True)
def per_process_caches_flushed():
    """Every test starts with the per-process caches empty (ppda.caches), as the first request of a fresh
    process does: a query pin then reads the same whether its test runs alone or after others."""
    caches.flush_all()


def login_verified(client: Client, user) -> Client:
    """Log in as if the user passed the password and the OTP steps."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def verified_client():
    def make(user) -> Client:
        return login_verified(Client(), user)

    return make


@pytest.fixture
def coordinator(db):
    return UserFactory(username="coordinator", roles=[Role.COORDINATOR])


@pytest.fixture
def soo_user(db):
    from tests.factories.directory import ChiefInspectorFactory

    return UserFactory(username="soo", staff=ChiefInspectorFactory(), roles=[Role.SOO])


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor", roles=[Role.AUDITOR])


@pytest.fixture
def superuser_no_role(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def _is_serialized_rollback(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("serialized_rollback"))


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run serialized_rollback tests before the other transactional tests.

    A plain transactional test's flush re-creates content types (post_migrate); a serialized_rollback test
    after it then restores them a second time and fails on the unique constraint. After pytest-django's
    ordering (database, transactional, none), move them to the head of the transactional block.
    """
    serialized = [item for item in items if _is_serialized_rollback(item)]
    if not serialized:
        return
    rest = [item for item in items if not _is_serialized_rollback(item)]
    first = next((n for n, item in enumerate(rest) if _is_transactional(item)), len(rest))
    items[:] = rest[:first] + serialized + rest[first:]


# Property tests run the same examples on every run (a red build is then a real regression, never a new random
# draw); set PPDA_HYPOTHESIS_EXPLORE=1 to search fresh examples, as a developer changing the redactor should.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ppda-ci", derandomize=True)
_hypothesis_settings.register_profile("ppda-explore", derandomize=False)
_hypothesis_settings.load_profile("ppda-explore" if os.environ.get("PPDA_HYPOTHESIS_EXPLORE") else "ppda-ci")
