"""Record reads of identifiable data, and denials, in the append-only access log."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .accounts.addresses import client_ip
from .models import AccessLog

# URL kwargs that name a case; other object kwargs are logged by value with no type.
CASE_KWARGS = ("public_id", "case_id", "case_public_id")
OBJECT_KWARGS = (*CASE_KWARGS, "allocation_id", "party_id", "object_id", "pk")


def _client_ip(request) -> str | None:
    # Only the hops our own proxies added: the client writes the rest of X-Forwarded-For.
    return client_ip(request)


def access_record(
    *,
    request=None,
    user=None,
    action: str = AccessLog.Action.VIEW,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    case_reference: str = "",
    what: str = "",
    allowed: bool = True,
) -> AccessLog:
    """Write one access-log row. Call it where the read happens, inside the view's transaction."""
    if user is None and request is not None:
        user = request.user
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "public_id", None) or obj.pk)
    authenticated = user is not None and user.is_authenticated
    if not allowed and request is not None:
        # The view logged its own refusal: DeniedAccessLogMiddleware must not log it twice.
        request._ppda_denial_logged = True
    return AccessLog.objects.create(
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        case_reference=case_reference,
        what=what[:120],
        path=(request.path[:300] if request is not None else ""),
        ip_address=_client_ip(request),
        allowed=allowed,
    )


class DeniedAccessLogMiddleware:
    """Every refusal a view raises (404 or 403) for a signed-in user is logged once, allowed=False.

    Views that log their own denial (with a better `what`) are left alone; any other view, including
    ones written later, still leaves a trace of the attempt, so an inquiry sees who probed which URL.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, Http404 | PermissionDenied):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or getattr(request, "_ppda_denial_logged", False):
            return None
        match = request.resolver_match
        kwargs = match.kwargs if match else {}
        name, value = next(((k, kwargs[k]) for k in OBJECT_KWARGS if k in kwargs), ("", ""))
        object_type, reference = "", ""
        if name in CASE_KWARGS:
            from cases.models import Case

            object_type = "cases.case"
            # So the auditor can answer "who tried to open case X"; invalid ids simply find nothing.
            reference = (
                Case.objects.filter(public_id=value).values_list("reference", flat=True).first()
                if _is_uuid(value)
                else None
            ) or ""
        access_record(
            request=request,
            action=AccessLog.Action.DENIED,
            object_type=object_type,
            object_id=str(value)[:64],
            case_reference=reference,
            what=f"refused: {match.view_name if match else request.path}",
            allowed=False,
        )
        return None


def _is_uuid(value) -> bool:
    import uuid

    if isinstance(value, uuid.UUID):
        return True
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
