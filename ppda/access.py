"""The foundation of every app's access module: role pages, the denial record, safe `next`, the declaration gate.

Each app exposes one access module (`cases/access.py`, `oversight/access.py`, later `panels/access.py`) with
one guarded fetch per object type; views call only those. This module holds what they share:

- **The 403/404 policy** (docs/security.md): a URL naming an object answers 404 to anyone who may not see
  that object, whether it exists or not, so existence never leaks; someone who may see it but may not do
  this to it gets 403 (it tells them nothing they do not know); a page that needs only a role answers 403.
- **Denials are logged once, by `ppda.audit.DeniedAccessLogMiddleware`.** A guard that refuses calls
  `denial_context()` first, so the middleware's row says what was refused ("case page") and, for a case
  the user may not see, its reference (the auditor's "who tried to open case X").
- **The first-open declaration**: a guard raises `DeclarationRequired`; the middleware answers with a
  redirect to the declaration page, then back to the page asked for.
- **`safe_next`**: the one validator for `next` parameters.
"""

import functools

from django.core.exceptions import PermissionDenied
from django.utils.http import url_has_allowed_host_and_scheme

from .roles import has_role


class DeclarationRequired(Exception):
    """The user must make the first-open declaration before this page; `url` is the declaration page."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


def denial_context(request, *, what: str, object_type: str = "", object_id="", case_reference: str = "") -> None:
    """Tell the denial middleware what is being refused; the caller then raises Http404 or PermissionDenied."""
    request._ppda_denial = {
        "what": what,
        "object_type": object_type,
        "object_id": str(object_id or ""),
        "case_reference": case_reference,
    }


def role_required(request, role: str, *, what: str) -> None:
    """A page that needs only a role: 403 (logged by the middleware) for anyone without it."""
    if not has_role(request.user, role):
        denial_context(request, what=what)
        raise PermissionDenied


def role_page(role: str, *, what: str):
    """Decorator form of role_required for a view that needs only a role (the inbox, intake, the rota)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            role_required(request, role, what=what)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def next_url_safe(*, request, url: str | None) -> str | None:
    """`url` if it is a path on this site (never another host or scheme), else None.

    A local path only: redirect() would try a bare word ("home", "a b") as a view name and fail with a 500,
    and a control character in a Location header is a server error."""
    if (
        url
        and url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and "\\" not in url
        and url.isprintable()
        and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    ):
        return url
    return None


def safe_next(request, default: str) -> str:
    """The request's `next` (POST, then GET) when it is safe, else `default`."""
    return next_url_safe(request=request, url=request.POST.get("next") or request.GET.get("next")) or default
