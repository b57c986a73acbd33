"""Panel dates and times in the GOV.UK pattern: the meeting's date in day, month and year boxes and its start as
24-hour UK time; an action's due date in the same boxes. Clear messages naming the field, never a 500."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from panels.models import Action, AgendaItem, Meeting
from ppda.date_input import date_post
from tests.conftest import login_verified
from tests.factories.panels import chair_user, coordinator_user, draft_panel, panel_case, published_panel

pytestmark = pytest.mark.django_db
NEW = reverse("panels:meeting_create")


def _typed(name: str, day: str, month: str, year: str) -> dict[str, str]:
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


@pytest.fixture
def coordinator_client(client):
    return login_verified(client, coordinator_user())


def _meeting(chair, **changes) -> dict:
    return {**date_post("date", "2027-07-14"), "time": "10:00", "place": "Headquarters", "chair": chair.pk, **changes}


def test_a_meeting_is_scheduled_in_uk_time(coordinator_client):
    chair = chair_user()
    page = coordinator_client.get(NEW)
    # No default: meetings are planned ahead.
    assert page.context["form"]["date"].parts == {"day": "", "month": "", "year": ""}
    html = page.content.decode()
    assert 'name="date_day"' in html and 'type="date"' not in html and 'type="time"' not in html
    assert "Use the 24-hour clock, for example 14:30" in html
    response = coordinator_client.post(NEW, _meeting(chair, time="0930"))
    assert response.status_code == 302
    assert Meeting.objects.get().starts_at == dt.datetime(2027, 7, 14, 8, 30, tzinfo=dt.UTC)  # BST


@pytest.mark.parametrize(
    ("changes", "href", "message"),
    [
        (_typed("date", "31", "2", "2027"), "#id_date_day", "The date of the meeting must be a real date"),
        (_typed("date", "14", "", "2027"), "#id_date_day", "The date of the meeting must include a month"),
        (_typed("date", "", "", ""), "#id_date_day", "Enter the date of the meeting"),
        (_typed("date", "14", "7", "26"), "#id_date_day", "The year must include 4 numbers"),
        ({"time": ""}, "#id_time", "Enter the start time"),
        ({"time": "25:00"}, "#id_time", "Enter the start time as a real time, like 14:30"),
        (
            {**date_post("date", "2027-03-28"), "time": "01:30"},
            "#id_time",
            "That time did not exist because the clocks went forward. Enter a time after 02:00.",
        ),
    ],
)
def test_a_bad_meeting_date_or_time_is_a_clear_error(coordinator_client, changes, href, message):
    response = coordinator_client.post(NEW, _meeting(chair_user(), **changes))
    assert response.status_code == 200
    assert f'<a href="{href}">{message}</a>' in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_meeting_in_the_past_is_refused(coordinator_client):
    chair = chair_user()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = coordinator_client.post(NEW, _meeting(chair, **date_post("date", yesterday.isoformat())))
    assert '<a href="#id_date_day">The date of the meeting must be today or in the future</a>' in (
        response.content.decode()
    )
    # Today, five minutes ago (skipped in the first five minutes after midnight).
    earlier = timezone.localtime() - dt.timedelta(minutes=5)
    if earlier.date() == timezone.localdate():
        today = {**date_post("date", earlier.date().isoformat()), "time": f"{earlier:%H:%M}"}
        response = coordinator_client.post(NEW, _meeting(chair, **today))
        assert '<a href="#id_time">The start time must be later than now</a>' in response.content.decode()
    assert not Meeting.objects.exists()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert coordinator_client.post(NEW, _meeting(chair, **date_post("date", tomorrow.isoformat()))).status_code == 302


def test_an_action_due_date_is_typed_in_three_boxes(client):
    panel = published_panel(n_cases=1)
    item = panel.items[0]
    login_verified(client, panel.chair)
    outcome = reverse("panels:outcome", args=[panel.meeting.public_id, item.public_id])
    assert 'name="due_on_day"' in client.get(outcome).content.decode()
    url = reverse("panels:action_add", args=[panel.meeting.public_id, item.public_id])
    base = {"description": "Ask PSD for a timeline", "owner_role": "psd"}
    for typed, message in [
        (_typed("due_on", "31", "4", "2026"), "The due date must be a real date"),
        (_typed("due_on", "30", "4", ""), "The due date must include a year"),
    ]:
        response = client.post(url, {**base, **typed})
        assert response.status_code == 200
        assert f'<a href="#id_due_on_day">{message}</a>' in response.content.decode()
    assert not Action.objects.exists()
    assert client.post(url, {**base, **date_post("due_on", "2026-09-30")}).status_code == 302
    assert client.post(url, {**base, "description": "No date"}).status_code == 302  # the date is optional
    assert sorted(Action.objects.values_list("due_on", flat=True), key=str) == [dt.date(2026, 9, 30), None]


def test_an_agenda_slot_time_is_24_hour_uk_time_with_a_clear_error(client):
    panel = draft_panel(n_cases=0, starts_at=dt.datetime(2026, 7, 14, 9, 0, tzinfo=dt.UTC))
    case, _soo = panel_case()
    login_verified(client, panel.coordinator)
    url = reverse("panels:item_add", args=[panel.meeting.public_id])
    response = client.post(url, {"reference": case.reference, "time": "half ten", "minutes": "20"})
    assert response.status_code == 200
    assert '<a href="#id_time">Enter the slot start time as a real time, like 14:30</a>' in response.content.decode()
    assert client.post(url, {"reference": case.reference, "time": "1030", "minutes": "20"}).status_code == 302
    assert AgendaItem.objects.get(meeting=panel.meeting).starts_at == dt.datetime(2026, 7, 14, 9, 30, tzinfo=dt.UTC)


def test_a_slot_before_the_meeting_is_an_error_on_the_time_box(client):
    panel = draft_panel(n_cases=0, starts_at=dt.datetime(2027, 7, 14, 9, 0, tzinfo=dt.UTC))  # 10:00 UK time
    case, _soo = panel_case()
    login_verified(client, panel.coordinator)
    url = reverse("panels:item_add", args=[panel.meeting.public_id])
    response = client.post(url, {"reference": case.reference, "time": "09:30", "minutes": "20"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="#id_time">A slot cannot start before the meeting.</a>' in html
    assert response.context["item_form"].errors["time"] == ["A slot cannot start before the meeting."]
    assert not AgendaItem.objects.filter(meeting=panel.meeting).exists()
