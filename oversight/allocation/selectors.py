"""Reads for allocation: the suggestion list, loaded in a constant number of queries.

The pool (every chief inspector, or anyone marked SOO-eligible) is one query with its annotations
(last allocated, open cases, SOO account) and the line-management links one recursive query (pool.py);
the case's facts (parties, links, declarations, history) a handful more. No query runs per candidate,
so 600 chief inspectors among 40,000 staff cost the same as five.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import QuerySet
from django.utils.text import capfirst

from cases.models import Case, CaseAccessDeclaration, CaseLink, ConflictDeclaration, Party
from oversight.models import Allocation
from ppda.models import StaffMember
from ppda.prepared import PreparedQuery

from . import case_reads
from .pool import line_managers, soo_pool
from .ranking import Ranking, rank_candidates
from .rules import CaseFacts, Declaration, Person

DEFAULT_OPEN_CASE_LIMIT = 3


def open_case_limit() -> int:
    """The configurable open-case limit (setting SOO_OPEN_CASE_LIMIT)."""
    return int(getattr(settings, "SOO_OPEN_CASE_LIMIT", DEFAULT_OPEN_CASE_LIMIT))


def case_parties(case: Case) -> list[Party]:
    """The case's parties with what the rules and the allocation page show (staff, units, home district).
    One query, prepared (ppda.prepared)."""
    parties = _case_parties(case_id=case.pk)
    for party in parties:
        party.case = case  # as case.parties would: no query for party.case
    return parties


def _build_case_parties(*, case_id):
    return (
        Party.objects.filter(case_id=case_id)
        .select_related("staff__command", "staff__department", "staff__team", "home_district")
        .order_by("role", "id")
    )


_case_parties = PreparedQuery(_build_case_parties, case_id=int)


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


def _rows(sql: str, params: dict) -> list[tuple]:
    """Run one of this module's own SQL reads. The facts are a handful of small queries on every page view,
    where building each through the ORM cost more CPU than running it."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _declarations(party_staff: list[int], names: list[str]) -> list[Declaration]:
    """Standing and declined-allocation declarations by or against a police party, or against a party's name."""
    conditions = []
    if party_staff:
        conditions += ["against_staff_id = ANY(%(staff)s)", "declarer_id = ANY(%(staff)s)"]
    if names:
        conditions.append("against_normalised_name = ANY(%(names)s)")
    if not conditions:
        return []
    sql = (
        "SELECT declarer_id, against_staff_id, against_normalised_name, against_date_of_birth, declared_at"  # noqa: S608
        f" FROM {ConflictDeclaration._meta.db_table} WHERE {' OR '.join(conditions)}"
    )
    return [Declaration(*row) for row in _rows(sql, {"staff": party_staff, "names": names})]


def _history(case: Case, victims: list[Party]) -> list[tuple]:
    """(soo, case, allocated at, reference), newest first: declines of this case, and the SOOs who carried an
    earlier case of this victim (the same staff record, or the same name and date of birth).

    This case and the victim's other cases are one `case_id IN (...)`, so both halves use the index on
    case_id (an OR of two case conditions was a scan of every allocation). This case is in that subquery
    through its own victim, the one matched on.
    """
    params: dict = {"case": case.pk, "declined": str(Allocation.Status.DECLINED)}
    this_case_declined = "(a.case_id = %(case)s AND a.status = %(declined)s)"
    matches = []
    for i, v in enumerate(victims):
        if v.staff_id:
            matches.append(f"p.staff_id = %(staff{i})s")
            params[f"staff{i}"] = v.staff_id
        elif v.normalised_name and v.date_of_birth:
            matches.append(f"(p.normalised_name = %(name{i})s AND p.date_of_birth = %(dob{i})s)")
            params[f"name{i}"], params[f"dob{i}"] = v.normalised_name, v.date_of_birth
    if matches:
        params.update(
            victim=str(Party.Role.VICTIM), carried=[str(Allocation.Status.ACCEPTED), str(Allocation.Status.ENDED)]
        )
        where = f"""a.case_id IN (SELECT p.case_id FROM {Party._meta.db_table} p
                                 WHERE p.case_id = %(case)s OR (p.role = %(victim)s AND ({" OR ".join(matches)})))
                    AND ({this_case_declined}
                         OR (a.case_id <> %(case)s AND a.status = ANY(%(carried)s) AND a.responded_at IS NOT NULL))"""  # noqa: S608
    else:
        where = this_case_declined
    sql = f"""
        SELECT a.soo_id, a.case_id, a.allocated_at, c.reference
        FROM {Allocation._meta.db_table} a JOIN {Case._meta.db_table} c ON c.id = a.case_id
        WHERE {where}
        ORDER BY a.allocated_at DESC
    """  # noqa: S608 - our own table names; every value is a parameter
    return _rows(sql, params)


def case_facts(case: Case, *, candidates=None, parties=None) -> tuple[CaseFacts, dict[int, dict[int, int]]]:
    """The case's facts for the rules, plus the line-management links of the parties and the candidates.

    `candidates`: staff ids, or None for the whole pool. `parties`: case_parties(case) if already loaded.
    """
    if parties is None:
        parties = case_parties(case)
    people = [_person(p, label) for p, label in zip(parties, _labels(parties), strict=True)]
    party_staff = [p.staff_id for p in parties if p.staff_id]

    links = _rows(
        f"SELECT from_case_id, to_case_id, kind FROM {CaseLink._meta.db_table}"  # noqa: S608 - our table name
        " WHERE from_case_id = %(case)s OR to_case_id = %(case)s",
        {"case": case.pk},
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

    declarations = _declarations(party_staff, [p.normalised_name for p in parties if p.normalised_name])
    opened_with_conflict = dict(
        _rows(
            f"SELECT u.staff_id, d.declared_at FROM {CaseAccessDeclaration._meta.db_table} d"  # noqa: S608
            f" JOIN {get_user_model()._meta.db_table} u ON u.id = d.user_id"
            " WHERE d.case_id = %(case)s AND d.kind = %(conflict)s AND u.staff_id IS NOT NULL",
            {"case": case.pk, "conflict": str(CaseAccessDeclaration.Kind.CONFLICT)},
        )
    )

    declined_before: dict = {}
    previous_soos: dict[int, str] = {}
    for soo_id, case_id, at, ref in _history(case, [p for p in parties if p.role == Party.Role.VICTIM]):
        if case_id == case.pk:
            declined_before.setdefault(soo_id, at)
        else:
            previous_soos.setdefault(soo_id, ref)  # most recent first

    chains = line_managers(party_staff, candidates)
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


def allocation_suggestions(case: Case, *, parties=None) -> Ranking:
    """Every chief inspector for this case: ranked, or excluded with each reason (constant queries)."""
    pool = soo_pool()
    facts, chains = case_facts(case, parties=parties)
    if chains:  # most candidates have no party in their chain: they keep their own empty dict
        for candidate in pool:
            managers = chains.get(candidate.staff_id)
            if managers:
                candidate.managers = managers
    return rank_candidates(pool, facts)


def suggested_rows(suggested, chosen: int | None) -> list[dict]:
    """The suitable table's rows with every cell worked out once, as strings (the dashboard's practice): a
    dict lookup per cell in the template, where a Suggestion's attribute chain and Django's number formatting
    of each id cost more than the rest of the page. `chosen`: the staff id of a refused POST's choice, checked
    again; with none, the first is checked."""
    rows = []
    for i, s in enumerate(suggested):
        c = s.candidate
        rows.append(
            {
                "id": str(c.staff_id),
                "checked": c.staff_id == chosen or (i == 0 and chosen is None),
                "rank": str(s.rank),
                "name": c.name,
                "unit": f"{c.department_name}, {c.command_name}" if c.command_name else c.department_name,
                "district": c.district_name or "–",
                "basis": s.basis,
                "why": s.why,
                "open_cases": str(c.open_cases),
            }
        )
    return rows


def overridable_rows(overridable, chosen: int | None) -> list[dict]:
    """The overridable table's rows, worked out once as suggested_rows: each soft exclusion's reason to show
    and the rule codes whose reason boxes choosing them reveals."""
    return [
        {
            "id": str(s.candidate.staff_id),
            "checked": s.candidate.staff_id == chosen,
            "codes": " ".join(s.soft_codes),
            "name": s.candidate.name,
            "reasons": [capfirst(e.reason) for e in s.soft],
            "basis": s.basis,
        }
        for s in overridable
    ]


def allocation_check(case: Case, soo: StaffMember):
    """The rules for one chief inspector on this case, evaluated fresh (used at write time)."""
    pool = soo_pool(staff_id=soo.pk)
    if not pool:
        return None
    facts, chains = case_facts(case, candidates=[soo.pk])
    pool[0].managers = chains.get(soo.pk, {})
    return rank_candidates(pool, facts).find(soo.pk)


def live_allocation(case: Case) -> Allocation | None:
    """The case's live (pending or accepted) allocation with its SOO, or None: the read the case pages use."""
    return case_reads.live_allocation(case)


def allocations_for_soo(user) -> QuerySet:
    """The user's own live allocations on cases they may still see, soonest deadline first."""
    from cases.selectors import cases_for_user

    staff_id = getattr(user, "staff_id", None)
    if staff_id is None:
        return Allocation.objects.none()
    return (
        Allocation.objects.filter(soo_id=staff_id, status__in=Allocation.LIVE, case__in=cases_for_user(user))
        .select_related("case", "contact_plan")
        .order_by("first_contact_due")
    )


def _build_dashboard_allocations(coordinator: bool, has_staff: bool, *, user_id, staff_id):
    from cases.selectors import visibility_stand_in
    from oversight.update_form.selectors import form_state_annotations

    user = visibility_stand_in(coordinator, has_staff, user_id=user_id, staff_id=staff_id)
    return allocations_for_soo(user).annotate(**form_state_annotations("case"))


_dashboard_allocations_prepared = PreparedQuery(_build_dashboard_allocations, user_id=int, staff_id=int)


def _dashboard_allocations(user) -> list[Allocation]:
    """allocations_for_soo(user) with each case's update-form state (21 joined columns): compiled once per
    process (ppda.prepared), the dashboard's CPU having been mostly the ORM building this query."""
    from cases.selectors import visibility_shape

    if getattr(user, "staff_id", None) is None or not (user.is_authenticated and user.is_active):
        return []
    return _dashboard_allocations_prepared(*visibility_shape(user), user_id=user.pk, staff_id=user.staff_id)


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


_RISK_LABELS = dict(Case.Risk.choices)


def soo_dashboard_rows(user, now) -> list[dict]:
    """The SOO dashboard's rows, soonest deadline first (nothing scheduled last), with every value the table
    shows worked out here once (one reverse per URL name, local dates): a few substitutions per row in the
    template. One query (allocations_for_soo, with each case's update-form state read by join)."""
    from oversight.update_form.selectors import form_state
    from ppda.display import local_datetime, url_for_each

    case_url, contacts_url = url_for_each("cases:detail"), url_for_each("contacts:detail")
    respond_url, pack_url = url_for_each("oversight:respond"), url_for_each("oversight:pack")
    form_url = url_for_each("update_form:detail")
    rows = []
    for a in _dashboard_allocations(user):
        what, when, state = next_deadline(a, now)
        pending = a.status == Allocation.Status.PENDING
        rows.append(
            {
                "allocation": a,
                "when_at": when,
                "reference": a.case.reference,
                "case_url": case_url(a.case.public_id),
                "risk": _RISK_LABELS.get(a.case.risk_level, a.case.risk_level),
                "allocated": local_datetime(a.allocated_at, comma=True),
                "pending": pending,
                "accepted": a.status == Allocation.Status.ACCEPTED,
                "what": what,
                "when": local_datetime(when, comma=True) if when else "",
                "state": state,
                "respond_url": respond_url(a.public_id) if pending else "",
                "contacts_url": contacts_url(a.case.public_id),
                "pack_url": pack_url(a.public_id),
                "form_state": form_state(a),
                "form_url": form_url(a.case.public_id) if a.status == Allocation.Status.ACCEPTED else "",
            }
        )
    rows.sort(key=lambda row: (row["when_at"] is None, row["when_at"] or now))
    return rows
