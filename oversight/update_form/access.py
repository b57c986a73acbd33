"""TEMPORARY home of the form guard until cases/access.py and oversight/access.py land on main (then it moves
to oversight/access.py, in the same shape as the other guards)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.urls import reverse

from cases.models import Case, CaseAccessDeclaration, Party
from cases.selectors import case_get_for_user
from oversight.models import Allocation
from ppda.audit import access_record
from ppda.models import AccessLog
from ppda.roles import Role, has_role


class DeclarationFirst(Exception):
    def __init__(self, url: str):
        self.url = url


@dataclass
class FormAccess:
    case: Case
    allocation: Allocation | None
    can_edit: bool


def update_form_get_for_user(request, public_id, *, what: str, write: bool = False) -> FormAccess:
    """The case whose update form the user may read (or, with write, change), or 404 (logged).

    The SOO allocated to the case on an accepted allocation reads and writes it; coordinators, who see every
    case, read it. Nobody else: not an SOO still to accept, not another SOO, not a PSD representative with a
    grant (until PSD assignment is built), not panel members (they see only render.py's anonymised form), not
    an auditor, not a superuser, never a party or a party's line manager. A coordinator asking to write gets
    403: they can see the case, so refusing says nothing new. Reads and changes go to the access log.
    """
    user = request.user

    def deny(obj=None):
        access_record(
            request=request,
            action=AccessLog.Action.DENIED,
            obj=obj,
            object_type="cases.case",
            object_id=str(public_id),
            case_reference=obj.reference if obj is not None else "",
            what=what,
            allowed=False,
        )

    try:
        case = case_get_for_user(user, public_id, with_declaration=True)
    except Http404:
        deny()
        raise
    allocation = Allocation.objects.filter(case=case, status=Allocation.Status.ACCEPTED).first()
    is_soo = (
        allocation is not None
        and has_role(user, Role.SOO)
        and user.staff_id is not None
        and allocation.soo_id == user.staff_id
    )
    if not (is_soo or has_role(user, Role.COORDINATOR)):
        deny()
        raise Http404("No such case.")
    if write and not is_soo:
        deny(case)
        raise PermissionDenied
    if not case.user_declared:
        raise DeclarationFirst(f"{reverse('cases:declare', args=[case.public_id])}?next={request.path}")
    access_record(
        request=request,
        action=AccessLog.Action.CHANGE if request.method == "POST" else AccessLog.Action.VIEW,
        obj=case,
        case_reference=case.reference,
        what=what,
    )
    return FormAccess(case=case, allocation=allocation, can_edit=is_soo and case.status != Case.Status.CLOSED)


def coordinators_for_case(case: Case):
    """TEMPORARY until cases.access.coordinators_for_case: active coordinators who may open the case."""
    party_staff = Party.objects.filter(case=case, staff__isnull=False)
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.COORDINATOR)
        .exclude(Exists(party_staff.filter(staff_id=OuterRef("staff_id"))))
        .exclude(Exists(party_staff.filter(staff__line_manager_id=OuterRef("staff_id"))))
        .exclude(
            Exists(
                CaseAccessDeclaration.objects.filter(
                    Q(case=case, user_id=OuterRef("pk"), kind=CaseAccessDeclaration.Kind.CONFLICT)
                )
            )
        )
        .distinct()
    )
