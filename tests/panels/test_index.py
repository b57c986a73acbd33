"""The panel list's order: coming meetings soonest first (today's included), then earlier ones newest first.

It was the database's order: Meta.ordering does not apply to the list's GROUP BY query, so a chair saw last
month's meeting above next week's, and with more meetings than the list holds, the newest could drop off."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from panels.models import Meeting
from panels.selectors import meetings_for_user
from tests.conftest import login_verified
from tests.factories.panels import draft_panel

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)


def test_coming_meetings_soonest_first_then_earlier_newest_first(client):
    with time_machine.travel(NOON - dt.timedelta(days=60), tick=False):
        first = draft_panel(n_cases=1)
        coordinator = first.coordinator
        meetings = [first.meeting] + [draft_panel(n_cases=1, coordinator=coordinator).meeting for _ in range(4)]
    offsets = [dt.timedelta(days=-40), dt.timedelta(days=10), dt.timedelta(hours=-3), dt.timedelta(days=-5),
               dt.timedelta(days=2)]  # fmt: skip
    for meeting, offset in zip(meetings, offsets, strict=True):
        Meeting.objects.filter(pk=meeting.pk).update(starts_at=NOON + offset)
    with time_machine.travel(NOON, tick=False):
        listed = list(meetings_for_user(coordinator))
        login_verified(client, coordinator)
        body = client.get(reverse("panels:index")).content.decode()
    # This morning's (3 hours ago) is still today's meeting: first, with the coming ones.
    expected = [meetings[2], meetings[4], meetings[1], meetings[3], meetings[0]]
    assert [m.pk for m in listed] == [m.pk for m in expected]
    assert [m.upcoming for m in listed] == [True, True, True, False, False]
    coming, earlier = body.index("Coming meetings, soonest first"), body.index("Earlier meetings, newest first")
    assert coming < earlier
    positions = [body.index(reverse("panels:meeting", args=[m.public_id])) for m in expected]
    assert positions == sorted(positions) and positions[2] < earlier < positions[3]
