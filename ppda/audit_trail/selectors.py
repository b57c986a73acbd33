"""Reads of the access log for auditors."""

import datetime as dt

from django.apps import apps
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from ppda.audit import CASE_OBJECT_TYPE
from ppda.models import AccessLog, GrantEvent

# The columns the auditor sees: the log row's own fields, never a join into case content.
TRAIL_FIELDS = (
    "id",
    "at",
    "username",
    "action",
    "object_type",
    "object_id",
    "case_reference",
    "what",
    "path",
    "ip_address",
    "allowed",
)


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in the display time zone (Europe/London), as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def access_log_search(
    *,
    reference: str = "",
    username: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    outcome: str = "",
    action: str = "",
) -> QuerySet[AccessLog]:
    """The access-log rows matching the filters, newest first, as one query with no joins.

    "Who accessed case X" matches the reference recorded on the row, and also rows recorded against the
    case object itself (by its public id), so a read logged without a reference is not missed.
    Dates are whole days in Europe/London, both ends included.
    """
    qs = AccessLog.objects.only(*TRAIL_FIELDS).order_by("-at", "-id")
    if reference:
        # The case model is the cases app's: looked up by its label, not imported (ppda/ is the foundation).
        case_ids = (
            apps.get_model(CASE_OBJECT_TYPE)
            .objects.filter(reference__iexact=reference)
            .annotate(public_id_text=Cast("public_id", CharField()))
            .values("public_id_text")
        )
        qs = qs.filter(Q(case_reference__iexact=reference) | Q(object_type=CASE_OBJECT_TYPE, object_id__in=case_ids))
    if username:
        qs = qs.filter(username__iexact=username)
    if date_from:
        qs = qs.filter(at__gte=_start_of(date_from))
    if date_to:
        qs = qs.filter(at__lt=_start_of(date_to + dt.timedelta(days=1)))
    if outcome == "allowed":
        qs = qs.filter(allowed=True)
    elif outcome == "denied":
        qs = qs.filter(allowed=False)
    if action:
        qs = qs.filter(action=action)
    return qs


# -- Roles and case grants ----------------------------------------------------------------------------------

GRANT_FIELDS = (
    "id",
    "at",
    "kind",
    "change",
    "username",
    "group",
    "permission",
    "object_type",
    "object_id",
    "case_reference",
    "by_username",
    "source",
)
# What one grant is: whose (a user, or a group for a grant to a group), which role or which permission on which
# object and case. Its latest event at or before a moment says whether it was held then.
GRANT_KEY = ("kind", "user_id", "group", "permission", "object_type", "object_id", "case_reference")


def _grant_filters(qs: QuerySet[GrantEvent], *, username: str, reference: str, kind: str) -> QuerySet[GrantEvent]:
    if username:
        qs = qs.filter(username__iexact=username)
    if reference:
        qs = qs.filter(case_reference__iexact=reference)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def grant_events_search(
    *,
    username: str = "",
    reference: str = "",
    kind: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    **_,
) -> QuerySet[GrantEvent]:
    """Every grant and removal of a role or case grant matching the filters, newest first: one query, no joins.
    Dates are whole days in Europe/London, both ends included."""
    qs = _grant_filters(
        GrantEvent.objects.only(*GRANT_FIELDS).order_by("-at", "-id"), username=username, reference=reference, kind=kind
    )
    if date_from:
        qs = qs.filter(at__gte=_start_of(date_from))
    if date_to:
        qs = qs.filter(at__lt=_start_of(date_to + dt.timedelta(days=1)))
    return qs


def grants_held_at(
    *, at: dt.datetime, username: str = "", reference: str = "", kind: str = "", **_
) -> QuerySet[GrantEvent]:
    """The roles and case grants held at the moment `at`: for each grant, its latest event at or before `at`, where
    that event is a grant (not a removal). One query (PostgreSQL DISTINCT ON in a subquery), whatever the history's
    length. A grant made before the history began shows from its "baseline" row, written when it began."""
    latest = (
        _grant_filters(GrantEvent.objects.filter(at__lte=at), username=username, reference=reference, kind=kind)
        .order_by(*GRANT_KEY, "-at", "-id")
        .distinct(*GRANT_KEY)
        .values("id")
    )
    return (
        GrantEvent.objects.only(*GRANT_FIELDS)
        .filter(id__in=latest, change=GrantEvent.Change.GRANTED)
        .order_by("username", "group", "kind", "case_reference", "permission", "id")
    )
