"""Who may open what in panels: one guarded fetch per object type, in the shape of cases.access.

Each returns the object or raises 404 for anyone who may not use it for this purpose, whether it exists or
not (docs/security.md: object URLs never answer 403). Refusals are recorded with denial_context and logged by
the denial middleware. The access window is enforced HERE, at read time: a grant the sweep has not deleted
yet opens nothing once the window has closed.

- meeting_get_for_user: the meeting's management page. Coordinators (who build agendas) any meeting; the chair
  the meetings they chair, whatever the window (outcomes and amendments come after it). Nobody else.
- papers_meeting_get_for_user: the attendee's papers page. An attendee of that meeting while its window is
  open. The statement gate comes after this, in the view (papers are refused until it is accepted).
- paper_get_for_user: one agenda item's anonymised papers, by the grant and the window (selectors.papers_items).
- identified_item_get_for_user: the PSD representative's identified view of one item's cases.
- slot_get_for_user: an SOO's own slot, by their invitation and the window.
- attendee_get / item_get / action_get / pack_get_for_user: the objects of one meeting.
"""

from __future__ import annotations

import uuid

from django.http import Http404
from django.utils import timezone

from ppda.access import denial_context
from ppda.prepared import PreparedQuery
from ppda.roles import Role, has_role

from . import selectors
from .models import Action, AgendaItem, Attendee, Meeting, Pack

MEETING_OBJECT_TYPE = "panels.meeting"
ITEM_OBJECT_TYPE = "panels.agendaitem"
PACK_OBJECT_TYPE = "panels.pack"


def _refuse(request, *, what: str, object_type: str, object_id) -> Http404:
    denial_context(request, what=what, object_type=object_type, object_id=object_id)
    return Http404("Not found.")


def _build_meeting(*, public_id):
    # The model's ordering, as .first() would use it (public_id is unique: one row at most).
    return Meeting.objects.select_related("chair", "psd_rep").filter(public_id=public_id)[:1]


# Every meeting and papers page starts here: compiled once per process (issue 18).
_meeting_by_public_id = PreparedQuery(_build_meeting, public_id=uuid.UUID)


def _meeting(public_id) -> Meeting | None:
    try:
        return next(iter(_meeting_by_public_id(public_id=public_id)), None)
    except (ValueError, TypeError):
        return None


def is_chair(user, meeting: Meeting) -> bool:
    return has_role(user, Role.PANEL_CHAIR) and meeting.chair_id == user.pk


def meeting_get_for_user(request, public_id, *, what: str, coordinator: bool = False, chair: bool = False) -> Meeting:
    """The meeting for its management page: coordinators and/or its chair (as asked), else 404."""
    meeting = _meeting(public_id)
    user = request.user
    allowed = meeting is not None and (
        (coordinator and has_role(user, Role.COORDINATOR)) or (chair and is_chair(user, meeting))
    )
    if not allowed:
        raise _refuse(request, what=what, object_type=MEETING_OBJECT_TYPE, object_id=public_id)
    return meeting


def papers_meeting_get_for_user(request, public_id, *, what: str) -> tuple[Meeting, Attendee]:
    """The meeting and the user's attendance, while its window is open; 404 for anyone else or later."""
    meeting = _meeting(public_id)
    attendee = None
    if meeting is not None and selectors.window_is_open(meeting):
        attendee = selectors.attendee_for(meeting, request.user)
    if attendee is None:
        raise _refuse(request, what=what, object_type=MEETING_OBJECT_TYPE, object_id=public_id)
    attendee.meeting = meeting
    return meeting, attendee


def _item(qs, public_id) -> AgendaItem | None:
    try:
        return qs.select_related("meeting").filter(public_id=public_id).first()
    except (ValueError, TypeError):
        return None


def paper_get_for_user(request, public_id, *, what: str) -> tuple[AgendaItem, Attendee]:
    """One item whose anonymised papers the user may read now, with their attendance; 404 otherwise."""
    item = _item(selectors.papers_items(request.user), public_id)
    attendee = selectors.attendee_for(item.meeting, request.user) if item is not None else None
    if attendee is None:
        raise _refuse(request, what=what, object_type=ITEM_OBJECT_TYPE, object_id=public_id)
    return item, attendee


def identified_item_get_for_user(request, public_id, *, what: str) -> tuple[AgendaItem, Attendee]:
    """One item whose identified view the PSD representative may read now; 404 for everyone else."""
    item = _item(selectors.identified_items(request.user), public_id)
    attendee = selectors.attendee_for(item.meeting, request.user) if item is not None else None
    if attendee is None or attendee.role != Attendee.Role.PSD:
        raise _refuse(request, what=what, object_type=ITEM_OBJECT_TYPE, object_id=public_id)
    return item, attendee


def slot_get_for_user(request, public_id, *, what: str) -> AgendaItem:
    """The SOO's own slot (their invitation), while the window is open; 404 for anyone else and any other item."""
    item = None
    if has_role(request.user, Role.SOO):
        item = _item(selectors.slot_invitations_for(request.user, now=timezone.now()), public_id)
    if item is None:
        raise _refuse(request, what=what, object_type=ITEM_OBJECT_TYPE, object_id=public_id)
    return item


def item_get(request, meeting: Meeting, public_id, *, what: str) -> AgendaItem:
    """An item of a meeting the caller already guarded; 404 if it is not on that meeting."""
    item = _item(meeting.items.all(), public_id)
    if item is None:
        raise _refuse(request, what=what, object_type=ITEM_OBJECT_TYPE, object_id=public_id)
    item.meeting = meeting
    return item


def attendee_get(request, meeting: Meeting, pk, *, what: str) -> Attendee:
    try:
        attendee = meeting.attendees.filter(pk=int(pk)).first()
    except (ValueError, TypeError):
        attendee = None
    if attendee is None:
        raise _refuse(request, what=what, object_type=MEETING_OBJECT_TYPE, object_id=meeting.public_id)
    attendee.meeting = meeting
    return attendee


def action_get(request, meeting: Meeting, pk, *, what: str) -> Action:
    try:
        action = Action.objects.select_related("item").filter(pk=int(pk), item__meeting=meeting).first()
    except (ValueError, TypeError):
        action = None
    if action is None:
        raise _refuse(request, what=what, object_type=MEETING_OBJECT_TYPE, object_id=meeting.public_id)
    action.item.meeting = meeting
    return action


def pack_get_for_user(request, public_id, *, what: str) -> tuple[Pack, Attendee]:
    """The user's own copy of a pack, while they still attend, have accepted the statement and the window is
    open; 404 for anyone else (a copy is never served to someone it was not made for)."""
    from .services import statement_accepted

    try:
        pack = Pack.objects.select_related("meeting").filter(public_id=public_id, user_id=request.user.pk).first()
    except (ValueError, TypeError):
        pack = None
    attendee = None
    if pack is not None and selectors.window_is_open(pack.meeting):
        attendee = selectors.attendee_for(pack.meeting, request.user)
    if attendee is None or not statement_accepted(attendee):
        raise _refuse(request, what=what, object_type=PACK_OBJECT_TYPE, object_id=public_id)
    return pack, attendee
