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

from .models import READ_IDENTIFIED, READ_PAPERS, AgendaItem, AgendaItemUserObjectPermission, Attendee, Meeting


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


def papers_grant(meeting: Meeting, *, items=None, attendees=None) -> int:
    """Grant the papers of `items` (default: the meeting's) to `attendees` (default: all); returns rows made."""
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
    return len(AgendaItemUserObjectPermission.objects.bulk_create(rows, ignore_conflicts=True))


def papers_revoke(meeting: Meeting, *, user_ids=None) -> int:
    """Delete the grants on the meeting's items (of `user_ids` only, when given); returns rows deleted."""
    qs = AgendaItemUserObjectPermission.objects.filter(content_object__meeting=meeting)
    if user_ids is not None:
        qs = qs.filter(user_id__in=list(user_ids))
    deleted, _ = qs.delete()
    return deleted
