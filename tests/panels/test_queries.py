"""The agenda and meeting pages run a constant number of queries for 3 or 30 items (CONVENTIONS 6)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from panels import services
from panels.models import Meeting
from tests.conftest import login_verified
from tests.factories.panels import draft_panel, panel_case, published_panel

pytestmark = pytest.mark.django_db


def _grow(panel, to: int):
    for _ in range(to - len(panel.items)):
        case, _ = panel_case()
        panel.items.append(services.item_add(meeting=panel.meeting, case=case, by=panel.coordinator))


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["coordinator", "chair"])
def test_meeting_page_queries_do_not_grow_with_items(client, who):
    panel = draft_panel(n_cases=3)
    login_verified(client, getattr(panel, who))
    url = reverse("panels:meeting", args=[panel.meeting.public_id])
    client.get(url)  # warm the per-process caches
    few = _count(client, url)
    _grow(panel, 30)
    assert _count(client, url) == few


def test_papers_page_queries_do_not_grow_with_items(client):
    panel = published_panel(n_cases=3)
    login_verified(client, panel.member)
    url = reverse("panels:papers", args=[panel.meeting.public_id])
    client.get(url)
    few = _count(client, url)
    _grow(panel, 30)
    assert Meeting.objects.get(pk=panel.meeting.pk).items.count() == 30
    assert _count(client, url) == few


def test_panel_list_queries_do_not_grow_with_meetings(client):
    panel = published_panel(n_cases=1)
    login_verified(client, panel.coordinator)
    url = reverse("panels:index")
    client.get(url)
    few = _count(client, url)
    for _ in range(5):
        draft_panel(n_cases=1, coordinator=panel.coordinator)
    assert _count(client, url) == few


def test_meeting_items_give_each_item_its_own_cases_and_actions(django_assert_num_queries):
    """meeting_items fills the prefetch caches by hand from prepared reads: each item gets its own rows, and
    the relations back (item.meeting, entry.item) cost no query; a filter on the cached rows never widens."""
    from panels.models import Action, AgendaCase
    from panels.selectors import meeting_items

    panel = draft_panel(n_cases=3)
    first, second, _ = panel.items
    Action.objects.create(item=second, description="Write to the OIC.", owner_role="soo", created_by=panel.chair)
    with django_assert_num_queries(3):
        items = meeting_items(panel.meeting)
        got = {item.pk: [e.case_id for e in item.entries.all()] for item in items}
        assert all(item.meeting is panel.meeting and all(e.item is item for e in item.entries.all()) for item in items)
    assert [i.pk for i in items] == [i.pk for i in panel.items]
    for item in items:
        assert got[item.pk] == list(AgendaCase.objects.filter(item=item).values_list("case_id", flat=True))
    by_pk = {i.pk: i for i in items}
    assert [a.description for a in by_pk[second.pk].actions.all()] == ["Write to the OIC."]
    assert list(by_pk[first.pk].actions.all()) == []
    assert list(by_pk[first.pk].entries.filter(pk__gt=0)) == []  # fails closed, never another item's rows
