"""The guarded fetches for closure pages: the closing SOO's, and the coordinators'.

404 (logged) for anyone who may not see the case, whether it exists or not; 403 (logged) for a coordinator
on the SOO's page (they see the case anyway, so nothing leaks); the first-open declaration first; each
allowed request written to the access log.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from cases.models import Case
from cases.selectors import case_get_for_user
from oversight.models import Allocation
from ppda.audit import access_record
from ppda.models import AccessLog
from ppda.roles import Role, has_role


class DeclarationFirst(Exception):
    """The user must make the first-open declaration before this page; views turn it into a redirect."""

    def __init__(self, case: Case, request):
        self.response = redirect(f"{reverse('cases:declare', args=[case.public_id])}?next={request.path}")


@dataclass
class ClosureAccess:
    case: Case
    allocation: Allocation | None


def _deny(request, what: str, public_id, *, case: Case | None = None) -> None:
    access_record(
        request=request,
        action=AccessLog.Action.DENIED,
        object_type="cases.case",
        object_id=str(public_id),
        case_reference=case.reference if case is not None else "",
        what=what,
        allowed=False,
    )


def _visible(request, public_id, what: str) -> Case:
    try:
        return case_get_for_user(request.user, public_id, with_declaration=True)
    except Http404:
        _deny(request, what, public_id)
        raise


def _allowed(request, case: Case, what: str) -> None:
    if not case.user_declared:
        raise DeclarationFirst(case, request)
    access_record(
        request=request,
        action=AccessLog.Action.VIEW if request.method in ("GET", "HEAD") else AccessLog.Action.CHANGE,
        obj=case,
        case_reference=case.reference,
        what=what,
    )


def closure_get_for_soo(request, public_id, *, what: str) -> ClosureAccess:
    """The case for its SOO: while their allocation is accepted, and after they closed it for the grace period
    (read-only: their grant lasts until the closure sweep revokes it). Nobody else: a coordinator gets 403,
    everyone else (another SOO, a PSD representative with a grant, a party) 404."""
    case = _visible(request, public_id, what)
    user = request.user
    allocation = None
    if has_role(user, Role.SOO) and user.staff_id is not None:
        allocation = (
            Allocation.objects.filter(case=case, soo_id=user.staff_id)
            .filter(
                Q(status=Allocation.Status.ACCEPTED)
                | Q(status=Allocation.Status.ENDED, end_reason="case closed", case__status=Case.Status.CLOSED)
            )
            .order_by("-allocated_at")
            .first()
        )
    if allocation is None:
        _deny(request, what, public_id, case=case)
        if has_role(user, Role.COORDINATOR):
            raise PermissionDenied
        raise Http404("No such case.")
    _allowed(request, case, what)
    return ClosureAccess(case=case, allocation=allocation)


def case_get_for_coordinator(request, public_id, *, what: str) -> Case:
    """The case for a coordinator who may see it; 404 for anyone who may not see it, 403 for others who may."""
    case = _visible(request, public_id, what)
    if not has_role(request.user, Role.COORDINATOR):
        _deny(request, what, public_id, case=case)
        raise PermissionDenied
    _allowed(request, case, what)
    return case
