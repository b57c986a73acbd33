"""Thin views: parse input, call a selector or a service, render. Every case view is guarded by cases.access."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.forms import RadioSelect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from ppda.access import safe_next
from ppda.audit import access_record
from ppda.caches import per_process
from ppda.errors import ApplicationError
from ppda.models import AccessLog
from ppda.roles import Role, has_role

from . import selectors, services
from .access import case_page, coordinator_page
from .extensions import inbox_filters
from .forms import (
    MAX_PARTIES,
    CaseIntakeForm,
    CaseLinkForm,
    DeclarationForm,
    InboxFilterForm,
    ShiftForm,
    TriageForm,
    intake_input,
    party_forms,
)
from .models import Case, CaseAccessDeclaration, CaseLink

INBOX_PAGE_SIZE = 25


def _error_summary(*forms_) -> list[tuple[str, str]]:
    """(href, message) pairs for the GOV.UK error summary, in page order."""
    items = []
    for form in forms_:
        if not form.is_bound or not form.errors:
            continue
        for name, errors in form.errors.items():
            if name == "__all__":
                first = next(iter(form.fields))
                href = f"#{form[first].id_for_label}"
            else:
                bound = form[name]
                radios = isinstance(bound.field.widget, RadioSelect)
                href = f"#{bound.auto_id}_0" if radios else f"#{bound.id_for_label or bound.auto_id}"
            items.extend((href, str(e)) for e in errors)
    return items


# -- Inbox --------------------------------------------------------------------------------------------------


@coordinator_page(what="inbox")
def inbox(request):
    form = InboxFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    chosen = {
        "user": request.user,
        "status": filters.get("status", ""),
        "risk": filters.get("risk", ""),
        "route": filters.get("route", ""),
        "q": filters.get("q", ""),
        "extra": {f.name: filters.get(f.name, "") for f in inbox_filters()},
    }
    prepared = selectors.inbox_prepared(**chosen)
    if prepared is not None:
        paginator = Paginator(prepared, INBOX_PAGE_SIZE)
    else:
        cases = selectors.inbox_filtered(**chosen)
        paginator = Paginator(selectors.inbox_cases(cases), INBOX_PAGE_SIZE)
        paginator.count = cases.count()  # counted without the rows' joins: an index-only scan
    page = paginator.get_page(request.GET.get("page"))
    now = timezone.now()
    names = ("status", "risk", "route", *(f.name for f in inbox_filters()))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/inbox.html",
        {
            "form": form,
            "selects": [(form[name], _options(form[name])) for name in names],
            "page": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
            "rows": selectors.inbox_rows(page.object_list, user=request.user, now=now),
            "next": request.get_full_path(),
            "on_duty": selectors.coordinators_on_duty(now=now),
            "querystring": query.urlencode(),
            "filtered": any(
                filters.get(k) for k in ("status", "risk", "route", "q", *(f.name for f in inbox_filters()))
            ),
        },
    )


def _options(field) -> str:
    """The <option>s of an inbox filter <select>: each option's markup is made once per process (the choices
    are fixed and hold no user data); only which one is selected is this request's."""
    current = str(field.value() or "")
    return mark_safe(  # noqa: S308 - format_html escaped every value and label
        "".join(chosen if value == current else plain for value, plain, chosen in _option_markup(field.name))
    )


@per_process
def _option_markup(name: str) -> tuple[tuple[str, str, str], ...]:
    """(value, <option> markup, the same selected) for each choice of the inbox filter `name`: the form's own
    choices, or those an app registered at start-up (cases.extensions); flushed with ppda.caches."""
    field = InboxFilterForm.base_fields.get(name)
    choices = field.choices if field is not None else next(f.choices for f in inbox_filters() if f.name == name)
    option = '<option value="{}"{}>{}</option>'
    return tuple(
        (str(value), format_html(option, value, "", label), format_html(option, value, " selected", label))
        for value, label in choices
    )


@require_POST
@case_page("assign to me", coordinator=True, declaration=False)
def assign_to_me(request, case):
    try:
        services.case_assign_to_me(case=case, user=request.user)
    except ApplicationError as e:
        messages.error(request, f"{case.reference}: {e.message}")
    else:
        messages.success(request, f"You are triaging {case.reference}")
    return redirect(safe_next(request, reverse("cases:inbox")))


# -- Intake -------------------------------------------------------------------------------------------------


@coordinator_page(what="case intake")
@require_http_methods(["GET", "POST"])
def intake(request):
    show_errors = True
    if request.method == "POST":
        try:
            count = int(request.POST.get("party_count", "2"))
        except ValueError:
            count = 2
        if "add_party" in request.POST:
            count = min(count + 1, MAX_PARTIES)
            show_errors = False
        case_form = CaseIntakeForm(request.POST)
        parties, safes = party_forms(request.POST, count)
        if show_errors:
            # Validate every form (no short-circuit) so the summary lists every problem at once.
            results = [f.is_valid() for f in [case_form, *parties, *safes]]
            if all(results):
                data = intake_input(case_form, parties, safes)
                try:
                    case = services.intake_create(data=data, created_by=request.user)
                except ApplicationError as e:
                    _apply_intake_errors(e.errors, case_form, [p for p in parties if p.cleaned_data])
                    party_errors = e.errors.get("parties", [])
                else:
                    # Collection of identifiable data is logged too (DPA 2018 s.62).
                    access_record(
                        request=request,
                        action=AccessLog.Action.CHANGE,
                        obj=case,
                        case_reference=case.reference,
                        what="case intake",
                    )
                    messages.success(request, f"Case {case.reference} recorded")
                    return redirect("cases:intake_done", public_id=case.public_id)
            else:
                party_errors = []
        else:
            party_errors = []
    else:
        count = 2
        # Most cases are recorded as they arrive: the date and time received start as now (UK).
        now = timezone.localtime()
        case_form = CaseIntakeForm(initial={"received_on": now.date(), "received_time": now.strftime("%H:%M")})
        parties, safes = party_forms(None, count)
        party_errors = []
    summary = _error_summary(case_form, *parties, *safes) if show_errors else []
    summary += [("#id_party-0-role", m) for m in party_errors]
    return render(
        request,
        "cases/intake.html",
        {
            "case_form": case_form,
            "party_rows": list(zip(parties, safes, strict=True)),
            "party_count": len(parties),
            "party_errors": party_errors,
            "error_summary": summary,
            "show_errors": show_errors,
            "max_parties": MAX_PARTIES,
        },
    )


def _apply_intake_errors(errors: dict[str, list[str]], case_form, used_party_forms) -> None:
    for key, msgs in errors.items():
        parts = key.split(".")
        for msg in msgs:
            if parts[0] == "parties" and len(parts) == 3:
                form = used_party_forms[int(parts[1])]
                form.add_error(parts[2] if parts[2] in form.fields else None, msg)
            else:
                name = case_form.ERROR_FIELDS.get(parts[0], parts[0])
                if name in case_form.fields:
                    case_form.add_error(name, msg)


@case_page("intake confirmation", coordinator=True)
def intake_done(request, case):
    history = selectors.case_history(case=case, user=request.user)
    return render(request, "cases/intake_done.html", {"case": case, "history": history})


# -- Case page ----------------------------------------------------------------------------------------------


@case_page("case page")
def detail(request, case):
    parties = selectors.case_page_parties(case)
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "victims": [p for p in parties if p.role == "victim"],
            "suspects": [p for p in parties if p.role == "suspect"],
            "history": selectors.case_history(case=case, user=request.user, parties=parties),
            "links": selectors.case_links(case=case, user=request.user),
            "allocation": selectors.case_live_allocation(case),
            "is_coordinator": has_role(request.user, Role.COORDINATOR),
        },
    )


@require_http_methods(["GET", "POST"])
@case_page("first-open declaration", declaration=False)
def declare(request, case):
    target = safe_next(request, reverse("cases:detail", args=[case.public_id]))
    if selectors.case_declaration_for(case=case, user=request.user) is not None:
        return redirect(target)
    form = DeclarationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            declaration = services.case_access_declare(
                case=case,
                user=request.user,
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except ApplicationError as e:
            form.add_error(None, e.message)
        else:
            if declaration.kind == CaseAccessDeclaration.Kind.CONFLICT:
                messages.info(
                    request,
                    # No reference: the user may no longer open the case, and the message is shown on the next page.
                    "Thank you. Your conflict is recorded: you will not see that case again, "
                    "and the coordinators have been told.",
                )
                return redirect("home")
            return redirect(target)
    # The user must see who is in the case to say whether they know them.
    parties = selectors.case_page_parties(case)
    return render(
        request,
        "cases/declare.html",
        {"case": case, "form": form, "parties": parties, "next": target, "error_summary": _error_summary(form)},
    )


@require_http_methods(["GET", "POST"])
@case_page("triage", coordinator=True)
def triage(request, case):
    if case.status != Case.Status.RECEIVED:
        messages.info(request, f"{case.reference} has already been triaged")
        return redirect("cases:detail", public_id=case.public_id)
    initial = {
        "risk_level": case.risk_level or None,
        "duty": case.duty,
        "incident_district": case.incident_district.name if case.incident_district_id else None,
        "category": case.category,
        "summary": case.summary,
    }
    form = TriageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_triage(case=case, user=request.user, **form.cleaned_data)
        except ApplicationError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, f"{case.reference} triaged")
            return redirect("cases:detail", public_id=case.public_id)
    return render(
        request,
        "cases/triage.html",
        {
            "case": case,
            "form": form,
            "error_summary": _error_summary(form),
            "history": selectors.case_history(case=case, user=request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@case_page("link cases", coordinator=True)
def link_create(request, case):
    form = CaseLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reference = services.reference_clean(form.cleaned_data["reference"])
        other = selectors.cases_for_user(request.user).filter(reference=reference).first()
        if other is None:
            form.add_error("reference", "No case you can open has this reference")
        else:
            try:
                services.case_link_create(
                    from_case=case,
                    to_case=other,
                    kind=form.cleaned_data["kind"],
                    note=form.cleaned_data["note"],
                    user=request.user,
                )
            except ApplicationError as e:
                form.add_error("reference", e.message)
            else:
                messages.success(request, f"{case.reference} linked to {other.reference}")
                return redirect("cases:detail", public_id=case.public_id)
    return render(
        request,
        "cases/link_create.html",
        {"case": case, "form": form, "error_summary": _error_summary(form), "kinds": CaseLink.Kind},
    )


# -- Rota ---------------------------------------------------------------------------------------------------


@coordinator_page(what="coordinator rota")
@require_http_methods(["GET", "POST"])
def rota(request):
    form = ShiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.coordinator_shift_create(**form.to_input())
        except ApplicationError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, "Shift added to the rota")
            return redirect("cases:rota")
    now = timezone.now()
    return render(
        request,
        "cases/rota.html",
        {
            "form": form,
            "on_duty": selectors.coordinators_on_duty(now=now),
            "shifts": list(selectors.coordinator_shifts_upcoming(now=now)),
            "error_summary": _error_summary(form),
        },
    )
