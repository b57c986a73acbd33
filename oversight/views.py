"""Allocation pages. Thin: check who is asking, call a selector or a service, render.

Every object is fetched through oversight.access: anything about a particular case or allocation answers
404 to anyone who may not use it (existence never leaks; the middleware logs the refusal); role-only pages
(dashboard, declarations) answer 403.
"""

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cases.models import CaseAccessDeclaration, ConflictDeclaration, Party
from cases.selectors import case_declaration_for
from ppda.access import role_required, safe_next
from ppda.audit import access_record
from ppda.errors import ApplicationError
from ppda.models import AccessLog
from ppda.pdf import render_pdf
from ppda.roles import Role, has_role

from . import guidance
from .access import allocation_get_for_user, coordinator_case_get
from .allocation.rules import SOFT_RULE_LABELS
from .allocation.selectors import (
    allocation_suggestions,
    case_parties,
    live_allocation,
    overridable_rows,
    soo_dashboard_rows,
    suggested_rows,
)
from .allocation.services import (
    ALLOCATABLE_STATUSES,
    NO_CONFLICT_TEXT,
    allocation_accept,
    allocation_create,
    allocation_decline,
    allocation_end,
    conflict_declaration_create,
)
from .forms import AllocateForm, DeclarationForm, EndAllocationForm, RespondForm

# Rows of each selectable list (suitable; overridable) shown before "Show all".
SUGGESTIONS_SHOWN = 20


@never_cache
@require_http_methods(["GET", "POST"])
def allocate(request, public_id):
    """Coordinator: the suggestion list with reasons, why-first, and the allocate form."""
    case = coordinator_case_get(request, public_id, what="allocation page", log=False)
    current = live_allocation(case)
    # The allocated SOO declared a conflict on first opening the case: they have lost access; reallocate.
    soo_conflicted = (
        current is not None
        and CaseAccessDeclaration.objects.filter(
            case=case, user__staff_id=current.soo_id, kind=CaseAccessDeclaration.Kind.CONFLICT
        ).exists()
    )
    parties = case_parties(case)
    ranking = allocation_suggestions(case, parties=parties)
    selectable = [s.candidate.staff_id for s in (*ranking.suggested, *ranking.overridable)]
    form = AllocateForm(request.POST or None, selectable_ids=selectable)
    end_form = EndAllocationForm()
    if request.method == "POST" and form.is_valid():
        try:
            allocation = allocation_create(
                case=case, soo=form.cleaned_data["soo"], by=request.user, overrides=form.overrides()
            )
        except ApplicationError as e:
            form.add_error(None, e.message)
            for code in e.extra.get("missing_reasons", []):
                form.add_error(f"override_{code}", f"Give a reason for overriding: {SOFT_RULE_LABELS[code].lower()}")
        else:
            messages.success(
                request, f"Case {case.reference} allocated to {allocation.soo.full_name}. They have been notified."
            )
            return redirect("oversight:allocate", public_id=case.public_id)
    with transaction.atomic():
        access_record(request=request, obj=case, case_reference=case.reference, what="allocation page")
    try:  # the chief inspector chosen in a refused POST, to check again (compared per row, so an int)
        chosen = int(form["soo"].value())
    except (TypeError, ValueError):
        chosen = None
    # The shortlists; ?all=1 lists every selectable one. Those who cannot be chosen are grouped by rule.
    shown = None if request.GET.get("all") == "1" else SUGGESTIONS_SHOWN
    return render(
        request,
        "oversight/allocate.html",
        {
            "case": case,
            "parties": parties,
            "current": current,
            "ranking": ranking,
            "suggested": suggested_rows(ranking.suggested[:shown], chosen),
            "more_suggested": max(0, len(ranking.suggested) - shown) if shown else 0,
            "overridable": overridable_rows(ranking.overridable[:shown], chosen),
            "more_overridable": max(0, len(ranking.overridable) - shown) if shown else 0,
            "overridable_by_rule": ranking.overridable_by_rule(),
            "excluded_by_rule": ranking.excluded_by_rule(),
            "form": form,
            "chosen": chosen,
            "end_form": end_form,
            "override_fields": [form[f"override_{code}"] for code in SOFT_RULE_LABELS],
            "allocatable": current is None and case.status in ALLOCATABLE_STATUSES,
            "not_ready": current is None and case.status not in ALLOCATABLE_STATUSES,
            "soo_conflicted": soo_conflicted,
        },
    )


@require_POST
def end(request, public_id):
    """Coordinator: end the live allocation so the case can be reallocated."""
    case = coordinator_case_get(request, public_id, what="end allocation")
    current = live_allocation(case)
    form = EndAllocationForm(request.POST)
    if current is None:
        messages.error(request, "This case has no live allocation to end.")
    elif not form.is_valid():
        messages.error(request, "Say why the allocation is ending.")
    else:
        try:
            allocation_end(allocation=current, by=request.user, reason=form.cleaned_data["reason"])
        except ApplicationError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"The allocation has ended. Case {case.reference} is ready to reallocate.")
    return redirect("oversight:allocate", public_id=case.public_id)


@never_cache
def dashboard(request):
    """SOO: my cases, each with its next deadline (first contact until it is met)."""
    role_required(request, Role.SOO, what="SOO dashboard")
    return render(request, "oversight/dashboard.html", {"rows": soo_dashboard_rows(request.user, timezone.now())})


@never_cache
@require_http_methods(["GET", "POST"])
def respond(request, public_id):
    """SOO: accept (declaring no conflict) or decline an allocation."""
    # The answer is the SOO's first-open declaration: accepting declares no conflict, declining names any.
    allocation = allocation_get_for_user(
        request, public_id, what="allocation response page", pending_declares=True, log=False
    )
    case = allocation.case
    parties = case.parties.select_related("staff").order_by("role", "id")
    form = RespondForm(request.POST or None, parties=parties)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == RespondForm.ACCEPT:
                allocation_accept(allocation=allocation, by=request.user, declaration=NO_CONFLICT_TEXT, request=request)
                messages.success(
                    request, f"You have accepted case {case.reference}. First contact is due within 72 hours."
                )
                # Sent here from a page of the case (a notification's link, say): back to it, now open to them.
                return redirect(safe_next(request, reverse("oversight:dashboard")))
            else:
                allocation_decline(
                    allocation=allocation,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    conflict_with=list(form.cleaned_data["conflict_with"]),
                )
                messages.success(request, f"You have declined case {case.reference}. The coordinators have been told.")
        except ApplicationError as e:
            form.add_error(None, e.message)
        else:
            return redirect("oversight:dashboard")
    declared = case_declaration_for(case=case, user=request.user) is not None
    with transaction.atomic():
        access_record(request=request, obj=case, case_reference=case.reference, what="allocation response page")
    return render(
        request,
        "oversight/respond.html",
        {
            "allocation": allocation,
            "case": case,
            "parties": list(parties),
            "form": form,
            "declaration": NO_CONFLICT_TEXT,
            # The pack holds more than the parties' names: it waits for the declaration (the acceptance).
            "declared": declared,
            # Until then the case page sends them here: no breadcrumb to the case (includes/breadcrumbs.html).
            "case_page": not declared,
            "next": safe_next(request, ""),
        },
    )


@never_cache
def pack(request, public_id):
    """The allocation pack PDF: for the allocated SOO (or a coordinator), generated on demand and logged."""
    allocation = allocation_get_for_user(
        request, public_id, what="allocation pack", coordinators=True, live=True, log=False
    )
    case = allocation.case
    parties = list(
        Party.objects.filter(case=case)
        .select_related("staff", "staff__department", "home_district", "safe_contact")
        .order_by("role", "id")
    )
    pdf = render_pdf(
        "oversight/pack.html",
        {
            "allocation": allocation,
            "case": case,
            "parties": parties,
            "guidance": guidance,
            "user": request.user,
            "force_name": settings.PPDA_FORCE_NAME,
        },
    )
    with transaction.atomic():
        access_record(
            request=request,
            action=AccessLog.Action.PDF,
            obj=case,
            case_reference=case.reference,
            what="allocation pack",
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    # The file name carries the pseudonym, never the reference or a name.
    response["Content-Disposition"] = f'attachment; filename="allocation-pack-{case.pseudonym}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def declarations(request):
    """Standing conflict declarations: an SOO for themselves, a coordinator for anyone."""
    is_coordinator = has_role(request.user, Role.COORDINATOR)
    if not is_coordinator:
        role_required(request, Role.SOO, what="conflict declarations")
    form = DeclarationForm(request.POST or None, coordinator=is_coordinator)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        declarer = data.get("declarer") or request.user.staff
        if declarer is None:
            form.add_error("declarer" if is_coordinator else None, "Enter the employee number of the person declaring")
        else:
            try:
                conflict_declaration_create(
                    declarer=declarer,
                    by=request.user,
                    reason=data["reason"],
                    against_staff=data.get("against_staff") if data["kind"] == DeclarationForm.STAFF else None,
                    first_name=data.get("first_name", ""),
                    last_name=data.get("last_name", ""),
                    date_of_birth=data.get("date_of_birth"),
                )
            except ApplicationError as e:
                form.add_error(None, e.message)
            else:
                messages.success(request, "The conflict declaration has been recorded.")
                return redirect("oversight:declarations")
    mine = ConflictDeclaration.objects.none()
    if request.user.staff_id:
        mine = ConflictDeclaration.objects.filter(declarer_id=request.user.staff_id)
    recorded = ConflictDeclaration.objects.filter(recorded_by=request.user) if is_coordinator else mine.none()
    own = list(mine.select_related("against_staff").order_by("-declared_at")[:100])
    for d in own:
        # Only what the user said themself, in their own words: never the parties of a case declared on first
        # opening it (they may not open it now, and the other party is not someone they said they know), nor a
        # person a coordinator recorded for them (issue 17).
        d.shown = d.recorded_by_id == request.user.pk and d.source != ConflictDeclaration.Source.FIRST_OPEN
    others = list(
        recorded.exclude(declarer_id=request.user.staff_id)
        .select_related("declarer", "against_staff")
        .order_by("-declared_at")[:100]
    )
    return render(
        request,
        "oversight/declarations.html",
        {"form": form, "own": own, "others": others, "is_coordinator": is_coordinator},
    )
