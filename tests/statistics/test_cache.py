"""The statistics figures block kept a short time (oversight/statistics/cache.py): worked out once for the same
view and period, never shared between the full and the panel's suppressed view or between periods, gone when an
import commits, and worked out on every request when Redis is down."""

import re
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case
from oversight.statistics import cache as stats_cache
from oversight.statistics.importing import spreadsheet_import
from ppda.date_input import date_post
from ppda.models import StaffMember
from ppda.roles import Role
from tests.factories.cases import CaseFactory
from tests.factories.directory import ChiefInspectorFactory, StaffMemberFactory, UserFactory
from tests.factories.oversight import soo_with_user

pytestmark = pytest.mark.django_db
SAMPLE = (Path(__file__).resolve().parents[2] / "docs" / "import-sample.csv").read_bytes()


@pytest.fixture(autouse=True)
def keep_figures(settings):
    settings.STATISTICS_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def _aggregates(client, url, **params):
    """(page html, how many queries read cases_case beyond the user's own lookups)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode(), sum('FROM "cases_case"' in q["sql"] or "cohort" in q["sql"] for q in ctx)


def _cases_total(html: str) -> list[str]:
    """The year rows of "Cases reported each year" (a change in the cases shows there)."""
    start = html.index('id="caption-cases_by_year"')
    table = html[start : html.index("</table>", start)]
    return re.findall(r'<th scope="row" class="govuk-table__header">(\d{4})</th>(.*?)</tr>', table)


def test_the_same_view_and_period_is_worked_out_once(coordinator, verified_client):
    CaseFactory.create_batch(3)
    client = verified_client(coordinator)
    url = reverse("statistics:index")
    first, n_first = _aggregates(client, url)
    second, n_second = _aggregates(client, url)
    assert n_first >= 3 and n_second == 0
    assert _cases_total(first) == _cases_total(second)
    assert "Figures worked out at" in second and "within 1 minute" in second
    # Another period is its own block.
    _html, n_period = _aggregates(client, url, **date_post("date_from", "2020-01-01"))
    assert n_period >= 3


def test_the_panels_suppressed_view_never_gets_the_exact_block(coordinator, verified_client):
    CaseFactory.create_batch(3)
    verified_client(coordinator).get(reverse("statistics:index"))  # the exact block is now kept
    chair = verified_client(UserFactory(username="chair-cache", roles=[Role.PANEL_CHAIR]))
    html, n = _aggregates(chair, reverse("statistics:reduced"))
    assert n >= 3  # worked out for its own view
    assert "fewer than 10" in html and "SOOs allocated" not in html


def test_an_import_makes_the_next_page_work_the_figures_out_again(
    coordinator, verified_client, django_capture_on_commit_callbacks
):
    for n in range(1, 6):
        StaffMemberFactory(employee_number=f"S90000{n}", rank=StaffMember.Rank.CONSTABLE)
    soo_with_user(employee_number="S900101")
    ChiefInspectorFactory(employee_number="S900102")
    client = verified_client(coordinator)
    url = reverse("statistics:index")
    before, _ = _aggregates(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        result = spreadsheet_import(name="import.csv", content=SAMPLE, user=coordinator, commit=True)
    assert result.committed and Case.objects.count() == 4
    after, n = _aggregates(client, url)
    assert n >= 3
    assert "2024" in dict(_cases_total(after)) and "2024" not in dict(_cases_total(before))


def test_a_dry_run_keeps_the_figures(coordinator, verified_client, django_capture_on_commit_callbacks):
    client = verified_client(coordinator)
    url = reverse("statistics:index")
    _aggregates(client, url)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        spreadsheet_import(name="import.csv", content=SAMPLE, user=coordinator, commit=False)
    assert stats_cache.statistics_invalidate not in callbacks
    assert _aggregates(client, url)[1] == 0


def test_without_redis_the_figures_are_worked_out_on_every_request(coordinator, verified_client):
    CaseFactory.create_batch(2)
    client = verified_client(coordinator)
    url = reverse("statistics:index")
    down = mock.Mock(**{name: mock.Mock(side_effect=ConnectionError("redis down")) for name in ("get", "set")})
    with mock.patch.object(stats_cache, "cache", down):
        assert _aggregates(client, url)[1] >= 3
        assert _aggregates(client, url)[1] >= 3


def test_with_keeping_off_the_page_says_nothing_about_it(coordinator, verified_client, settings):
    settings.STATISTICS_CACHE_SECONDS = 0
    client = verified_client(coordinator)
    html, n = _aggregates(client, reverse("statistics:index"))
    assert n >= 3 and "Figures worked out at" not in html
    assert _aggregates(client, reverse("statistics:index"))[1] >= 3
