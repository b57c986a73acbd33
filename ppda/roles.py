"""Roles are Django groups. A role says what kind of work a user does; it never grants a case by itself."""

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import TextChoices

from ppda.accounts.backends import GROUP_NAMES

from .errors import ApplicationError
from .grant_history import recorded, role_events_record
from .models import GrantEvent


class Role(TextChoices):
    COORDINATOR = "coordinator", "Case coordinator"
    SOO = "soo", "Senior oversight officer"
    PANEL_CHAIR = "panel_chair", "Panel chair"
    PANEL_MEMBER = "panel_member", "Panel member"
    PSD_REP = "psd_rep", "PSD representative"
    AUDITOR = "auditor", "Auditor"


def user_roles(user) -> set[str]:
    """The user's role names, cached on the user object for the request.

    The request's user comes with its group names read in the user query (GROUP_NAMES, see
    ppda/accounts/backends.py), so a role change shows at the next request; a user loaded
    any other way costs one query here.
    """
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_ppda_roles", None)
    if cached is None:
        names = getattr(user, GROUP_NAMES, None)
        cached = set(names) if names is not None else set(user.groups.values_list("name", flat=True))
        user._ppda_roles = cached
    return cached


def has_role(user, role: str) -> bool:
    return user.is_authenticated and user.is_active and role in user_roles(user)


def user_roles_change(*, user, add=(), remove=(), by, source: str) -> tuple[set[str], set[str]]:
    """Add and remove roles of `user`, and record each change with who made it and the path (`source`), in one
    transaction. Only real changes are made and recorded: adding a role the user holds does nothing.
    Returns the roles (added, removed)."""
    add, remove = set(add), set(remove)
    unknown = (add | remove) - set(Role.values)
    if unknown:
        raise ApplicationError(f"No such role: {', '.join(sorted(unknown))}")
    if add & remove:
        raise ApplicationError("A role cannot be added and removed at once")
    with transaction.atomic():
        current = set(user.groups.values_list("name", flat=True))
        added, removed = add - current, remove & current
        with recorded():
            if added:
                user.groups.add(*Group.objects.filter(name__in=added))
            if removed:
                user.groups.remove(*Group.objects.filter(name__in=removed))
        role_events_record(
            changes=[(user, r, GrantEvent.Change.GRANTED) for r in sorted(added)]
            + [(user, r, GrantEvent.Change.REMOVED) for r in sorted(removed)],
            by=by,
            source=source,
        )
    if added or removed:
        user.__dict__.pop("_ppda_roles", None)
    return added, removed
