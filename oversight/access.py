"""Who may open what in oversight: one guarded fetch per object type, in the shape of cases.access.

Each returns the object or raises 404 for anyone who may not use it for this purpose, whether it exists
or not (docs/security.md: object URLs never answer 403). Each makes the first-open declaration come first
and writes the access-log row (or leaves it to the caller with `log=False`, when the caller logs a
different action, such as a PDF). Refusals are logged by the denial middleware.
"""

from django.db.models import Q
from django.http import Http404

from cases.access import access_logged, case_declaration_required, case_get_for_user, case_refused
from cases.investigations.selectors import psd_assigned
from cases.models import Case
from ppda.access import denial_context
from ppda.prepared import PreparedQuery
from ppda.roles import Role, has_role

from .contacts.models import Contact
from .contacts.selectors import ContactAccess, contact_log_visible
from .models import CLOSED_END_REASON, Allocation
from .update_form.selectors import FormAccess

ALLOCATION_OBJECT_TYPE = "oversight.allocation"


def coordinator_case_get(request, public_id, *, what: str, log: bool = True) -> Case:
    """A case for the coordinators' oversight pages (allocate, end an allocation); 404 for anyone else."""
    return case_get_for_user(request, public_id, what=what, coordinator=True, log=log)


def is_own_allocation(user, allocation: Allocation) -> bool:
    return has_role(user, Role.SOO) and user.staff_id is not None and allocation.soo_id == user.staff_id


def allocation_get_for_user(
    request,
    public_id,
    *,
    what: str,
    coordinators: bool = False,
    live: bool = False,
    pending_declares: bool = False,
    log: bool = True,
) -> Allocation:
    """An allocation to the requesting SOO (and, with `coordinators`, any for a coordinator) on a case they
    may see; with `live`, only while pending or accepted. 404 for everyone and everything else.

    `pending_declares`: the response page, where the SOO's answer to their own pending allocation is their
    first-open declaration (it shows only the parties, as the declaration page does), so it does not come first."""
    allocation = Allocation.objects.select_related("case", "soo").filter(public_id=public_id).first()
    allowed = allocation is not None and (
        is_own_allocation(request.user, allocation) or (coordinators and has_role(request.user, Role.COORDINATOR))
    )
    if allowed and live and allocation.status not in Allocation.LIVE:
        allowed = False
    if not allowed:
        denial_context(request, what=what, object_type=ALLOCATION_OBJECT_TYPE, object_id=public_id)
        raise Http404("No such allocation.")
    try:
        case_get_for_user(request, allocation.case.public_id, what=what, declaration=False, log=False)
    except Http404:
        denial_context(request, what=what, object_type=ALLOCATION_OBJECT_TYPE, object_id=public_id)
        raise
    answering = (
        pending_declares
        and allocation.status == Allocation.Status.PENDING
        and is_own_allocation(request.user, allocation)
    )
    if not answering:
        case_declaration_required(request, allocation.case)
    if log:
        access_logged(request, allocation.case, what=what)
    return allocation


def contact_log_get_for_user(
    request, case_public_id, *, what: str, write: bool = False, log: bool = True
) -> ContactAccess:
    """The live allocation's contact log: the allocated SOO reads it, and writes it once they have accepted;
    coordinators read it. 404 for everyone and everything else (a coordinator asking to write included)."""
    try:
        access = contact_log_visible(request.user, case_public_id)
    except Http404:
        # Not a case they may see: this raises (and records why). A case they see with no log of theirs: refused.
        case = case_get_for_user(request, case_public_id, what=what, declaration=False, log=False)
        case_refused(request, case, what=what)
        raise Http404("No contact log of yours.") from None
    if write and not access.can_write:
        case_refused(request, access.case, what=what)
        raise Http404("No such contact log.")
    case_declaration_required(request, access.case)
    if log:
        access_logged(request, access.case, what=what)
    return access


def contact_get_for_user(request, case_public_id, contact_public_id, *, what: str) -> tuple[ContactAccess, Contact]:
    """A contact the requesting SOO may correct: one recorded under the case's live allocation, which is theirs
    and accepted. 404 for everyone and everything else: a coordinator (who reads the log), another SOO, a
    contact of an earlier allocation of the same case, an unknown id."""
    access = contact_log_get_for_user(request, case_public_id, write=True, what=what, log=False)
    contact = (
        Contact.objects.filter(public_id=contact_public_id, allocation=access.allocation)
        .select_related("recorded_by")
        .first()
    )
    if contact is None:
        case_refused(request, access.case, what=what)
        raise Http404("No such contact.")
    access_logged(request, access.case, what=what)
    return access, contact


def _build_accepted_allocation(*, case_id):
    # The model's ordering (newest first), as .first() would use it.
    return Allocation.objects.filter(case_id=case_id, status=Allocation.Status.ACCEPTED)[:1]


# Read on every update-form page: compiled once per process (issue 18).
_accepted_allocation = PreparedQuery(_build_accepted_allocation, case_id=int)


def update_form_get_for_user(request, public_id, *, what: str, write: bool = False, log: bool = True) -> FormAccess:
    """The case whose update form the user may read (or, with `write`, change), or 404.

    The SOO allocated to the case on an accepted allocation reads and writes it; coordinators, who see every
    case, read it; so does the PSD representative assigned to the case (read-only, while assigned). Nobody else:
    not an SOO still to accept, not another SOO, not a PSD representative without a live assignment (a grant
    alone is not enough), not panel members (they see only the anonymised
    rendering, update_form/render.py, through panels), not an auditor, not a superuser, never a party or a
    party's line manager. A coordinator asking to write gets 404 like everyone else (one policy).
    """
    case = case_get_for_user(request, public_id, what=what, declaration=False, log=False)
    allocation = next(iter(_accepted_allocation(case_id=case.pk)), None)
    is_soo = allocation is not None and is_own_allocation(request.user, allocation)
    reader = has_role(request.user, Role.COORDINATOR) or psd_assigned(request.user, case)
    if not (is_soo or (not write and reader)):
        case_refused(request, case, what=what)
        raise Http404("No such update form.")
    case_declaration_required(request, case)
    if log:
        access_logged(request, case, what=what)
    return FormAccess(case=case, allocation=allocation, can_edit=is_soo and case.status != Case.Status.CLOSED)


def closure_get_for_user(request, public_id, *, what: str, log: bool = True) -> Allocation:
    """The case's closure page for its SOO: while their allocation is accepted, and, after they closed the case,
    read-only for the grace period (their grant lasts until the closure sweep revokes it; an allocation ended
    any other way gives nothing). Returns that allocation (its case selected); 404 for everyone else,
    coordinators included (they have the read-only review)."""
    case = case_get_for_user(request, public_id, what=what, declaration=False, log=False)
    user = request.user
    allocation = None
    if has_role(user, Role.SOO) and user.staff_id is not None:
        allocation = (
            Allocation.objects.filter(case=case, soo_id=user.staff_id)
            .filter(
                Q(status=Allocation.Status.ACCEPTED)
                | Q(status=Allocation.Status.ENDED, end_reason=CLOSED_END_REASON, case__status=Case.Status.CLOSED)
            )
            .order_by("-allocated_at")
            .first()
        )
    if allocation is None:
        case_refused(request, case, what=what)
        raise Http404("No closure of yours.")
    allocation.case = case
    case_declaration_required(request, case)
    if log:
        access_logged(request, case, what=what)
    return allocation
