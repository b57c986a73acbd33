"""Record reads of identifiable data, and denials, in the append-only access log."""

from .accounts.addresses import client_ip
from .models import AccessLog


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
