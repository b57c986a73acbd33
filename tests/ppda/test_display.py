"""The list pages' precomputed display values must read exactly as the template filters and tags they replace."""

import datetime as dt
import uuid

import pytest
from django.template import Context, Template
from django.urls import reverse

from ppda.display import local_datetime, time_since, url_for_each

NOW = dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)  # the hour the clocks go forward in London


def date_filter(value, fmt: str) -> str:
    """What a template shows for {{ value|date:fmt }} (it converts to local time first)."""
    return Template("{{ v|date:fmt }}").render(Context({"v": value, "fmt": fmt}))


def timesince_filter(value, now) -> str:
    return Template("{{ v|timesince:now }}").render(Context({"v": value, "now": now}))


MOMENTS = [
    NOW,
    NOW + dt.timedelta(minutes=5),  # in the future: "0 minutes"
    NOW - dt.timedelta(seconds=59),
    NOW - dt.timedelta(minutes=1),
    NOW - dt.timedelta(hours=1, minutes=1),
    NOW - dt.timedelta(days=1),
    NOW - dt.timedelta(days=8, hours=3),
    NOW - dt.timedelta(days=31),
    NOW - dt.timedelta(days=59, minutes=7),
    NOW - dt.timedelta(days=366),
    NOW - dt.timedelta(days=800, hours=20),
    dt.datetime(2025, 10, 26, 0, 59, tzinfo=dt.UTC),  # just before the clocks go back
    dt.datetime(2025, 10, 26, 1, 0, tzinfo=dt.UTC),
    dt.datetime(2024, 2, 29, 23, 5, tzinfo=dt.UTC),
    dt.datetime(2025, 12, 31, 23, 59, tzinfo=dt.UTC),
]


@pytest.mark.parametrize("moment", MOMENTS)
def test_local_datetime_matches_the_date_filter(moment):
    assert local_datetime(moment) == date_filter(moment, "j M Y H:i")
    assert local_datetime(moment, comma=True) == date_filter(moment, "j M Y, H:i")


@pytest.mark.parametrize("moment", MOMENTS)
def test_time_since_matches_the_timesince_filter(moment):
    assert time_since(moment, NOW) == timesince_filter(moment, NOW)


def test_every_month_reads_as_the_date_filter_has_it():
    for month in range(1, 13):
        moment = dt.datetime(2026, month, 15, 12, tzinfo=dt.UTC)
        assert local_datetime(moment) == date_filter(moment, "j M Y H:i")


def test_url_for_each_matches_reverse():
    detail = url_for_each("cases:detail")
    for public_id in (uuid.uuid4(), uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)):
        assert detail(public_id) == reverse("cases:detail", args=[public_id])
