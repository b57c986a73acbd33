"""Correcting a saved contact keeps the original (issue 17 gap): who may, what is kept and shown, what follows
from it (the 72-hour deadline, the next scheduled contact), bad input and repeated submits."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases.access import coordinators_for_case
from oversight.contacts.models import Contact, ContactCorrection, DeadlineEvent
from oversight.contacts.services import contact_correct, contact_log, contact_schedule_set
from oversight.contacts.sweep import deadlines_sweep
from ppda.date_input import date_post
from ppda.errors import ApplicationError
from ppda.models import AccessLog, Notification
from ppda.roles import Role
from tests.conftest import login_verified
from tests.factories.directory import ChiefInspectorFactory, UserFactory
from tests.factories.oversight import AcceptedAllocationFactory, EndedAllocationFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 2, 9, 15, tzinfo=dt.UTC)  # London is on GMT


@pytest.fixture
def clock():
    with time_machine.travel(T0 + dt.timedelta(hours=100), tick=False) as traveller:
        yield traveller


@pytest.fixture
def allocation(clock):
    return AcceptedAllocationFactory(allocated_at=T0)


def logged(allocation, hours, outcome="completed", **kw):
    return contact_log(
        allocation=allocation,
        user=allocation.soo.user,
        contacted_at=T0 + dt.timedelta(hours=hours),
        method=kw.pop("method", "phone"),
        outcome=outcome,
        note=kw.pop("note", "Spoke briefly."),
        form_token=uuid.uuid4(),
    )


def correct(contact, *, hours=None, outcome=None, method=None, note=None, reason="Typed the wrong time.", token=None):
    return contact_correct(
        contact=contact,
        user=contact.allocation.soo.user,
        contacted_at=T0 + dt.timedelta(hours=hours) if hours is not None else contact.contacted_at,
        method=method or contact.method,
        outcome=outcome or contact.outcome,
        note=contact.note if note is None else note,
        reason=reason,
        form_token=token or uuid.uuid4(),
    )


def url(contact):
    return reverse("contacts:correct", args=[contact.allocation.case.public_id, contact.public_id])


def form_post(local: dt.datetime, token, **overrides):
    data = {
        **date_post("contact_date", local.date()),
        "contact_time": local.strftime("%H:%M"),
        "method": "phone",
        "outcome": "completed",
        "note": "Spoke briefly.",
        "reason": "I typed 19:00 for 09:00.",
        "form_token": str(token),
    }
    data.update(overrides)
    return data


def test_the_soo_corrects_a_contact_and_the_page_shows_the_original_with_who_when_and_why(client, allocation):
    contact = logged(allocation, 10)  # 19:15 GMT on Mon 2 Nov: it was really 09:15 GMT on Tue 3 Nov
    login_verified(client, allocation.soo.user)
    page = client.get(url(contact))
    assert page.status_code == 200
    token = page.context["form"]["form_token"].value()
    assert page.context["form"]["contact_time"].value() == "19:15"  # the form starts as recorded
    response = client.post(url(contact), form_post(dt.datetime(2026, 11, 3, 9, 15), token))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.contacted_at == dt.datetime(2026, 11, 3, 9, 15, tzinfo=dt.UTC)
    [correction] = ContactCorrection.objects.all()
    assert correction.before == {"contacted_at": "2026-11-02T19:15:00+00:00"}
    assert correction.after == {"contacted_at": "2026-11-03T09:15:00+00:00"}
    assert correction.reason == "I typed 19:00 for 09:00." and correction.corrected_by == allocation.soo.user
    body = client.get(reverse("contacts:detail", args=[allocation.case.public_id])).content.decode()
    name = allocation.soo.user.display_name
    assert f"Corrected on 6 Nov 2026, 13:15 GMT by {name}. Reason: I typed 19:00 for 09:00." in body
    assert "Was: 2 Nov 2026, 19:15 GMT<br>Now: 3 Nov 2026, 09:15 GMT" in body
    assert f"first recorded on 6 Nov 2026, 13:15 GMT by {name}" in body
    # Simple-history keeps the field change too, with who made it; the access log has the change.
    assert contact.history.first().history_user == allocation.soo.user
    assert contact.history.count() == 2
    assert AccessLog.objects.filter(user=allocation.soo.user, action="change", what="correct contact").exists()


def test_the_same_correction_form_posted_three_times_corrects_once(client, allocation):
    contact = logged(allocation, 10)
    login_verified(client, allocation.soo.user)
    token = client.get(url(contact)).context["form"]["form_token"].value()
    data = form_post(dt.datetime(2026, 11, 3, 9, 15), token)
    assert [client.post(url(contact), data).status_code for _ in range(3)] == [302, 302, 302]
    assert ContactCorrection.objects.count() == 1
    assert "already saved" in client.get(reverse("contacts:detail", args=[allocation.case.public_id])).content.decode()
    # The token is this contact's: used on another contact's form, it is refused.
    other = logged(allocation, 20)
    response = client.post(url(other), {**data, "note": "Different."})
    assert response.status_code == 200 and "This form has expired" in response.content.decode()
    assert ContactCorrection.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reason": ""}, "Enter why the contact is being corrected"),
        ({"reason": "x" * 501}, "The reason must be 500 characters or fewer"),
        ({"contact_time": "25:00"}, "Enter the time of the contact as a real time"),
        ({"contact_date_month": "13"}, "The date of the contact must be a real date"),
        ({"contact_date_day": "2", "contact_time": "08:00"}, "after the case was allocated to you"),
        ({"contact_date_day": "28", "contact_date_month": "12"}, "must not be in the future"),
        ({"outcome": "lost"}, "Select a valid choice"),
        ({"form_token": ""}, "This form has expired"),
        # Unchanged (the stored time has seconds: the minute shown is the same contact time).
        ({"contact_date_day": "2", "contact_time": "19:15"}, "Nothing has changed"),
    ],
)
def test_bad_corrections_are_clear_form_errors_and_write_nothing(client, allocation, overrides, message):
    contact = logged(allocation, 10)
    Contact.objects.filter(pk=contact.pk).update(contacted_at=contact.contacted_at + dt.timedelta(seconds=7))
    login_verified(client, allocation.soo.user)
    response = client.post(url(contact), form_post(dt.datetime(2026, 11, 3, 9, 15), uuid.uuid4(), **overrides))
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body and "govuk-error-summary" in body
    assert not ContactCorrection.objects.exists()
    assert Contact.objects.get(pk=contact.pk).contacted_at == contact.contacted_at + dt.timedelta(seconds=7)


def test_only_a_contact_of_the_live_allocation_on_this_case_can_be_corrected(client, clock):
    """404 (not 403): an earlier SOO's contact on the same case, another case's contact through this case's URL,
    an unknown id. Who may open the page at all (the allocated SOO, not a coordinator) is the matrix's."""
    earlier = EndedAllocationFactory(allocated_at=T0)
    old = Contact.objects.create(
        allocation=earlier,
        contacted_at=T0,
        method="phone",
        outcome="completed",
        recorded_by=earlier.soo.user,
        recorded_at=T0,
    )
    current = AcceptedAllocationFactory(case=earlier.case, allocated_at=T0 + dt.timedelta(hours=1), case_state=False)
    elsewhere = logged(AcceptedAllocationFactory(allocated_at=T0), 2)
    login_verified(client, current.soo.user)
    case_id = current.case.public_id
    for contact_id in (old.public_id, elsewhere.public_id, uuid.uuid4()):
        assert client.get(reverse("contacts:correct", args=[case_id, contact_id])).status_code == 404
    assert AccessLog.objects.filter(user=current.soo.user, allowed=False, what="correct contact").count() == 3
    assert not AccessLog.objects.filter(user=current.soo.user, allowed=True, what="correct contact").exists()


def test_the_service_refuses_anyone_but_the_allocated_soo(allocation):
    contact = logged(allocation, 10)
    someone = UserFactory(staff=ChiefInspectorFactory())
    with pytest.raises(ApplicationError, match="Only the senior oversight officer"):
        contact_correct(
            contact=contact,
            user=someone,
            contacted_at=contact.contacted_at,
            method="video",
            outcome="completed",
            reason="Not mine to correct.",
            form_token=uuid.uuid4(),
        )
    assert not ContactCorrection.objects.exists()


# The 72-hour deadline follows the corrected contact: DESIGN.md section 4 counts when the contact happened.


def test_a_corrected_first_contact_time_moves_the_deadline_outcome_both_ways(allocation):
    first = logged(allocation, 10)
    allocation.refresh_from_db()
    assert allocation.first_contact_met_at == T0 + dt.timedelta(hours=10)
    correct(first, hours=80)  # it was really after the 72 hours
    allocation.refresh_from_db()
    assert allocation.first_contact_met_at == T0 + dt.timedelta(hours=80)
    assert allocation.first_contact_met_at > allocation.first_contact_due  # met late
    correct(first, hours=30)
    allocation.refresh_from_db()
    assert allocation.first_contact_met_at == T0 + dt.timedelta(hours=30)
    assert allocation.history.first().history_change_reason == "First contact: a contact was corrected"


def test_correcting_the_first_contact_later_falls_back_to_the_next_earliest(allocation):
    first, second = logged(allocation, 10), logged(allocation, 20)
    correct(first, hours=40)
    allocation.refresh_from_db()
    assert allocation.first_contact_met_at == second.contacted_at
    correct(second, hours=5)  # a contact that did not meet it first, corrected earlier: it meets it now
    allocation.refresh_from_db()
    assert allocation.first_contact_met_at == T0 + dt.timedelta(hours=5)


def test_a_completed_contact_corrected_to_an_attempt_reopens_the_deadline_and_the_sweep_breaches_once(allocation):
    first = logged(allocation, 10)
    deadlines_sweep()  # hour 100: met, nothing to send
    correct(first, outcome="attempted", reason="The call did not connect.")
    allocation.refresh_from_db()
    assert allocation.first_contact_met_at is None
    deadlines_sweep()
    deadlines_sweep()
    assert DeadlineEvent.objects.filter(allocation=allocation, kind="breach").count() == 1
    allocation.refresh_from_db()
    assert allocation.breached_at == allocation.first_contact_due


def test_an_attempt_corrected_to_a_decline_records_the_victims_choice_and_meets_the_deadline(allocation):
    attempt = logged(allocation, 10, outcome="attempted")
    correct(attempt, outcome="declined", reason="The victim answered and declined.")
    allocation.refresh_from_db()
    assert allocation.first_contact_met_at == attempt.contacted_at
    assert allocation.contact_plan.engagement == "declined"


def test_correcting_the_last_completed_contact_moves_the_next_scheduled_contact(allocation):
    contact = logged(allocation, 10)  # Mon 2 Nov
    contact_schedule_set(allocation=allocation, user=allocation.soo.user, cadence="interval", interval_days=7)
    allocation.contact_plan.refresh_from_db()
    assert allocation.contact_plan.next_contact_on == dt.date(2026, 11, 9)
    correct(contact, hours=26)  # Tue 3 Nov
    allocation.contact_plan.refresh_from_db()
    assert allocation.contact_plan.next_contact_on == dt.date(2026, 11, 10)


def test_a_contact_corrected_twice_keeps_both_corrections_and_the_original(client, allocation):
    contact = logged(allocation, 10, note="Spoke briefly.")
    correct(contact, note="Spoke for ten minutes.", reason="Note incomplete.")
    contact.refresh_from_db()
    correct(contact, method="video", reason="It was a video call.")
    rows = list(ContactCorrection.objects.filter(contact=contact).values_list("before", "after"))
    assert rows == [
        ({"note": "Spoke briefly."}, {"note": "Spoke for ten minutes."}),
        ({"method": "phone"}, {"method": "video"}),
    ]
    login_verified(client, allocation.soo.user)
    body = client.get(reverse("contacts:detail", args=[allocation.case.public_id])).content.decode()
    assert body.index("Reason: Note incomplete.") < body.index("Reason: It was a video call.")
    assert "Was: Spoke briefly.<br>Now: Spoke for ten minutes." in body and "Was: Phone<br>Now: Video call" in body
    assert timezone.now() == T0 + dt.timedelta(hours=100)


# A correction that turns the 72-hour outcome round is news for the coordinators (the force's figures change).


def test_a_correction_that_turns_the_72_hour_outcome_round_tells_the_coordinators_once(allocation):
    coordinator = UserFactory(username="corr-coordinator", roles=[Role.COORDINATOR])
    first = logged(allocation, 10)
    correct(first, note="Spoke briefly, agreed a call next week.", reason="Added what was agreed.")
    correct(first, hours=20)  # still in time: nothing to tell
    assert not Notification.objects.filter(kind="first_contact_corrected").exists()

    late = correct(first, hours=80)  # really after the 72 hours
    notices = Notification.objects.filter(kind="first_contact_corrected")
    recipients = set(notices.values_list("recipient", flat=True))
    assert recipients == {u.pk for u in coordinators_for_case(allocation.case)}  # one rule for who may be told
    assert coordinator.pk in recipients and allocation.soo.user.pk not in recipients
    notice = notices.filter(recipient=coordinator).get()
    assert "from met within 72 hours to not met within 72 hours" in notice.message
    assert notice.case_reference == allocation.case.reference
    assert notice.link == reverse("contacts:detail", args=[allocation.case.public_id])
    for party in allocation.case.parties.all():  # no identifier in the message
        for value in (party.first_name, party.last_name):
            assert not value or value not in notice.message
    # The same correction form saved again is the same correction: no second notice.
    contact_correct(
        contact=first,
        user=allocation.soo.user,
        contacted_at=T0 + dt.timedelta(hours=80),
        method=first.method,
        outcome=first.outcome,
        note=first.note,
        reason="Typed the wrong time.",
        form_token=late.form_token,
    )
    assert notices.count() == len(recipients)

    correct(first, outcome="attempted", reason="The call did not connect.")  # late -> late (not met): no notice
    assert notices.count() == len(recipients)
    correct(first, hours=30, outcome="completed", reason="It connected after all, at 15:15.")
    assert notices.count() == 2 * len(recipients)
    assert "from not met within 72 hours to met within 72 hours" in notices.latest("pk").message
