from django.conf import settings

from .roles import Role, user_roles


def ppda(request):
    roles = user_roles(request.user) if hasattr(request, "user") else set()
    return {
        "force_name": settings.PPDA_FORCE_NAME,
        "user_roles": roles,
        "role_labels": [label for value, label in Role.choices if value in roles],
        "Role": Role,
    }
