from django.conf import settings

from .roles import Role, user_roles

SERVICE_NAME = "PPDA oversight"


def ppda(request):
    """Names shown on every page, and the signed-in user's roles (one query, cached on the user)."""
    roles = user_roles(request.user) if hasattr(request, "user") else set()
    return {
        "service_name": SERVICE_NAME,
        "force_name": settings.PPDA_FORCE_NAME,
        "user_roles": roles,
        "role_labels": [label for value, label in Role.choices if value in roles],
        "Role": Role,
    }
