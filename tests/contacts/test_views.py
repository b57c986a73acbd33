"""Contact log pages: who may (allocated SOO; coordinators read-only), who may not, and what is logged."""

import datetime as dt
import re
import uuid

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseAccessDeclaration
from oversight.contacts.models import Contact, ContactCorrection, ContactPlan
from ppda.date_input import date_post
from ppda.models import AccessLog
from tests.conftest import login_verified
from tests.factories.contacts import ContactFactory, ContactPlanFactory
from tests.factories.oversight import AcceptedAllocationFactory, BreachedAllocationFactory, PendingAllocationFactory

pytestmark = pytest.mark.django_db

PAGES = ["contacts:detail", "contacts:create", "contacts:engagement", "contacts:schedule"]


@pytest.fixture
def allocation():
    return AcceptedAllocationFactory()


def url(name, allocation):
    return reverse(name, args=[allocation.case.public_id])


# Who may open which page, and the 404/403 each refusal answers, is the security matrix's
# (tests/security/matrix.py: "contacts:*"). Here: what a refusal leaves behind.


def test_a_refused_valid_contact_writes_nothing(client, allocation, coordinator):
    """A coordinator reads the contact log (and has made the declaration) but never writes it, even with a
    form that would be accepted from the allocated SOO."""
    CaseAccessDeclaration.objects.create(case=allocation.case, user=coordinator, kind="none")
    contacted = timezone.localtime(allocation.allocated_at + dt.timedelta(hours=2))
    valid = {
        **date_post("contact_date", contacted.date()),
        "contact_time": contacted.strftime("%H:%M"),
        "method": "phone",
        "outcome": "completed",
        "form_token": str(uuid.uuid4()),
    }
    with time_machine.travel(allocation.allocated_at + dt.timedelta(hours=5), tick=False):
        login_verified(client, coordinator)
        assert client.post(url("contacts:create", allocation), valid).status_code == 404
        assert not Contact.objects.exists()
        assert AccessLog.objects.filter(user=coordinator, allowed=False, what="record contact").exists()
        login_verified(client, allocation.soo.user)
        assert client.post(url("contacts:create", allocation), valid).status_code == 302  # the same form, accepted
    assert Contact.objects.count() == 1


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_login(client, allocation, page):
    response = client.get(url(page, allocation))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_pending_allocation_soo_may_read_but_not_record(client):
    allocation = PendingAllocationFactory(declared=True)  # opened the case, not yet accepted
    login_verified(client, allocation.soo.user)
    assert client.get(url("contacts:detail", allocation)).status_code == 200
    assert client.get(url("contacts:create", allocation)).status_code == 404


def test_first_open_declaration_comes_before_the_contact_log(client):
    allocation = AcceptedAllocationFactory(declared=False)
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
                **date_post("contact_date", local.date()),
                "contact_time": local.strftime("%H:%M"),
                "method": "in_person",
                "outcome": "completed",
                "note": "Met at a safe location.",
                "form_token": str(uuid.uuid4()),
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


def test_the_contact_form_starts_on_today_in_the_uk_with_a_24_hour_time_box(client, allocation):
    """Issue 16: the browser's own pickers showed mm/dd/yyyy and a 12-hour clock; the GOV.UK date boxes start
    on today's date in the UK (just after midnight UTC in summer it is already tomorrow there)."""
    instant = dt.datetime(2026, 7, 14, 23, 30, tzinfo=dt.UTC)  # 00:30 on 15 July in London
    with time_machine.travel(instant, tick=False):
        login_verified(client, allocation.soo.user)
        body = client.get(url("contacts:create", allocation)).content.decode()
    for part, value in (("day", "15"), ("month", "7"), ("year", "2026")):
        box = re.search(rf'<input[^>]*name="contact_date_{part}"[^>]*>', body).group(0)
        assert f'value="{value}"' in box, box
    time_box = re.search(r'<input[^>]*name="contact_time"[^>]*>', body).group(0)
    assert 'type="text"' in time_box and "value=" not in time_box  # typed, with nothing guessed
    assert "Use the 24-hour clock, for example 14:30" in body
    assert not re.search(r'type="(date|time|datetime-local)"', body)


def _date_parts(day: str) -> dict[str, str]:
    """An ISO date as the three boxes post it; "d-m-y" for a date as typed (which may not be real)."""
    if not day:
        return {"contact_date_day": "", "contact_date_month": "", "contact_date_year": ""}
    if len(day.split("-")[0]) == 4:
        return date_post("contact_date", day)
    d, m, y = day.split("-")
    return {"contact_date_day": d, "contact_date_month": m, "contact_date_year": y}


@pytest.mark.parametrize(
    ("day", "time", "message"),
    [
        ("2026-10-25", "01:30", "happened twice"),
        ("2026-03-29", "01:30", "did not exist"),
        ("", "10:00", "Enter the date of the contact"),
        ("1-13-2026", "10:00", "The date of the contact must be a real date"),
        ("1--2026", "10:00", "The date of the contact must include a month"),
        ("2026-11-01", "25:00", "Enter the time of the contact as a real time, like 14:30"),
    ],
)
def test_contact_form_errors_are_clear_and_write_nothing(client, allocation, day, time, message):
    login_verified(client, allocation.soo.user)
    response = client.post(
        url("contacts:create", allocation),
        {
            **_date_parts(day),
            "contact_time": time,
            "method": "phone",
            "outcome": "completed",
            "form_token": uuid.uuid4(),
        },
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
        {
            **date_post("contact_date", future.date()),
            "contact_time": "10:00",
            "method": "phone",
            "outcome": "completed",
            "form_token": uuid.uuid4(),
        },
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


def test_detail_page_query_count_is_constant(client):
    few, many = AcceptedAllocationFactory(), AcceptedAllocationFactory()
    ContactFactory(allocation=few)
    for allocation in (few, many):  # a plan whose engagement changed: its history is read in one query
        plan = ContactPlanFactory(allocation=allocation)
        plan.engagement = "declined"
        plan.save()
    for i in range(15):
        contact = ContactFactory(allocation=many, contacted_at=many.allocated_at + dt.timedelta(minutes=i))
        for n in range(2):  # corrections come with the contacts, in the same query
            ContactCorrection.objects.create(
                contact=contact,
                before={"note": f"before {n}"},
                after={"note": f"after {n}"},
                reason="Note incomplete.",
                corrected_by=many.soo.user,
                corrected_at=timezone.now(),
                form_token=uuid.uuid4(),
            )
    for allocation in (few, many):
        login_verified(client, allocation.soo.user)
        client.get(url("contacts:detail", allocation))  # warm the per-process caches, as any earlier request would
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("contacts:detail", allocation)).status_code == 200
        queries = [q["sql"] for q in ctx.captured_queries]
        assert len(queries) == DETAIL_QUERIES, "\n".join(queries)
    assert client.get(url("contacts:detail", many)).content.decode().count("Reason: Note incomplete.") == 30


# The user (with roles and confirmed authenticators), the case (need-to-know filter), the live allocation
# with its plan, the declaration, the access-log insert, the contacts (with who recorded them and their
# corrections, an array subquery), the engagement history. The session comes from Redis and was saved
# under a minute ago: no write.
DETAIL_QUERIES = 7


def test_overdue_page_for_coordinators_only(client, coordinator, soo_user):
    breached = [BreachedAllocationFactory() for _ in range(3)]
    AcceptedAllocationFactory()  # not yet due
    login_verified(client, coordinator)
    response = client.get(reverse("contacts:overdue"))
    assert response.status_code == 200
    body = response.content.decode()
    assert all(a.case.reference in body for a in breached)
    login_verified(client, soo_user)
    assert client.get(reverse("contacts:overdue")).status_code == 403


def test_the_same_contact_form_posted_three_times_records_one_contact(client, allocation):
    """Issue 17, defect 6: the form carries a token, claimed once (a double click, a retry, three tabs)."""
    with time_machine.travel(allocation.allocated_at + dt.timedelta(hours=5), tick=False):
        login_verified(client, allocation.soo.user)
        form = client.get(url("contacts:create", allocation))
        token = form.context["form"]["form_token"].value()
        assert token and f'value="{token}"' in form.content.decode()
        local = timezone.localtime(allocation.allocated_at + dt.timedelta(hours=2))
        data = {
            **date_post("contact_date", local.date()),
            "contact_time": local.strftime("%H:%M"),
            "method": "phone",
            "outcome": "completed",
            "form_token": token,
        }
        responses = [client.post(url("contacts:create", allocation), data) for _ in range(3)]
        assert [r.status_code for r in responses] == [302, 302, 302]
        assert Contact.objects.count() == 1
        assert "already recorded" in client.get(url("contacts:detail", allocation)).content.decode()
        # A new form is a new token: a second, real contact is recorded.
        data["form_token"] = str(uuid.uuid4())
        assert client.post(url("contacts:create", allocation), data).status_code == 302
    assert Contact.objects.count() == 2


def test_a_contact_form_without_its_token_is_refused(client, allocation):
    login_verified(client, allocation.soo.user)
    local = timezone.localtime(allocation.allocated_at + dt.timedelta(minutes=1))
    data = {**date_post("contact_date", local.date()), "contact_time": local.strftime("%H:%M"), "method": "phone"}
    response = client.post(url("contacts:create", allocation), {**data, "outcome": "completed"})
    assert response.status_code == 200 and "Reload the page" in response.content.decode()
    assert not Contact.objects.exists()
