"""Reads for panels: the querysets the views use, one rule for lists and single objects.

The papers rule, used by the list and by the guard alike (papers_items): an item is readable by a user when
they hold the papers grant on it (given at publication), the meeting's window is open now (checked here at
read time, whatever the sweep has done), and they may open every case on it (never a party, a party's line
manager, or someone who declared a conflict, even one declared after publication).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    When,
)
from django.db.models import Case as DbCase
from django.utils import timezone

from cases.models import Case, CaseAccessDeclaration, CaseLink
from oversight.models import Allocation
from oversight.update_form.hooks import SummaryRow
from ppda.permissions import objects_for_user
from ppda.prepared import PreparedQuery, any_of
from ppda.roles import Role, has_role

from .models import READ_IDENTIFIED, READ_PAPERS, Action, AgendaCase, AgendaItem, Attendee, Meeting, Outcome

HEARD = (Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED)


def window_open_q(now: dt.datetime, prefix: str = "") -> Q:
    """Meetings whose papers are open now: published (or later) and before the window closes."""
    return Q(
        **{
            f"{prefix}status__in": Meeting.OPEN,
            f"{prefix}published_at__lte": now,
            f"{prefix}access_closes_at__gt": now,
        }
    )


def window_is_open(meeting: Meeting, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        meeting.status in Meeting.OPEN
        and meeting.published_at is not None
        and meeting.access_closes_at is not None
        and meeting.published_at <= now < meeting.access_closes_at
    )


def cases_closed_to(user) -> QuerySet:
    """Ids of the cases this user may never open: their own, their line reports', those they declared a conflict
    on (cases.access's rule, as one subquery for a list of items)."""
    match = Q(
        pk__in=CaseAccessDeclaration.objects.filter(user_id=user.pk, kind=CaseAccessDeclaration.Kind.CONFLICT).values(
            "case_id"
        )
    )
    staff_id = getattr(user, "staff_id", None)
    if staff_id is not None:
        match |= Q(parties__staff_id=staff_id) | Q(parties__staff__line_manager_id=staff_id)
    return Case.objects.filter(match).values("pk")


def papers_items(user, *, perm: str = READ_PAPERS, now: dt.datetime | None = None) -> QuerySet:
    """Agenda items whose papers the user may read now (the rule in the module docstring)."""
    now = now or timezone.now()
    granted = objects_for_user(user, perm, AgendaItem.objects.all())
    return granted.filter(window_open_q(now, "meeting__")).exclude(entries__case__in=cases_closed_to(user))


def identified_items(user, *, now: dt.datetime | None = None) -> QuerySet:
    """Items whose identified view the PSD representative may read now (same rule, the identified grant)."""
    if not has_role(user, Role.PSD_REP):
        return AgendaItem.objects.none()
    return papers_items(user, perm=READ_IDENTIFIED, now=now)


def _with_cases(items: QuerySet) -> QuerySet:
    return items.select_related("outcome").prefetch_related(
        Prefetch("entries", queryset=AgendaCase.objects.select_related("case").order_by("pk"))
    )


def _build_meeting_items(*, meeting_id):
    return AgendaItem.objects.filter(meeting_id=meeting_id).select_related("outcome")


def _build_items_entries(*, ids):
    return AgendaCase.objects.filter(item_id__in=any_of(ids)).select_related("case").order_by("pk")


def _build_items_actions(*, ids):
    return Action.objects.filter(item_id__in=any_of(ids)).order_by("pk")


def _build_meeting_attendees(*, meeting_id):
    return (
        Attendee.objects.filter(meeting_id=meeting_id).select_related("user").order_by("role", "user__last_name", "pk")
    )


# The meeting page's reads, compiled once per process (issue 18): the same rows, the same three queries as
# the prefetching queryset they replace.
_meeting_items = PreparedQuery(_build_meeting_items, meeting_id=int)
_items_entries = PreparedQuery(_build_items_entries, ids=list)
_items_actions = PreparedQuery(_build_items_actions, ids=list)
_meeting_attendees = PreparedQuery(_build_meeting_attendees, meeting_id=int)


def _prefetched(instance, name: str, model, rows: list) -> None:
    """Make instance.<name>.all() give `rows`, as prefetch_related would. The cached queryset is an empty one
    holding the rows: filtering it again gives nothing (it can never widen to other items' rows)."""
    qs = model.objects.none()
    qs._result_cache = rows
    qs._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = qs


def meeting_items(meeting: Meeting) -> list[AgendaItem]:
    """The agenda in time order, each item with its cases, its outcome and its actions: a fixed number of
    queries whatever the number of items."""
    items = _meeting_items(meeting_id=meeting.pk)
    if not items:
        return items
    ids = [item.pk for item in items]
    entries: dict[int, list[AgendaCase]] = {pk: [] for pk in ids}
    actions: dict[int, list[Action]] = {pk: [] for pk in ids}
    for entry in _items_entries(ids=ids):
        entries[entry.item_id].append(entry)
    for action in _items_actions(ids=ids):
        actions[action.item_id].append(action)
    for item in items:
        item.meeting = meeting  # as meeting.items.all() would set it
        for entry in entries[item.pk]:
            entry.item = item
        for action in actions[item.pk]:
            action.item = item
        _prefetched(item, "entries", AgendaCase, entries[item.pk])
        _prefetched(item, "actions", Action, actions[item.pk])
    return items


def meeting_attendees(meeting: Meeting) -> list[Attendee]:
    attendees = _meeting_attendees(meeting_id=meeting.pk)
    for attendee in attendees:
        attendee.meeting = meeting
    return attendees


def meetings_for_user(user, *, now: dt.datetime | None = None) -> QuerySet:
    """The meetings a user's panel list shows: coordinators all; a chair the meetings they chair; anyone else the
    published meetings they attend while the window is open.

    Coming meetings first, soonest first (today's count as coming), then earlier ones, newest first; each row
    says which (`upcoming`). The order is explicit: a GROUP BY query ignores Meta.ordering, and the list is cut."""
    now = now or timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    coming = Q(starts_at__gte=today)
    qs = Meeting.objects.annotate(
        item_count=Count("items", distinct=True),
        upcoming=ExpressionWrapper(coming, output_field=BooleanField()),
    ).order_by(
        F("upcoming").desc(),
        DbCase(When(coming, then=F("starts_at"))).asc(nulls_last=True),
        F("starts_at").desc(),
        "pk",
    )
    if has_role(user, Role.COORDINATOR):
        return qs
    match = Q(pk__in=Attendee.objects.filter(user_id=user.pk).values("meeting_id")) & window_open_q(now)
    if has_role(user, Role.PANEL_CHAIR):
        match |= Q(chair_id=user.pk)
    return qs.filter(match)


def attendee_for(meeting: Meeting, user) -> Attendee | None:
    return Attendee.objects.filter(meeting=meeting, user_id=user.pk).first()


def slot_invitations_for(user, *, now: dt.datetime | None = None) -> QuerySet:
    """The SOO's own slots on meetings whose window is open."""
    now = now or timezone.now()
    return (
        AgendaItem.objects.filter(invitations__user_id=user.pk)
        .filter(window_open_q(now, "meeting__"))
        .select_related("meeting")
        .order_by("starts_at")
    )


# -- The agenda builder --------------------------------------------------------------------------------------


def _earlier_meetings(meeting: Meeting) -> QuerySet:
    return Meeting.objects.filter(starts_at__lt=meeting.starts_at).exclude(pk=meeting.pk)


def agenda_candidates(meeting: Meeting, *, cases: QuerySet, limit: int = 50) -> list[dict]:
    """The cases the builder offers, first what the chair asked to bring back and not yet heard, then cases with
    open actions from earlier meetings, then other open cases with an accepted allocation. Each once; none
    already on this meeting. `cases` is what the coordinator may open (cases_for_user): never a party's own."""
    on_this = AgendaCase.objects.filter(meeting=meeting).values("case_id")
    bring_back = cases.filter(pk__in=_pending_bring_back_cases()).exclude(pk__in=on_this).order_by("received_at")
    open_actions = (
        cases.filter(
            panel_entries__item__actions__done_at__isnull=True,
            panel_entries__meeting__in=_earlier_meetings(meeting),
        )
        .exclude(pk__in=on_this)
        .distinct()
        .order_by("received_at")
    )
    others = (
        cases.filter(Exists(Allocation.objects.filter(case=OuterRef("pk"), status=Allocation.Status.ACCEPTED)))
        .exclude(status=Case.Status.CLOSED)
        .exclude(pk__in=on_this)
        .order_by("received_at")
    )
    out, seen = [], set()
    for reason, qs in (("Asked to bring back", bring_back), ("Open actions", open_actions), ("Open case", others)):
        for case in qs[:limit]:
            if case.pk not in seen and len(out) < limit:
                seen.add(case.pk)
                out.append({"case": case, "reason": reason})
    return out


def counter_allegation_partners(case: Case) -> list[Case]:
    """The other case(s) of a counter-allegation pair: they share the slot (both SOOs come)."""
    links = CaseLink.objects.filter(kind=CaseLink.Kind.COUNTER_ALLEGATION).filter(Q(from_case=case) | Q(to_case=case))
    ids = {pk for pair in links.values_list("from_case_id", "to_case_id") for pk in pair} - {case.pk}
    return list(Case.objects.filter(pk__in=ids).order_by("pk"))


def accepted_soo_users(cases) -> list:
    """The accounts of the SOOs on accepted allocations of `cases` (who is invited to the slot)."""
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            staff__allocations__case__in=list(cases),
            staff__allocations__status=Allocation.Status.ACCEPTED,
        )
        .distinct()
    )


# -- Bring-back and the update form ------------------------------------------------------------------------


def _pending_bring_back_cases() -> QuerySet:
    """Cases a held meeting asked to bring back that no later held meeting has heard."""
    later_heard = AgendaCase.objects.filter(
        case_id=OuterRef("case_id"),
        meeting__status__in=HEARD,
        meeting__starts_at__gt=OuterRef("meeting__starts_at"),
    )
    return (
        AgendaCase.objects.filter(meeting__status__in=HEARD, item__outcome__bring_back=True)
        .filter(~Exists(later_heard))
        .values("case_id")
    )


def bring_back_pending_for_closure(case) -> str | None:
    """For oversight.closure's hook: why the case cannot close yet, or None. Names no one, and says nothing of
    the panel the SOO may not see beyond its date."""
    later_heard = AgendaCase.objects.filter(
        case_id=case.pk, meeting__status__in=HEARD, meeting__starts_at__gt=OuterRef("meeting__starts_at")
    )
    entry = (
        AgendaCase.objects.filter(case_id=case.pk, meeting__status__in=HEARD, item__outcome__bring_back=True)
        .filter(~Exists(later_heard))
        .select_related("meeting")
        .order_by("-meeting__starts_at")
        .first()
    )
    if entry is None:
        return None
    day = timezone.localtime(entry.meeting.starts_at).strftime("%-d %B %Y")
    return f"The panel of {day} asked for this case to be brought back; it has not been heard yet."


def _build_heard_entries(*, case_id):
    return (
        AgendaCase.objects.filter(case_id=case_id, meeting__status__in=HEARD)
        .select_related("meeting", "item__outcome")
        .order_by("meeting__starts_at")
    )


def _build_item_actions(*, ids):
    return Action.objects.filter(item_id__in=any_of(ids)).order_by("pk")


# Read on every update-form page: compiled once per process (issue 18).
_heard_entries = PreparedQuery(_build_heard_entries, case_id=int)
_item_actions = PreparedQuery(_build_item_actions, ids=list)


def panel_decisions_for_case(case) -> list[SummaryRow] | None:
    """For the update form's "panel_decisions" slot: what each held panel recorded on the case. The chair's free
    text is marked free_text, so the anonymised rendering redacts it (and fails closed)."""
    entries = _heard_entries(case_id=case.pk)
    actions: dict[int, list[Action]] = {}
    if entries:  # as the prefetch did: no actions query for a case no panel has heard
        for action in _item_actions(ids=[e.item_id for e in entries]):
            actions.setdefault(action.item_id, []).append(action)
    rows: list[SummaryRow] = []
    for entry in entries:
        outcome = getattr(entry.item, "outcome", None)
        when = timezone.localtime(entry.meeting.starts_at).strftime("%B %Y")
        label = f"Panel of {when}"
        if outcome is None:
            rows.append(SummaryRow(label, "Discussed; no outcome recorded yet."))
            continue
        if outcome.decisions:
            rows.append(SummaryRow(f"{label}: decisions", outcome.decisions, free_text=True))
        if outcome.bring_back:
            rows.append(SummaryRow(f"{label}: bring back", outcome.bring_back_reason or "Yes", free_text=True))
        if outcome.themes:
            labels = dict(Outcome._meta.get_field("themes").base_field.choices)
            rows.append(SummaryRow(f"{label}: learning themes", ", ".join(labels[t] for t in outcome.themes)))
        for action in actions.get(entry.item_id, []):
            state = "done" if action.done_at else (f"due {action.due_on:%-d %B %Y}" if action.due_on else "open")
            rows.append(
                SummaryRow(
                    f"{label}: action ({action.get_owner_role_display()}, {state})", action.description, free_text=True
                )
            )
    return rows or None
