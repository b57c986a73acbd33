"""Coordinators are alerted when a scheduled contact is overdue (issue 17 gap): the coordinators who may open the
case, once per overdue contact, with the reference and a link only."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from oversight.contacts.services import contact_log, contact_schedule_set
from oversight.contacts.sweep import deadlines_sweep
from ppda.models import Notification
from ppda.roles import Role
from tests.factories.cases import CivilianVictimFactory, PoliceSuspectFactory, PoliceVictimFactory
from tests.factories.directory import StaffMemberFactory, UserFactory
from tests.factories.oversight import AcceptedAllocationFactory, ConflictDeclarationFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 2, 9, 15, tzinfo=dt.UTC)  # Monday; London is on GMT
ALERT = "contact_overdue_alert"


def sweep(clock, when, django_capture_on_commit_callbacks):
    clock.move_to(when)
    with django_capture_on_commit_callbacks(execute=True):
        return deadlines_sweep()


@pytest.fixture
def world():
    """A case whose victim agreed contact every 2 days (first contact at 09:45 on Mon 2 Nov: next due Wed 4 Nov),
    a coordinator who may open it, one who is its police victim, and one with a standing conflict against its
    civilian victim."""
    with time_machine.travel(T0, tick=False) as clock:
        ok = UserFactory(roles=[Role.COORDINATOR])
        party = UserFactory(staff=StaffMemberFactory(), roles=[Role.COORDINATOR])
        conflicted = UserFactory(staff=StaffMemberFactory(), roles=[Role.COORDINATOR])
        allocation = AcceptedAllocationFactory(allocated_by=ok)
        PoliceVictimFactory(case=allocation.case, staff=party.staff)
        civilian = CivilianVictimFactory(case=allocation.case, first_name="Perpetua", last_name="Oxenholme")
        PoliceSuspectFactory(case=allocation.case)
        ConflictDeclarationFactory(
            declarer=conflicted.staff,
            against_normalised_name=civilian.normalised_name,
            against_date_of_birth=civilian.date_of_birth,
            recorded_by=ok,
        )
        soo = allocation.soo.user
        clock.move_to(T0 + dt.timedelta(hours=1))
        contact_log(
            allocation=allocation,
            user=soo,
            contacted_at=T0 + dt.timedelta(minutes=30),
            method="phone",
            outcome="completed",
        )
        contact_schedule_set(allocation=allocation, user=soo, cadence="interval", interval_days=2)
        yield {
            "clock": clock,
            "allocation": allocation,
            "ok": ok,
            "excluded": [party, conflicted],
            "civilian": civilian,
        }


def alerts(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=ALERT).order_by("id"))


def test_coordinators_who_may_open_the_case_are_alerted_once_per_overdue_contact(
    world, django_capture_on_commit_callbacks
):
    clock, allocation, ok = world["clock"], world["allocation"], world["ok"]
    # Due all of Wed 4 Nov: no alert on the day, one once the day has ended.
    sweep(clock, dt.datetime(2026, 11, 4, 12, 0, tzinfo=dt.UTC), django_capture_on_commit_callbacks)
    assert alerts(ok) == []
    sweep(clock, dt.datetime(2026, 11, 5, 0, 5, tzinfo=dt.UTC), django_capture_on_commit_callbacks)
    # The sweep again, a second beat, a day of catching up: the claim is already made.
    for hours in (0.05, 3, 20):
        result = sweep(
            clock,
            dt.datetime(2026, 11, 5, 0, 5, tzinfo=dt.UTC) + dt.timedelta(hours=hours),
            django_capture_on_commit_callbacks,
        )
        assert result.notifications == 0
    [alert] = alerts(ok)
    assert alert.case_reference == allocation.case.reference
    assert alert.link == f"/contacts/{allocation.case.public_id}/"
    assert "Wed 4 Nov 2026" in alert.message
    # The SOO keeps their own notice; the coordinators' is not also sent to the SOO.
    soo = allocation.soo.user
    assert list(Notification.objects.filter(recipient=soo).order_by("id").values_list("kind", flat=True)) == [
        "contact_due",
        "contact_overdue",
    ]

    # The next occurrence is a new event: contact on Thu 5 Nov, every 2 days, so due Sat 7 Nov.
    contact_log(
        allocation=allocation,
        user=soo,
        contacted_at=dt.datetime(2026, 11, 5, 19, 0, tzinfo=dt.UTC),
        method="phone",
        outcome="completed",
    )
    sweep(clock, dt.datetime(2026, 11, 8, 0, 5, tzinfo=dt.UTC), django_capture_on_commit_callbacks)
    sweep(clock, dt.datetime(2026, 11, 8, 6, 0, tzinfo=dt.UTC), django_capture_on_commit_callbacks)
    assert ["Sat 7 Nov 2026" in a.message for a in alerts(ok)] == [False, True]


def test_no_alert_reaches_a_coordinator_who_may_not_open_the_case(world, django_capture_on_commit_callbacks):
    sweep(world["clock"], dt.datetime(2026, 11, 5, 1, 0, tzinfo=dt.UTC), django_capture_on_commit_callbacks)
    assert len(alerts(world["ok"])) == 1
    for user in world["excluded"]:
        assert not Notification.objects.filter(recipient=user).exists()
        assert not [m for m in mail.outbox if user.email in m.to]


def test_the_alert_and_its_email_carry_the_reference_and_a_link_only(world, django_capture_on_commit_callbacks):
    sweep(world["clock"], dt.datetime(2026, 11, 5, 1, 0, tzinfo=dt.UTC), django_capture_on_commit_callbacks)
    [alert] = alerts(world["ok"])
    [email] = [m for m in mail.outbox if world["ok"].email in m.to]
    civilian, soo = world["civilian"], world["allocation"].soo
    text = f"{alert.message} {alert.link} {alert.event_key} {email.subject} {email.body}".lower()
    for identifier in (civilian.first_name, civilian.last_name, soo.first_name, soo.last_name, soo.employee_number):
        assert identifier.lower() not in text
    assert world["allocation"].case.reference in email.subject and alert.link in email.body
