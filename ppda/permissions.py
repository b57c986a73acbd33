"""The one way to ask "may this user see that object?". Views and selectors never call guardian directly.

Guardian's defaults let superusers and model-level (global) permissions see everything
(PITFALLS.md). Every helper here turns both off: only an object permission granted by the workflow
gives access to a particular case.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from .roles import has_role


def objects_for_user(user, perm: str, queryset: QuerySet) -> QuerySet:
    """The objects of `queryset` the user holds `perm` on through an object grant (user or group)."""
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    return get_objects_for_user(
        user, perm, klass=queryset, use_groups=True, with_superuser=False, accept_global_perms=False
    )


def user_has_object_perm(user, perm: str, obj: Model) -> bool:
    """True only if an object grant exists; superuser and global permissions count for nothing."""
    return objects_for_user(user, perm, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def grant(user, perm: str, obj: Model) -> None:
    assign_perm(perm, user, obj)


def revoke(user, perm: str, obj: Model) -> None:
    remove_perm(perm, user, obj)


def require_role(user, *roles: str) -> None:
    """Raise PermissionDenied unless the user holds one of the roles."""
    if not any(has_role(user, role) for role in roles):
        raise PermissionDenied
