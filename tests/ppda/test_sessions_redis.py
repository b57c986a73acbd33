"""Sessions in Redis with the database as the source of truth; idle expiry with a save at most once a minute."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ppda.accounts.services import second_factor_reset_by_admin, user_deactivate
from ppda.session_store import ACTIVE_AT_SESSION_KEY, SessionStore
from tests.factories.directory import UserFactory

from .accounts_support import sign_in

pytestmark = pytest.mark.django_db

START = "2026-11-23 09:00:00+00:00"
AGE = 30 * 60


def _cached(key: str):
    return caches["default"].get(KEY_PREFIX + key)


def _signed_in(client) -> bool:
    response = client.get(reverse("home"))
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login")), response
    return False


def _session_queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries if "django_session" in q["sql"]]


def test_test_workers_keep_to_their_own_cache_keys(settings):
    import os

    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    assert settings.CACHES["default"]["BACKEND"] == "ppda.redis_cache.RedisCache"
    assert settings.CACHES["default"]["KEY_PREFIX"] == f"ppda-test-{worker}"


def test_a_request_reads_the_session_from_redis_and_writes_it_at_most_once_a_minute():
    user = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        client = sign_in(Client(), user)
        key = client.session.session_key
        assert _cached(key)[ACTIVE_AT_SESSION_KEY] == int(time.time())
        clock.shift(59)
        assert _session_queries(client, reverse("home")) == []
        clock.shift(1)
        writes = _session_queries(client, reverse("home"))
        assert len(writes) == 1 and writes[0].startswith('UPDATE "django_session"')
        assert Session.objects.get(session_key=key).expire_date == timezone.now() + timedelta(seconds=AGE)
        assert _cached(key)[ACTIVE_AT_SESSION_KEY] == int(time.time())
        clock.shift(30)
        assert _session_queries(client, reverse("home")) == []


def test_without_its_cache_entry_a_session_is_read_from_the_database():
    user = UserFactory()
    with time_machine.travel(START, tick=False):
        client = sign_in(Client(), user)
        key = client.session.session_key
        caches["default"].delete(KEY_PREFIX + key)
        reads = _session_queries(client, reverse("home"))
        assert len(reads) == 1 and reads[0].startswith('SELECT "django_session"')
        assert _cached(key) is not None
        assert _session_queries(client, reverse("home")) == []


def test_an_active_user_stays_signed_in_well_past_the_idle_window():
    user = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        client = sign_in(Client(), user)
        for _ in range(90):  # every 45 s for over an hour: saved every other request, never idle
            clock.shift(45)
            assert _signed_in(client)
        assert _signed_in(client)


@pytest.mark.parametrize("since_save", [0, 30, 59])
@pytest.mark.parametrize(("idle", "stays"), [(AGE - 61, True), (AGE, False)])
def test_an_idle_session_ends_within_a_minute_of_the_idle_limit(since_save, idle, stays):
    user = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        client = sign_in(Client(), user)
        clock.shift(since_save)
        assert _signed_in(client)  # the last activity: not saved when under a minute after the last save
        clock.shift(idle)
        assert _signed_in(client) is stays


def test_an_idle_session_ends_for_good_even_while_redis_still_holds_it():
    user = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        client = sign_in(Client(), user)
        key = client.session.session_key
        clock.shift(AGE)
        # Redis expires entries by the real clock: it still has the session. The stamp decides.
        assert _cached(key) is not None
        assert not _signed_in(client)
        assert _cached(key) is None
        assert not Session.objects.filter(session_key=key).exists()
        clock.shift(-AGE + 60)  # even if the clock went back, the session is gone
        assert not _signed_in(client)


def test_a_session_store_loaded_outside_a_request_also_ends_an_idle_session():
    user = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        client = sign_in(Client(), user)
        key = client.session.session_key
        assert SessionStore(key).get("_auth_user_id") == str(user.pk)
        clock.shift(AGE - 1)
        assert SessionStore(key).get("_auth_user_id") == str(user.pk)
        clock.shift(1)
        store = SessionStore(key)
        assert store.get("_auth_user_id") is None and store.session_key is None
        assert not SessionStore().exists(key)


def _two_sessions(user, clock):
    first = sign_in(Client(), user, ip="10.0.0.1")
    clock.shift(31)  # a fresh TOTP time step
    second = sign_in(Client(), user, ip="10.0.0.2")
    clock.shift(31)
    assert _signed_in(first) and _signed_in(second)
    return first, second


def test_signing_out_other_sessions_removes_them_from_redis_and_they_stay_ended():
    user = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        first, second = _two_sessions(user, clock)
        first_key, second_key = first.session.session_key, second.session.session_key
        assert _cached(second_key) is not None
        response = first.post(reverse("accounts:sessions_end_others"))
        assert response.status_code == 302
        assert _cached(second_key) is None
        assert not Session.objects.filter(session_key=second_key).exists()
        assert not _signed_in(second)
        for _ in range(3):
            clock.shift(30)
            assert not _signed_in(second)
        assert _cached(second_key) is None and not SessionStore().exists(second_key)
        assert _signed_in(first) and _cached(first_key) is not None


def test_signing_out_removes_every_session_of_the_account_from_redis():
    user = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        first, second = _two_sessions(user, clock)
        keys = [first.session.session_key, second.session.session_key]
        first.post(reverse("accounts:logout"))
        assert [_cached(key) for key in keys] == [None, None]
        assert not _signed_in(first) and not _signed_in(second)


@pytest.mark.parametrize("end", ["deactivate", "two_factor_reset"])
def test_admin_actions_remove_the_users_sessions_from_redis(superuser_no_role, end):
    user = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        first, second = _two_sessions(user, clock)
        keys = [first.session.session_key, second.session.session_key]
        assert all(_cached(key) is not None for key in keys)
        if end == "deactivate":
            user_deactivate(user=user, by=superuser_no_role)
        else:
            second_factor_reset_by_admin(user=user, by=superuser_no_role)
        assert [_cached(key) for key in keys] == [None, None]
        assert not Session.objects.filter(session_key__in=keys).exists()
        clock.shift(timedelta(minutes=5))
        assert not _signed_in(first) and not _signed_in(second)


def test_a_session_ended_in_the_database_but_left_in_redis_is_dropped_at_its_next_re_save():
    """As if Redis failed to delete it: the row is the truth, and the once-a-minute re-save finds it gone."""
    user = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        client = sign_in(Client(), user)
        key = client.session.session_key
        Session.objects.filter(session_key=key).delete()
        assert _cached(key) is not None
        clock.shift(60)
        assert client.get(reverse("home")).status_code == 400  # the re-save: "session deleted" (SessionInterrupted)
        assert _cached(key) is None
        assert not _signed_in(client)
