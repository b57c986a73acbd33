"""Retention review pages for the coordinators. Thin: the guard (cases.access), a selector or a service, render.

The queue is a role page (403 for other roles); a case's decision page names the case, so anyone who may not
act on it gets 404 (docs/security.md). Neither shows a party's identity: references and dates only.
"""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cases.access import case_get_for_user, coordinator_page
from ppda.errors import ApplicationError, apply_to_form

from . import selectors, services
from .forms import RetentionDecisionForm
from .models import RetentionDecision

QUEUE_PAGE_SIZE = 25


@never_cache
@coordinator_page(what="retention review queue")
@require_GET
def queue(request):
    """Closed cases due for their retention review that this coordinator may open, longest overdue first."""
    cases = selectors.retention_due_cases(request.user)
    paginator = Paginator(selectors.retention_queue(cases), QUEUE_PAGE_SIZE)
    paginator.count = cases.count()  # counted without the annotation's join
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "retention/queue.html",
        {
            "page": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
            "review_years": settings.PPDA_RETENTION_REVIEW_AFTER,
        },
    )


def _summary(form) -> list[tuple[str, str]]:
    items = []
    for name, errors in form.errors.items():
        if name in form.fields and name != "review_on":
            bound = form[name]
            href = f"#{bound.auto_id}_0" if name == "decision" else f"#{bound.auto_id}"
        else:
            href = "#decision"
        items.extend((href, str(e)) for e in errors)
    return items


@never_cache
@require_http_methods(["GET", "POST"])
def decide(request, public_id):
    """One case's retention review: its decisions so far, and retain (reason, next date) or delete (confirmed)."""
    case = case_get_for_user(request, public_id, what="retention review", coordinator=True, declaration=False)
    page = selectors.retention_page(case)
    initial = {"review_on": case.retention_review_on.isoformat() if case.retention_review_on else ""}
    form = RetentionDecisionForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not page.due and not page.decisions:
            form.is_valid()
            form.add_error(None, _not_due_message(page))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == RetentionDecision.Kind.RETAIN:
                    decision = services.retention_retain(
                        case=case,
                        user=request.user,
                        review_on=data["review_on"],
                        reason=data["reason"],
                        next_review_on=data["next_review_on"],
                    )
                    messages.success(
                        request,
                        f"Case {case.reference} is retained. Its next review is on "
                        f"{decision.next_review_on:%-d %B %Y}.",
                    )
                else:
                    services.retention_delete(
                        case=case,
                        user=request.user,
                        review_on=data["review_on"],
                        reason=data["reason"],
                        confirmed=data["confirm"],
                    )
                    messages.success(
                        request,
                        f"The identities in case {case.reference} are deleted. The case still counts in the "
                        "statistics.",
                    )
            except ApplicationError as exc:
                apply_to_form(form, exc)
            else:
                return redirect("retention:decide", public_id=case.public_id)
    return render(
        request,
        "retention/decide.html",
        {
            "case": case,
            "page": page,
            "form": form,
            "error_summary": _summary(form) if form.is_bound else [],
        },
    )


def _not_due_message(page) -> str:
    case = page.case
    if page.erased:
        return f"The identities in case {case.reference} have already been deleted."
    if page.state == "open":
        return f"Case {case.reference} is not closed, so it has no retention review."
    return f"Case {case.reference} is not due for review until {case.retention_review_on:%-d %B %Y}."
