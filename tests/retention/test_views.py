"""The coordinators' retention pages: the queue lists only due cases the user may open (in the query, a constant
number of queries, paginated), and the decision page retains or deletes with clear errors, never a 500, and a
repeated submit records one decision."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseAccessDeclaration, Party
from oversight.retention.models import RetentionDecision
from ppda.models import AccessLog
from ppda.roles import Role
from tests.factories.cases import CaseFactory, PoliceVictimFactory
from tests.factories.directory import StaffMemberFactory, UserFactory
from tests.factories.retention import due_for_review_case, not_yet_due_case

pytestmark = pytest.mark.django_db

QUEUE = reverse("retention:queue")


def _decide_url(case):
    return reverse("retention:decide", args=[case.public_id])


@pytest.fixture
def client_for(verified_client):
    return verified_client


def _due_batch(n, **kwargs):
    past = timezone.localdate() - dt.timedelta(days=3)
    return CaseFactory.create_batch(
        n,
        status=Case.Status.CLOSED,
        closed_at=timezone.now() - dt.timedelta(days=2200),
        retention_review_on=past,
        **kwargs,
    )


def test_the_queue_lists_only_due_cases_the_coordinator_may_open(coordinator, client_for):
    due = due_for_review_case()
    not_yet_due_case()
    CaseFactory(status=Case.Status.ACTIVE)
    erased = due_for_review_case()
    Case.objects.filter(pk=erased.pk).update(identities_erased_at=timezone.now(), retention_review_on=None)
    # Due too, but the coordinator is its victim: never listed for them.
    staff = StaffMemberFactory()
    party_coordinator = UserFactory(staff=staff, roles=[Role.COORDINATOR])
    own = due_for_review_case()
    PoliceVictimFactory(case=own, staff=staff)
    # Due too, but this coordinator declared a conflict on opening it.
    conflicted = due_for_review_case()
    CaseAccessDeclaration.objects.create(case=conflicted, user=coordinator, kind=CaseAccessDeclaration.Kind.CONFLICT)

    listed = list(client_for(coordinator).get(QUEUE).context["page"].object_list)
    assert [c.pk for c in listed] == [due.pk, own.pk]
    listed = list(client_for(party_coordinator).get(QUEUE).context["page"].object_list)
    assert [c.pk for c in listed] == [due.pk, conflicted.pk]


def test_the_queue_is_paginated_longest_overdue_first_with_a_constant_number_of_queries(
    coordinator, client_for, django_assert_num_queries
):
    client = client_for(coordinator)
    oldest = due_for_review_case()
    Case.objects.filter(pk=oldest.pk).update(retention_review_on=dt.date(2020, 1, 1))
    _due_batch(4)
    client.get(QUEUE)  # the session is saved once
    # Pinned: the user (roles, authenticators), the count, the page with each case's decision count.
    with django_assert_num_queries(3):
        few = client.get(QUEUE)
    assert few.context["page"].object_list[0].pk == oldest.pk
    _due_batch(40)
    with django_assert_num_queries(3):
        many = client.get(QUEUE)
    assert many.context["page"].paginator.count == 45
    assert len(many.context["page"].object_list) == 25
    second = client.get(QUEUE, {"page": "2"})
    assert len(second.context["page"].object_list) == 20
    assert client.get(QUEUE, {"page": "x"}).status_code == 200  # bad page: the first, never a 500
    assert b"Pages of the retention reviews" in many.content


def test_the_queue_shows_references_and_dates_only(coordinator, client_for):
    case = due_for_review_case()
    victim = case.parties.get(role=Party.Role.VICTIM)
    body = client_for(coordinator).get(QUEUE).content.decode()
    assert case.reference in body
    assert victim.first_name not in body and victim.last_name not in body


def test_the_coordinator_home_and_navigation_link_to_the_queue(coordinator, client_for):
    body = client_for(coordinator).get(reverse("home")).content.decode()
    assert body.count(f'href="{QUEUE}"') == 2


def test_retain_logs_the_decision_and_moves_the_review_date(coordinator, client_for):
    case = due_for_review_case()
    client = client_for(coordinator)
    next_on = timezone.localdate() + dt.timedelta(days=400)
    post = {
        "review_on": case.retention_review_on.isoformat(),
        "decision": "retain",
        "reason": "A civil claim is pending.",
        "next_review_on_day": str(next_on.day),
        "next_review_on_month": str(next_on.month),
        "next_review_on_year": str(next_on.year),
    }
    response = client.post(_decide_url(case), post)
    assert response.status_code == 302
    decision = RetentionDecision.objects.get()
    assert (decision.kind, decision.reason, decision.decided_by) == ("retain", "A civil claim is pending.", coordinator)
    assert (decision.review_on, decision.next_review_on) == (case.retention_review_on, next_on)
    case.refresh_from_db()
    assert case.retention_review_on == next_on
    assert case.history.first().history_user == coordinator
    assert not client.get(QUEUE).context["page"].object_list  # no longer due
    assert AccessLog.objects.filter(case_reference=case.reference, action=AccessLog.Action.CHANGE).exists()
    # The same submit again (a double click, a resent form): one decision, the same date, no error.
    again = client.post(_decide_url(case), post)
    assert again.status_code == 302
    assert RetentionDecision.objects.count() == 1
    page = client.get(_decide_url(case))
    assert b"A civil claim is pending." in page.content and b"not due for review until" in page.content


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"decision": ""}, "decision", "Select whether to retain the case or delete the identities"),
        ({"reason": ""}, "reason", "Enter the reason for your decision"),
        ({"next_review_on_day": ""}, "next_review_on", "must include a day"),
        ({"next_review_on_year": "2001"}, "next_review_on", "must be in the future"),
        ({"next_review_on_year": "2099"}, "next_review_on", "within 25 years"),
        ({"next_review_on_month": "13"}, "next_review_on", "must be a real date"),
        ({"review_on": "9999-99-99"}, "review_on", ""),
        ({"review_on": "2001-01-01"}, "__all__", "review date of case"),
    ],
)
def test_bad_input_is_a_clear_form_error(coordinator, client_for, changes, field, message):
    case = due_for_review_case()
    next_on = timezone.localdate() + dt.timedelta(days=30)
    post = {
        "review_on": case.retention_review_on.isoformat(),
        "decision": "retain",
        "reason": "Keep",
        "next_review_on_day": str(next_on.day),
        "next_review_on_month": str(next_on.month),
        "next_review_on_year": str(next_on.year),
        **changes,
    }
    response = client_for(coordinator).post(_decide_url(case), post)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert response.context["error_summary"]
    assert not RetentionDecision.objects.exists()


def test_delete_asks_for_confirmation_then_deletes_once(coordinator, client_for):
    case = due_for_review_case()
    victim = case.parties.get(role=Party.Role.VICTIM)
    client = client_for(coordinator)
    post = {"review_on": case.retention_review_on.isoformat(), "decision": "delete", "reason": "Period over."}
    response = client.post(_decide_url(case), post)
    assert response.status_code == 200
    assert "cannot be recovered" in " ".join(response.context["form"].errors["confirm"])
    assert Party.objects.filter(pk=victim.pk).exclude(first_name="").exists()
    response = client.post(_decide_url(case), {**post, "confirm": "on"})
    assert response.status_code == 302
    victim.refresh_from_db()
    assert victim.first_name == "" and victim.date_of_birth is None
    # Resubmitted: nothing more happens, no error.
    assert client.post(_decide_url(case), {**post, "confirm": "on"}).status_code == 302
    assert RetentionDecision.objects.filter(case=case).count() == 1
    page = client.get(_decide_url(case))
    assert b"identities deleted on" in page.content and b"Record decision" not in page.content


def test_an_open_or_not_yet_due_case_cannot_be_decided(coordinator, client_for):
    client = client_for(coordinator)
    for case in (CaseFactory(status=Case.Status.ACTIVE), not_yet_due_case()):
        assert b"Record decision" not in client.get(_decide_url(case)).content
        response = client.post(_decide_url(case), {"review_on": "2020-01-01", "decision": "delete", "reason": "x"})
        assert response.status_code == 200 and response.context["form"].errors["__all__"]
    assert not RetentionDecision.objects.exists()


def test_a_coordinator_who_may_not_open_the_case_gets_404(client_for):
    case = due_for_review_case()
    staff = StaffMemberFactory()
    PoliceVictimFactory(case=case, staff=staff)
    party = UserFactory(staff=staff, roles=[Role.COORDINATOR])
    response = client_for(party).post(_decide_url(case), {"decision": "delete", "reason": "x", "confirm": "on"})
    assert response.status_code == 404
    assert client_for(party).get(_decide_url(case)).status_code == 404
    assert not RetentionDecision.objects.exists()
