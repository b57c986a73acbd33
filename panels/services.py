"""Writes for panels. Each is keyword-only, one transaction, checks the state it starts from, and raises
ApplicationError with a message safe to show to the person who asked.

Need-to-know (DESIGN.md sections 1 and 2): publishing grants each attendee the anonymised papers of exactly the
cases on the agenda, and the PSD representative their identified view, until PANEL_ACCESS_WINDOW_DAYS after
the meeting; removing an attendee or an item revokes at once. Notices carry no case identifier (the meeting's
date and a link only), and go only to those who may open the case (cases.access.users_who_may_open).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases.access import users_who_may_open
from cases.models import Case
from ppda.errors import ApplicationError
from ppda.notifications import notification_send
from ppda.roles import Role, has_role

from . import grants, selectors
from .models import (
    Action,
    AgendaCase,
    AgendaItem,
    Amendment,
    Attendee,
    Meeting,
    MeetingAccessExpiry,
    Outcome,
    Pack,
    SlotInvitation,
    Theme,
)
from .redaction import item_identifiers, redacted

EDITABLE_AGENDA = (Meeting.Status.DRAFT, Meeting.Status.PUBLISHED)


def statement_text() -> str:
    return settings.PANEL_CONFIDENTIALITY_STATEMENT


def statement_sha256() -> str:
    return hashlib.sha256(statement_text().encode()).hexdigest()


def access_closes_at(starts_at: dt.datetime) -> dt.datetime:
    return starts_at + dt.timedelta(days=settings.PANEL_ACCESS_WINDOW_DAYS)


def _day(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%-d %B %Y")


def _lock(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _saved(obj, by, **kwargs):
    obj._history_user = by
    obj.save(**kwargs)
    return obj


# -- Meetings and attendees ------------------------------------------------------------------------------------


def meeting_create(
    *,
    by,
    starts_at: dt.datetime,
    chair,
    place: str = "",
    joining_details: str = "",
    psd_rep=None,
    title: str = "Scrutiny panel",
    chair_organisation: str = "",
    psd_organisation: str = "Professional Standards Department",
) -> Meeting:
    """A coordinator schedules a meeting (draft). The chair (a panel chair) and the PSD representative are its
    first attendees."""
    if not has_role(by, Role.COORDINATOR):
        raise ApplicationError("Only a case coordinator schedules panel meetings.")
    if not has_role(chair, Role.PANEL_CHAIR):
        raise ApplicationError("The chair must hold the panel chair role.", field="chair")
    if psd_rep is not None and not has_role(psd_rep, Role.PSD_REP):
        raise ApplicationError("The PSD representative must hold that role.", field="psd_rep")
    if psd_rep is not None and psd_rep.pk == chair.pk:
        raise ApplicationError("The chair cannot also be the PSD representative.", field="psd_rep")
    if not (place.strip() or joining_details.strip()):
        raise ApplicationError("Give a place or online joining details.", field="place")
    with transaction.atomic():
        meeting = _saved(
            Meeting(
                title=title,
                starts_at=starts_at,
                place=place.strip(),
                joining_details=joining_details.strip(),
                chair=chair,
                psd_rep=psd_rep,
                created_by=by,
            ),
            by,
        )
        _saved(
            Attendee(
                meeting=meeting,
                user=chair,
                role=Attendee.Role.CHAIR,
                organisation=chair_organisation or chair.organisation or "Panel chair",
                added_by=by,
            ),
            by,
        )
        if psd_rep is not None:
            _saved(
                Attendee(
                    meeting=meeting, user=psd_rep, role=Attendee.Role.PSD, organisation=psd_organisation, added_by=by
                ),
                by,
            )
    return meeting


def attendee_add(*, meeting: Meeting, user, organisation: str, by) -> Attendee:
    """Add a member (police or partner agency). After publication they get the papers at once."""
    if not has_role(user, Role.PANEL_MEMBER) and not has_role(user, Role.PANEL_CHAIR):
        raise ApplicationError("Only someone with a panel role can attend.", field="user")
    if not organisation.strip():
        raise ApplicationError("Enter the attendee's organisation.", field="organisation")
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.status not in EDITABLE_AGENDA:
            raise ApplicationError("Attendees can be changed only before the meeting is held.")
        if Attendee.objects.filter(meeting=meeting, user=user).exists():
            raise ApplicationError("They already attend this meeting.", field="user")
        attendee = _saved(
            Attendee(
                meeting=meeting, user=user, role=Attendee.Role.MEMBER, organisation=organisation.strip(), added_by=by
            ),
            by,
        )
        if meeting.status == Meeting.Status.PUBLISHED:
            grants.papers_grant(meeting, attendees=[attendee], by=by, source="attendee_add")
            _notify_attendees(meeting, [attendee])
    return attendee


def attendee_remove(*, attendee: Attendee, by) -> None:
    """Remove an attendee: their access to every paper of the meeting ends at once (the grants are deleted in
    the same transaction). The chair stays."""
    with transaction.atomic():
        meeting = _lock(attendee.meeting)
        attendee = Attendee.objects.select_for_update().filter(pk=attendee.pk, meeting=meeting).first()
        if attendee is None:
            raise ApplicationError("They no longer attend this meeting.")
        if attendee.role == Attendee.Role.CHAIR:
            raise ApplicationError("The chair cannot be removed from their meeting.")
        if meeting.status == Meeting.Status.MINUTES_APPROVED:
            raise ApplicationError("The minutes are approved: the attendance record is final.")
        grants.papers_revoke(meeting, user_ids=[attendee.user_id], by=by, source="attendee_remove")
        if attendee.role == Attendee.Role.PSD:
            meeting.psd_rep = None
            _saved(meeting, by)
        attendee._history_user = by
        attendee.delete()


def statement_accept(*, attendee: Attendee) -> Attendee:
    """The attendee accepts the confidentiality statement (the text in force now, by its hash)."""
    with transaction.atomic():
        attendee = Attendee.objects.select_for_update().get(pk=attendee.pk)
        sha = statement_sha256()
        if attendee.statement_accepted_at and attendee.statement_sha256 == sha:
            return attendee
        attendee.statement_accepted_at = timezone.now()
        attendee.statement_sha256 = sha
        return _saved(attendee, attendee.user)


def statement_accepted(attendee: Attendee | None) -> bool:
    return (
        attendee is not None
        and attendee.statement_accepted_at is not None
        and (attendee.statement_sha256 == statement_sha256())
    )


# -- The agenda -------------------------------------------------------------------------------------------------


def item_add(
    *, meeting: Meeting, case: Case, by, starts_at: dt.datetime | None = None, minutes: int = 20
) -> AgendaItem:
    """Put a case on the agenda (a coordinator). A counter-allegation pair shares the slot: the linked case comes
    too. After publication the attendees get the papers and the SOOs their invitation at once."""
    if not has_role(by, Role.COORDINATOR):
        raise ApplicationError("Only a case coordinator builds the agenda.")
    if not 5 <= minutes <= 180:
        raise ApplicationError("A slot lasts from 5 to 180 minutes.", field="minutes")
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.status not in EDITABLE_AGENDA:
            raise ApplicationError("The agenda can be changed only before the meeting is held.")
        cases = [case, *selectors.counter_allegation_partners(case)]
        if AgendaCase.objects.filter(meeting=meeting, case__in=cases).exists():
            raise ApplicationError("That case is already on this agenda.", field="reference")
        if starts_at is None:
            starts_at = next_slot_at(meeting)
        if starts_at < meeting.starts_at:
            raise ApplicationError("A slot cannot start before the meeting.", field="starts_at")
        item = _saved(AgendaItem(meeting=meeting, starts_at=starts_at, minutes=minutes, added_by=by), by)
        for c in cases:
            _saved(AgendaCase(item=item, meeting=meeting, case=c), by)
        if meeting.status == Meeting.Status.PUBLISHED:
            grants.papers_grant(meeting, items=[item], by=by, source="item_add")
            _invite_soos(meeting, [item], by)
    return item


def next_slot_at(meeting: Meeting) -> dt.datetime:
    last = meeting.items.order_by("-starts_at").first()
    return meeting.starts_at if last is None else last.starts_at + dt.timedelta(minutes=last.minutes)


def item_remove(*, item: AgendaItem, by) -> None:
    """Take an item off the agenda: its grants and invitations go with it, at once."""
    with transaction.atomic():
        meeting = _lock(item.meeting)
        if meeting.status not in EDITABLE_AGENDA:
            raise ApplicationError("The agenda can be changed only before the meeting is held.")
        item = AgendaItem.objects.filter(pk=item.pk, meeting=meeting).first()
        if item is None:
            raise ApplicationError("That item is no longer on the agenda.")
        # The grants first, so their removal is recorded with who did it (ppda.grant_history).
        grants.papers_revoke(meeting, items=[item], by=by, source="item_remove")
        item._history_user = by
        item.delete()  # cascades to the cases and the invitations


def meeting_publish(*, meeting: Meeting, by) -> Meeting:
    """Publish the agenda: the access window opens now and closes PANEL_ACCESS_WINDOW_DAYS after the meeting;
    each attendee gets the papers of exactly the agenda's cases, the SOOs their own slot, and everyone a notice."""
    if not has_role(by, Role.COORDINATOR):
        raise ApplicationError("Only a case coordinator publishes the agenda.")
    with transaction.atomic():
        meeting = _lock(meeting)
        if not meeting.can_move_to(Meeting.Status.PUBLISHED):
            raise ApplicationError("This agenda is already published.")
        items = list(meeting.items.prefetch_related("entries__case"))
        if not items:
            raise ApplicationError("Add at least one case to the agenda before publishing it.")
        now = timezone.now()
        closes = access_closes_at(meeting.starts_at)
        if closes <= now:
            raise ApplicationError("The access window of this meeting would already be closed.")
        meeting.status = Meeting.Status.PUBLISHED
        meeting.published_at = now
        meeting.access_closes_at = closes
        _saved(meeting, by)
        MeetingAccessExpiry.objects.update_or_create(meeting=meeting, defaults={"due_at": closes, "revoked_at": None})
        grants.papers_grant(meeting, items=items, by=by, source="meeting_publish")
        _invite_soos(meeting, items, by)
        _notify_attendees(meeting, list(meeting.attendees.select_related("user")))
    return meeting


def _notify_attendees(meeting: Meeting, attendees: list[Attendee]) -> None:
    notification_send(
        recipients=[a.user for a in attendees],
        kind="panel_published",
        message=f"The papers for the scrutiny panel of {_day(meeting.starts_at)} are ready.",
        link=reverse("panels:papers", args=[meeting.public_id]),
        event_key=f"panel-published:{meeting.pk}",
    )


def _invite_soos(meeting: Meeting, items: list[AgendaItem], by) -> None:
    """Invite each SOO on an accepted allocation of an item's cases to that slot only (notice: time, link)."""
    for item in items:
        cases = [e.case for e in item.entries.all()]
        soos = selectors.accepted_soo_users(cases)
        allowed = {u.pk for u in soos}
        for case in cases:
            allowed &= set(users_who_may_open(case, _users(soos)).values_list("pk", flat=True))
        for user in (u for u in soos if u.pk in allowed):
            invitation, created = SlotInvitation.objects.get_or_create(item=item, user=user)
            if not created:
                continue
            at = timezone.localtime(item.starts_at)
            notification_send(
                recipients=[user],
                kind="panel_slot",
                message=f"You are invited to the scrutiny panel of {_day(item.starts_at)} at {at:%H:%M} for your case.",
                link=reverse("panels:slot", args=[item.public_id]),
                event_key=f"panel-slot:{item.pk}:{user.pk}",
            )


def _users(users):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk__in=[u.pk for u in users])


def meeting_hold(*, meeting: Meeting, by) -> Meeting:
    """Record that the meeting took place (the chair or a coordinator)."""
    with transaction.atomic():
        meeting = _lock(meeting)
        if not meeting.can_move_to(Meeting.Status.HELD):
            raise ApplicationError("Only a published meeting can be marked as held.")
        meeting.status = Meeting.Status.HELD
        meeting.held_at = timezone.now()
        return _saved(meeting, by)


def minutes_approve(*, meeting: Meeting, by) -> Meeting:
    """The chair approves the minutes: the outcomes become read-only (corrections are amendments)."""
    with transaction.atomic():
        meeting = _lock(meeting)
        if by.pk != meeting.chair_id:
            raise ApplicationError("Only the meeting's chair approves its minutes.")
        if not meeting.can_move_to(Meeting.Status.MINUTES_APPROVED):
            raise ApplicationError("Only a held meeting's minutes can be approved.")
        meeting.status = Meeting.Status.MINUTES_APPROVED
        meeting.minutes_approved_at = timezone.now()
        meeting.minutes_approved_by = by
        return _saved(meeting, by)


# -- Outcomes ---------------------------------------------------------------------------------------------------


def _chair_check(item: AgendaItem, by) -> Meeting:
    meeting = _lock(item.meeting)
    if by.pk != meeting.chair_id:
        raise ApplicationError("Only the meeting's chair records outcomes.")
    return meeting


def _warnings(item: AgendaItem, texts: dict[str, str]) -> list[str]:
    """The fields whose text the redactor changed (names replaced) or would withhold: the chair is warned."""
    identifiers = item_identifiers(item)
    out = []
    for label, text in texts.items():
        result = redacted(text, identifiers)
        if result.withheld:
            out.append(
                f"{label}: it names someone in a way that cannot be safely redacted, so attendees will not see it."
            )
        elif result.changed:
            out.append(f"{label}: identifying details were replaced before attendees see it.")
    return out


def outcome_record(
    *,
    item: AgendaItem,
    by,
    discussion: str = "",
    decisions: str = "",
    bring_back: bool = False,
    bring_back_reason: str = "",
    themes: list[str] | None = None,
    learning: str = "",
    primary_case: Case | None = None,
) -> tuple[Outcome, list[str]]:
    """The chair records an item's outcome, while the meeting is published or held (not once the minutes are
    approved: then it is an amendment). Returns the outcome and the redaction warnings for the chair."""
    themes = list(dict.fromkeys(themes or []))
    if any(t not in Theme.values for t in themes):
        raise ApplicationError("Choose learning themes from the list.", field="themes")
    if bring_back and not bring_back_reason.strip():
        raise ApplicationError("Say why the case should be brought back.", field="bring_back_reason")
    with transaction.atomic():
        meeting = _chair_check(item, by)
        if meeting.status not in (Meeting.Status.PUBLISHED, Meeting.Status.HELD):
            raise ApplicationError(
                "The minutes are approved: correct an outcome with an amendment."
                if meeting.outcomes_locked
                else "Outcomes are recorded once the agenda is published."
            )
        case_ids = set(item.entries.values_list("case_id", flat=True))
        if primary_case is not None and (len(case_ids) < 2 or primary_case.pk not in case_ids):
            raise ApplicationError(
                "The primary victim is chosen only between the cases of a shared slot.", field="primary_case"
            )
        outcome = Outcome.objects.select_for_update().filter(item=item).first() or Outcome(item=item)
        outcome.discussion = discussion.strip()
        outcome.decisions = decisions.strip()
        outcome.bring_back = bring_back
        outcome.bring_back_reason = bring_back_reason.strip() if bring_back else ""
        outcome.themes = themes
        outcome.learning = learning.strip()
        outcome.primary_case = primary_case
        outcome.updated_by = by
        _saved(outcome, by)
    texts = {Outcome._meta.get_field(f).verbose_name: getattr(outcome, f) for f in Outcome.FREE_TEXT}
    return outcome, _warnings(item, texts)


def action_add(*, item: AgendaItem, by, description: str, owner_role: str, due_on: dt.date | None = None) -> Action:
    if not description.strip():
        raise ApplicationError("Describe the action.", field="description")
    if owner_role not in Action.Owner.values:
        raise ApplicationError("Choose who owns the action.", field="owner_role")
    with transaction.atomic():
        meeting = _chair_check(item, by)
        if meeting.status not in (Meeting.Status.PUBLISHED, Meeting.Status.HELD):
            raise ApplicationError("Actions are added while the meeting is published or held.")
        return _saved(
            Action(item=item, description=description.strip(), owner_role=owner_role, due_on=due_on, created_by=by), by
        )


def action_done(*, action: Action, by) -> Action:
    """Mark an action done (the chair; allowed after the minutes are approved: it is progress, not a correction)."""
    with transaction.atomic():
        _chair_check(action.item, by)
        action = Action.objects.select_for_update().get(pk=action.pk)
        if action.done_at is not None:
            raise ApplicationError("That action is already done.")
        action.done_at = timezone.now()
        return _saved(action, by)


AMENDABLE = {"discussion", "decisions", "bring_back_reason", "learning"}


def outcome_amend(*, item: AgendaItem, by, field: str, value: str, reason: str) -> Amendment:
    """After the minutes are approved, a correction: the outcome changes and the amendment records who, why,
    before and after."""
    if field not in AMENDABLE:
        raise ApplicationError("Choose what to correct.", field="field")
    if not reason.strip():
        raise ApplicationError("Say why the correction is needed.", field="reason")
    with transaction.atomic():
        meeting = _chair_check(item, by)
        if not meeting.outcomes_locked:
            raise ApplicationError("The minutes are not approved yet: edit the outcome itself.")
        outcome = Outcome.objects.select_for_update().filter(item=item).first()
        if outcome is None:
            raise ApplicationError("There is no outcome to correct.")
        before = getattr(outcome, field)
        if before == value.strip():
            raise ApplicationError("That is what the outcome already says.", field="value")
        setattr(outcome, field, value.strip())
        outcome.updated_by = by
        _saved(outcome, by)
        return _saved(
            Amendment(item=item, field=field, before=before, after=value.strip(), reason=reason.strip(), amended_by=by),
            by,
        )


# -- Packs ------------------------------------------------------------------------------------------------------

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read back from a photo of a page


def _copy_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


def pack_request(*, meeting: Meeting, user) -> Pack:
    """A new copy of the pack for this attendee, built by a task after commit (ids only in the task)."""
    from .tasks import pack_build_task

    with transaction.atomic():
        pack = Pack.objects.create(meeting=meeting, user=user, copy_code=_copy_code(), requested_at=timezone.now())
        transaction.on_commit(lambda: pack_build_task.delay(pack.pk))
    return pack
