"""The suggestion list against real data: every rule from the database, continuity, counter-allegations,
and a constant number of queries however many chief inspectors and staff there are."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case, CaseAccessDeclaration, CaseLink, ConflictDeclaration
from oversight.allocation import rules as r
from oversight.allocation.pool import line_managers
from oversight.allocation.selectors import allocation_suggestions
from ppda.models import StaffMember
from tests.factories.cases import (
    CaseLinkFactory,
    CivilianVictimFactory,
    PartyFactory,
    PoliceSuspectFactory,
    PoliceVictimFactory,
    TriagedCaseFactory,
)
from tests.factories.directory import (
    AcuDepartmentFactory,
    ChiefInspectorFactory,
    DistrictFactory,
    PsdDepartmentFactory,
    StaffMemberFactory,
    TeamFactory,
    UserFactory,
)
from tests.factories.oversight import (
    AcceptedAllocationFactory,
    ConflictDeclarationFactory,
    DeclinedAllocationFactory,
    EndedAllocationFactory,
    PendingAllocationFactory,
    soo_with_user,
    triaged_case_with_parties,
)

pytestmark = pytest.mark.django_db


def reasons_for(case, staff):
    s = allocation_suggestions(case).find(staff.pk)
    assert s is not None, "every chief inspector is listed"
    return {(e.code, e.hard, e.reason) for e in s.exclusions}


# Each row: builds (case, candidate) in the database and names the exclusion expected.
def _inactive(case):
    return soo_with_user(is_active=False)


def _not_ci(case):
    return soo_with_user(rank=StaffMember.Rank.SUPERINTENDENT)


def _not_eligible(case):
    return soo_with_user(soo_eligible=False)


def _no_account(case):
    return ChiefInspectorFactory()


def _on_leave(case):
    return soo_with_user(availability=StaffMember.Availability.LEAVE, available_from=dt.date(2026, 12, 1))


def _psd(case):
    return soo_with_user(department=PsdDepartmentFactory())


def _acu(case):
    return soo_with_user(department=AcuDepartmentFactory())


def _is_suspect(case):
    soo = soo_with_user()
    case.parties.filter(role="suspect").update(staff=soo)
    return soo


def _party_to_linked(case):
    soo = soo_with_user()
    other = TriagedCaseFactory()
    PoliceVictimFactory(case=other, staff=soo)
    CaseLinkFactory(from_case=other, to_case=case, kind=CaseLink.Kind.RELATED)
    return soo


def _declared_staff(case):
    soo = soo_with_user()
    suspect = case.parties.get(role="suspect").staff
    with time_machine.travel(dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)):
        ConflictDeclarationFactory(declarer=soo, against_staff=suspect)
    return soo


def _declared_name(case):
    soo = soo_with_user()
    v = case.parties.get(role="victim")
    with time_machine.travel(dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)):
        ConflictDeclarationFactory(
            declarer=soo, against_normalised_name=v.normalised_name, against_date_of_birth=v.date_of_birth
        )
    return soo


def _declined_with_conflict(case):
    soo = soo_with_user()
    v = case.parties.get(role="victim")
    with time_machine.travel(dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)):
        ConflictDeclarationFactory(
            declarer=soo,
            against_normalised_name=v.normalised_name,
            against_date_of_birth=v.date_of_birth,
            source=ConflictDeclaration.Source.DECLINED_ALLOCATION,
        )
    return soo


def _first_open(case):
    soo = soo_with_user()
    with time_machine.travel(dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)):
        CaseAccessDeclaration.objects.create(case=case, user=soo.user, kind=CaseAccessDeclaration.Kind.CONFLICT)
    return soo


def _counter_soo(case):
    soo = soo_with_user()
    other = TriagedCaseFactory(reference="DA/2026/900001")
    CaseLinkFactory(from_case=case, to_case=other, kind=CaseLink.Kind.COUNTER_ALLEGATION)
    PendingAllocationFactory(case=other, soo=soo)
    return soo


def _same_team(case):
    suspect = case.parties.get(role="suspect").staff
    suspect.team = TeamFactory(name="Response Team 4", department=suspect.department)
    suspect.save()
    return soo_with_user(department=suspect.department, team=suspect.team)


def _same_department(case):
    suspect = case.parties.get(role="suspect").staff
    return soo_with_user(department=suspect.department)


def _line_manager(case):
    soo = soo_with_user()
    suspect = case.parties.get(role="suspect").staff
    suspect.line_manager = soo
    suspect.save()
    return soo


def _three_up(case):
    soo = soo_with_user()
    a = StaffMemberFactory(line_manager=soo, rank=StaffMember.Rank.INSPECTOR)
    b = StaffMemberFactory(line_manager=a, rank=StaffMember.Rank.SERGEANT)
    suspect = case.parties.get(role="suspect").staff
    suspect.line_manager = b
    suspect.save()
    return soo


def _managed_by_suspect(case):
    suspect = case.parties.get(role="suspect").staff
    boss = StaffMemberFactory(line_manager=suspect, rank=StaffMember.Rank.SUPERINTENDENT)
    return soo_with_user(line_manager=boss)


def _incident_district(case):
    return soo_with_user(district=case.incident_district)


def _victim_district(case):
    d = DistrictFactory(name="Westvale")
    case.parties.filter(role="victim").update(home_district=d)
    return soo_with_user(district=d)


def _capacity(case):
    soo = soo_with_user()
    for _ in range(3):
        AcceptedAllocationFactory(soo=soo)
    return soo


def _declined_before(case):
    soo = soo_with_user()
    with time_machine.travel(dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)):
        DeclinedAllocationFactory(case=case, soo=soo)
    return soo


ROWS = [
    (_inactive, r.NOT_ELIGIBLE, True, "no longer active in the staff directory"),
    (_not_ci, r.NOT_ELIGIBLE, True, "not a chief inspector (superintendent)"),
    (_not_eligible, r.NOT_ELIGIBLE, True, "not marked as eligible to be an SOO"),
    (_no_account, r.NOT_ELIGIBLE, True, "has no active user account with the SOO role"),
    (_on_leave, r.UNAVAILABLE, True, "on leave until 1 December 2026"),
    (_psd, r.PSD_ACU, True, "works in PSD"),
    (_acu, r.PSD_ACU, True, "works in ACU"),
    (_is_suspect, r.PARTY, True, "is the suspect in this case"),
    (_party_to_linked, r.PARTY, True, None),
    (_declared_staff, r.DECLARED_CONFLICT, True, "declared a conflict with the suspect on 3 March 2026"),
    (_declared_name, r.DECLARED_CONFLICT, True, "declared a conflict with the victim on 3 March 2026"),
    (_declined_with_conflict, r.DECLARED_CONFLICT, True, "declared a conflict with the victim on 3 March 2026"),
    (_first_open, r.DECLARED_CONFLICT, True, "declared a conflict on opening this case on 3 March 2026"),
    (_counter_soo, r.COUNTER_SOO, True, "SOO to the other party in the linked counter-allegation case DA/2026/900001"),
    (_same_team, r.SAME_UNIT, False, "same team as the suspect (Response Team 4)"),
    (_same_department, r.SAME_UNIT, False, None),
    (_line_manager, r.LINE_MANAGEMENT, False, "line manager of the suspect"),
    (_three_up, r.LINE_MANAGEMENT, False, "in the suspect's line-management chain (3 levels above)"),
    (_managed_by_suspect, r.LINE_MANAGEMENT, False, "the suspect is in their line-management chain (2 levels above)"),
    (_incident_district, r.INCIDENT_DISTRICT, False, None),
    (_victim_district, r.VICTIM_DISTRICT, False, "based in the district where the victim lives (Westvale)"),
    (_capacity, r.CAPACITY, False, "at capacity: 3 open cases (limit 3)"),
    (_declined_before, r.DECLINED_BEFORE, False, "declined this case on 3 March 2026"),
]


@pytest.mark.parametrize(("build", "code", "hard", "reason"), ROWS, ids=[row[0].__name__.strip("_") for row in ROWS])
def test_each_rule_from_the_database(build, code, hard, reason):
    case = triaged_case_with_parties()
    clean = soo_with_user()
    candidate = build(case)
    found = reasons_for(case, candidate)
    assert any(c == code and h == hard and (reason is None or text == reason) for c, h, text in found), found
    ranking = allocation_suggestions(case)
    assert candidate.pk not in [s.candidate.staff_id for s in ranking.suggested]
    assert clean.pk in [s.candidate.staff_id for s in ranking.suggested]
    bucket = ranking.excluded if hard else ranking.overridable
    assert candidate.pk in [s.candidate.staff_id for s in bucket]


def test_open_case_limit_is_configurable(settings):
    settings.SOO_OPEN_CASE_LIMIT = 1
    case = triaged_case_with_parties()
    soo = soo_with_user()
    AcceptedAllocationFactory(soo=soo)
    assert (r.CAPACITY, False, "at capacity: 1 open cases (limit 1)") in reasons_for(case, soo)


def test_ended_and_declined_allocations_are_not_open_cases():
    case = triaged_case_with_parties()
    soo = soo_with_user()
    for _ in range(3):
        EndedAllocationFactory(soo=soo)
        DeclinedAllocationFactory(soo=soo)
    assert reasons_for(case, soo) == set()


def test_fairness_order_from_the_database():
    case = triaged_case_with_parties()
    now = timezone.now()
    recent, old, never = soo_with_user(), soo_with_user(), soo_with_user()
    EndedAllocationFactory(soo=recent, allocated_at=now - dt.timedelta(days=10))
    EndedAllocationFactory(soo=old, allocated_at=now - dt.timedelta(days=400))
    # A declined allocation was never carried: it does not push `never` down the list.
    DeclinedAllocationFactory(soo=never, allocated_at=now - dt.timedelta(days=1))
    order = [s.candidate.staff_id for s in allocation_suggestions(case).suggested]
    assert order == [never.pk, old.pk, recent.pk]


def test_continuity_the_earlier_soo_of_this_victim_comes_first():
    earlier = triaged_case_with_parties(status=Case.Status.CLOSED)
    victim = earlier.parties.get(role="victim")
    case = triaged_case_with_parties()
    case.parties.filter(role="victim").update(
        normalised_name=victim.normalised_name, date_of_birth=victim.date_of_birth
    )
    soo_with_user()  # never allocated: would be first on fairness alone
    previous = soo_with_user()
    EndedAllocationFactory(case=earlier, soo=previous)
    first = allocation_suggestions(case).first
    assert first.candidate.staff_id == previous.pk
    assert first.why == f"Supported this victim before (case {earlier.reference}) and is still suitable."


def test_continuity_matches_a_police_victim_by_staff_record():
    victim_staff = StaffMemberFactory()
    earlier = TriagedCaseFactory(status=Case.Status.CLOSED)
    PoliceVictimFactory(case=earlier, staff=victim_staff)
    case = TriagedCaseFactory()
    PoliceVictimFactory(case=case, staff=victim_staff)
    soo_with_user()
    previous = soo_with_user()
    EndedAllocationFactory(case=earlier, soo=previous)
    assert allocation_suggestions(case).first.candidate.staff_id == previous.pk


def test_continuity_not_by_name_alone():
    earlier = triaged_case_with_parties(status=Case.Status.CLOSED)
    victim = earlier.parties.get(role="victim")
    case = triaged_case_with_parties()
    case.parties.filter(role="victim").update(normalised_name=victim.normalised_name, date_of_birth=dt.date(1970, 1, 1))
    first_by_fairness = soo_with_user(employee_number="E000001")
    previous = soo_with_user()
    EndedAllocationFactory(case=earlier, soo=previous)
    assert allocation_suggestions(case).first.candidate.staff_id == first_by_fairness.pk


def test_repeat_victim_whose_old_soo_is_now_in_psd_is_not_suggested():
    earlier = triaged_case_with_parties(status=Case.Status.CLOSED)
    victim = earlier.parties.get(role="victim")
    old_soo = soo_with_user()
    EndedAllocationFactory(case=earlier, soo=old_soo)
    old_soo.department = PsdDepartmentFactory()
    old_soo.save()
    case = triaged_case_with_parties()
    case.parties.filter(role="victim").update(
        normalised_name=victim.normalised_name, date_of_birth=victim.date_of_birth
    )
    other = soo_with_user()
    ranking = allocation_suggestions(case)
    assert [s.candidate.staff_id for s in ranking.suggested] == [other.pk]
    excluded = ranking.find(old_soo.pk)
    assert excluded in ranking.excluded
    assert excluded.continuity_reference == earlier.reference
    assert [e.reason for e in excluded.hard] == ["works in PSD"]


def test_counter_allegation_pair_each_victim_gets_their_own_soo():
    """A and B each accuse the other: two cases, linked. Whoever is SOO to one can never be SOO to the other."""
    a_staff, b_staff = StaffMemberFactory(), StaffMemberFactory()
    case_a, case_b = TriagedCaseFactory(), TriagedCaseFactory()
    PoliceVictimFactory(case=case_a, staff=a_staff)
    PoliceSuspectFactory(case=case_a, staff=b_staff)
    PoliceVictimFactory(case=case_b, staff=b_staff)
    PoliceSuspectFactory(case=case_b, staff=a_staff)
    CaseLinkFactory(from_case=case_a, to_case=case_b, kind=CaseLink.Kind.COUNTER_ALLEGATION)
    first, second = soo_with_user(), soo_with_user()
    assert allocation_suggestions(case_a).first.candidate.staff_id in (first.pk, second.pk)
    soo_a = allocation_suggestions(case_a).first.candidate
    PendingAllocationFactory(case=case_a, soo_id=soo_a.staff_id)
    ranking_b = allocation_suggestions(case_b)
    assert soo_a.staff_id not in [s.candidate.staff_id for s in ranking_b.suggested + ranking_b.overridable]
    assert [e.code for e in ranking_b.find(soo_a.staff_id).hard] == [r.COUNTER_SOO]
    assert ranking_b.first.candidate.staff_id != soo_a.staff_id
    # The link works in both directions.
    ranking_a = allocation_suggestions(case_a)
    PendingAllocationFactory(case=case_b, soo_id=ranking_b.first.candidate.staff_id)
    ranking_a = allocation_suggestions(case_a)
    assert [e.code for e in ranking_a.find(ranking_b.first.candidate.staff_id).hard] == [r.COUNTER_SOO]


def test_every_chief_inspector_is_listed_once():
    case = triaged_case_with_parties()
    cis = [soo_with_user() for _ in range(3)] + [soo_with_user(department=PsdDepartmentFactory())]
    StaffMemberFactory.create_batch(5)  # constables: not in the pool at all
    ranking = allocation_suggestions(case)
    listed = [s.candidate.staff_id for s in ranking.suggested + ranking.overridable + ranking.excluded]
    assert sorted(listed) == sorted(c.pk for c in cis)


def _force(n_cis: int, n_staff: int):
    """A force with n_cis chief inspectors (with accounts, some history, chains) and n_staff others."""
    cis = []
    for i in range(n_cis):
        kwargs = {}
        if i % 5 == 1:
            kwargs["department"] = PsdDepartmentFactory()
        if i % 7 == 2:
            kwargs["availability"] = StaffMember.Availability.LEAVE
        cis.append(soo_with_user(**kwargs))
    staff = StaffMemberFactory.create_batch(n_staff)
    for i, s in enumerate(staff):
        s.line_manager = cis[i % len(cis)]
        s.save()
    for i, ci in enumerate(cis[::3]):
        EndedAllocationFactory(soo=ci, allocated_at=timezone.now() - dt.timedelta(days=30 + i))
        ConflictDeclarationFactory(declarer=ci, against_staff=staff[i % len(staff)])
    return cis, staff


def _count(case):
    with CaptureQueriesContext(connection) as ctx:
        ranking = allocation_suggestions(case)
    return len(ctx.captured_queries), ranking


def test_query_count_is_constant_for_5_and_60_chief_inspectors():
    cis, staff = _force(5, 10)
    case = triaged_case_with_parties()
    suspect = case.parties.get(role="suspect").staff
    suspect.line_manager = staff[0]
    suspect.save()
    other = TriagedCaseFactory()
    CaseLinkFactory(from_case=case, to_case=other, kind=CaseLink.Kind.COUNTER_ALLEGATION)
    few, ranking = _count(case)
    assert len(ranking.suggested + ranking.overridable + ranking.excluded) == 5

    _force(55, 120)
    many, ranking = _count(case)
    assert len(ranking.suggested + ranking.overridable + ranking.excluded) == 60
    assert few == many == 9


def test_line_management_chain_is_one_query_however_long():
    case = triaged_case_with_parties()
    top = soo_with_user()
    boss = top
    for _ in range(12):
        boss = StaffMemberFactory(line_manager=boss)
    suspect = case.parties.get(role="suspect").staff
    suspect.line_manager = boss
    suspect.save()
    count, ranking = _count(case)
    assert count == 7  # no linked cases: two fewer
    assert (r.LINE_MANAGEMENT, False, "in the suspect's line-management chain (13 levels above)") in {
        (e.code, e.hard, e.reason) for e in ranking.find(top.pk).exclusions
    }


def test_a_loop_in_line_management_does_not_hang():
    case = triaged_case_with_parties()
    a = soo_with_user()
    b = StaffMemberFactory(line_manager=a)
    a.line_manager = b
    a.save()
    suspect = case.parties.get(role="suspect").staff
    suspect.line_manager = a
    suspect.save()
    assert r.LINE_MANAGEMENT in {e.code for e in allocation_suggestions(case).find(a.pk).exclusions}


def test_user_without_soo_role_is_not_an_account(db):
    case = triaged_case_with_parties()
    ci = ChiefInspectorFactory()
    UserFactory(staff=ci)  # an account, but not an SOO
    assert (r.NOT_ELIGIBLE, True, "has no active user account with the SOO role") in reasons_for(case, ci)


def test_no_police_party_no_line_management_query():
    """Only a police party has a chain to be in: a case of civilians skips the walk altogether."""
    case = TriagedCaseFactory()
    CivilianVictimFactory(case=case)
    PartyFactory(case=case, role="suspect", first_name="Civ", last_name="Ilian", normalised_name="civ ilian")
    soo_with_user()
    count, ranking = _count(case)
    assert count == 6
    assert not any("WITH RECURSIVE" in q for q in _sql(case))
    assert len(ranking.suggested) == 1


def _sql(case):
    with CaptureQueriesContext(connection) as ctx:
        allocation_suggestions(case)
    return [q["sql"] for q in ctx.captured_queries]


def test_line_managers_returns_the_party_chains_and_only_the_links_to_parties():
    """The walk returns each party's chain, and of a candidate's chain only the parties in it."""
    case = triaged_case_with_parties()
    suspect = case.parties.get(role="suspect").staff
    boss = soo_with_user()  # two levels above the suspect
    middle = StaffMemberFactory(line_manager=boss, rank=StaffMember.Rank.INSPECTOR)
    suspect.line_manager = middle
    suspect.save()
    under = soo_with_user(line_manager=StaffMemberFactory(line_manager=suspect))  # two levels below the suspect
    elsewhere = soo_with_user(line_manager=StaffMemberFactory())  # a chain without any party in it
    chains = line_managers([suspect.pk])
    assert chains == {suspect.pk: {middle.pk: 1, boss.pk: 2}, under.pk: {suspect.pk: 2}}
    assert elsewhere.pk not in chains
    # The same for named candidates (allocation_check), and nothing to walk without a police party.
    assert line_managers([suspect.pk], [under.pk, elsewhere.pk]) == chains
    assert line_managers([], None) == {}


def test_last_allocated_is_exact():
    """The pool loads the last carried allocation as epoch microseconds: the same instant, to the microsecond."""
    case = triaged_case_with_parties()
    soo = soo_with_user()
    at = dt.datetime(2025, 6, 30, 23, 59, 59, 999999, tzinfo=dt.UTC)
    EndedAllocationFactory(soo=soo, allocated_at=at)
    DeclinedAllocationFactory(soo=soo, allocated_at=at + dt.timedelta(days=9))
    found = allocation_suggestions(case).find(soo.pk).candidate
    assert found.last_allocated_at == at and found.last_allocated_at.utcoffset() == dt.timedelta(0)
