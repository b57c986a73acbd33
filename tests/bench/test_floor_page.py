"""The signed-in floor make bench measures against: the accessibility statement, a real signed-in page with the
base layout and nothing else."""

import pytest
from django.urls import reverse

from bench import wrk
from bench.bench import PAGES, drain_seconds
from ppda.middleware import OPEN_URL_NAMES
from ppda.roles import Role
from tests.factories.directory import UserFactory
from tests.security import matrix as m

pytestmark = pytest.mark.django_db


def test_the_bench_floor_is_the_accessibility_statement():
    (floor,) = [p for p in PAGES if p.kind == "floor"]
    assert floor.build.__name__ == "signed_in_floor"
    assert {p.kind for p in PAGES} >= {"bare", "floor", "peer"}


def test_the_floor_goes_through_both_factors_like_every_signed_in_page():
    """On the allow-list it would skip the second-factor check and be no floor: the matrix says who may open it."""
    assert "accessibility" not in OPEN_URL_NAMES
    _, entry = m.lookup("accessibility")
    assert entry.get[m.ANONYMOUS] is m.LOGIN and entry.get[m.PASSWORD_ONLY] is m.OTP
    assert all(entry.get[role] is m.OK for role in m.SIGNED_IN)


def test_the_floor_runs_only_the_base_layouts_queries(verified_client, django_assert_num_queries):
    client = verified_client(UserFactory(roles=[Role.COORDINATOR]))
    client.get(reverse("home"))
    # One: the user, with its roles, confirmed authenticators and the header's unread count in the same statement;
    # the session is read from Redis. What every signed-in page pays before its own content.
    with django_assert_num_queries(1):
        response = client.get(reverse("accessibility"))
    assert response.status_code == 200
    assert b"Accessibility statement for" in response.content


def test_every_signed_in_page_links_to_it_from_the_footer(verified_client, client):
    page = verified_client(UserFactory(roles=[Role.SOO])).get(reverse("home"))
    assert f'href="{reverse("accessibility")}"'.encode() in page.content
    # Not before sign-in: there it would only send the visitor to the sign-in page.
    assert f'href="{reverse("accessibility")}"'.encode() not in client.get(reverse("accounts:login")).content


def test_each_run_waits_for_the_backlog_wrk_leaves_in_the_server():
    load = wrk.Load()
    assert drain_seconds({"rps": 2.0}, load) == pytest.approx(9.6)  # 16 in flight at 2 a second, and a margin
    assert drain_seconds({"rps": 1000.0}, load) < 0.1
    assert drain_seconds({"rps": 0.0}, load) == 10  # nothing answered: the longest a request may take
    assert drain_seconds({"rps": 0.1}, load) == 60  # capped
