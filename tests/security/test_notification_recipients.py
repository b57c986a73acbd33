"""Every notification about a case goes only to people who may open that case (issue 17, defect 1).

The walk raises every kind of notice about a case, on cases where three coordinators may not open it: a party,
a party's line manager, and a coordinator with a standing conflict against a party. None of them may receive
any of it. A kind of notice added to the code but not raised here fails the completeness check below.
"""

import datetime as dt
import re
import uuid
from pathlib import Path

import pytest
from django.utils import timezone

from cases.access import coordinators_for_case
from cases.investigations.models import PsdUpdate
from cases.investigations.services import investigation_open, psd_assign, psd_update_post
from cases.investigations.sweep import investigation_alerts_sweep
from cases.models import Case, CaseAccessDeclaration
from cases.selectors import cases_for_user, users_excluded_from
from cases.services import IntakeInput, PartyInput, case_access_declare, intake_create
from oversight.allocation.rules import SOFT_RULE_LABELS
from oversight.allocation.services import allocation_accept, allocation_create, allocation_decline, allocation_end
from oversight.closure.services import case_close
from oversight.contacts.models import DeadlineEvent
from oversight.contacts.services import contact_correct, contact_log
from oversight.contacts.sweep import deadlines_sweep
from oversight.retention.services import retention_reminders_sweep
from oversight.update_form import render
from panels import services as panel_services
from ppda.errors import ApplicationError
from ppda.models import Notification
from ppda.roles import Role
from tests.factories.cases import CivilianVictimFactory, PoliceSuspectFactory, PoliceVictimFactory
from tests.factories.closure import ActiveAllocationFactory, ActiveCaseFactory, CompleteClosureFactory
from tests.factories.contacts import ContactPlanFactory
from tests.factories.directory import DistrictFactory, StaffMemberFactory, UserFactory
from tests.factories.oversight import ConflictDeclarationFactory, soo_with_user, triaged_case_with_parties
from tests.factories.panels import chair_user

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
VICTIM_NAME, VICTIM_DOB = ("Wilhelmina", "Quorndon"), dt.date(1984, 2, 29)


def kinds_in_code() -> set[str]:
    """Every kind of notice about a case that the code can send: the literal kinds passed to notification_send
    or to a bulk sender's Outgoing in the case apps, the update form's kind, and the deadline sweep's kinds."""
    kinds = set()
    for app in ("cases", "oversight", "panels"):
        for path in (ROOT / app).rglob("*.py"):
            text = path.read_text()
            for call in re.finditer(r"(?:notification_send|Outgoing)\(", text):
                kinds.update(re.findall(r'kind="(\w+)"', text[call.end() : call.end() + 400])[:1])
    return kinds | {render.NOTIFICATION_KIND} | set(DeadlineEvent.Kind.values)


@pytest.fixture
def cast():
    ok = UserFactory(username="nx-coordinator", roles=[Role.COORDINATOR])
    party = UserFactory(username="nx-party", staff=StaffMemberFactory(), roles=[Role.COORDINATOR])
    manager = UserFactory(username="nx-manager", staff=StaffMemberFactory(), roles=[Role.COORDINATOR])
    conflicted = UserFactory(username="nx-conflicted", staff=StaffMemberFactory(), roles=[Role.COORDINATOR])
    suspect = StaffMemberFactory(line_manager=manager.staff)
    first, last = VICTIM_NAME
    ConflictDeclarationFactory(
        declarer=conflicted.staff,
        against_normalised_name=f"{first} {last}".lower(),
        against_date_of_birth=VICTIM_DOB,
        recorded_by=ok,
    )
    return {"ok": ok, "excluded": {"party": party, "manager": manager, "conflicted": conflicted}, "suspect": suspect}


def with_excluded_parties(case, cast):
    """Make the cast's excluded coordinators a party, a party's line manager and conflicted on the case."""
    first, last = VICTIM_NAME
    PoliceVictimFactory(case=case, staff=cast["excluded"]["party"].staff)
    PoliceSuspectFactory(case=case, staff=cast["suspect"])
    CivilianVictimFactory(
        case=case,
        first_name=first,
        last_name=last,
        date_of_birth=VICTIM_DOB,
        normalised_name=f"{first} {last}".lower(),
    )
    return case


def test_the_excluded_coordinators_may_not_open_the_case(cast):
    case = with_excluded_parties(triaged_case_with_parties(), cast)
    excluded = set(users_excluded_from(case).values_list("pk", flat=True))
    for name, user in cast["excluded"].items():
        assert user.pk in excluded, name
        assert not cases_for_user(user).filter(pk=case.pk).exists(), name
    assert list(coordinators_for_case(case)) == [cast["ok"]]
    assert cases_for_user(cast["ok"]).filter(pk=case.pk).exists()


def test_no_notice_of_any_kind_reaches_a_coordinator_who_may_not_open_the_case(cast):
    ok, by = cast["ok"], cast["ok"]
    overrides = dict.fromkeys(SOFT_RULE_LABELS, "recipients walk")

    # A user declares a conflict on first opening the case.
    case = with_excluded_parties(triaged_case_with_parties(), cast)
    declarer = UserFactory(staff=StaffMemberFactory(), roles=[Role.PSD_REP])
    case_access_declare(case=case, user=declarer, kind=CaseAccessDeclaration.Kind.CONFLICT, note="I know them")

    # Allocated, the SOO declares a conflict on receipt, allocated, declined, allocated again, ended.
    soo = soo_with_user()
    allocation_create(case=case, soo=soo, by=by, overrides=overrides)
    case_access_declare(case=case, user=soo.user, kind=CaseAccessDeclaration.Kind.CONFLICT, note="Neighbour")
    soo = soo_with_user()
    allocation = allocation_create(case=case, soo=soo, by=by, overrides=overrides)
    allocation_decline(allocation=allocation, by=soo.user, reason="Too busy")
    allocation = allocation_create(case=case, soo=soo_with_user(), by=by, overrides=overrides)
    allocation_end(allocation=allocation, by=by, reason="Reallocated")

    # The deadline sweep: reminders, a breach, a scheduled contact due and overdue.
    allocation = allocation_create(case=case, soo=soo_with_user(), by=by, overrides=overrides)
    allocation_accept(allocation=allocation, by=allocation.soo.user)
    for hours in (30, 50, 80):
        deadlines_sweep(now=allocation.allocated_at + dt.timedelta(hours=hours))
    scheduled = with_excluded_parties(ActiveCaseFactory(), cast)
    plan = ContactPlanFactory(allocation=ActiveAllocationFactory(case=scheduled, parties=False))
    now = timezone.now()
    plan.next_contact_on = now.date()
    plan.next_contact_due_at = now - dt.timedelta(hours=1)
    plan.next_contact_overdue_at = now + dt.timedelta(hours=1)
    plan.save()
    deadlines_sweep(now=now)
    deadlines_sweep(now=now + dt.timedelta(hours=2))

    # The SOO corrects the first contact to after the 72 hours: the coordinators are told the outcome turned.
    corrected = ActiveAllocationFactory(
        case=with_excluded_parties(ActiveCaseFactory(), cast),
        parties=False,
        allocated_at=timezone.now() - dt.timedelta(hours=100),
    )
    first = contact_log(
        allocation=corrected,
        user=corrected.soo.user,
        contacted_at=corrected.allocated_at + dt.timedelta(hours=10),
        method="phone",
        outcome="completed",
        form_token=uuid.uuid4(),
    )
    contact_correct(
        contact=first,
        user=corrected.soo.user,
        contacted_at=corrected.allocated_at + dt.timedelta(hours=80),
        method="phone",
        outcome="completed",
        reason="Typed the wrong day.",
        form_token=uuid.uuid4(),
    )

    # A section of the update form withheld from the panel.
    render._notify_withheld(case, "overview", None, ["text that failed redaction"])

    # A PSD representative is assigned, opens the investigation record and posts an update.
    psd = UserFactory(staff=StaffMemberFactory(), roles=[Role.PSD_REP])
    psd_assign(case=case, user=psd, by=by)
    case_access_declare(case=case, user=psd, kind=CaseAccessDeclaration.Kind.NO_CONFLICT)
    investigation = investigation_open(case=case, by=psd, criminal=True, misconduct=False)
    psd_update_post(investigation=investigation, by=psd, kind=PsdUpdate.Kind.NOTE, text="Interview arranged.")
    # Weeks with no PSD update: the investigation alerts sweep tells the SOO and the coordinators.
    investigation_alerts_sweep(now=timezone.now() + dt.timedelta(days=40))

    # A scrutiny panel publishes an agenda with the case on it: attendees and the SOO's own slot are told.
    meeting = panel_services.meeting_create(
        by=by, starts_at=timezone.now() + dt.timedelta(days=3), chair=chair_user(), place="Headquarters"
    )
    panel_services.item_add(meeting=meeting, case=case, by=by)
    panel_services.meeting_publish(meeting=meeting, by=by)

    # The SOO closes a case.
    closing = ActiveAllocationFactory(case=with_excluded_parties(ActiveCaseFactory(), cast), parties=False)
    CompleteClosureFactory(case=closing.case)
    case_close(case=closing.case, user=closing.soo.user)

    # A closed case's retention review falls due: the sweep reminds the coordinators who may open it.
    reviewed = ActiveAllocationFactory(case=with_excluded_parties(ActiveCaseFactory(), cast), parties=False)
    CompleteClosureFactory(case=reviewed.case)
    case_close(case=reviewed.case, user=reviewed.soo.user)
    retention_reminders_sweep(today=timezone.localdate() + dt.timedelta(days=7 * 366))

    # The party coordinator tries to record a case about themself: refused, and the others told.
    first, last = VICTIM_NAME
    data = IntakeInput(
        reference="DA/2026/990001",
        received_at=timezone.now(),
        route=Case.Route.CALL,
        category=Case.Category.BOTH,
        duty=Case.Duty.OFF,
        incident_district=DistrictFactory(),
        parties=[
            PartyInput(role="victim", is_police=True, employee_number=cast["excluded"]["party"].staff.employee_number),
            PartyInput(role="suspect", is_police=True, employee_number=cast["suspect"].employee_number),
            PartyInput(role="victim", is_police=False, first_name=first, last_name=last, date_of_birth=VICTIM_DOB),
        ],
    )
    with pytest.raises(ApplicationError):
        intake_create(data=data, created_by=cast["excluded"]["party"])

    for name, user in cast["excluded"].items():
        assert list(Notification.objects.filter(recipient=user).values_list("kind", "case_reference")) == [], name
    sent = set(Notification.objects.values_list("kind", flat=True))
    assert kinds_in_code() <= sent, f"not raised by this walk: {kinds_in_code() - sent}"
    assert Notification.objects.filter(recipient=ok, kind=DeadlineEvent.Kind.BREACH).exists()
    assert Notification.objects.filter(recipient=ok, kind="contact_overdue_alert").exists()
    assert Notification.objects.filter(recipient=ok, kind="first_contact_corrected").exists()
