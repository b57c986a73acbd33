"""Panel factories, named after states. Built through the services (grants, invitations and history as in real
work), so a test of the state is a test of the act that produced it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from cases.models import Case, CaseAccessDeclaration
from panels import services
from panels.models import Attendee, Meeting
from ppda.roles import Role
from tests.factories.cases import CivilianVictimFactory, PoliceSuspectFactory, SafeContactFactory, TriagedCaseFactory
from tests.factories.directory import StaffMemberFactory, UserFactory
from tests.factories.oversight import AcceptedAllocationFactory, soo_with_user
from tests.factories.update_form import SUSPECT, VICTIM

_serial = iter(range(10_000, 99_999))


def panel_case() -> tuple[Case, object]:
    """A case on an accepted allocation with the update-form factories' distinctive victim and suspect (a new
    employee number each time). Returns (case, the SOO's user), the SOO having declared."""
    n = next(_serial)
    case = TriagedCaseFactory(status=Case.Status.ACTIVE)
    victim = CivilianVictimFactory(case=case, **VICTIM)
    SafeContactFactory(party=victim, codeword="Tamarisk-Owl", safe_phone="07700 900274")
    suspect = {**SUSPECT, "employee_number": f"PX{n}", "work_email": f"p{n}.ashcombe@force.example"}
    PoliceSuspectFactory(case=case, staff=StaffMemberFactory(**suspect))
    soo = soo_with_user()
    AcceptedAllocationFactory(case=case, soo=soo)
    CaseAccessDeclaration.objects.get_or_create(
        case=case, user=soo.user, defaults={"kind": CaseAccessDeclaration.Kind.NO_CONFLICT}
    )
    return case, soo.user


def chair_user(**kwargs):
    return UserFactory(staff=None, roles=[Role.PANEL_CHAIR], organisation="Panel chair", **kwargs)


def member_user(**kwargs):
    """A partner-agency member: no staff record."""
    return UserFactory(staff=None, roles=[Role.PANEL_MEMBER], organisation="Partner agency", **kwargs)


def psd_user(**kwargs):
    return UserFactory(staff=StaffMemberFactory(), roles=[Role.PSD_REP], **kwargs)


def coordinator_user(**kwargs):
    return UserFactory(staff=None, roles=[Role.COORDINATOR], **kwargs)


@dataclass
class Panel:
    meeting: Meeting
    coordinator: object
    chair: object
    member: object
    psd: object
    cases: list = field(default_factory=list)  # [(case, soo_user)]
    items: list = field(default_factory=list)

    def attendee(self, user) -> Attendee:
        return Attendee.objects.get(meeting=self.meeting, user=user)


def draft_panel(*, n_cases: int = 2, starts_at: dt.datetime | None = None, coordinator=None, chair=None) -> Panel:
    """A draft meeting with a chair, a partner member, a PSD representative and `n_cases` cases on its agenda."""
    coordinator = coordinator or coordinator_user()
    chair = chair or chair_user()
    member, psd = member_user(), psd_user()
    meeting = services.meeting_create(
        by=coordinator,
        starts_at=starts_at or timezone.now() + dt.timedelta(days=3),
        chair=chair,
        psd_rep=psd,
        place="Headquarters, room 2",
        joining_details="Video link in the invitation",
    )
    services.attendee_add(meeting=meeting, user=member, organisation="IDVA service", by=coordinator)
    panel = Panel(meeting=meeting, coordinator=coordinator, chair=chair, member=member, psd=psd)
    for _ in range(n_cases):
        case, soo = panel_case()
        panel.cases.append((case, soo))
        panel.items.append(services.item_add(meeting=meeting, case=case, by=coordinator))
    return panel


def published_panel(*, accepted: bool = True, **kwargs) -> Panel:
    """A published meeting whose attendees (with `accepted`) have accepted the confidentiality statement."""
    panel = draft_panel(**kwargs)
    panel.meeting = services.meeting_publish(meeting=panel.meeting, by=panel.coordinator)
    if accepted:
        for attendee in panel.meeting.attendees.all():
            services.statement_accept(attendee=attendee)
    return panel


def held_panel(**kwargs) -> Panel:
    panel = published_panel(**kwargs)
    panel.meeting = services.meeting_hold(meeting=panel.meeting, by=panel.chair)
    return panel
