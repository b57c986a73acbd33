"""Panel pages. Thin: the guarded fetch (panels.access), a selector or a service, render.

Invalid input answers 200 with the GOV.UK error summary; a service's refusal is shown the same way. Pages that
attendees see show cases by pseudonym only and the update forms only through the anonymised renderer
(oversight.update_form.render); the one identified page is the PSD representative's view of the agenda.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.access import access_logged
from cases.forms import DeclarationForm
from cases.models import CaseAccessDeclaration
from cases.selectors import case_page_parties, cases_for_user
from cases.services import case_access_declare
from oversight.update_form import render as panel_render
from ppda.access import denial_context, role_required
from ppda.audit import access_record
from ppda.errors import ApplicationError, apply_to_form, apply_to_messages
from ppda.models import AccessLog
from ppda.roles import Role, has_role

from . import access, selectors, services
from .forms import (
    ActionForm,
    AmendmentForm,
    AttendeeForm,
    ItemForm,
    MeetingForm,
    OutcomeForm,
    StatementForm,
    local_datetime,
)
from .models import Attendee, Meeting, Pack
from .psd import psd_updates_for
from .redaction import item_identifiers, redacted

PANEL_ROLES = (Role.COORDINATOR, Role.PANEL_CHAIR, Role.PANEL_MEMBER, Role.PSD_REP, Role.SOO)


def _meeting_url(meeting: Meeting) -> str:
    return reverse("panels:meeting", args=[meeting.public_id])


# -- Lists ------------------------------------------------------------------------------------------------------


@never_cache
@require_GET
def index(request):
    """Each role's panel home: coordinators every meeting (and "schedule"), a chair theirs, attendees the
    meetings whose papers are open to them, an SOO their own slots."""
    user = request.user
    if not any(has_role(user, r) for r in PANEL_ROLES):
        denial_context(request, what="panels")
        raise PermissionDenied
    meetings = list(selectors.meetings_for_user(user).select_related("chair")[:100])
    attending = {
        a.meeting_id: a for a in Attendee.objects.filter(user_id=user.pk, meeting__in=[m.pk for m in meetings])
    }
    rows = [
        {
            "meeting": m,
            "manage": has_role(user, Role.COORDINATOR) or (has_role(user, Role.PANEL_CHAIR) and m.chair_id == user.pk),
            "attendee": attending.get(m.pk),
            "papers_open": m.pk in attending and selectors.window_is_open(m),
        }
        for m in meetings
    ]
    slots = list(selectors.slot_invitations_for(user)) if has_role(user, Role.SOO) else []
    return render(
        request,
        "panels/index.html",
        {"rows": rows, "slots": slots, "is_coordinator": has_role(user, Role.COORDINATOR)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def meeting_create(request):
    role_required(request, Role.COORDINATOR, what="panel meeting create")
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(
                by=request.user,
                starts_at=form.starts_at(),
                chair=form.cleaned_data["chair"],
                psd_rep=form.cleaned_data["psd_rep"],
                place=form.cleaned_data["place"],
                joining_details=form.cleaned_data["joining_details"],
            )
        except ApplicationError as exc:
            apply_to_form(form, exc)
        else:
            messages.success(request, "Meeting scheduled. Add cases and attendees, then publish the agenda.")
            return redirect(_meeting_url(meeting))
    return render(request, "panels/meeting_form.html", {"form": form})


# -- The meeting page (coordinators and the chair) --------------------------------------------------------------


def _meeting_context(request, meeting: Meeting, **extra) -> dict:
    user = request.user
    items = selectors.meeting_items(meeting)
    coordinator = has_role(user, Role.COORDINATOR)
    case_ids = [e.case_id for item in items for e in item.entries.all()]
    # References only for the cases this coordinator may open (never a party's own case); the chair sees none.
    visible = set(cases_for_user(user).filter(pk__in=case_ids).values_list("pk", flat=True)) if coordinator else set()
    context = {
        "meeting": meeting,
        "items": items,
        "visible": visible,
        "attendees": selectors.meeting_attendees(meeting),
        "is_coordinator": coordinator,
        "is_chair": access.is_chair(user, meeting),
        "statement_sha": services.statement_sha256(),
        "editable": meeting.status in services.EDITABLE_AGENDA,
        "window_open": selectors.window_is_open(meeting),
    }
    if coordinator and context["editable"]:
        context["candidates"] = selectors.agenda_candidates(meeting, cases=cases_for_user(user), limit=20)
        context.setdefault("item_form", ItemForm(initial={"minutes": 20}))
        context.setdefault("attendee_form", AttendeeForm())
    context.update(extra)
    return context


@never_cache
@require_GET
def meeting(request, meeting_id):
    meeting = access.meeting_get_for_user(request, meeting_id, what="panel meeting", coordinator=True, chair=True)
    return render(request, "panels/meeting.html", _meeting_context(request, meeting))


def _coordinator_meeting(request, meeting_id, what):
    return access.meeting_get_for_user(request, meeting_id, what=what, coordinator=True)


@never_cache
@require_POST
def item_add(request, meeting_id):
    meeting = _coordinator_meeting(request, meeting_id, "panel agenda item add")
    form = ItemForm(request.POST)
    if form.is_valid():
        case = cases_for_user(request.user).filter(reference=form.cleaned_data["reference"].strip().upper()).first()
        try:
            if case is None:
                raise ApplicationError("No case you may open has that reference.", field="reference")
            time = form.cleaned_data["time"]
            starts_at = None
            if time is not None:
                starts_at = local_datetime(timezone.localtime(meeting.starts_at).date(), time)
            services.item_add(
                meeting=meeting, case=case, by=request.user, starts_at=starts_at, minutes=form.cleaned_data["minutes"]
            )
        except ApplicationError as exc:
            apply_to_form(form, exc, fields={"starts_at": "time"})
        else:
            messages.success(request, "Added to the agenda.")
            return redirect(_meeting_url(meeting))
    return render(request, "panels/meeting.html", _meeting_context(request, meeting, item_form=form))


@never_cache
@require_POST
def item_remove(request, meeting_id, item_id):
    meeting = _coordinator_meeting(request, meeting_id, "panel agenda item remove")
    item = access.item_get(request, meeting, item_id, what="panel agenda item remove")
    try:
        services.item_remove(item=item, by=request.user)
        messages.success(request, "Removed from the agenda: its papers are closed to every attendee.")
    except ApplicationError as exc:
        apply_to_messages(request, exc)
    return redirect(_meeting_url(meeting))


@never_cache
@require_POST
def attendee_add(request, meeting_id):
    meeting = _coordinator_meeting(request, meeting_id, "panel attendee add")
    form = AttendeeForm(request.POST)
    if form.is_valid():
        try:
            services.attendee_add(
                meeting=meeting,
                user=form.cleaned_data["user"],
                organisation=form.cleaned_data["organisation"],
                by=request.user,
            )
        except ApplicationError as exc:
            apply_to_form(form, exc)
        else:
            messages.success(request, "Attendee added.")
            return redirect(_meeting_url(meeting))
    return render(request, "panels/meeting.html", _meeting_context(request, meeting, attendee_form=form))


@never_cache
@require_POST
def attendee_remove(request, meeting_id, attendee_id):
    meeting = _coordinator_meeting(request, meeting_id, "panel attendee remove")
    attendee = access.attendee_get(request, meeting, attendee_id, what="panel attendee remove")
    try:
        services.attendee_remove(attendee=attendee, by=request.user)
        messages.success(request, "Attendee removed: their access to the papers has ended.")
    except ApplicationError as exc:
        apply_to_messages(request, exc)
    return redirect(_meeting_url(meeting))


@never_cache
@require_POST
def publish(request, meeting_id):
    meeting = _coordinator_meeting(request, meeting_id, "panel publish")
    try:
        services.meeting_publish(meeting=meeting, by=request.user)
        messages.success(request, "Agenda published: attendees and SOOs have been told.")
    except ApplicationError as exc:
        apply_to_messages(request, exc)
    return redirect(_meeting_url(meeting))


@never_cache
@require_POST
def hold(request, meeting_id):
    meeting = access.meeting_get_for_user(request, meeting_id, what="panel held", coordinator=True, chair=True)
    try:
        services.meeting_hold(meeting=meeting, by=request.user)
        messages.success(request, "Meeting recorded as held.")
    except ApplicationError as exc:
        apply_to_messages(request, exc)
    return redirect(_meeting_url(meeting))


@never_cache
@require_POST
def approve(request, meeting_id):
    meeting = access.meeting_get_for_user(request, meeting_id, what="panel minutes approve", chair=True)
    try:
        services.minutes_approve(meeting=meeting, by=request.user)
        messages.success(request, "Minutes approved: outcomes are now read-only; correct them with an amendment.")
    except ApplicationError as exc:
        apply_to_messages(request, exc)
    return redirect(_meeting_url(meeting))


# -- Outcomes (the chair) ---------------------------------------------------------------------------------------


def _chair_item(request, meeting_id, item_id, what):
    meeting = access.meeting_get_for_user(request, meeting_id, what=what, chair=True)
    item = access.item_get(request, meeting, item_id, what=what)
    return meeting, item


@never_cache
@require_http_methods(["GET", "POST"])
def outcome(request, meeting_id, item_id):
    meeting, item = _chair_item(request, meeting_id, item_id, "panel outcome")
    cases = [e.case for e in item.entries.select_related("case")]
    current = getattr(item, "outcome", None)
    initial = {}
    if current is not None:
        initial = {
            f: getattr(current, f)
            for f in ("discussion", "decisions", "bring_back", "bring_back_reason", "themes", "learning")
        }
        initial["primary_case"] = str(current.primary_case.public_id) if current.primary_case else ""
    form = OutcomeForm(request.POST or None, cases=cases, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _, warnings = services.outcome_record(
                item=item,
                by=request.user,
                discussion=data["discussion"],
                decisions=data["decisions"],
                bring_back=data["bring_back"],
                bring_back_reason=data["bring_back_reason"],
                themes=data["themes"],
                learning=data["learning"],
                primary_case=form.primary(),
            )
        except ApplicationError as exc:
            apply_to_form(form, exc)
        else:
            for warning in warnings:
                messages.warning(request, warning)
            messages.success(request, "Outcome saved.")
            return redirect(_meeting_url(meeting))
    return render(
        request,
        "panels/outcome.html",
        {
            "meeting": meeting,
            "item": item,
            "cases": cases,
            "form": form,
            "action_form": ActionForm(),
            "locked": meeting.outcomes_locked,
        },
    )


@never_cache
@require_POST
def action_add(request, meeting_id, item_id):
    meeting, item = _chair_item(request, meeting_id, item_id, "panel action add")
    form = ActionForm(request.POST)
    if form.is_valid():
        try:
            services.action_add(item=item, by=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_to_form(form, exc)
        else:
            messages.success(request, "Action added.")
            return redirect(_meeting_url(meeting))
    cases = [e.case for e in item.entries.select_related("case")]
    return render(
        request,
        "panels/outcome.html",
        {
            "meeting": meeting,
            "item": item,
            "cases": cases,
            "form": OutcomeForm(cases=cases),
            "action_form": form,
            "locked": meeting.outcomes_locked,
        },
    )


@never_cache
@require_POST
def action_done(request, meeting_id, action_id):
    meeting = access.meeting_get_for_user(request, meeting_id, what="panel action done", chair=True)
    action = access.action_get(request, meeting, action_id, what="panel action done")
    try:
        services.action_done(action=action, by=request.user)
        messages.success(request, "Action marked done.")
    except ApplicationError as exc:
        apply_to_messages(request, exc)
    return redirect(_meeting_url(meeting))


@never_cache
@require_http_methods(["GET", "POST"])
def amend(request, meeting_id, item_id):
    meeting, item = _chair_item(request, meeting_id, item_id, "panel outcome amendment")
    if not meeting.outcomes_locked:
        return redirect(reverse("panels:outcome", args=[meeting.public_id, item.public_id]))
    form = AmendmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_amend(item=item, by=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_to_form(form, exc)
        else:
            messages.success(request, "Correction recorded as an amendment.")
            return redirect(_meeting_url(meeting))
    return render(
        request,
        "panels/amend.html",
        {
            "meeting": meeting,
            "item": item,
            "form": form,
            "amendments": list(item.amendments.select_related("amended_by")),
        },
    )


# -- Attendees: statement, papers, packs ------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def statement(request, meeting_id):
    meeting, attendee = access.papers_meeting_get_for_user(request, meeting_id, what="panel statement")
    form = StatementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.statement_accept(attendee=attendee)
        return redirect(reverse("panels:papers", args=[meeting.public_id]))
    return render(
        request,
        "panels/statement.html",
        {
            "meeting": meeting,
            "form": form,
            "statement": services.statement_text(),
            "accepted": services.statement_accepted(attendee),
        },
    )


def _statement_first(meeting: Meeting):
    return redirect(reverse("panels:statement", args=[meeting.public_id]))


@never_cache
@require_GET
def papers(request, meeting_id):
    """The attendee's papers: the agenda's items they may read, by time and case pseudonym."""
    meeting, attendee = access.papers_meeting_get_for_user(request, meeting_id, what="panel papers")
    if not services.statement_accepted(attendee):
        return _statement_first(meeting)
    items = list(
        selectors.papers_items(request.user)
        .filter(meeting=meeting)
        .prefetch_related("entries__case")
        .order_by("starts_at", "pk")
    )
    packs = list(Pack.objects.filter(meeting=meeting, user_id=request.user.pk).order_by("-requested_at")[:5])
    return render(
        request,
        "panels/papers.html",
        {
            "meeting": meeting,
            "attendee": attendee,
            "items": items,
            "packs": packs,
            "is_psd": attendee.role == Attendee.Role.PSD,
        },
    )


def _outcome_for_attendees(item) -> list[tuple[str, object]]:
    """The chair's recorded outcome as attendees see it: every free text through the redactor (fail closed)."""
    outcome = getattr(item, "outcome", None)
    if outcome is None:
        return []
    identifiers = item_identifiers(item)
    rows = []
    for name in ("discussion", "decisions", "learning"):
        text = getattr(outcome, name)
        if text:
            rows.append((outcome._meta.get_field(name).verbose_name, redacted(text, identifiers)))
    if outcome.bring_back:
        rows.append(("Bring back", redacted(outcome.bring_back_reason or "Yes", identifiers)))
    return rows


@never_cache
@require_GET
def paper(request, item_id):
    """One item's anonymised papers: each case's update form through the panel renderer, the PSD updates and
    the chair's outcome through the redactor. Each case read is written to the access log."""
    item, attendee = access.paper_get_for_user(request, item_id, what="panel papers")
    if not services.statement_accepted(attendee):
        return _statement_first(item.meeting)
    entries = list(item.entries.select_related("case"))
    identifiers = item_identifiers(item)
    forms = []
    with transaction.atomic():
        for entry in entries:
            form = panel_render.panel_form(entry.case)
            updates = [redacted(u.text, identifiers) for u in psd_updates_for(entry.case)]
            forms.append({"html": panel_render.panel_html(form), "label": form.case_label, "psd_updates": updates})
            access_record(
                request=request, obj=entry.case, case_reference=entry.case.reference, what="panel papers (anonymised)"
            )
    return render(
        request,
        "panels/paper.html",
        {"meeting": item.meeting, "item": item, "forms": forms, "outcome_rows": _outcome_for_attendees(item)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def identified(request, item_id):
    """The PSD representative's identified view of one item's cases (the only identified panel page). The first
    open of each case needs the declaration (DESIGN.md section 2): asked here, through cases' own service; a
    declared conflict ends their access to that case (and so to this item) at once."""
    item, _ = access.identified_item_get_for_user(request, item_id, what="panel identified view")
    entries = list(item.entries.select_related("case"))
    declared = set(
        CaseAccessDeclaration.objects.filter(
            user_id=request.user.pk, case__in=[e.case_id for e in entries]
        ).values_list("case_id", flat=True)
    )
    pending = next((e.case for e in entries if e.case_id not in declared), None)
    if pending is not None:
        form = DeclarationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                case_access_declare(
                    case=pending,
                    user=request.user,
                    kind=form.cleaned_data["kind"],
                    note=form.cleaned_data["note"],
                    request=request,
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect(reverse("panels:identified", args=[item.public_id]))
        return render(
            request,
            "panels/identified_declare.html",
            {
                "meeting": item.meeting,
                "item": item,
                "case": pending,
                "form": form,
                "parties": case_page_parties(pending),
            },
        )
    with transaction.atomic():
        for entry in entries:
            access_logged(request, entry.case, what="panel identified view")
    cases = [e.case for e in entries]
    return render(
        request,
        "panels/identified.html",
        {
            "meeting": item.meeting,
            "item": item,
            "cases": [{"case": c, "parties": case_page_parties(c), "updates": psd_updates_for(c)} for c in cases],
        },
    )


@never_cache
@require_POST
def pack_request(request, meeting_id):
    meeting, attendee = access.papers_meeting_get_for_user(request, meeting_id, what="panel pack request")
    if not services.statement_accepted(attendee):
        return _statement_first(meeting)
    services.pack_request(meeting=meeting, user=request.user)
    messages.success(request, "Your copy of the pack is being prepared. Refresh this page in a minute.")
    return redirect(reverse("panels:papers", args=[meeting.public_id]))


@never_cache
@require_GET
def pack_download(request, pack_id):
    pack, _ = access.pack_get_for_user(request, pack_id, what="panel pack download")
    if pack.status != Pack.Status.READY:
        denial_context(request, what="panel pack download", object_type=access.PACK_OBJECT_TYPE, object_id=pack_id)
        raise Http404("The pack is not ready.")
    access_record(
        request=request,
        action=AccessLog.Action.PDF,
        object_type=access.PACK_OBJECT_TYPE,
        object_id=pack.copy_code,
        what=f"panel pack copy {pack.copy_code} downloaded",
    )
    response = HttpResponse(bytes(pack.pdf), content_type="application/pdf")
    day = timezone.localtime(pack.meeting.starts_at).strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="panel-pack-{day}-{pack.copy_code}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


# -- The SOO's slot ---------------------------------------------------------------------------------------------


@never_cache
@require_GET
def slot(request, item_id):
    """The SOO's own slot: its time and joining instructions, nothing of the other items."""
    item = access.slot_get_for_user(request, item_id, what="panel slot")
    entries = list(item.entries.select_related("case"))
    mine = set(cases_for_user(request.user).filter(pk__in=[e.case_id for e in entries]).values_list("pk", flat=True))
    own = [e.case for e in entries if e.case_id in mine]
    return render(request, "panels/slot.html", {"item": item, "meeting": item.meeting, "own_cases": own})
