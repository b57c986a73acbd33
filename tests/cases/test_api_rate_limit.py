"""The JSON intake API's per-token rate limit (issue 17 gap), on real Redis: 429 with Retry-After and a JSON
body, counted atomically across concurrent requests, keyed by the system's id (never its token), reset after
the window."""

import threading
import time

import pytest
from django.core.cache import cache
from django.test import Client

from cases.models import Case
from cases.services import intake_system_create
from ppda import ratelimit

pytestmark = pytest.mark.django_db
URL = "/api/v1/cases/"


def post(token, key="key-1", body=b"{}"):
    return Client().post(
        URL, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY=key
    )


@pytest.fixture
def limited(settings):
    settings.INTAKE_API_RATE_LIMIT = 3
    settings.INTAKE_API_RATE_WINDOW_SECONDS = 60
    return intake_system_create(name="Control room CAD")


def test_requests_beyond_the_limit_answer_429_with_retry_after_and_a_json_error(limited):
    system, token = limited
    # Within the limit: answered as usual (an empty object is a 400 with field errors).
    assert [post(token, key=f"k{i}").status_code for i in range(3)] == [400, 400, 400]
    response = post(token, key="k3")
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 55 <= retry_after <= 60
    answer = response.json()
    assert answer["retry_after"] == retry_after
    assert "at most 3 every 60 seconds" in answer["error"] and f"Retry after {retry_after} seconds" in answer["error"]
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    assert not Case.objects.exists()


def test_the_limit_is_per_token(limited):
    _, token = limited
    for i in range(4):
        post(token, key=f"k{i}")
    assert post(token).status_code == 429
    _, other = intake_system_create(name="MASH referrals")
    assert post(other).status_code == 400


def test_a_bad_token_is_not_counted_against_anyone(limited):
    _, token = limited
    for _ in range(5):
        assert post("not-a-token").status_code == 401
    assert post(token).status_code == 400


def test_the_key_names_the_system_by_id_never_by_its_token(limited):
    system, token = limited
    post(token)
    client = cache._cache.get_client(write=True)
    keys = [k.decode() for k in client.scan_iter(match=cache.make_key("ratelimit:*"))]
    assert keys == [cache.make_key(f"ratelimit:intake-api:{system.pk}")]
    assert token not in keys[0] and system.token_hash not in keys[0] and system.name not in keys[0]


def test_the_count_resets_after_the_window(settings):
    settings.INTAKE_API_RATE_LIMIT = 2
    settings.INTAKE_API_RATE_WINDOW_SECONDS = 1
    _, token = intake_system_create(name="Control room CAD")
    assert [post(token, key=f"k{i}").status_code for i in range(3)] == [400, 400, 429]
    time.sleep(1.1)  # the window is Redis's expiry, real time: a moved test clock would not move it
    assert [post(token, key=f"k{i}").status_code for i in range(3, 6)] == [400, 400, 429]


def test_concurrent_requests_never_exceed_the_limit(settings):
    """Forty requests at once from one system, limit ten: exactly ten are let through (one Lua script per hit,
    so no two requests read the same count)."""
    barrier = threading.Barrier(40)
    decisions = []

    def hit():
        barrier.wait()
        decisions.append(ratelimit.rate_limit_hit(scope="intake-api", ident=987654, limit=10, window_seconds=60))

    threads = [threading.Thread(target=hit) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(d.allowed for d in decisions) == 10
    assert sorted(d.count for d in decisions) == list(range(1, 41))


def test_with_redis_unreachable_the_request_is_let_through_and_a_warning_logged(limited, monkeypatch, caplog):
    from redis.exceptions import ConnectionError as RedisConnectionError

    def down(*args, **kwargs):
        raise RedisConnectionError("Redis is down")

    monkeypatch.setattr(cache._cache, "get_client", down)
    _, token = limited
    assert [post(token, key=f"k{i}").status_code for i in range(5)] == [400] * 5
    assert "rate limit intake-api unavailable" in caplog.text
    assert token not in caplog.text


def test_the_openapi_description_declares_the_429(limited):
    spec = Client().get("/api/v1/openapi.json").json()
    answer = spec["paths"][URL]["post"]["responses"]["429"]
    assert "Retry-After" in answer["headers"] and "at most 3 every 60 seconds" in answer["description"]
