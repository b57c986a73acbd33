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
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import QuerySet

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


def _sql_literal(value: str) -> str:
    """A code constant (a status or rank value) as an SQL literal.

    Written into the SQL text rather than bound, so the planner can match our partial indexes whatever the
    cursor's binding mode; only plain identifiers can pass.
    """
    if not value.replace("_", "").isalnum():
        raise ValueError(value)
    return f"'{value}'"


# The pool predicate, the same text as the partial index staff_soo_candidates (ppda/models/directory.py).
_POOL_WHERE = f"(s.rank = {_sql_literal(StaffMember.Rank.CHIEF_INSPECTOR)} OR s.soo_eligible)"


def _pool_sql() -> str:
    """One query for the whole pool, each candidate's row with what the rules and ranking need.

    - last allocated: one probe per candidate of the partial index allocation_soo_carried (soo, newest first,
      declined left out), so it costs the same however long the allocation history grows;
    - open cases: one grouped count over the live allocations (index-only on allocation_soo_live), joined;
    - an active user account with the SOO role: one hashed subquery.
    Raw SQL returning tuples: the ORM's compile and per-row dicts cost more than the query itself. The last
    allocation comes as exact microseconds since the epoch: Django's timestamptz loader (Python, per value)
    cost more than the rest of the row.
    """
    User = get_user_model()
    tables = {
        "staff": StaffMember._meta.db_table,
        "department": StaffMember._meta.get_field("department").related_model._meta.db_table,
        "command": StaffMember._meta.get_field("command").related_model._meta.db_table,
        "team": StaffMember._meta.get_field("team").related_model._meta.db_table,
        "district": StaffMember._meta.get_field("district").related_model._meta.db_table,
        "allocation": Allocation._meta.db_table,
        "user": User._meta.db_table,
        "user_groups": User.groups.through._meta.db_table,
        "group": Group._meta.db_table,
    }
    declined = _sql_literal(Allocation.Status.DECLINED)
    live = ", ".join(_sql_literal(v) for v in Allocation.LIVE)
    return f"""
        SELECT s.id, s.employee_number, s.first_name, s.last_name, s.rank, s.is_active, s.soo_eligible,
               s.availability, s.available_from, s.department_id, d.name, d.kind, s.command_id, c.name,
               s.team_id, t.name, s.district_id, di.name,
               (SELECT (EXTRACT(EPOCH FROM a.allocated_at) * 1000000)::bigint FROM {tables["allocation"]} a
                 WHERE a.soo_id = s.id AND NOT (a.status = {declined})
                 ORDER BY a.allocated_at DESC LIMIT 1),
               COALESCE(live.n, 0),
               EXISTS (SELECT 1 FROM {tables["user"]} u
                       JOIN {tables["user_groups"]} ug ON ug.user_id = u.id
                       JOIN {tables["group"]} g ON g.id = ug.group_id
                       WHERE u.staff_id = s.id AND u.is_active AND g.name = %(soo_role)s)
        FROM {tables["staff"]} s
        LEFT JOIN {tables["department"]} d ON d.id = s.department_id
        LEFT JOIN {tables["command"]} c ON c.id = s.command_id
        LEFT JOIN {tables["team"]} t ON t.id = s.team_id
        LEFT JOIN {tables["district"]} di ON di.id = s.district_id
        LEFT JOIN (SELECT soo_id, COUNT(*) AS n FROM {tables["allocation"]}
                   WHERE status IN ({live}) GROUP BY soo_id) live ON live.soo_id = s.id
        WHERE {_POOL_WHERE}
    """  # noqa: S608 - only our own table names and code constants are interpolated


_RANK_LABELS = dict(StaffMember.Rank.choices)
_AVAILABILITY_LABELS = dict(StaffMember.Availability.choices)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _from_epoch_us(value: int | None) -> dt.datetime | None:
    return None if value is None else _EPOCH + dt.timedelta(microseconds=value)


def soo_pool(*, staff_id: int | None = None) -> list[Candidate]:
    """Every chief inspector and anyone marked SOO-eligible (or just `staff_id`, if in the pool), as Candidates.

    Line-management chains are filled in by the caller (see line_managers).
    """
    sql = _pool_sql()
    params: dict = {"soo_role": Role.SOO}
    if staff_id is not None:
        sql += " AND s.id = %(staff_id)s"
        params["staff_id"] = staff_id
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        Candidate(
            staff_id=pk,
            employee_number=number,
            name=f"{first} {last}",
            rank=rank,
            rank_label=_RANK_LABELS.get(rank, rank),
            is_active=active,
            soo_eligible=eligible,
            has_soo_account=account,
            availability=availability,
            availability_label=_AVAILABILITY_LABELS.get(availability, availability),
            available_from=available_from,
            department_kind=dept_kind or "",
            department_id=dept_id,
            department_name=dept_name or "",
            command_id=command_id,
            command_name=command_name or "",
            team_id=team_id,
            team_name=team_name or "",
            district_id=district_id,
            district_name=district_name or "",
            last_allocated_at=_from_epoch_us(last_allocated_us),
            open_cases=open_cases,
        )
        for (
            pk,
            number,
            first,
            last,
            rank,
            active,
            eligible,
            availability,
            available_from,
            dept_id,
            dept_name,
            dept_kind,
            command_id,
            command_name,
            team_id,
            team_name,
            district_id,
            district_name,
            last_allocated_us,
            open_cases,
            account,
        ) in rows
    ]


def line_managers(party_staff, candidates=None) -> dict[int, dict[int, int]]:
    """Line-management links the rules need: staff id -> {manager id: levels above (1 = line manager)}.

    For each party: their whole chain to the top. For each candidate (the given ids, or the whole pool when
    None): only the parties in their chain, the one thing the rules ask of it. One recursive query however
    many there are, and none when no party is police staff (then there is no chain to be in). Each step looks
    the manager up by primary key (a correlated subquery), so the planner cannot turn the walk into a hash
    join over the whole staff table; a loop stops at MAX_CHAIN_DEPTH.
    """
    party_staff = list(party_staff)
    if not party_staff:
        return {}
    t = StaffMember._meta.db_table
    params: dict = {"parties": party_staff, "max_depth": MAX_CHAIN_DEPTH}
    if candidates is None:
        seed = _POOL_WHERE  # the partial index, rather than 600 ids in an array
    else:
        seed = "s.id = ANY(%(candidates)s)"
        params["candidates"] = list(candidates)
    sql = f"""
        WITH RECURSIVE chain(origin, manager, depth) AS (
            SELECT s.id, s.line_manager_id, 1 FROM {t} s
             WHERE s.id = ANY(%(parties)s) AND s.line_manager_id IS NOT NULL
            UNION ALL
            SELECT s.id, s.line_manager_id, 1 FROM {t} s WHERE {seed} AND s.line_manager_id IS NOT NULL
            UNION
            SELECT c.origin, (SELECT s.line_manager_id FROM {t} s WHERE s.id = c.manager), c.depth + 1
            FROM chain c WHERE c.manager IS NOT NULL AND c.depth < %(max_depth)s
        )
        SELECT origin, manager, MIN(depth) FROM chain
        WHERE manager IS NOT NULL AND (origin = ANY(%(parties)s) OR manager = ANY(%(parties)s))
        GROUP BY origin, manager
    """  # noqa: S608 - only our own table name and the pool predicate are interpolated
    out: dict[int, dict[int, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for origin, manager, depth in cursor.fetchall():
            out.setdefault(origin, {})[manager] = depth
    return out


def case_parties(case: Case) -> list[Party]:
    """The case's parties with what the rules and the allocation page show (staff, units, home district)."""
    return list(
        case.parties.select_related("staff__command", "staff__department", "staff__team", "home_district").order_by(
            "role", "id"
        )
    )


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
    for candidate in pool:
        candidate.managers = chains.get(candidate.staff_id, {})
    return rank_candidates(pool, facts)


def allocation_check(case: Case, soo: StaffMember):
    """The rules for one chief inspector on this case, evaluated fresh (used at write time)."""
    pool = soo_pool(staff_id=soo.pk)
    if not pool:
        return None
    facts, chains = case_facts(case, candidates=[soo.pk])
    pool[0].managers = chains.get(soo.pk, {})
    return rank_candidates(pool, facts).find(soo.pk)


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
