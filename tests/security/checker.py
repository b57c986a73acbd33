"""The matrix machinery: discover URL patterns, build their URLs, request them, check status and leaks."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from . import matrix as m

_ROUTE_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


@dataclass(frozen=True)
class Pattern:
    """One URL pattern of the project, wherever it is included."""

    key: str  # "namespace:name", or the full route for a pattern without a name
    name: str | None
    route: str
    pattern: URLPattern
    kwarg_names: tuple[str, ...]
    positional: int

    @property
    def model_admin(self):
        """The ModelAdmin behind an admin view (set by ModelAdmin.get_urls, or the bound method's owner)."""
        from django.contrib.admin import ModelAdmin

        view = self.pattern.callback
        while view is not None:
            if isinstance(getattr(view, "model_admin", None), ModelAdmin):
                return view.model_admin
            if isinstance(getattr(view, "__self__", None), ModelAdmin):
                return view.__self__
            view = getattr(view, "__wrapped__", None)
        return None

    @property
    def names_an_object(self) -> bool:
        return any(k in m.OBJECT_KWARGS for k in self.kwarg_names)


def _names(p) -> tuple[tuple[str, ...], int]:
    regex = p.pattern.regex
    named = tuple(regex.groupindex)
    return named, regex.groups - len(named)


def walk_patterns(urlconf=None) -> list[Pattern]:
    """Every URLPattern under the root resolver, with its namespaced name and full route."""
    out: list[Pattern] = []

    def walk(resolver, prefix, namespaces, kwargs, positional):
        for p in resolver.url_patterns:
            named, pos = _names(p)
            if isinstance(p, URLResolver):
                ns = namespaces + ((p.namespace,) if p.namespace else ())
                walk(p, prefix + str(p.pattern), ns, kwargs + named, positional + pos)
            else:
                name = ":".join((*namespaces, p.name)) if p.name else None
                route = prefix + str(p.pattern)
                out.append(Pattern(name or route, name, route, p, kwargs + named, positional + pos))

    walk(get_resolver(urlconf), "", (), (), 0)
    return out


# ---- building a URL ---------------------------------------------------------------------------------
def _world_object(world, model):
    """The world's object of a model (case A's where there is one), for admin object pages."""
    from cases.models import Case, Party, SafeContact
    from oversight.models import Allocation
    from ppda.models import StaffMember, User

    victim_a = world.case_a.parties.get(role=Party.Role.VICTIM)
    chosen = {
        Case: world.case_a,
        Party: victim_a,
        SafeContact: getattr(victim_a, "safe_contact", None),
        StaffMember: victim_a.staff,
        User: world.users[m.PARTY],
        Allocation: world.allocation_a,
    }.get(model)
    if chosen is None:
        chosen = model._default_manager.order_by("pk").first()
    if chosen is None:
        raise AssertionError(
            f"The matrix needs an object of {model._meta.label} for its admin pages: create one in "
            "tests/security/world.py build_world()."
        )
    return chosen


def _kwargs(world, p: Pattern, entry: m.Expect) -> dict:
    if entry.kwargs is not None:
        return dict(entry.kwargs(world))
    out = {}
    for name in p.kwarg_names:
        if name in ("object_id", "pk", "id") and p.model_admin is not None:
            out[name] = _world_object(world, p.model_admin.model).pk
        elif name in ("object_id", "content_type_id") and p.key == "admin:view_on_site":
            from django.contrib.contenttypes.models import ContentType

            # A case's content type and id: the admin must not turn a case id into its page (existence).
            obj = world.case_a
            out[name] = obj.pk if name == "object_id" else ContentType.objects.get_for_model(obj).pk
        elif name in m.KWARGS:
            out[name] = m.KWARGS[name](world)
        else:
            raise AssertionError(
                f"URL pattern {p.key!r} ({p.route}) has the kwarg {name!r}, which the matrix cannot fill. "
                f"Add {name!r}: lambda w: <value> to KWARGS in tests/security/matrix.py, or give its entry "
                f"kwargs=lambda w: {{{name!r}: ...}}."
            )
    return out


def _args(world, p: Pattern, entry: m.Expect) -> list:
    if entry.args is not None:
        return list(entry.args(world))
    if p.positional and p.model_admin is not None and p.key.endswith("_simple_history"):
        obj = _world_object(world, p.model_admin.model)
        return [obj.pk, obj.history.order_by("history_id").first().history_id]
    if p.positional:
        raise AssertionError(f"URL pattern {p.key!r} takes positional arguments: give its entry args=lambda w: [...].")
    return []


def url_for(world, p: Pattern, entry: m.Expect) -> str:
    if entry.path is not None:
        url = entry.path(world)
    else:
        kwargs = _kwargs(world, p, entry)
        args = _args(world, p, entry)
        if p.name:
            url = reverse(p.name, args=args or None, kwargs=kwargs or None)
        else:
            route = _ROUTE_PARAM.sub(lambda mt: str(kwargs[mt["name"]]), p.route)
            route = _REGEX_GROUP.sub(lambda mt: str(kwargs[mt["name"]]), route)
            url = "/" + route.replace("^", "").replace("$", "")
    return url + (f"?{entry.query}" if entry.query else "")


# ---- leaks ------------------------------------------------------------------------------------------
def response_text(response) -> str:
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    return headers + "\n" + html.unescape(body.decode("utf-8", errors="replace"))


def find_leaks(text: str, forbidden: dict) -> list[str]:
    lowered = text.lower()
    return sorted(
        f"{value!r} ({kind} of case pk={case.pk})"
        for value, (case, kind) in forbidden.items()
        if value.lower() in lowered
    )


class MatrixFailure(AssertionError):
    pass


def check(world, p: Pattern, role: str, method: str, entry: m.Expect | None = None):
    """Request the pattern as the role and assert the declared status and no leak. Returns the response."""
    if entry is None:
        found = m.lookup(p.key)
        if found is None:
            raise MatrixFailure(missing_message([p]))
        entry = found[1]
    expectations = entry.get if method == "GET" else entry.post
    expected = expectations[role]
    url = url_for(world, p, entry)
    client = world.client(role)
    user = world.users.get(role)
    denials_before = _denials(user)
    if method == "GET":
        response = client.get(url)
    else:
        # A field no form knows: forms are bound (so validated), and nothing valid is submitted.
        data = entry.post_data(world) if entry.post_data else {"matrix-probe": "1"}
        response = client.post(url, data)
    problems = []
    if not expected.matches(response):
        location = response.headers.get("Location", "")
        problems.append(
            f"status: expected {expected}, got {response.status_code}{' -> ' + location if location else ''}"
        )
    if response.status_code in (403, 404) and role in m.SIGNED_IN and _denials(user) == denials_before:
        problems.append(
            f"refused with {response.status_code} but no access-log row with allowed=False was written: "
            "raise Http404/PermissionDenied (ppda.audit.DeniedAccessLogMiddleware logs it) or call "
            "access_record(..., allowed=False)"
        )
    if role in m.SIGNED_IN and "no-store" not in response.headers.get("Cache-Control", ""):
        # Issue 17: a signed-in page may hold personal data; no browser or proxy may keep a copy.
        problems.append(f"Cache-Control is {response.headers.get('Cache-Control')!r}, not no-store")
    leaks = find_leaks(response_text(response), world.forbidden_identifiers(role, entry.may_show))
    if leaks:
        problems.append("LEAK: identifiers of a case this role may not see: " + ", ".join(leaks))
    if problems:
        raise MatrixFailure(f"{method} {url} ({p.key}) as {role}:\n  " + "\n  ".join(problems))
    return response


def _denials(user) -> int:
    from ppda.models import AccessLog

    return AccessLog.objects.filter(user=user, allowed=False).count() if user is not None else 0


def missing_message(missing: list[Pattern]) -> str:
    lines = [
        f"{len(missing)} URL pattern(s) have no entry in the permission matrix. "
        "Add one per pattern to EXPECTATIONS in tests/security/matrix.py (see the header of that file), e.g.:",
    ]
    for p in missing:
        helper = "case_object(ok={COORDINATOR, SOO, PSD})" if p.names_an_object else "page(ok={COORDINATOR})"
        lines.append(f'    "{p.key}": {helper},  # {p.route}')
    return "\n".join(lines)
