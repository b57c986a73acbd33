"""Reads for victim contact and deadlines. Views reach a contact log only through oversight.access."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import JSONObject
from django.http import Http404
from django.utils import timezone

from cases.selectors import case_get_visible, cases_for_user
from oversight.models import Allocation
from ppda.roles import Role, has_role

from .models import Contact, ContactCorrection, ContactPlan
from .schedule import LONDON


@dataclass
class ContactAccess:
    case: object
    allocation: Allocation
    plan: ContactPlan | None
    can_write: bool


def contact_log_visible(user, case_public_id) -> ContactAccess:
    """The live allocation's contact log, or 404 (existence never leaks).

    The allocated SOO reads and writes it while the allocation is live; coordinators, who see every
    case, may read it (they oversee 72-hour compliance) but never write it. Nobody else: not another
    SOO, not a PSD representative with a grant on the case, not an auditor, not a superuser.
    """
    case = case_get_visible(user, case_public_id)
    allocation = (
        Allocation.objects.filter(case=case, status__in=Allocation.LIVE).select_related("soo", "contact_plan").first()
    )
    if allocation is None:
        raise Http404("No live allocation.")
    is_soo = has_role(user, Role.SOO) and user.staff_id is not None and allocation.soo_id == user.staff_id
    if not is_soo and not has_role(user, Role.COORDINATOR):
        raise Http404("No such case.")
    plan = getattr(allocation, "contact_plan", None)
    return ContactAccess(
        case=case,
        allocation=allocation,
        plan=plan,
        can_write=is_soo and allocation.status == Allocation.Status.ACCEPTED,
    )


def contacts_for_allocation(allocation: Allocation) -> QuerySet:
    """The allocation's contacts, newest first, each with who recorded it and its corrections (`correction_rows`,
    oldest first) read in the same query: the contact page shows every correction at no extra query."""
    corrections = (
        ContactCorrection.objects.filter(contact=OuterRef("pk"))
        .order_by("corrected_at", "id")
        .values(
            row=JSONObject(
                at="corrected_at",
                before="before",
                after="after",
                reason="reason",
                first_name="corrected_by__first_name",
                last_name="corrected_by__last_name",
                username="corrected_by__username",
            )
        )
    )
    return (
        Contact.objects.filter(allocation=allocation)
        .select_related("recorded_by")
        .annotate(correction_rows=ArraySubquery(corrections))
    )


@dataclass(frozen=True)
class CorrectionView:
    at: dt.datetime
    by: str
    changes: list[tuple[str, str, str]]  # (what, was, now), in the contact form's order
    reason: str


_LABELS = {"contacted_at": "Date and time", "method": "Method", "outcome": "Outcome", "note": "Note"}


def _shown(name: str, value: str) -> str:
    if name == "contacted_at":
        local = dt.datetime.fromisoformat(value).astimezone(LONDON)
        return f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"
    if name == "method":
        return Contact.Method(value).label
    if name == "outcome":
        return Contact.Outcome(value).label
    return value or "(none)"


def contact_log_rows(allocation: Allocation) -> list[Contact]:
    """The contact page's rows: contacts_for_allocation, each with `correction_history` (contact_corrections)."""
    contacts = list(contacts_for_allocation(allocation))
    for contact in contacts:
        contact.correction_history = contact_corrections(contact)
    return contacts


def contact_corrections(contact: Contact) -> list[CorrectionView]:
    """A contact's corrections, oldest first, as the contact page shows them (from contacts_for_allocation)."""
    views = []
    for row in getattr(contact, "correction_rows", None) or []:
        by = f"{row['first_name']} {row['last_name']}".strip() or row["username"]
        changes = [
            (_LABELS[name], _shown(name, row["before"][name]), _shown(name, row["after"][name]))
            for name in ContactCorrection.FIELDS
            if name in row["after"]
        ]
        views.append(CorrectionView(dt.datetime.fromisoformat(row["at"]), by, changes, row["reason"]))
    return views


def engagement_history(plan: ContactPlan | None) -> list[dict]:
    """Each change of the victim's engagement choice, oldest first, with who recorded it (from history)."""
    if plan is None:
        return []
    changes, last = [], None
    for row in plan.history.select_related("history_user").order_by("history_date", "history_id"):
        if row.engagement != last:
            changes.append({"at": row.history_date, "engagement": row.get_engagement_display(), "by": row.history_user})
            last = row.engagement
    return changes


def first_contact_overdue_q(now=None):
    """Live allocations past their 72 hours with no contact — true at once, whether or not the sweep ran."""
    now = now or timezone.now()
    return Allocation.objects.filter(
        status__in=Allocation.LIVE, first_contact_met_at__isnull=True, first_contact_due__lte=now
    )


def cases_annotate_first_contact_breached(cases: QuerySet, now=None) -> QuerySet:
    """Annotate `first_contact_breached` on a case queryset (one EXISTS subquery, no extra query per row):
    for the coordinators' inbox marker."""
    return cases.annotate(first_contact_breached=Exists(first_contact_overdue_q(now).filter(case=OuterRef("pk"))))


def allocations_first_contact_overdue(user, now=None) -> QuerySet:
    """Live allocations whose 72-hour first contact is overdue, oldest deadline first, on cases the user may
    see (a coordinator who declared a conflict, or is a party, does not see that case here either)."""
    return (
        first_contact_overdue_q(now)
        .filter(case__in=cases_for_user(user))
        .select_related("case", "soo")
        .order_by("first_contact_due")
    )


def first_contact_status(allocation: Allocation, now=None) -> str:
    """met / breached / due, for display."""
    now = now or timezone.now()
    if allocation.first_contact_met_at is not None:
        return "met_late" if allocation.first_contact_met_at > allocation.first_contact_due else "met"
    return "breached" if allocation.first_contact_due <= now else "due"
