"""A closed case has a retention review date: set on every closure from PPDA_RETENTION_REVIEW_AFTER, cleared on
reopening, backfilled for cases closed before the date existed."""

import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps

from cases.models import Case
from cases.services import case_status_change, retention_review_date
from tests.factories.closure import ActiveCaseFactory
from tests.factories.retention import closed_case

pytestmark = pytest.mark.django_db


def test_closing_a_case_sets_its_review_date_six_years_after_the_closing_day():
    # 23:30 UTC on 31 March 2026 is 1 April in London: the review counts from the London day.
    case = closed_case(closed_at=dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC))
    assert case.status == Case.Status.CLOSED
    assert case.retention_review_on == dt.date(2032, 4, 1)


def test_the_period_is_a_setting(settings):
    settings.PPDA_RETENTION_REVIEW_AFTER = 2
    case = closed_case(closed_at=dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC))
    assert case.retention_review_on == dt.date(2028, 6, 10)


def test_a_closure_on_29_february_is_reviewed_on_28_february():
    assert retention_review_date(dt.datetime(2028, 2, 29, 12, 0, tzinfo=dt.UTC)) == dt.date(2034, 2, 28)


def test_every_closing_path_sets_the_date_and_reopening_clears_it():
    # An import or the demo closes through case_status_change, not the SOO's case_close.
    case = ActiveCaseFactory()
    with time_machine.travel(dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC), tick=False):
        case_status_change(case=case, to_status=Case.Status.CLOSED)
    case.refresh_from_db()
    assert case.retention_review_on == dt.date(2032, 1, 5)
    case_status_change(case=case, to_status=Case.Status.REOPENED)
    case.refresh_from_db()
    assert case.retention_review_on is None


def test_the_backfill_gives_every_closed_case_a_date_and_leaves_open_cases_alone():
    backfill = importlib.import_module("cases.migrations.0005_retention_review_backfill").backfill
    closed_then = ActiveCaseFactory(status=Case.Status.CLOSED, closed_at=dt.datetime(2020, 7, 1, 8, tzinfo=dt.UTC))
    no_close_time = ActiveCaseFactory(
        status=Case.Status.CLOSED, closed_at=None, received_at=dt.datetime(2019, 2, 3, 8, tzinfo=dt.UTC)
    )
    still_open = ActiveCaseFactory()
    Case.objects.filter(pk__in=[closed_then.pk, no_close_time.pk]).update(retention_review_on=None)
    backfill(apps, None)
    dates = dict(Case.objects.values_list("pk", "retention_review_on"))
    assert dates[closed_then.pk] == dt.date(2026, 7, 1)
    assert dates[no_close_time.pk] == dt.date(2025, 2, 3)
    assert dates[still_open.pk] is None
    backfill(apps, None)  # a re-run changes nothing
    assert dict(Case.objects.values_list("pk", "retention_review_on")) == dates
