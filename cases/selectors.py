"""Reads of cases. Every view reaches a case through here: one rule for lists and single objects."""

from django.db.models import Q, QuerySet
from django.http import Http404

from ppda.permissions import objects_for_user
from ppda.roles import Role, has_role

from .models import Case, CaseAccessDeclaration

VIEW_CASE = "cases.view_case"


def _excluding_own_and_conflicted(user, qs: QuerySet) -> QuerySet:
    """A party never sees their own case, nor does a party's line manager; a declared conflict ends access."""
    staff_id = getattr(user, "staff_id", None)
    if staff_id is not None:
        qs = qs.exclude(Q(parties__staff_id=staff_id) | Q(parties__staff__line_manager_id=staff_id))
    conflicted = CaseAccessDeclaration.objects.filter(user=user, kind=CaseAccessDeclaration.Kind.CONFLICT)
    return qs.exclude(pk__in=conflicted.values("case_id"))


def cases_for_user(user) -> QuerySet:
    """Cases the user may see identified: coordinators all; others only by an object grant from the workflow."""
    if not (user.is_authenticated and user.is_active):
        return Case.objects.none()
    if has_role(user, Role.COORDINATOR):
        qs = Case.objects.all()
    else:
        qs = objects_for_user(user, VIEW_CASE, Case.objects.all())
    return _excluding_own_and_conflicted(user, qs)


def case_get_for_user(user, public_id) -> Case:
    """The case, or 404 whether it does not exist or the user may not see it (existence never leaks)."""
    try:
        return cases_for_user(user).get(public_id=public_id)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("No such case.") from None
