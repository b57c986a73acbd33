"""Reopening on a new report: linked to the earlier case, and the previous SOO suggested first (continuity) -
unless they are no longer suitable."""

import pytest
from django.core.exceptions import PermissionDenied

from cases.models import Case, CaseLink
from oversight.allocation.rules import CAPACITY, PSD_ACU
from oversight.allocation.selectors import allocation_suggestions
from oversight.closure.models import CaseReopening
from oversight.closure.services import case_close, case_reopen
from ppda.errors import ApplicationError
from tests.factories.cases import CivilianVictimFactory, PoliceSuspectFactory, TriagedCaseFactory
from tests.factories.closure import ActiveAllocationFactory, CompleteClosureFactory
from tests.factories.directory import PsdDepartmentFactory
from tests.factories.oversight import AcceptedAllocationFactory as AllocationFactory
from tests.factories.oversight import soo_with_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def earlier():
    """A case its SOO closed, and two other chief inspectors never allocated (fairness would put them first)."""
    allocation = ActiveAllocationFactory()
    CompleteClosureFactory(case=allocation.case)
    case_close(case=allocation.case, user=allocation.soo.user)
    soo_with_user()
    soo_with_user()
    return allocation


def _new_report(about: Case | None = None) -> Case:
    """A new case; with `about`, its victim is the earlier case's victim (same name and date of birth)."""
    case = TriagedCaseFactory()
    if about is not None:
        v = about.parties.get(role="victim")
        CivilianVictimFactory(
            case=case,
            first_name=v.first_name,
            last_name=v.last_name,
            normalised_name=v.normalised_name,
            date_of_birth=v.date_of_birth,
        )
    else:
        CivilianVictimFactory(case=case)
    PoliceSuspectFactory(case=case)
    return case


def test_a_reopened_case_suggests_the_previous_soo_first(earlier, coordinator):
    new = _new_report(about=earlier.case)
    reopening = case_reopen(earlier_case=earlier.case, new_case=new, user=coordinator)

    assert reopening.link.from_case == new and reopening.link.to_case == earlier.case
    assert reopening.link.kind == CaseLink.Kind.REPEAT
    assert Case.objects.get(pk=earlier.case.pk).status == Case.Status.CLOSED  # its closure stands
    ranking = allocation_suggestions(new)
    first = ranking.first
    assert first.candidate.staff_id == earlier.soo_id
    assert first.continuity_reference == earlier.case.reference
    assert "Supported this victim before" in first.why
    assert len(ranking.suggested) == 3  # the others are still suggested, after


def test_not_first_when_now_hard_excluded(earlier, coordinator):
    new = _new_report(about=earlier.case)
    case_reopen(earlier_case=earlier.case, new_case=new, user=coordinator)
    soo = earlier.soo
    soo.department = PsdDepartmentFactory()
    soo.save()

    ranking = allocation_suggestions(new)
    assert ranking.first.candidate.staff_id != soo.pk
    assert soo.pk not in {s.candidate.staff_id for s in ranking.suggested + ranking.overridable}
    excluded = ranking.find(soo.pk)
    assert excluded in ranking.excluded and PSD_ACU in {e.code for e in excluded.hard}


def test_a_soft_exclusion_shows_as_usual_with_the_continuity(earlier, coordinator, settings):
    settings.SOO_OPEN_CASE_LIMIT = 1
    new = _new_report(about=earlier.case)
    case_reopen(earlier_case=earlier.case, new_case=new, user=coordinator)
    AllocationFactory(soo=earlier.soo)  # now at the open-case limit

    ranking = allocation_suggestions(new)
    found = ranking.find(earlier.soo_id)
    assert found in ranking.overridable and found.soft_codes == [CAPACITY]
    assert found.continuity_reference == earlier.case.reference
    assert ranking.first.candidate.staff_id != earlier.soo_id


def test_reopening_is_refused_clearly(earlier, coordinator):
    unrelated = _new_report()
    with pytest.raises(ApplicationError, match="no victim in common"):
        case_reopen(earlier_case=earlier.case, new_case=unrelated, user=coordinator)
    with pytest.raises(ApplicationError, match="cannot reopen itself"):
        case_reopen(earlier_case=earlier.case, new_case=earlier.case, user=coordinator)
    new = _new_report(about=earlier.case)
    with pytest.raises(ApplicationError, match="is not closed"):
        case_reopen(earlier_case=new, new_case=earlier.case, user=coordinator)
    case_reopen(earlier_case=earlier.case, new_case=new, user=coordinator)
    with pytest.raises(ApplicationError, match="already reopens"):
        case_reopen(earlier_case=earlier.case, new_case=new, user=coordinator)
    assert CaseReopening.objects.count() == 1 and CaseLink.objects.count() == 1


def test_an_existing_repeat_link_is_reused_and_another_kind_refused(earlier, coordinator):
    new = _new_report(about=earlier.case)
    CaseLink.objects.create(from_case=earlier.case, to_case=new, kind=CaseLink.Kind.REPEAT)
    assert case_reopen(earlier_case=earlier.case, new_case=new, user=coordinator).link.kind == CaseLink.Kind.REPEAT
    other = _new_report(about=earlier.case)
    CaseLink.objects.create(from_case=other, to_case=earlier.case, kind=CaseLink.Kind.COUNTER_ALLEGATION)
    with pytest.raises(ApplicationError, match="already linked as counter-allegation"):
        case_reopen(earlier_case=earlier.case, new_case=other, user=coordinator)


def test_only_a_coordinator_reopens(earlier):
    new = _new_report(about=earlier.case)
    with pytest.raises(PermissionDenied):
        case_reopen(earlier_case=earlier.case, new_case=new, user=earlier.soo.user)
