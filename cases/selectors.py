"""Reads of cases. Every view reaches a case through here: one rule for lists and single objects."""

import datetime as dt
import uuid

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models import Case as DbCase
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from ppda.display import local_datetime, time_since, url_for_each
from ppda.models import StaffMember
from ppda.permissions import objects_for_user
from ppda.prepared import PreparedQuery, any_of
from ppda.roles import Role, has_role

from .extensions import allocation_reads, inbox_filters
from .models import Case, CaseAccessDeclaration, CaseLink, ConflictDeclaration, Party

VIEW_CASE = "cases.view_case"


CONFLICT = CaseAccessDeclaration.Kind.CONFLICT.value
# Cases the user declared a conflict on (params: user id, CONFLICT): a few rows at most, so NOT IN.
_CONFLICTED_SQL = (
    f"SELECT d.case_id FROM {CaseAccessDeclaration._meta.db_table} d"  # noqa: S608 - names from the models
    " WHERE d.user_id = %s AND d.kind = %s"
)


# A standing conflict (ConflictDeclaration, alias c) matches a party (alias p) as allocation's rules match it
# (oversight.allocation.rules._declaration_matches): the same staff record, or the same normalised name where
# the dates of birth agree or either is unknown.
_CONFLICT_MATCHES_PARTY = (
    "((c.against_staff_id IS NOT NULL AND c.against_staff_id = p.staff_id)"
    " OR (c.against_staff_id IS NULL AND c.against_normalised_name <> ''"
    " AND c.against_normalised_name = p.normalised_name"
    " AND (c.against_date_of_birth IS NULL OR p.date_of_birth IS NULL"
    " OR c.against_date_of_birth = p.date_of_birth)))"
)


class _NeitherPartyNorManager(Func):
    """True when the staff member is not a party to the case, line-manages none of its parties, and has no standing
    conflict declared against any of its parties (the case's pk as argument).

    Correlated NOT EXISTS, so a single case or a page of cases is checked by index, and written as ANDed
    NOT EXISTS (not NOT (EXISTS OR EXISTS), which is what the ORM's exclude() wrote) so that PostgreSQL can
    turn them into anti-joins: counting an inbox for a coordinator with a staff record took 110-470 ms the ORM
    way and ~20 ms this way on the scale seed. The ORM's exclude() also cost ~3 ms of Python on every page. Its
    only interpolations are table names from the models; the staff id is a parameter."""

    output_field = BooleanField()
    template = (
        f"(NOT EXISTS (SELECT 1 FROM {Party._meta.db_table} p"  # noqa: S608 - names from the models
        " WHERE p.case_id = %(expressions)s AND p.staff_id = %%s)"
        f" AND NOT EXISTS (SELECT 1 FROM {Party._meta.db_table} p JOIN {StaffMember._meta.db_table} s"
        " ON s.id = p.staff_id WHERE p.case_id = %(expressions)s AND s.line_manager_id = %%s)"
        f" AND NOT EXISTS (SELECT 1 FROM {Party._meta.db_table} p JOIN {ConflictDeclaration._meta.db_table} c"
        f" ON {_CONFLICT_MATCHES_PARTY} WHERE p.case_id = %(expressions)s AND c.declarer_id = %%s))"
    )

    def __init__(self, case_pk, staff_id: int):
        super().__init__(case_pk)
        self.staff_id = int(staff_id)

    def as_sql(self, compiler, connection, **extra):
        sql, params = super().as_sql(compiler, connection, **extra)
        # The case pk appears three times in the template: its params (none for a column), then ours, each time.
        return sql, (*params, self.staff_id) * 3


def _excluding_own_and_conflicted(user, qs: QuerySet) -> QuerySet:
    """A party never sees their own case, nor does a party's line manager; a declared conflict ends access."""
    staff_id = getattr(user, "staff_id", None)
    if staff_id is not None:
        qs = qs.filter(_NeitherPartyNorManager(F("pk"), staff_id))
    return qs.exclude(pk__in=RawSQL(_CONFLICTED_SQL, (user.pk, CONFLICT)))  # noqa: S611 - constant SQL


def cases_for_user(user) -> QuerySet:
    """Cases the user may see identified: coordinators all; others only by an object grant from the workflow."""
    if not (user.is_authenticated and user.is_active):
        return Case.objects.none()
    if has_role(user, Role.COORDINATOR):
        qs = Case.objects.all()
    else:
        qs = objects_for_user(user, VIEW_CASE, Case.objects.all())
    return _excluding_own_and_conflicted(user, qs)


def case_get_visible(user, public_id, *, visible: QuerySet | None = None, with_declaration: bool = False) -> Case:
    """The case, or 404 whether it does not exist or the user may not see it (existence never leaks).

    The read behind cases.access.case_get_for_user, which views call (it adds the declaration gate and the
    access log).

    `visible` is cases_for_user(user) when the caller already built it. With `with_declaration`, the case
    carries `user_declared`: whether the user has made the first-open declaration (read in the same query)."""
    try:
        if visible is None and user.is_authenticated and user.is_active:
            # The one read behind every case page: compiled once per shape (ppda.prepared), not per request.
            found = _visible_case(
                *visibility_shape(user),
                with_declaration,
                public_id=public_id,
                user_id=user.pk,
                staff_id=getattr(user, "staff_id", None) or 0,
            )
            if not found:
                raise Case.DoesNotExist
            return found[0]
        return _visible_case_queryset(user, visible, with_declaration).get(public_id=public_id)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("No such case.") from None


def _visible_case_queryset(user, visible: QuerySet | None, with_declaration: bool) -> QuerySet:
    qs = (cases_for_user(user) if visible is None else visible).select_related("incident_district")
    if with_declaration:
        qs = qs.annotate(
            user_declared=Exists(CaseAccessDeclaration.objects.filter(case_id=OuterRef("pk"), user_id=user.pk))
        )
    return qs


def visibility_shape(user) -> tuple[bool, bool]:
    """What changes the SQL of cases_for_user(user), for an active user: (coordinator, has a staff record).
    A prepared query built on cases_for_user (ppda.prepared) takes it as its shape, and builds with
    visibility_stand_in."""
    return has_role(user, Role.COORDINATOR), getattr(user, "staff_id", None) is not None


class _UserStandIn:
    """What cases_for_user reads of a user, for compiling its query with stand-in values (ppda.prepared)."""

    is_authenticated = is_active = True

    def __init__(self, pk, staff_id, coordinator: bool):
        self.pk, self.staff_id = pk, staff_id
        self._ppda_roles = {Role.COORDINATOR} if coordinator else set()


def visibility_stand_in(coordinator: bool, has_staff: bool, *, user_id, staff_id) -> _UserStandIn:
    """An active user of this visibility_shape for cases_for_user, with these (stand-in) ids."""
    return _UserStandIn(user_id, staff_id if has_staff else None, coordinator)


def _build_visible_case(coordinator: bool, has_staff: bool, with_declaration: bool, *, public_id, user_id, staff_id):
    user = visibility_stand_in(coordinator, has_staff, user_id=user_id, staff_id=staff_id)
    # get() would add LIMIT 21; a public id is unique, so one row or none either way.
    return _visible_case_queryset(user, None, with_declaration).filter(public_id=public_id)[:1]


_visible_case = PreparedQuery(_build_visible_case, public_id=uuid.UUID, user_id=int, staff_id=int)


# (case id, user id) for every user who may never open the case: the rule behind users_excluded_from and
# users_excluded_from_cases, written once. Params: the case ids as a list, four times, and CONFLICT.
_EXCLUDED_PAIRS_SQL = (
    f"SELECT p.case_id, u.id AS user_id FROM {Party._meta.db_table} p"  # noqa: S608 - names from the models
    f" JOIN {get_user_model()._meta.db_table} u ON u.staff_id = p.staff_id WHERE p.case_id = ANY(%s)"
    f" UNION SELECT p.case_id, u.id FROM {Party._meta.db_table} p JOIN {StaffMember._meta.db_table} s"
    f" ON s.id = p.staff_id JOIN {get_user_model()._meta.db_table} u ON u.staff_id = s.line_manager_id"
    " WHERE p.case_id = ANY(%s)"
    f" UNION SELECT p.case_id, u.id FROM {Party._meta.db_table} p JOIN {ConflictDeclaration._meta.db_table} c"
    f" ON {_CONFLICT_MATCHES_PARTY} JOIN {get_user_model()._meta.db_table} u ON u.staff_id = c.declarer_id"
    " WHERE p.case_id = ANY(%s)"
    f" UNION SELECT d.case_id, d.user_id FROM {CaseAccessDeclaration._meta.db_table} d"
    " WHERE d.case_id = ANY(%s) AND d.kind = %s"
)


def users_excluded_from(case: Case) -> QuerySet:
    """Ids of the users who may never open this case, whatever their role or grants: its parties, their line
    managers, anyone with a standing conflict declared against one of its parties, and anyone who declared a
    conflict on it (the same rule as cases_for_user, per case)."""
    ids = [case.pk]
    return (
        get_user_model()
        .objects.filter(
            pk__in=RawSQL(f"SELECT x.user_id FROM ({_EXCLUDED_PAIRS_SQL}) x", (ids, ids, ids, ids, CONFLICT))  # noqa: S611, S608 - constant SQL
        )
        .values("pk")
    )


def users_excluded_from_cases(case_ids) -> dict[int, set[int]]:
    """users_excluded_from for many cases in one query: case id -> ids of the users who may never open it."""
    ids = list(case_ids)
    out: dict[int, set[int]] = {}
    if not ids:
        return out
    with connection.cursor() as cursor:
        cursor.execute(_EXCLUDED_PAIRS_SQL, (ids, ids, ids, ids, CONFLICT))
        for case_id, user_id in cursor.fetchall():
            out.setdefault(case_id, set()).add(user_id)
    return out


# -- Inbox --------------------------------------------------------------------------------------------------

# A case is "at risk" when it has waited too long for triage, or its SOO's first contact is near or past due.
UNTRIAGED_AT_RISK = dt.timedelta(hours=24)
FIRST_CONTACT_WARNING = dt.timedelta(hours=12)
OPEN_STATUSES = [s for s in Case.Status.values if s != Case.Status.CLOSED]


def inbox_filtered(
    *, user, status: str = "", risk: str = "", route: str = "", q: str = "", extra: dict | None = None
) -> QuerySet:
    """The cases the coordinators' inbox lists: open cases unless a status is asked for, narrowed by the filters.
    Built on cases_for_user, so a coordinator never sees a case they are a party to or declared a conflict on.
    Plain, so that counting them is an index-only scan; inbox_cases adds the order and what each row shows."""
    qs = _inbox_narrowed(cases_for_user(user), *_inbox_filter_shape(status, risk, route), status, risk, route)
    q = (q or "").strip().upper()
    if q:
        qs = qs.filter(reference__contains=q)
    for name, value in (extra or {}).items():
        found = next((f for f in inbox_filters() if f.name == name), None)
        if found is not None and value and value in dict(found.choices):
            qs = qs.filter(found.condition(value))
    return qs


def _inbox_filter_shape(status: str, risk: str, route: str) -> tuple[bool, str, bool]:
    """Which of the plain filters apply (what changes the inbox's SQL; their values are parameters)."""
    risk_kind = "value" if risk in Case.Risk.values else "none" if risk == "none" else ""
    return status in Case.Status.values, risk_kind, route in Case.Route.values


def _inbox_narrowed(qs, status_set: bool, risk_kind: str, route_set: bool, status, risk, route) -> QuerySet:
    qs = qs.filter(status=status) if status_set else qs.exclude(status=Case.Status.CLOSED)
    if risk_kind == "value":
        qs = qs.filter(risk_level=risk)
    elif risk_kind == "none":
        qs = qs.filter(risk_level="")
    if route_set:
        qs = qs.filter(route=route)
    return qs


def _build_inbox(
    coordinator, has_staff, status_set, risk_kind, route_set, window, *, user_id, staff_id, status, risk, route
):
    """The inbox's count (window None) or the rows of one page (window: (offset, limit)), for ppda.prepared."""
    user = visibility_stand_in(coordinator, has_staff, user_id=user_id, staff_id=staff_id)
    cases = _inbox_narrowed(cases_for_user(user), status_set, risk_kind, route_set, status, risk, route)
    if window is None:
        return cases.order_by().values(k=Value(1)).annotate(n=Count("pk")).values_list("n", flat=True)
    return inbox_cases(cases)[window[0] : window[0] + window[1]]


_inbox_prepared = PreparedQuery(_build_inbox, user_id=int, staff_id=int, status=str, risk=str, route=str)


class _InboxRows:
    """The inbox's cases as Paginator reads them: its count, and the slice for one page, each a prepared query."""

    ordered = True

    def __init__(self, shape: tuple, values: dict):
        self._shape, self._values = shape, values

    def count(self) -> int:
        return _inbox_prepared(*self._shape, None, **self._values)[0]

    def __getitem__(self, window: slice) -> list[Case]:
        return _inbox_prepared(*self._shape, (window.start, window.stop - window.start), **self._values)


def inbox_prepared(*, user, status: str = "", risk: str = "", route: str = "", q: str = "", extra=None):
    """The unsearched inbox (no reference search, no extra filter: the usual view) as a sequence whose count and
    page slices run prepared queries (ppda.prepared), or None when the filters need inbox_filtered's queryset.
    The same cases, in the same order, as inbox_cases(inbox_filtered(...))."""
    if (q or "").strip() or any((extra or {}).values()) or not (user.is_authenticated and user.is_active):
        return None
    shape = (*visibility_shape(user), *_inbox_filter_shape(status, risk, route))
    values = {
        "user_id": user.pk,
        "staff_id": getattr(user, "staff_id", None) or 0,
        "status": status,
        "risk": risk,
        "route": route,
    }
    return _InboxRows(shape, values)


_INBOX_COLUMNS = (
    "public_id",
    "reference",
    "received_at",
    "route",
    "risk_level",
    "status",
    "needs_reallocation",
    "triage_owner__first_name",
    "triage_owner__last_name",
    "triage_owner__username",
)


def inbox_cases(cases: QuerySet | None = None, **filters) -> QuerySet:
    """The coordinators' inbox (inbox_filtered, or `cases` from it): received (untriaged) cases first, then
    oldest first. Each row carries its triage owner and its live allocation's first-contact deadline, read in the
    same query by a join (provided by oversight: cases.extensions)."""
    cases = inbox_filtered(**filters) if cases is None else cases
    return (
        cases.select_related("triage_owner")
        # Only the columns a row shows (inbox_rows): not the summary, nor the owner's whole account row.
        .only(*_INBOX_COLUMNS)
        .annotate(
            untriaged_rank=DbCase(When(status=Case.Status.RECEIVED, then=Value(0)), default=Value(1)),
            **allocation_reads().inbox_annotations(),
        )
        .order_by("untriaged_rank", "received_at", "pk")
    )


def deadline_at_risk(case: Case, now: dt.datetime) -> str:
    """Why the case's deadline is at risk, or ''. Uses only fields inbox_cases already read (no queries)."""
    if case.status == Case.Status.RECEIVED and now - case.received_at > UNTRIAGED_AT_RISK:
        return "Untriaged over 24 hours"
    if case.needs_reallocation:
        return "Needs reallocation"
    due = getattr(case, "contact_due", None)
    if due is not None and getattr(case, "contact_met", None) is None:
        if due <= now:
            return "First contact overdue"
        if due - now <= FIRST_CONTACT_WARNING:
            return "First contact due soon"
    return ""


_ROUTE_LABELS = dict(Case.Route.choices)
_RISK_LABELS = dict(Case.Risk.choices)
_STATUS_LABELS = dict(Case.Status.choices)


def inbox_rows(cases, *, user, now: dt.datetime) -> list[dict]:
    """One inbox page's rows with every value the table shows worked out here, once, so the template is a
    few plain substitutions per row (a `{% url %}`, `|date`, `|timesince` and display lookup per row were
    most of the page's time). No queries: uses what inbox_cases read."""
    from .templatetags.cases_tags import risk_class, status_class

    detail_url, assign_url = url_for_each("cases:detail"), url_for_each("cases:assign")
    rows = []
    for c in cases:
        if c.triage_owner_id is None:
            owner = ""
        elif c.triage_owner_id == user.pk:
            owner = "You"
        else:
            owner = c.triage_owner.display_name
        rows.append(
            {
                "case": c,
                "at_risk": deadline_at_risk(c, now),
                "url": detail_url(c.public_id),
                "received": local_datetime(c.received_at),
                "received_ago": time_since(c.received_at, now),
                "route": _ROUTE_LABELS.get(c.route, c.route),
                "risk": _RISK_LABELS.get(c.risk_level, c.risk_level),
                "risk_class": risk_class(c.risk_level),
                "status": _STATUS_LABELS.get(c.status, c.status),
                "status_class": status_class(c.status),
                "owner": owner,
                "assign_url": assign_url(c.public_id) if not owner and c.status == Case.Status.RECEIVED else "",
            }
        )
    return rows


def _build_on_duty(*, now: dt.datetime) -> QuerySet:
    from .models import CoordinatorShift

    return CoordinatorShift.objects.filter(starts_at__lte=now, ends_at__gt=now).select_related("coordinator")


# Compiled once (ppda.prepared): building this select_related read cost more than the rest of the inbox's reads.
_on_duty = PreparedQuery(_build_on_duty, now=dt.datetime)


def coordinators_on_duty(*, now: dt.datetime | None = None) -> list:
    """Rota shifts running now (usually one coordinator, sometimes a handover overlap), with their coordinator."""
    return _on_duty(now=now or timezone.now())


def coordinator_shifts_upcoming(*, now: dt.datetime | None = None, days: int = 14) -> QuerySet:
    from .models import CoordinatorShift

    now = now or timezone.now()
    return CoordinatorShift.objects.filter(ends_at__gt=now, starts_at__lt=now + dt.timedelta(days=days)).select_related(
        "coordinator"
    )


# -- History ------------------------------------------------------------------------------------------------


# The same person on other cases: a police party by staff record; anyone else by normalised name AND date of
# birth - never by name alone (common names would join strangers' histories). Two halves, each on its index
# (staff_id; party_name_dob). Params: case, staff (ids), names, dobs (same length).
_SAME_PEOPLE_SQL = (
    f"SELECT case_id, role FROM {Party._meta.db_table}"  # noqa: S608 - names from the models
    " WHERE staff_id = ANY(%(staff)s::bigint[]) AND case_id <> %(case)s"
    f" UNION ALL SELECT p.case_id, p.role FROM {Party._meta.db_table} p"
    " JOIN unnest(%(names)s::text[], %(dobs)s::date[]) AS m(name, dob)"
    " ON p.normalised_name = m.name AND p.date_of_birth = m.dob"
    " WHERE p.staff_id IS NULL AND p.case_id <> %(case)s"
)


def _same_people_cases(case: Case, parties) -> dict[int, set[str]]:
    """Other cases in which one of these parties appears: case id -> the roles they have there. One query, none
    when no party can be matched."""
    staff = [p.staff_id for p in parties if p.staff_id is not None]
    named = [(p.normalised_name, p.date_of_birth) for p in parties if p.staff_id is None]
    named = [(name, dob) for name, dob in named if name and dob is not None]
    if not staff and not named:
        return {}
    roles: dict[int, set[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            _SAME_PEOPLE_SQL,
            {"case": case.pk, "staff": staff, "names": [n for n, _ in named], "dobs": [d for _, d in named]},
        )
        for case_id, role in cursor.fetchall():
            roles.setdefault(case_id, set()).add(role)
    return roles


def _history_cases_queryset(visible: QuerySet, *, ids) -> QuerySet:
    return (
        visible.filter(pk__in=any_of(ids))
        .annotate(**allocation_reads().history_annotations())
        .order_by("-received_at", "-pk")
    )


def _build_history_cases(coordinator: bool, has_staff: bool, *, ids, user_id, staff_id):
    user = visibility_stand_in(coordinator, has_staff, user_id=user_id, staff_id=staff_id)
    return _history_cases_queryset(cases_for_user(user), ids=ids)


_history_cases = PreparedQuery(_build_history_cases, ids=list, user_id=int, staff_id=int)


def case_history(*, case: Case, user=None, visible: QuerySet | None = None, parties=None) -> list[Case]:
    """Every other case in which this case's victim or suspect appears, newest first, with its status, outcome
    and latest SOO. With a user (or `visible`, their cases_for_user), only the cases that user may see
    (need-to-know applies to history too). `parties` are this case's parties when the caller has them.

    Three queries whatever the number of cases (two when the parties are given): this case's parties, the
    matches, the cases (SOO by subquery, provided by oversight: cases.extensions). With a user, the last is
    prepared (ppda.prepared)."""
    roles = _same_people_cases(case, list(case.parties.all()) if parties is None else parties)
    if not roles:
        return []
    ids = sorted(roles)
    if visible is None and user is not None and user.is_authenticated and user.is_active:
        rows = _history_cases(
            *visibility_shape(user), ids=ids, user_id=user.pk, staff_id=getattr(user, "staff_id", None) or 0
        )
    else:
        if visible is None:
            visible = cases_for_user(user) if user is not None else Case.objects.all()
        rows = list(_history_cases_queryset(visible, ids=ids))
    labels = dict(Party.Role.choices)
    for row in rows:
        row.matched_roles = sorted(labels[r] for r in roles[row.pk])
    return rows


# -- Case page ----------------------------------------------------------------------------------------------


def case_page_parties(case: Case) -> list[Party]:
    """Parties with their staff record and safe-contact arrangements, victims first: one query (prepared)."""
    parties = _case_page_parties(case_id=case.pk)
    for party in parties:
        party.case = case  # as case.parties would: no query for party.case
    return parties


def _build_case_page_parties(*, case_id):
    return (
        Party.objects.filter(case_id=case_id)
        .select_related("staff__department", "staff__district", "staff__team", "home_district", "safe_contact")
        .order_by("-role", "id")  # 'victim' sorts after 'suspect'; reversed puts victims first
    )


_case_page_parties = PreparedQuery(_build_case_page_parties, case_id=int)


def case_links(*, case: Case, user=None, visible: QuerySet | None = None) -> list[dict]:
    """Linked cases both ways (links from this case first). The other case's page is linked only when the user
    may open it (`visible` is cases_for_user(user) when the caller has it). One query, two with links; with a
    user, both prepared (ppda.prepared)."""
    links = sorted(_links_of(case_id=case.pk), key=lambda link: (link.from_case_id != case.pk, link.pk))
    if not links:
        return []
    others = [link.to_case if link.from_case_id == case.pk else link.from_case for link in links]
    ids = sorted({o.pk for o in others})
    if visible is None and user is not None and user.is_authenticated and user.is_active:
        staff_id = getattr(user, "staff_id", None) or 0
        found = _visible_ids(*visibility_shape(user), ids=ids, user_id=user.pk, staff_id=staff_id)
    else:
        found = (cases_for_user(user) if visible is None else visible).filter(pk__in=ids).values_list("pk", flat=True)
    can_open = set(found)
    return [
        {"kind": link.get_kind_display(), "note": link.note, "case": other, "can_open": other.pk in can_open}
        for link, other in zip(links, others, strict=True)
    ]


_links_of = PreparedQuery(
    lambda *, case_id: CaseLink.objects.filter(Q(from_case_id=case_id) | Q(to_case_id=case_id)).select_related(
        "from_case", "to_case"
    ),
    case_id=int,
)


def _build_visible_ids(coordinator: bool, has_staff: bool, *, ids, user_id, staff_id):
    user = visibility_stand_in(coordinator, has_staff, user_id=user_id, staff_id=staff_id)
    return cases_for_user(user).filter(pk__in=any_of(ids)).values_list("pk", flat=True)


_visible_ids = PreparedQuery(_build_visible_ids, ids=list, user_id=int, staff_id=int)


def case_live_allocation(case: Case):
    """The case's live (pending or accepted) allocation with its SOO, or None (provided by oversight)."""
    return allocation_reads().live_allocation(case)


def case_declaration_for(*, case: Case, user) -> CaseAccessDeclaration | None:
    return CaseAccessDeclaration.objects.filter(case=case, user=user).first()
