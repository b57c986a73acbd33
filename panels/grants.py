"""The papers grants: guardian object permissions on agenda items (direct foreign-key tables), set-based.

Granted at publication to every attendee on every item whose cases they may open (never a party to the
case, a party's line manager, or someone who declared a conflict: cases.access.users_who_may_open); the PSD
representative also gets the identified view. Revoked at once when an attendee or an item is removed, and
by the sweep when the window closes. The read-time check in panels/access.py does not rely on the sweep.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from cases.access import users_who_may_open
from ppda.grant_history import object_grants_create, object_grants_delete

from .models import (
    READ_IDENTIFIED,
    READ_PAPERS,
    AgendaCase,
    AgendaItem,
    AgendaItemUserObjectPermission,
    Attendee,
    Meeting,
)


def _permission(perm: str) -> Permission:
    codename = perm.split(".", 1)[1]
    return Permission.objects.get(content_type=ContentType.objects.get_for_model(AgendaItem), codename=codename)


def _may_open(item: AgendaItem, user_ids: set[int]) -> set[int]:
    """The users of `user_ids` who may open every case on the item."""
    allowed = set(user_ids)
    users = get_user_model().objects.filter(pk__in=user_ids)
    for entry in item.entries.select_related("case"):
        allowed &= set(users_who_may_open(entry.case, users).values_list("pk", flat=True))
    return allowed


def item_case_references(item_ids: set[int]) -> dict[int, list[str]]:
    """The references of the cases on each item: the grant history records an item's grant once per case."""
    out: dict[int, list[str]] = {}
    for item_id, reference in AgendaCase.objects.filter(item_id__in=item_ids).values_list("item_id", "case__reference"):
        out.setdefault(item_id, []).append(reference)
    return out


def papers_grant(meeting: Meeting, *, by, source: str, items=None, attendees=None) -> int:
    """Grant the papers of `items` (default: the meeting's) to `attendees` (default: all); returns rows made.
    Each grant made is recorded with `by` and `source` (ppda.grant_history)."""
    items = list(meeting.items.all() if items is None else items)
    attendees = list(meeting.attendees.all() if attendees is None else attendees)
    if not items or not attendees:
        return 0
    papers, identified = _permission(READ_PAPERS), _permission(READ_IDENTIFIED)
    rows = []
    for item in items:
        allowed = _may_open(item, {a.user_id for a in attendees})
        for attendee in attendees:
            if attendee.user_id not in allowed:
                continue
            rows.append(
                AgendaItemUserObjectPermission(user_id=attendee.user_id, permission=papers, content_object=item)
            )
            if attendee.role == Attendee.Role.PSD:
                rows.append(
                    AgendaItemUserObjectPermission(user_id=attendee.user_id, permission=identified, content_object=item)
                )
    return object_grants_create(rows, by=by, source=source, references=item_case_references)


def papers_revoke(meeting: Meeting, *, by, source: str, user_ids=None, items=None) -> int:
    """Delete the grants on the meeting's items (of `user_ids` only, of `items` only, when given) and record
    each removal; returns rows deleted."""
    qs = AgendaItemUserObjectPermission.objects.filter(content_object__meeting=meeting)
    if user_ids is not None:
        qs = qs.filter(user_id__in=list(user_ids))
    if items is not None:
        qs = qs.filter(content_object__in=list(items))
    return object_grants_delete(qs, by=by, source=source, references=item_case_references)
