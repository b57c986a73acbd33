"""Contact log pages: who may (allocated SOO; coordinators read-only), who may not, and what is logged."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseAccessDeclaration
from oversight.contacts.models import Contact, ContactPlan
from ppda.models import AccessLog
from ppda.permissions import grant
from ppda.roles import Role
from tests.conftest import login_verified
from tests.factories.cases import PoliceSuspectFactory
from tests.factories.contacts import (
    AllocationFactory,
    BreachedAllocationFactory,
    ContactFactory,
    ContactPlanFactory,
    PendingAllocationFactory,
)
from tests.factories.directory import ChiefInspectorFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = ["contacts:detail", "contacts:create", "contacts:engagement", "contacts:schedule"]
WRITE_PAGES = PAGES[1:]


@pytest.fixture
def allocation():
    return AllocationFactory()


def url(name, allocation):
    return reverse(name, args=[allocation.case.public_id])


@pytest.fixture
def cast(allocation, coordinator, auditor, superuser_no_role):
    other_soo = UserFactory(staff=ChiefInspectorFactory(), roles=[Role.SOO])
    # Even holding a case grant (e.g. a former SOO whose grant lingered), another SOO is not the allocated one.
    grant(other_soo, "cases.view_case", allocation.case)
    psd_rep = UserFactory(roles=[Role.PSD_REP])
    grant(psd_rep, "cases.view_case", allocation.case)
    party_coordinator = UserFactory(roles=[Role.COORDINATOR])
    PoliceSuspectFactory(case=allocation.case, staff=party_coordinator.staff)
    cast = {
        "allocated_soo": allocation.soo.user,
        "other_soo": other_soo,
        "coordinator": coordinator,
        "party_coordinator": party_coordinator,
        "psd_rep": psd_rep,
        "auditor": auditor,
        "superuser_no_role": superuser_no_role,
    }
    for user in cast.values():  # everyone has made the first-open declaration: only the role decides
        CaseAccessDeclaration.objects.get_or_create(case=allocation.case, user=user, defaults={"kind": "none"})
    return cast


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("who", "read", "write"),
    [
        ("allocated_soo", 200, 200),
        ("coordinator", 200, 404),  # coordinators oversee 72-hour compliance: read-only
        ("other_soo", 404, 404),
        ("party_coordinator", 404, 404),  # a party never sees their own case
        ("psd_rep", 404, 404),
        ("auditor", 404, 404),
        ("superuser_no_role", 404, 404),
    ],
)
def test_permission_matrix(client, cast, allocation, page, who, read, write):
    login_verified(client, cast[who])
    expected = read if page == "contacts:detail" else write
    assert client.get(url(page, allocation)).status_code == expected
    if page != "contacts:detail":
        before = Contact.objects.count()
        response = client.post(
            url(page, allocation),
            {"contact_date": "2020-01-01", "contact_time": "10:00", "method": "phone", "outcome": "completed"},
        )
        assert response.status_code in ((400, 200, 302) if write == 200 else (write,))
        if write != 200:
            assert Contact.objects.count() == before
    if expected != 200:
        denied = AccessLog.objects.filter(user=cast[who], allowed=False, object_id=str(allocation.case.public_id))
        assert denied.exists()


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_login(client, allocation, page):
    response = client.get(url(page, allocation))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_pending_allocation_soo_may_read_but_not_record(client):
    allocation = PendingAllocationFactory()
    login_verified(client, allocation.soo.user)
    assert client.get(url("contacts:detail", allocation)).status_code == 200
    assert client.get(url("contacts:create", allocation)).status_code == 404


def test_first_open_declaration_comes_before_the_contact_log(client):
    allocation = AllocationFactory(declared=False)
    login_verified(client, allocation.soo.user)
    for page in PAGES:
        response = client.get(url(page, allocation))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("cases:declare", args=[allocation.case.public_id]))
    assert not AccessLog.objects.filter(user=allocation.soo.user, allowed=True, what="contact log").exists()


def test_unknown_case_is_404(client, allocation):
    login_verified(client, allocation.soo.user)
    assert client.get(reverse("contacts:detail", args=[uuid.uuid4()])).status_code == 404


def test_soo_records_a_contact_in_uk_time(client, allocation):
    with time_machine.travel(allocation.allocated_at + dt.timedelta(hours=5), tick=False):
        login_verified(client, allocation.soo.user)  # inside the travel: sessions expire after 30 idle minutes
        local = timezone.localtime(allocation.allocated_at + dt.timedelta(hours=2))
        response = client.post(
            url("contacts:create", allocation),
            {
                "contact_date": local.date().isoformat(),
                "contact_time": local.strftime("%H:%M"),
                "method": "in_person",
                "outcome": "completed",
                "note": "Met at a safe location.",
            },
        )
        assert response.status_code == 302
        page = client.get(url("contacts:detail", allocation))
    contact = Contact.objects.get()
    assert contact.contacted_at == (allocation.allocated_at + dt.timedelta(hours=2)).replace(second=0, microsecond=0)
    allocation.refresh_from_db()
    assert allocation.first_contact_met_at == contact.contacted_at
    assert AccessLog.objects.filter(user=allocation.soo.user, action="change", what="record contact").exists()
    assert b"Met at a safe location." in page.content and b"govuk-tag--green" in page.content


@pytest.mark.parametrize(
    ("day", "time", "message"),
    [
        ("2026-10-25", "01:30", "happened twice"),
        ("2026-03-29", "01:30", "did not exist"),
        ("", "10:00", "Enter the date"),
        ("2026-13-01", "10:00", "Enter a real date"),
        ("2026-11-01", "25:00", "Enter a real time"),
    ],
)
def test_contact_form_errors_are_clear_and_write_nothing(client, allocation, day, time, message):
    login_verified(client, allocation.soo.user)
    response = client.post(
        url("contacts:create", allocation),
        {"contact_date": day, "contact_time": time, "method": "phone", "outcome": "completed"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert b"govuk-error-summary" in response.content
    assert not Contact.objects.exists()


def test_future_contact_is_refused_by_the_service_with_a_form_error(client, allocation):
    login_verified(client, allocation.soo.user)
    future = timezone.localtime() + dt.timedelta(days=2)
    response = client.post(
        url("contacts:create", allocation),
        {"contact_date": future.date().isoformat(), "contact_time": "10:00", "method": "phone", "outcome": "completed"},
    )
    assert response.status_code == 200
    assert "must not be in the future" in response.content.decode()
    assert not Contact.objects.exists()


def test_engagement_and_schedule_pages(client, allocation):
    login_verified(client, allocation.soo.user)
    response = client.post(url("contacts:schedule", allocation), {"cadence": "interval", "interval_days": "7"})
    assert response.status_code == 200 and "Record a completed contact" in response.content.decode()
    ContactFactory(allocation=allocation, contacted_at=allocation.allocated_at)
    response = client.post(url("contacts:schedule", allocation), {"cadence": "interval", "interval_days": ""})
    assert response.status_code == 200 and "every how many days" in response.content.decode()
    response = client.post(url("contacts:schedule", allocation), {"cadence": "dates", "dates": "31/02/2027"})
    assert response.status_code == 200 and "is not a date" in response.content.decode()
    response = client.post(url("contacts:schedule", allocation), {"cadence": "interval", "interval_days": "14"})
    assert response.status_code == 302
    plan = ContactPlan.objects.get(allocation=allocation)
    assert plan.interval_days == 14 and plan.next_contact_on is not None
    assert client.post(url("contacts:engagement", allocation), {"engagement": "declined"}).status_code == 302
    plan.refresh_from_db()
    assert plan.engagement == "declined" and plan.next_contact_on is None
    page = client.get(url("contacts:detail", allocation)).content.decode()
    assert "Changes to the victim's engagement choice" in page and "Declined SOO support" in page
    assert client.post(url("contacts:engagement", allocation), {"engagement": "bogus"}).status_code == 200


def test_detail_page_query_count_is_constant(client, django_assert_num_queries):
    few, many = AllocationFactory(), AllocationFactory()
    ContactFactory(allocation=few)
    for allocation in (few, many):  # a plan whose engagement changed: its history is read in one query
        plan = ContactPlanFactory(allocation=allocation)
        plan.engagement = "declined"
        plan.save()
    for i in range(15):
        ContactFactory(allocation=many, contacted_at=many.allocated_at + dt.timedelta(minutes=i))
    counts = []
    for allocation in (few, many):
        login_verified(client, allocation.soo.user)
        client.get(url("contacts:detail", allocation))  # first open warms nothing that matters; measure the next
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("contacts:detail", allocation)).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    login_verified(client, many.soo.user)
    with django_assert_num_queries(counts[0]):
        client.get(url("contacts:detail", many))
    assert counts[0] == DETAIL_QUERIES


# user (with roles and confirmed authenticators), the case (need-to-know filter), live allocation + plan, declaration,
# access log insert, contacts (with who recorded them), engagement history. The session comes from Redis
# and was saved under a minute ago: no write.
DETAIL_QUERIES = 7


def test_overdue_page_for_coordinators_only(client, coordinator, soo_user):
    breached = [BreachedAllocationFactory() for _ in range(3)]
    AllocationFactory()  # not yet due
    login_verified(client, coordinator)
    response = client.get(reverse("contacts:overdue"))
    assert response.status_code == 200
    body = response.content.decode()
    assert all(a.case.reference in body for a in breached)
    login_verified(client, soo_user)
    assert client.get(reverse("contacts:overdue")).status_code == 403
