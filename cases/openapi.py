"""OpenAPI 3 description of the JSON intake API, built from the same choices the code validates against."""

from django.conf import settings

from .api import IDEMPOTENCY_KEY, MAX_BODY_BYTES
from .models import Case, Party, case_reference_pattern


def _str(max_length: int | None = None, **extra) -> dict:
    schema = {"type": ["string", "null"], **extra}
    if max_length:
        schema["maxLength"] = max_length
    return schema


def openapi_spec() -> dict:
    safe_contact = {
        "type": "object",
        "additionalProperties": False,
        "description": "How the SOO may contact this victim safely (victims only).",
        "properties": {
            "safe_phone": _str(30),
            "safe_email": _str(254, format="email"),
            "safe_times": _str(200),
            "voicemail_ok": {"type": "boolean"},
            "texts_ok": {"type": "boolean"},
            "letters_ok": {"type": "boolean"},
            "contact_at_work_ok": {"type": "boolean"},
            "codeword": _str(60),
            "notes": _str(2000),
        },
    }
    party = {
        "type": "object",
        "additionalProperties": False,
        "required": ["role", "is_police"],
        "description": "A police party gives employee_number only; anyone else gives their identity fields.",
        "properties": {
            "role": {"type": "string", "enum": Party.Role.values},
            "is_police": {"type": "boolean"},
            "employee_number": _str(20),
            "first_name": _str(80),
            "last_name": _str(80),
            "date_of_birth": _str(format="date"),
            "address": _str(500),
            "phone": _str(30),
            "email": _str(254, format="email"),
            "home_district": _str(120, description="District name as in the staff directory"),
            "safe_contact": {"oneOf": [safe_contact, {"type": "null"}]},
        },
    }
    case_in = {
        "type": "object",
        "additionalProperties": False,
        "required": ["reference", "received_at", "route", "category", "parties"],
        "properties": {
            "reference": {"type": "string", "maxLength": 40, "pattern": case_reference_pattern()},
            "received_at": {"type": "string", "format": "date-time"},
            "route": {"type": "string", "enum": Case.Route.values},
            "category": {"type": "string", "enum": Case.Category.values},
            "risk_level": {"type": ["string", "null"], "enum": [*Case.Risk.values, "", None]},
            "duty": {"type": ["string", "null"], "enum": [*Case.Duty.values, "", None]},
            "incident_district": _str(120),
            "summary": _str(5000),
            "parties": {"type": "array", "minItems": 2, "maxItems": 20, "items": party},
        },
    }
    case_out = {
        "type": "object",
        "required": ["id", "reference", "status", "url"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "reference": {"type": "string"},
            "status": {"type": "string"},
            "url": {"type": "string"},
        },
    }
    error = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {"type": "string"},
            "errors": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                "description": "Messages by field path, e.g. 'reference', 'parties.0.employee_number'.",
            },
            "retry_after": {"type": "integer", "description": "With 429: seconds until the window resets."},
        },
    }

    def reply(description: str, schema: str) -> dict:
        return {"description": description, "content": {"application/json": {"schema": {"$ref": schema}}}}

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ppda case intake",
            "version": "1",
            "description": "Other force systems send new PPDA cases to the coordinators' inbox. Bodies are at most "
            f"{MAX_BODY_BYTES} bytes.",
        },
        "paths": {
            "/api/v1/cases/": {
                "post": {
                    "operationId": "caseIntake",
                    "summary": "Record a new case in the coordinators' inbox",
                    "security": [{"systemToken": []}],
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": True,
                            "description": "Unique per submission; a retry with the same key returns the first case.",
                            "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY.pattern, "maxLength": 200},
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CaseIntake"}}},
                    },
                    "responses": {
                        "201": reply("Case recorded", "#/components/schemas/Case"),
                        "200": reply("Repeat of an earlier submission: the first case", "#/components/schemas/Case"),
                        "400": reply("Invalid input: errors by field", "#/components/schemas/Error"),
                        "401": reply("Missing or unknown token", "#/components/schemas/Error"),
                        "405": reply("Only POST", "#/components/schemas/Error"),
                        "409": reply("Idempotency-Key reused with a different body", "#/components/schemas/Error"),
                        "413": reply("Body too large", "#/components/schemas/Error"),
                        "415": reply("Not application/json", "#/components/schemas/Error"),
                        "429": {
                            **reply(
                                f"Too many requests from this system's token: at most {settings.INTAKE_API_RATE_LIMIT} "
                                f"every {settings.INTAKE_API_RATE_WINDOW_SECONDS} seconds (a fixed window). Nothing "
                                "was recorded: send it again after Retry-After seconds, with the same Idempotency-Key.",
                                "#/components/schemas/Error",
                            ),
                            "headers": {
                                "Retry-After": {
                                    "description": "Seconds until the window resets.",
                                    "schema": {"type": "integer", "minimum": 1},
                                }
                            },
                        },
                    },
                }
            }
        },
        "components": {
            "securitySchemes": {"systemToken": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "CaseIntake": case_in,
                "Party": party,
                "SafeContact": safe_contact,
                "Case": case_out,
                "Error": error,
            },
        },
    }
