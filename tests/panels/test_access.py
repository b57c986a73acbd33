"""Need-to-know on panels (issue #14, "Done when"): an attendee sees exactly the agenda's cases, anonymised;
anyone else, an attendee of another meeting, and an attendee after the window get 404; an SOO sees only their
slot; the PSD representative sees names; removing someone or something revokes at once; the sweep and the
read-time check each enforce the window on their own; papers are refused until the statement is accepted."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from panels import services
from panels.models import AgendaItemUserObjectPermission
from panels.sweep import panel_access_sweep
from ppda.models import AccessLog
from tests.conftest import login_verified
from tests.factories.panels import member_user, panel_case, published_panel
from tests.factories.update_form import SUSPECT, VICTIM

pytestmark = pytest.mark.django_db

IDENTIFIERS = (VICTIM["first_name"], VICTIM["last_name"], "Wexcombe", "07700 900582", SUSPECT["last_name"], "Tamarisk")


def client_for(client, user):
    return login_verified(client, user)


def _paper(item):
    return reverse("panels:paper", args=[item.public_id])


def _papers(meeting):
    return reverse("panels:papers", args=[meeting.public_id])


def _assert_anonymous(body: str, cases):
    for case in cases:
        assert case.reference not in body
        for party in case.parties.select_related("staff"):
            if party.staff_id:
                assert party.staff.employee_number not in body
    for value in IDENTIFIERS:
        assert value.casefold() not in body.casefold(), value


@pytest.fixture
def panel(db):
    return published_panel(n_cases=2)


def test_attendee_sees_exactly_the_agendas_cases_anonymised(client, panel):
    other_case, _ = panel_case()  # not on the agenda
    client_for(client, panel.member)
    page = client.get(_papers(panel.meeting)).content.decode()
    for case, _ in panel.cases:
        assert case.pseudonym in page
    assert other_case.pseudonym not in page
    _assert_anonymous(page, [c for c, _ in panel.cases] + [other_case])
    for item, (case, _) in zip(panel.items, panel.cases, strict=True):
        response = client.get(_paper(item))
        assert response.status_code == 200
        body = response.content.decode()
        assert f"Case {case.pseudonym}" in body
        _assert_anonymous(body, [case])
    # Each case read is in the access log, under the case's reference (the auditor's "who read case X").
    assert AccessLog.objects.filter(user=panel.member, what="panel papers (anonymised)").count() == 2


@pytest.mark.parametrize("who", ["non_attendee", "other_meeting"])
def test_anyone_not_on_the_meeting_gets_404(client, panel, who):
    user = member_user() if who == "non_attendee" else published_panel(n_cases=1).member
    client_for(client, user)
    assert client.get(_papers(panel.meeting)).status_code == 404
    assert client.get(reverse("panels:statement", args=[panel.meeting.public_id])).status_code == 404
    for item in panel.items:
        assert client.get(_paper(item)).status_code == 404
        assert client.get(reverse("panels:identified", args=[item.public_id])).status_code == 404
    assert AccessLog.objects.filter(user=user, allowed=False).exists()


def test_papers_are_refused_until_the_statement_is_accepted(client):
    panel = published_panel(accepted=False, n_cases=1)
    client_for(client, panel.member)
    statement_url = reverse("panels:statement", args=[panel.meeting.public_id])
    for url in (_papers(panel.meeting), _paper(panel.items[0])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == statement_url
    assert client.post(statement_url, {}).status_code == 200  # the box must be ticked
    assert client.post(statement_url, {"accept": "on"}).status_code == 302
    assert client.get(_paper(panel.items[0])).status_code == 200
    attendee = panel.attendee(panel.member)
    assert attendee.statement_accepted_at is not None
    # The chair sees who accepted.
    client_for(client, panel.chair)
    page = client.get(reverse("panels:meeting", args=[panel.meeting.public_id])).content.decode()
    assert "Accepted" in page


def test_the_read_time_check_closes_the_window_without_the_sweep(client, panel):
    client_for(client, panel.member)
    assert client.get(_paper(panel.items[0])).status_code == 200
    after = panel.meeting.access_closes_at + dt.timedelta(minutes=1)
    with time_machine.travel(after, tick=False):
        client_for(client, panel.member)  # a fresh session (the old one has long timed out)
        assert client.get(_paper(panel.items[0])).status_code == 404
        assert client.get(_papers(panel.meeting)).status_code == 404
    # The grants are still there: the guard alone refused.
    assert AgendaItemUserObjectPermission.objects.filter(user=panel.member).exists()


def test_the_sweep_revokes_on_its_own_and_once(client, panel):
    after = panel.meeting.access_closes_at + dt.timedelta(minutes=1)
    assert panel_access_sweep(now=panel.meeting.access_closes_at - dt.timedelta(minutes=1)).meetings == 0
    result = panel_access_sweep(now=after)
    assert result.meetings == 1 and result.grants > 0
    assert not AgendaItemUserObjectPermission.objects.filter(content_object__meeting=panel.meeting).exists()
    assert panel_access_sweep(now=after).meetings == 0  # claimed once
    # Even with the window forced open again, no grant means no papers: the sweep enforced it by itself.
    type(panel.meeting).objects.filter(pk=panel.meeting.pk).update(
        access_closes_at=timezone.now() + dt.timedelta(days=30)
    )
    client_for(client, panel.member)
    assert client.get(_paper(panel.items[0])).status_code == 404


def test_removing_an_attendee_revokes_at_once(client, panel):
    client_for(client, panel.member)
    assert client.get(_paper(panel.items[0])).status_code == 200
    services.attendee_remove(attendee=panel.attendee(panel.member), by=panel.coordinator)
    assert client.get(_paper(panel.items[0])).status_code == 404
    assert client.get(_papers(panel.meeting)).status_code == 404


def test_removing_an_item_revokes_at_once(client, panel):
    client_for(client, panel.member)
    assert client.get(_paper(panel.items[0])).status_code == 200
    services.item_remove(item=panel.items[0], by=panel.coordinator)
    assert client.get(_paper(panel.items[0])).status_code == 404
    assert client.get(_paper(panel.items[1])).status_code == 200


def test_an_item_added_after_publication_is_granted_at_once(client, panel):
    case, _ = panel_case()
    item = services.item_add(meeting=panel.meeting, case=case, by=panel.coordinator)
    client_for(client, panel.member)
    assert client.get(_paper(item)).status_code == 200


def test_the_psd_representative_sees_names_and_members_do_not(client, panel):
    item = panel.items[0]
    url = reverse("panels:identified", args=[item.public_id])
    client_for(client, panel.member)
    assert client.get(url).status_code == 404
    client_for(client, panel.psd)
    # The first open of the case: the declaration (the form names the parties, as cases' own does).
    assert client.post(url, {"kind": "none"}).status_code == 302
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    case = panel.cases[0][0]
    assert case.reference in body and VICTIM["last_name"] in body
    assert AccessLog.objects.filter(
        user=panel.psd, case_reference=case.reference, what="panel identified view"
    ).exists()


def test_a_soo_sees_only_their_own_slot(client, panel):
    (case_a, soo_a), (case_b, soo_b) = panel.cases
    item_a, item_b = panel.items
    client_for(client, soo_a)
    response = client.get(reverse("panels:slot", args=[item_a.public_id]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Video link in the invitation" in body
    assert case_b.pseudonym not in body and case_b.reference not in body
    assert client.get(reverse("panels:slot", args=[item_b.public_id])).status_code == 404
    assert client.get(_paper(item_a)).status_code == 404  # the SOO is not an attendee
    assert client.get(_papers(panel.meeting)).status_code == 404
    assert client.get(reverse("panels:meeting", args=[panel.meeting.public_id])).status_code == 404
    index = client.get(reverse("panels:index")).content.decode()
    assert reverse("panels:slot", args=[item_a.public_id]) in index
    assert reverse("panels:slot", args=[item_b.public_id]) not in index


def test_a_member_who_is_a_party_never_sees_that_case(client):
    panel = published_panel(n_cases=1)
    case, _ = panel.cases[0]
    # A police member who is the suspect of a case later put on the agenda: never granted, never shown.
    from ppda.roles import Role
    from tests.factories.directory import UserFactory

    suspect = case.parties.get(role="suspect").staff
    police_member = UserFactory(staff=suspect, roles=[Role.PANEL_MEMBER])
    services.attendee_add(meeting=panel.meeting, user=police_member, organisation="Police", by=panel.coordinator)
    services.statement_accept(attendee=panel.attendee(police_member))
    client_for(client, police_member)
    assert client.get(_paper(panel.items[0])).status_code == 404
    assert case.pseudonym not in client.get(_papers(panel.meeting)).content.decode()
