import functools

from django.conf import settings

from .navigation import layout_urls, navigation_items
from .roles import Role, user_roles

SERVICE_NAME = "PPDA oversight"


def ppda(request):
    """Names shown on every page, the signed-in user's roles (read with the user) and their menu.

    `nav_items` is a callable, so the template builds the menu only where it shows one.
    """
    roles = user_roles(request.user) if hasattr(request, "user") else set()
    return {
        "service_name": SERVICE_NAME,
        "force_name": settings.PPDA_FORCE_NAME,
        "user_roles": roles,
        "role_labels": [label for value, label in Role.choices if value in roles],
        "Role": Role,
        "nav_items": functools.partial(navigation_items, roles=roles, path=request.path),
        **layout_urls(),
    }
