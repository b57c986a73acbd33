"""The JSON intake API for other force systems: POST /api/v1/cases/.

It authenticates each sending system by its own token (Authorization: Bearer ...), so it bypasses the
session, CSRF and OTP gate that protect the pages. Input goes through the same forms and the same service
as the intake page. Every answer is JSON; bad input is a 4xx with field errors, never a 500.
"""

import hashlib
import json
import re

from django.conf import settings
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from ppda.audit import access_record
from ppda.errors import ApplicationError
from ppda.models import AccessLog
from ppda.ratelimit import rate_limit_hit

from . import services
from .forms import ApiCaseIntakeForm, ApiPartyForm, SafeContactForm
from .models import IntakeSystem, token_hash

MAX_BODY_BYTES = 64 * 1024
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")  # printable ASCII, no spaces

CASE_FIELDS = {
    "reference": str,
    "received_at": str,
    "route": str,
    "category": str,
    "risk_level": str,
    "duty": str,
    "incident_district": str,
    "summary": str,
    "parties": list,
}
PARTY_FIELDS = {
    "role": str,
    "is_police": bool,
    "employee_number": str,
    "first_name": str,
    "last_name": str,
    "date_of_birth": str,
    "address": str,
    "phone": str,
    "email": str,
    "home_district": str,
    "safe_contact": dict,
}
SAFE_FIELDS = {
    "safe_phone": str,
    "safe_email": str,
    "safe_times": str,
    "voicemail_ok": bool,
    "texts_ok": bool,
    "letters_ok": bool,
    "contact_at_work_ok": bool,
    "codeword": str,
    "notes": str,
}
REQUIRED_CASE = ("reference", "received_at", "route", "category", "parties")
REQUIRED_PARTY = ("role", "is_police")
TYPE_NAMES = {str: "a string", bool: "true or false", list: "a list", dict: "an object"}


def _error(status: int, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def _invalid(errors: dict[str, list[str]]) -> JsonResponse:
    return JsonResponse({"error": "The case was not recorded: correct the errors.", "errors": errors}, status=400)


def _authenticate(request) -> IntakeSystem | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return IntakeSystem.objects.filter(token_hash=token_hash(token.strip()), is_active=True).first()


def _rate_limited(system: IntakeSystem) -> JsonResponse | None:
    limit, window = settings.INTAKE_API_RATE_LIMIT, settings.INTAKE_API_RATE_WINDOW_SECONDS
    decision = rate_limit_hit(scope="intake-api", ident=system.pk, limit=limit, window_seconds=window)
    if decision.allowed:
        return None
    response = _error(
        429,
        f"Too many requests from this system: at most {limit} every {window} seconds. "
        f"Retry after {decision.retry_after} seconds.",
        retry_after=decision.retry_after,
    )
    response["Retry-After"] = str(decision.retry_after)
    return response


def _check_shape(obj: dict, spec: dict, required: tuple, prefix: str, errors: dict) -> None:
    """Types first: the forms below would turn a list or a number into its text, which is not what was meant."""
    for key, value in obj.items():
        path = f"{prefix}{key}"
        if key not in spec:
            errors.setdefault(path, []).append("Unknown field")
        elif value is not None and type(value) is not spec[key]:
            errors.setdefault(path, []).append(f"Must be {TYPE_NAMES[spec[key]]}")
    for key in required:
        if obj.get(key) in (None, ""):
            errors.setdefault(f"{prefix}{key}", []).append("This field is required")


def _form_data(obj: dict) -> dict:
    data = {}
    for key, value in obj.items():
        if value is None or isinstance(value, (dict, list)):
            continue
        if isinstance(value, bool):
            # Checkboxes post "on" when ticked and nothing when not.
            if value:
                data[key] = "on"
            continue
        data[key] = value
    return data


def _parse(payload: dict) -> tuple[services.IntakeInput | None, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    _check_shape(payload, CASE_FIELDS, REQUIRED_CASE, "", errors)
    parties = payload.get("parties") if isinstance(payload.get("parties"), list) else []
    if len(parties) > 20:
        errors.setdefault("parties", []).append("At most 20 parties")
        parties = []
    for i, party in enumerate(parties):
        if not isinstance(party, dict):
            errors.setdefault(f"parties.{i}", []).append("Must be an object")
            continue
        _check_shape(party, PARTY_FIELDS, REQUIRED_PARTY, f"parties.{i}.", errors)
        if isinstance(party.get("safe_contact"), dict):
            _check_shape(party["safe_contact"], SAFE_FIELDS, (), f"parties.{i}.safe_contact.", errors)
    if errors:
        return None, errors

    case_form = ApiCaseIntakeForm(_form_data(payload))
    for name, msgs in (case_form.errors if not case_form.is_valid() else {}).items():
        errors[name] = list(msgs)
    inputs = []
    for i, party in enumerate(parties):
        data = _form_data(party)
        data["is_police"] = "yes" if party["is_police"] else "no"
        party_form = ApiPartyForm(data)
        safe_form = SafeContactForm(_form_data(party.get("safe_contact") or {}))
        for form, prefix in ((party_form, f"parties.{i}."), (safe_form, f"parties.{i}.safe_contact.")):
            if not form.is_valid():
                for name, msgs in form.errors.items():
                    errors[prefix + name] = list(msgs)
        if party_form.is_valid() and safe_form.is_valid():
            inputs.append(party_form.to_input(safe_form.to_input()))
    if errors:
        return None, errors
    d = case_form.cleaned_data
    return (
        services.IntakeInput(
            reference=d["reference"],
            received_at=d["received_at"],
            route=d["route"],
            category=d["category"],
            duty=d.get("duty") or "unknown",
            risk_level=d.get("risk_level") or "",
            incident_district=d.get("incident_district"),
            summary=d.get("summary") or "",
            parties=inputs,
        ),
        {},
    )


def _case_body(case) -> dict:
    return {
        "id": str(case.public_id),
        "reference": case.reference,
        "status": case.status,
        "url": reverse("cases:detail", args=[case.public_id]),
    }


@csrf_exempt  # Token-authenticated machine endpoint: no cookies, so no cross-site request to forge.
@never_cache
def case_intake(request):
    if request.method != "POST":
        response = _error(405, "Use POST")
        response["Allow"] = "POST"
        return response
    system = _authenticate(request)
    if system is None:
        response = _error(401, "A valid sending-system token is required")
        response["WWW-Authenticate"] = 'Bearer realm="ppda intake"'
        return response
    # Per sending system, before any parsing: a runaway sender costs one Redis call a request, not the work.
    limited = _rate_limited(system)
    if limited is not None:
        return limited
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return _error(415, "Send the case as application/json")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        return _error(413, f"The body must be at most {MAX_BODY_BYTES} bytes")
    key = request.META.get("HTTP_IDEMPOTENCY_KEY", "")
    if not IDEMPOTENCY_KEY.match(key):
        return _invalid({"Idempotency-Key": ["Send an Idempotency-Key header of 1 to 200 printable characters"]})
    try:
        raw = request.read(MAX_BODY_BYTES + 1)
        if len(raw) > MAX_BODY_BYTES:
            return _error(413, f"The body must be at most {MAX_BODY_BYTES} bytes")
        payload = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return _invalid({"body": ["The body is not valid JSON"]})
    if not isinstance(payload, dict):
        return _invalid({"body": ["The body must be a JSON object"]})

    data, errors = _parse(payload)
    if errors:
        return _invalid(errors)
    body_hash = hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    try:
        case, created = services.intake_api_submit(system=system, key=key, body_hash=body_hash, data=data)
    except services.IdempotencyConflict:
        return _error(409, "This Idempotency-Key was already used with a different body")
    except ApplicationError as e:
        return _invalid(e.errors)
    if created:
        access_record(
            request=request,
            action=AccessLog.Action.CHANGE,
            obj=case,
            case_reference=case.reference,
            what=f"intake API: {system.name}",
        )
    response = JsonResponse(_case_body(case), status=201 if created else 200)
    response["Location"] = _case_body(case)["url"]
    return response


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


@never_cache
def openapi(request):
    """The intake API's OpenAPI 3 description (no case data in it, so open like the endpoint itself)."""
    from .openapi import openapi_spec

    return JsonResponse(openapi_spec(), json_dumps_params={"indent": 2})
