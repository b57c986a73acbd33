"""Reads for allocation: the suggestion list, loaded in a constant number of queries.

The pool (every chief inspector, or anyone marked SOO-eligible) is one query with its annotations
(last allocated, open cases, SOO account); the line-management chains of the pool and of the parties
are one recursive query; the case's facts (parties, links, declarations, history) a handful more.
No query runs per candidate, so 600 chief inspectors among 40,000 staff cost the same as five.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from cases.models import Case, CaseAccessDeclaration, CaseLink, ConflictDeclaration, Party
from oversight.models import Allocation
from ppda.models import StaffMember
from ppda.roles import Role

from .ranking import Ranking, rank_candidates
from .rules import Candidate, CaseFacts, Declaration, Person

DEFAULT_OPEN_CASE_LIMIT = 3
# A line-management chain longer than this is a data error (or a loop); stop walking there.
MAX_CHAIN_DEPTH = 25


def open_case_limit() -> int:
    """The configurable open-case limit (setting SOO_OPEN_CASE_LIMIT)."""
    return int(getattr(settings, "SOO_OPEN_CASE_LIMIT", DEFAULT_OPEN_CASE_LIMIT))


POOL_FIELDS = (
    "id",
    "employee_number",
    "first_name",
    "last_name",
    "rank",
    "is_active",
    "soo_eligible",
    "availability",
    "available_from",
    "department_id",
    "department__name",
    "department__kind",
    "command_id",
    "command__name",
    "team_id",
    "team__name",
    "district_id",
    "district__name",
)


def soo_pool() -> QuerySet:
    """Every chief inspector and anyone marked SOO-eligible, as plain rows annotated for the rules and ranking.

    Plain rows, not model instances: building 600 StaffMembers with four related objects each costs more
    than the query itself.
    """
    User = get_user_model()
    soo_account = User.objects.filter(staff_id=OuterRef("pk"), is_active=True, groups__name=Role.SOO)
    live = Allocation.objects.filter(soo_id=OuterRef("pk"), status__in=Allocation.LIVE)
    carried = Allocation.objects.filter(soo_id=OuterRef("pk")).exclude(status=Allocation.Status.DECLINED)
    return (
        StaffMember.objects.filter(Q(rank=StaffMember.Rank.CHIEF_INSPECTOR) | Q(soo_eligible=True))
        .annotate(
            # A declined allocation was never carried, so it does not count against fairness.
            last_allocated_at=Subquery(carried.order_by("-allocated_at").values("allocated_at")[:1]),
            open_cases=Coalesce(Subquery(live.order_by().values("soo_id").annotate(n=Count("pk")).values("n")[:1]), 0),
            has_soo_account=Exists(soo_account),
        )
        .order_by("employee_number")
        .values(*POOL_FIELDS, "last_allocated_at", "open_cases", "has_soo_account")
    )


def line_managers(staff_ids) -> dict[int, dict[int, int]]:
    """For each staff id: manager id -> levels above (1 = line manager), walking every chain to the top.

    One recursive query however many ids. Each step looks the manager up by primary key (a correlated
    subquery), so the planner cannot turn the walk into a hash join over the whole staff table.
    """
    t = StaffMember._meta.db_table
    sql = f"""
        WITH RECURSIVE chain(origin, manager, depth) AS (
            SELECT id, line_manager_id, 1 FROM {t} WHERE id = ANY(%s) AND line_manager_id IS NOT NULL
            UNION
            SELECT c.origin, (SELECT s.line_manager_id FROM {t} s WHERE s.id = c.manager), c.depth + 1
            FROM chain c WHERE c.manager IS NOT NULL AND c.depth < %s
        )
        SELECT origin, manager, MIN(depth) FROM chain WHERE manager IS NOT NULL GROUP BY origin, manager
    """  # noqa: S608 - the only interpolation is our own table name
    out: dict[int, dict[int, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(staff_ids), MAX_CHAIN_DEPTH])
        for origin, manager, depth in cursor.fetchall():
            out.setdefault(origin, {})[manager] = depth
    return out


def _person(party: Party, label: str) -> Person:
    s = party.staff
    return Person(
        role=party.role,
        label=label,
        staff_id=party.staff_id,
        command_id=s.command_id if s else None,
        command_name=s.command.name if s and s.command else "",
        department_id=s.department_id if s else None,
        department_name=s.department.name if s and s.department else "",
        team_id=s.team_id if s else None,
        team_name=s.team.name if s and s.team else "",
        normalised_name=party.normalised_name,
        date_of_birth=party.date_of_birth,
        home_district_id=party.home_district_id,
        home_district_name=party.home_district.name if party.home_district else "",
    )


def _labels(parties: list[Party]) -> list[str]:
    counts: dict[str, int] = {}
    for p in parties:
        counts[p.role] = counts.get(p.role, 0) + 1
    names = {Party.Role.VICTIM: "victim", Party.Role.SUSPECT: "suspect"}
    return [f"{'the' if counts[p.role] == 1 else 'a'} {names.get(p.role, 'party')}" for p in parties]


def _victim_match(victims: list[Party]) -> Q | None:
    q = None
    for v in victims:
        if v.staff_id:
            cond = Q(staff_id=v.staff_id)
        elif v.normalised_name and v.date_of_birth:
            cond = Q(normalised_name=v.normalised_name, date_of_birth=v.date_of_birth)
        else:
            continue
        q = cond if q is None else q | cond
    return q


def case_facts(case: Case, *, candidates=()) -> tuple[CaseFacts, dict[int, dict[int, int]]]:
    """The case's facts for the rules, plus the line-management chains of the parties and the candidates."""
    parties = list(
        case.parties.select_related("staff__command", "staff__department", "staff__team", "home_district").order_by(
            "role", "id"
        )
    )
    people = [_person(p, label) for p, label in zip(parties, _labels(parties), strict=True)]
    party_staff = [p.staff_id for p in parties if p.staff_id]

    links = list(
        CaseLink.objects.filter(Q(from_case=case) | Q(to_case=case)).values_list("from_case_id", "to_case_id", "kind")
    )
    linked_ids = {a if b == case.pk else b for a, b, _ in links}
    counter_ids = {a if b == case.pk else b for a, b, kind in links if kind == CaseLink.Kind.COUNTER_ALLEGATION}

    linked_party_staff: dict[int, str] = {}
    counter_soos: dict[int, str] = {}
    if linked_ids:
        for staff_id, ref in Party.objects.filter(case_id__in=linked_ids, staff__isnull=False).values_list(
            "staff_id", "case__reference"
        ):
            linked_party_staff.setdefault(staff_id, ref)
    if counter_ids:
        for soo_id, ref in (
            Allocation.objects.filter(case_id__in=counter_ids)
            .exclude(status=Allocation.Status.DECLINED)
            .values_list("soo_id", "case__reference")
        ):
            counter_soos.setdefault(soo_id, ref)

    names = [(p.normalised_name, p.date_of_birth) for p in parties if p.normalised_name]
    decl_q = Q(against_staff_id__in=party_staff) | Q(declarer_id__in=party_staff)
    for name, _dob in names:
        decl_q |= Q(against_normalised_name=name)
    declarations = [
        Declaration(
            d.declarer_id, d.against_staff_id, d.against_normalised_name, d.against_date_of_birth, d.declared_at
        )
        for d in ConflictDeclaration.objects.filter(decl_q).only(
            "declarer_id", "against_staff_id", "against_normalised_name", "against_date_of_birth", "declared_at"
        )
    ]
    opened_with_conflict = dict(
        CaseAccessDeclaration.objects.filter(
            case=case, kind=CaseAccessDeclaration.Kind.CONFLICT, user__staff__isnull=False
        ).values_list("user__staff_id", "declared_at")
    )

    declined_before: dict = {}
    previous_soos: dict[int, str] = {}
    victim_q = _victim_match([p for p in parties if p.role == Party.Role.VICTIM])
    history_q = Q(case=case, status=Allocation.Status.DECLINED)
    if victim_q is not None:
        earlier_cases = Party.objects.filter(victim_q, role=Party.Role.VICTIM).exclude(case=case).values("case_id")
        history_q |= Q(
            case_id__in=earlier_cases,
            status__in=[Allocation.Status.ACCEPTED, Allocation.Status.ENDED],
            responded_at__isnull=False,
        )
    for soo_id, case_id, at, ref in (
        Allocation.objects.filter(history_q)
        .order_by("-allocated_at")
        .values_list("soo_id", "case_id", "allocated_at", "case__reference")
    ):
        if case_id == case.pk:
            declined_before.setdefault(soo_id, at)
        else:
            previous_soos.setdefault(soo_id, ref)  # most recent first

    chains = line_managers([*party_staff, *candidates])
    for person in people:
        if person.staff_id:
            person.managers = chains.get(person.staff_id, {})

    facts = CaseFacts(
        reference=case.reference,
        parties=people,
        incident_district_id=case.incident_district_id,
        incident_district_name=case.incident_district.name if case.incident_district else "",
        linked_party_staff=linked_party_staff,
        counter_soos=counter_soos,
        declarations=declarations,
        opened_with_conflict=opened_with_conflict,
        declined_before=declined_before,
        previous_soos=previous_soos,
        open_case_limit=open_case_limit(),
    )
    return facts, chains


_RANK_LABELS = dict(StaffMember.Rank.choices)
_AVAILABILITY_LABELS = dict(StaffMember.Availability.choices)


def _candidate(row: dict, chains: dict[int, dict[int, int]]) -> Candidate:
    return Candidate(
        staff_id=row["id"],
        employee_number=row["employee_number"],
        name=f"{row['first_name']} {row['last_name']}",
        rank=row["rank"],
        rank_label=_RANK_LABELS.get(row["rank"], row["rank"]),
        is_active=row["is_active"],
        soo_eligible=row["soo_eligible"],
        has_soo_account=row["has_soo_account"],
        availability=row["availability"],
        availability_label=_AVAILABILITY_LABELS.get(row["availability"], row["availability"]),
        available_from=row["available_from"],
        department_kind=row["department__kind"] or "",
        department_id=row["department_id"],
        department_name=row["department__name"] or "",
        command_id=row["command_id"],
        command_name=row["command__name"] or "",
        team_id=row["team_id"],
        team_name=row["team__name"] or "",
        district_id=row["district_id"],
        district_name=row["district__name"] or "",
        last_allocated_at=row["last_allocated_at"],
        open_cases=row["open_cases"],
        managers=chains.get(row["id"], {}),
    )


def allocation_suggestions(case: Case) -> Ranking:
    """Every chief inspector for this case: ranked, or excluded with each reason (constant queries)."""
    pool = list(soo_pool())
    facts, chains = case_facts(case, candidates=[row["id"] for row in pool])
    return rank_candidates([_candidate(row, chains) for row in pool], facts)


def allocation_check(case: Case, soo: StaffMember):
    """The rules for one chief inspector on this case, evaluated fresh (used at write time)."""
    staff = soo_pool().filter(pk=soo.pk).first()
    if staff is None:
        return None
    facts, chains = case_facts(case, candidates=[soo.pk])
    return rank_candidates([_candidate(staff, chains)], facts).find(soo.pk)


def live_allocation(case: Case) -> Allocation | None:
    return Allocation.objects.filter(case=case, status__in=Allocation.LIVE).select_related("soo").first()


def allocations_for_soo(user) -> QuerySet:
    """The user's own live allocations on cases they may still see, soonest deadline first."""
    from cases.selectors import cases_for_user

    staff_id = getattr(user, "staff_id", None)
    if staff_id is None:
        return Allocation.objects.none()
    return (
        Allocation.objects.filter(soo_id=staff_id, status__in=Allocation.LIVE, case__in=cases_for_user(user))
        .select_related("case", "case__incident_district", "contact_plan")
        .order_by("first_contact_due")
    )


def next_deadline(allocation: Allocation, now) -> tuple[str, object, str]:
    """(what, when, state) for the SOO dashboard: first contact until it is met, then the next scheduled contact.

    state is "overdue", "soon" (within 24 hours) or "" - shown as a tag.
    """
    if allocation.first_contact_met_at is None:
        what, when, overdue_at = "First contact", allocation.first_contact_due, allocation.first_contact_due
    else:
        plan = getattr(allocation, "contact_plan", None)
        if plan is None or plan.next_contact_due_at is None:
            return "No contact scheduled", None, ""
        what, when = "Next contact", plan.next_contact_due_at
        overdue_at = plan.next_contact_overdue_at or plan.next_contact_due_at
    if overdue_at <= now:
        state = "overdue"
    elif when - now <= dt.timedelta(hours=24):
        state = "soon"
    else:
        state = ""
    return what, when, state
