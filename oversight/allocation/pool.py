"""The SOO pool and the line-management links: the two reads that cover hundreds of chief inspectors.

Plain SQL returning tuples, each one query whatever the size of the pool: at 600 chief inspectors among
40,000 staff the ORM's compile and per-row dicts (and Django's per-value timestamptz loader) cost more
CPU than the queries themselves. The partial indexes they rely on are named where they are used.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection

from oversight.models import Allocation
from ppda.models import StaffMember
from ppda.roles import Role

from .rules import Candidate

# A line-management chain longer than this is a data error (or a loop); stop walking there.
MAX_CHAIN_DEPTH = 25


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
    - an active user account with the SOO role: one hashed subquery;
    - the name, and the unit names shown (no team name: only a party's is ever shown), put together here.
    Raw SQL returning tuples: the ORM's compile and per-row dicts cost more than the query itself. The last
    allocation comes as exact microseconds since the epoch: Django's timestamptz loader (Python, per value)
    cost more than the rest of the row.
    """
    User = get_user_model()
    tables = {
        "staff": StaffMember._meta.db_table,
        "department": StaffMember._meta.get_field("department").related_model._meta.db_table,
        "command": StaffMember._meta.get_field("command").related_model._meta.db_table,
        "district": StaffMember._meta.get_field("district").related_model._meta.db_table,
        "allocation": Allocation._meta.db_table,
        "user": User._meta.db_table,
        "user_groups": User.groups.through._meta.db_table,
        "group": Group._meta.db_table,
    }
    declined = _sql_literal(Allocation.Status.DECLINED)
    live = ", ".join(_sql_literal(v) for v in Allocation.LIVE)
    return f"""
        SELECT s.id, s.employee_number, s.first_name || ' ' || s.last_name, s.rank, s.is_active, s.soo_eligible,
               s.availability, s.available_from, s.department_id, COALESCE(d.name, ''), COALESCE(d.kind, ''),
               s.command_id, COALESCE(c.name, ''), s.team_id, s.district_id, COALESCE(di.name, ''),
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
        LEFT JOIN {tables["district"]} di ON di.id = s.district_id
        LEFT JOIN (SELECT soo_id, COUNT(*) AS n FROM {tables["allocation"]}
                   WHERE status IN ({live}) GROUP BY soo_id) live ON live.soo_id = s.id
        WHERE {_POOL_WHERE}
    """  # noqa: S608 - only our own table names and code constants are interpolated


_RANK_LABELS = dict(StaffMember.Rank.choices)
_AVAILABILITY_LABELS = dict(StaffMember.Availability.choices)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


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
    epoch, us = _EPOCH, dt.timedelta(microseconds=1)
    return [
        Candidate(
            staff_id=pk,
            employee_number=number,
            name=name,
            rank=rank,
            rank_label=_RANK_LABELS.get(rank, rank),
            is_active=active,
            soo_eligible=eligible,
            has_soo_account=account,
            availability=availability,
            availability_label=_AVAILABILITY_LABELS.get(availability, availability),
            available_from=available_from,
            department_kind=dept_kind,
            department_id=dept_id,
            department_name=dept_name,
            command_id=command_id,
            command_name=command_name,
            team_id=team_id,
            district_id=district_id,
            district_name=district_name,
            # Exact microseconds since the epoch, as the query gives them (see _pool_sql).
            last_allocated_at=None if last_allocated_us is None else epoch + us * last_allocated_us,
            open_cases=open_cases,
        )
        for (
            pk,
            number,
            name,
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
