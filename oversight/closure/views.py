"""Closure pages. Thin: the guarded fetch (cases.access, oversight.access), a selector or a service, render.

Invalid input answers 200 with the GOV.UK error summary; a service's refusal is shown the same way.
"""

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cases.access import case_get_for_user
from cases.models import Case
from cases.selectors import cases_for_user
from cases.services import reference_clean
from oversight.access import closure_get_for_user
from ppda.errors import ApplicationError, apply_to_form

from . import selectors, services
from .forms import ClosureForm, ReopenForm


def _summary(form) -> list[tuple[str, str]]:
    """(href, message) for the error summary: each message linked to its field (radios: the first option)."""
    items = []
    for name, errors in form.errors.items():
        if name in form.fields:
            bound = form[name]
            radios = hasattr(bound.field, "choices") and bound.field.widget.input_type == "radio"
            href = f"#{bound.auto_id}_0" if radios else f"#{bound.id_for_label or bound.auto_id}"  # a date: its day box
        else:
            href = "#closure-checklist"
        items.extend((href, str(e)) for e in errors)
    return items


def _render_edit(request, page, form):
    return render(
        request,
        "closure/edit.html",
        {
            "page": page,
            "case": page.case,
            "form": form,
            "error_summary": _summary(form) if form.is_bound else [],
            "grace_days": settings.CLOSURE_ACCESS_GRACE_DAYS,
            "labels": services.REQUIRED_MESSAGES,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def edit(request, public_id):
    """The SOO's closure page: the checklist and closure section as a draft, and "Close case"."""
    allocation = closure_get_for_user(request, public_id, what="closure page")
    case = allocation.case
    page = selectors.closure_page(case, allocation=allocation)
    if request.method != "POST":
        return _render_edit(request, page, ClosureForm(initial=ClosureForm.initial_from(page.closure)))
    form = ClosureForm(request.POST)
    if not form.is_valid():
        return _render_edit(request, page, form)
    try:
        services.closure_draft_save(case=case, user=request.user, data=form.to_input())
    except ApplicationError as exc:
        apply_to_form(form, exc)
        return _render_edit(request, selectors.closure_page(case, allocation=allocation), form)
    if request.POST.get("action") != "close":
        messages.success(request, "Closure draft saved.")
        return redirect("closure:edit", public_id=case.public_id)
    try:
        services.case_close(case=case, user=request.user)
    except ApplicationError as exc:
        apply_to_form(form, exc)
        return _render_edit(request, selectors.closure_page(case, allocation=allocation), form)
    messages.success(
        request,
        f"Case {case.reference} is closed and the coordinators have been told. You can read it for "
        f"{settings.CLOSURE_ACCESS_GRACE_DAYS} days.",
    )
    return redirect("closure:edit", public_id=case.public_id)


@never_cache
@require_http_methods(["GET"])
def review(request, public_id):
    """Coordinators: the closure record read-only, with what still stops the case closing."""
    case = case_get_for_user(request, public_id, what="closure review", coordinator=True)
    return render(request, "closure/review.html", {"page": selectors.closure_page(case), "case": case})


@never_cache
@require_http_methods(["GET", "POST"])
def reopen(request, public_id):
    """Coordinators: reopen work on this closed case with a new report about the same victim."""
    case = case_get_for_user(request, public_id, what="reopen case", coordinator=True)
    visible = cases_for_user(request.user)
    form = ReopenForm(request.POST or None)
    closed = case.status == Case.Status.CLOSED
    if request.method == "POST" and form.is_valid() and closed:
        reference = reference_clean(form.cleaned_data["reference"])
        new_case = visible.filter(reference=reference).first()
        if new_case is None:
            form.add_error("reference", "No case you can open has this reference")
        else:
            try:
                with transaction.atomic():
                    services.case_reopen(earlier_case=case, new_case=new_case, user=request.user)
            except ApplicationError as exc:
                apply_to_form(form, exc)
            else:
                messages.success(
                    request,
                    f"Case {new_case.reference} now reopens case {case.reference}. The SOO who supported this "
                    "victim before is suggested first, if still suitable.",
                )
                return redirect("cases:detail", public_id=new_case.public_id)
    elif request.method == "POST" and not closed:
        form.add_error(None, f"Case {case.reference} is not closed, so there is nothing to reopen.")
    return render(
        request,
        "closure/reopen.html",
        {
            "case": case,
            "form": form,
            "closed": closed,
            "candidates": selectors.reopen_candidates(case, visible) if closed else [],
            "error_summary": _summary(form) if form.is_bound else [],
        },
    )
