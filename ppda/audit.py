"""Record reads of identifiable data, and denials, in the append-only access log."""

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models.signals import post_save, pre_save
from django.http import Http404
from django.shortcuts import redirect

from .access import DeclarationRequired
from .accounts.addresses import client_ip
from .caches import per_process
from .models import AccessLog

# The object type of a case in the log (its model label); the cases app owns the model.
CASE_OBJECT_TYPE = "cases.case"

# URL kwargs that name a case; other object kwargs are logged by value with no type.
CASE_KWARGS = ("public_id", "case_id", "case_public_id")
OBJECT_KWARGS = (
    *CASE_KWARGS,
    "allocation_id",
    "contact_id",
    "party_id",
    "object_id",
    "pk",
    # panels/
    "meeting_id",
    "item_id",
    "attendee_id",
    "action_id",
    "pack_id",
)


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
    row = AccessLog(
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
    _insert(row)
    return row


def _insert(row: AccessLog) -> None:
    """row.save() for a new row, without compiling the ORM's INSERT on every call (most identified pages write
    one): the same values (each field's pre_save and get_db_prep_save, as the ORM's insert does), one INSERT
    ... RETURNING id. With a save signal receiver on the model, the ORM's save, so a receiver is never skipped."""
    if pre_save.has_listeners(AccessLog) or post_save.has_listeners(AccessLog):
        row.save()
        return
    fields, sql = _insert_statement()
    values = [f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row.pk = cursor.fetchone()[0]
    row._state.adding, row._state.db = False, connection.alias


@per_process
def _insert_statement() -> tuple[tuple, str]:
    fields = tuple(f for f in AccessLog._meta.concrete_fields if not f.primary_key)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    pk = quote(AccessLog._meta.pk.column)
    sql = f"INSERT INTO {quote(AccessLog._meta.db_table)} ({columns}) VALUES ({marks}) RETURNING {pk}"  # noqa: S608 - names from the model
    return fields, sql


class DeniedAccessLogMiddleware:
    """Every refusal a view raises (404 or 403) for a signed-in user is logged here, once, allowed=False.

    The only place denials are logged. A guard that refused says what it refused (ppda.access.denial_context);
    any other view, including ones written later, still leaves a trace of the attempt (object id from the
    URL), so an inquiry sees who probed which URL. It also turns ppda.access.DeclarationRequired into the
    redirect to the first-open declaration.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DeclarationRequired):
            # A guard asked for the first-open declaration: go there, then come back to this page.
            return redirect(f"{exception.url}?next={request.path}")
        if not isinstance(exception, Http404 | PermissionDenied):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        context = getattr(request, "_ppda_denial", None) or {}
        match = request.resolver_match
        kwargs = match.kwargs if match else {}
        name, value = next(((k, kwargs[k]) for k in OBJECT_KWARGS if k in kwargs), ("", ""))
        object_type, reference = context.get("object_type", ""), context.get("case_reference", "")
        object_id = context.get("object_id") or str(value)
        if not object_type and name in CASE_KWARGS:
            object_type = CASE_OBJECT_TYPE
        if object_type == CASE_OBJECT_TYPE and not reference:
            # So the auditor can answer "who tried to open case X"; invalid ids simply find nothing.
            reference = case_reference_for(object_id)
        access_record(
            request=request,
            action=AccessLog.Action.DENIED,
            object_type=object_type,
            object_id=object_id[:64],
            case_reference=reference,
            what=context.get("what") or f"refused: {match.view_name if match else request.path}",
            allowed=False,
        )
        return None


def case_reference_for(public_id) -> str:
    """The reference of the case with this public id, or "" (an invalid id finds nothing).

    The case model belongs to a higher layer (cases/): it is looked up by its label, never imported, so the
    foundation does not depend on the app that builds on it."""
    if not _is_uuid(public_id):
        return ""
    case_model = apps.get_model(CASE_OBJECT_TYPE)
    return case_model.objects.filter(public_id=public_id).values_list("reference", flat=True).first() or ""


def _is_uuid(value) -> bool:
    import uuid

    if isinstance(value, uuid.UUID):
        return True
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
