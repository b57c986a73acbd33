"""Who may open a case's investigation pages: one guarded fetch, in the shape of cases.access.

- The assigned PSD representative (a live assignment, and the grant it carries) reads the record and posts.
- Coordinators read it, and assign or remove PSD representatives.
- The SOO of the case's accepted allocation reads it (they check the investigation is progressing).
Anyone else — another PSD representative, a PSD representative after unassignment, an SOO with a lingering
grant, a party or a party's line manager (refused by the case guard itself), a superuser — gets 404, whether
the case exists or not. The first-open declaration comes first for everyone; each allowed request is logged.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from cases.access import access_logged, case_declaration_required, case_get_for_user, case_refused
from cases.extensions import allocation_reads
from cases.models import Case
from ppda.roles import Role, has_role

from .selectors import psd_assigned


@dataclass(frozen=True)
class InvestigationAccess:
    case: Case
    is_psd: bool
    is_coordinator: bool
    is_soo: bool


def _is_soo(user, case: Case) -> bool:
    if not (has_role(user, Role.SOO) and getattr(user, "staff_id", None)):
        return False
    allocation = allocation_reads().live_allocation(case)
    return allocation is not None and allocation.status == "accepted" and allocation.soo_id == user.staff_id


def investigation_get_for_user(
    request, public_id, *, what: str, post: bool = False, coordinator: bool = False
) -> InvestigationAccess:
    """The case's investigation access for this request, or 404. `post`: the assigned PSD representative only;
    `coordinator`: coordinators only (PSD assignment)."""
    case = case_get_for_user(request, public_id, what=what, declaration=False, log=False)
    user = request.user
    is_coordinator = has_role(user, Role.COORDINATOR)
    is_psd = psd_assigned(user, case)
    if post:
        allowed = is_psd
    elif coordinator:
        allowed = is_coordinator
    else:
        allowed = is_psd or is_coordinator or _is_soo(user, case)
    if not allowed:
        case_refused(request, case, what=what)
        raise Http404("No such investigation.")
    case_declaration_required(request, case)
    access_logged(request, case, what=what)
    return InvestigationAccess(
        case=case, is_psd=is_psd, is_coordinator=is_coordinator, is_soo=not (is_psd or is_coordinator)
    )
