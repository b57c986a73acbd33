"""Roles are Django groups. A role says what kind of work a user does; it never grants a case by itself."""

from django.db.models import TextChoices


class Role(TextChoices):
    COORDINATOR = "coordinator", "Case coordinator"
    SOO = "soo", "Senior oversight officer"
    PANEL_CHAIR = "panel_chair", "Panel chair"
    PANEL_MEMBER = "panel_member", "Panel member"
    PSD_REP = "psd_rep", "PSD representative"
    AUDITOR = "auditor", "Auditor"


def user_roles(user) -> set[str]:
    """The user's role names, cached on the user object for the request."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_ppda_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._ppda_roles = cached
    return cached


def has_role(user, role: str) -> bool:
    return user.is_authenticated and user.is_active and role in user_roles(user)
