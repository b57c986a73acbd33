"""Investigation states, built through the services (assignment grants, history with the user)."""

import datetime as dt

from cases.investigations.models import Investigation
from cases.investigations.services import investigation_open, psd_assign
from cases.models import Case, CaseAccessDeclaration
from ppda.roles import Role
from tests.factories.cases import CivilianVictimFactory, PoliceSuspectFactory, TriagedCaseFactory
from tests.factories.directory import PsdDepartmentFactory, StaffMemberFactory, UserFactory
from tests.factories.oversight import AcceptedAllocationFactory, soo_with_user
from tests.factories.update_form import declared_coordinator, form_case


def psd_rep(**kwargs):
    return UserFactory(staff=StaffMemberFactory(department=PsdDepartmentFactory()), roles=[Role.PSD_REP], **kwargs)


def _another_case():
    """Like form_case (an accepted allocation, a civilian victim, a police suspect), with factory identities, so
    that a test can build several."""
    case = TriagedCaseFactory(status=Case.Status.ACTIVE)
    CivilianVictimFactory(case=case)
    PoliceSuspectFactory(case=case)
    soo = soo_with_user()
    AcceptedAllocationFactory(case=case, soo=soo)
    CaseAccessDeclaration.objects.get_or_create(
        case=case, user=soo.user, defaults={"kind": CaseAccessDeclaration.Kind.NO_CONFLICT}
    )
    return case, soo.user


def psd_assigned_case(*, declared: bool = True, distinctive: bool = True):
    """(case, SOO user, coordinator, PSD representative): a case on an accepted allocation with an assigned PSD
    representative who has (by default) made the first-open declaration. `distinctive`: the update form's
    identifiable parties (one such case per test); otherwise factory identities (as many as needed)."""
    case, soo = form_case() if distinctive else _another_case()
    coordinator = declared_coordinator(case)
    psd = psd_rep()
    psd_assign(case=case, user=psd, by=coordinator)
    if declared:
        CaseAccessDeclaration.objects.create(case=case, user=psd, kind=CaseAccessDeclaration.Kind.NO_CONFLICT)
    return case, soo, coordinator, psd


def open_investigation(case, psd, *, criminal=True, misconduct=True, allegation_on=None) -> Investigation:
    return investigation_open(
        case=case,
        by=psd,
        criminal=criminal,
        misconduct=misconduct,
        allegation_on=allegation_on or (dt.date(2026, 1, 15) if misconduct else None),
    )
