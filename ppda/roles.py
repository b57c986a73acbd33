"""Roles are Django groups. A role says what kind of work a user does; it never grants a case by itself."""

from django.db.models import TextChoices

from ppda.accounts.backends import GROUP_NAMES


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
