"""The JSON intake API: token per sending system, same validation as the form, idempotency, never a 500."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cases.models import Case, IntakeRequest, IntakeSystem, Party, SafeContact, token_hash
from cases.services import intake_system_create
from ppda.models import AccessLog
from tests.factories.cases import CaseFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/cases/"


@pytest.fixture
def system():
    return intake_system_create(name="Control room CAD")


@pytest.fixture
def api(system):
    _, token = system
    client = Client(enforce_csrf_checks=True)

    def post(body, key="key-1", token=token, content_type="application/json", **headers):
        raw = body if isinstance(body, (bytes, str)) else json.dumps(body)
        if token is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        if key is not None:
            headers["HTTP_IDEMPOTENCY_KEY"] = key
        return client.post(URL, raw, content_type=content_type, **headers)

    return post


def body(district, suspect_staff, **overrides):
    data = {
        "reference": "DA/2026/000500",
        "received_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
        "route": "transfer",
        "category": "police_perpetrator",
        "duty": "on",
        "incident_district": district.name,
        "summary": "Transferred from a neighbouring force.",
        "parties": [
            {
                "role": "victim",
                "is_police": False,
                "first_name": "Ngozi",
                "last_name": "Exampleton",
                "date_of_birth": "1992-07-01",
                "safe_contact": {"safe_phone": "07700 900333", "voicemail_ok": True, "codeword": "Kestrel"},
            },
            {"role": "suspect", "is_police": True, "employee_number": suspect_staff.employee_number},
        ],
    }
    data.update(overrides)
    return data


def test_creates_a_case_with_201(api, system, district, suspect_staff):
    response = api(body(district, suspect_staff))
    assert response.status_code == 201, response.json()
    case = Case.objects.get()
    assert response.json() == {
        "id": str(case.public_id),
        "reference": "DA/2026/000500",
        "status": "received",
        "url": f"/cases/{case.public_id}/",
    }
    assert case.intake_system == system[0]
    assert case.route == "transfer" and case.duty == "on"
    victim = case.parties.get(role="victim")
    assert victim.normalised_name == "ngozi exampleton"
    assert victim.safe_contact.codeword == "Kestrel" and victim.safe_contact.voicemail_ok is True
    assert case.parties.get(role="suspect").staff == suspect_staff
    assert AccessLog.objects.filter(
        action="change", case_reference=case.reference, what__startswith="intake API"
    ).exists()


def test_a_repeat_with_the_same_key_returns_the_first_case(api, district, suspect_staff):
    data = body(district, suspect_staff)
    first = api(data)
    # Same content, different key order and spacing: still the same body.
    again = api(json.dumps(dict(reversed(list(data.items()))), indent=2))
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert Case.objects.count() == 1 and Party.objects.count() == 2


def test_a_repeat_with_a_different_body_is_409(api, district, suspect_staff):
    api(body(district, suspect_staff))
    response = api(body(district, suspect_staff, summary="Something else"))
    assert response.status_code == 409
    assert "different body" in response.json()["error"]
    assert Case.objects.count() == 1


def test_keys_are_per_system(api, system, district, suspect_staff):
    api(body(district, suspect_staff))
    _, other_token = intake_system_create(name="MASH referrals")
    response = api(body(district, suspect_staff), token=other_token)
    # Same key from another system is a new submission: here the reference is already taken.
    assert response.status_code == 400
    assert response.json()["errors"] == {"reference": ["A case with this reference already exists"]}


@pytest.mark.parametrize("token", [None, "", "wrong-token"])
def test_needs_a_valid_token(api, district, suspect_staff, token):
    response = api(body(district, suspect_staff), token=token)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert Case.objects.count() == 0


def test_an_inactive_system_is_refused(api, system, district, suspect_staff):
    system[0].is_active = False
    system[0].save()
    assert api(body(district, suspect_staff)).status_code == 401


def test_only_the_token_hash_is_stored(system):
    intake, token = system
    assert intake.token_hash == token_hash(token)
    assert token not in json.dumps(list(IntakeSystem.objects.values()), default=str)


def test_management_command_prints_the_token_once():
    out = StringIO()
    call_command("intake_system_create", "Custody system", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    system = IntakeSystem.objects.get(name="Custody system")
    assert system.token_hash == token_hash(token)
    assert len(token) >= 40


def test_management_command_refuses_a_second_system_of_the_same_name():
    from django.core.management.base import CommandError

    call_command("intake_system_create", "Custody system", stdout=StringIO())
    with pytest.raises(CommandError, match="already exists"):
        call_command("intake_system_create", "Custody system", stdout=StringIO())
    assert IntakeSystem.objects.count() == 1


def test_get_is_405(system):
    _, token = system
    response = Client().get(URL, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        (
            {"reference": "nope"},
            {"reference": ["Enter the force reference in the force's format, like DA/2026/000123"]},
        ),
        ({"route": "fax"}, {"route": ["Select how the case came in"]}),
        (
            {"received_at": "2099-01-01T00:00:00Z"},
            {"received_at": ["The date the case was received must be today or in the past"]},
        ),
        ({"received_at": "soon"}, {"received_at": ["Enter the date and time received as a real date and time"]}),
        ({"reference": 123}, {"reference": ["Must be a string"]}),
        ({"parties": "everyone"}, {"parties": ["Must be a list"]}),
        ({"parties": [1, 2]}, {"parties.0": ["Must be an object"], "parties.1": ["Must be an object"]}),
        ({"colour": "blue"}, {"colour": ["Unknown field"]}),
        ({"incident_district": "Atlantis"}, {"incident_district": ["Select a district from the list"]}),
    ],
)
def test_bad_input_is_400_with_field_errors(api, district, suspect_staff, change, errors):
    response = api(body(district, suspect_staff, **change))
    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert Case.objects.count() == 0 and IntakeRequest.objects.count() == 0


def test_party_rules_match_the_form(api, district, suspect_staff):
    data = body(district, suspect_staff)
    data["parties"][0]["date_of_birth"] = "2999-01-01"
    data["parties"][1]["employee_number"] = "E000000"
    data["parties"].append({"role": "suspect", "is_police": True})
    data["parties"].append({"role": "victim", "is_police": "yes"})
    response = api(data)
    assert response.status_code == 400
    assert response.json()["errors"] == {"parties.3.is_police": ["Must be true or false"]}
    data["parties"].pop()
    response = api(data)
    assert response.json()["errors"] == {
        "parties.0.date_of_birth": ["Date of birth must be in the past"],
        "parties.1.employee_number": ["No one in the staff directory has this employee number"],
        "parties.2.employee_number": ["Enter the employee number of the police party"],
    }
    assert (Case.objects.count(), Party.objects.count(), SafeContact.objects.count()) == (0, 0, 0)


def test_missing_victim_and_required_fields(api, district, suspect_staff):
    data = body(district, suspect_staff)
    del data["route"]
    data["parties"] = data["parties"][1:]
    response = api(data)
    assert response.json()["errors"] == {"route": ["This field is required"]}
    data["route"] = "self"
    assert api(data).json()["errors"] == {"parties": ["Add at least one victim"]}


def test_duplicate_reference_is_400(api, district, suspect_staff):
    CaseFactory(reference="DA/2026/000500")
    response = api(body(district, suspect_staff))
    assert response.status_code == 400
    assert response.json()["errors"] == {"reference": ["A case with this reference already exists"]}


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b" ", b"[]", b'"a string"', b"\xff\xfe", b'{"reference": NaN}', b"[" * 5000 + b"]" * 5000],
)
def test_malformed_bodies_are_400_never_500(api, raw):
    response = api(raw)
    assert response.status_code == 400
    assert "body" in response.json()["errors"]


def test_null_bytes_and_long_strings_are_400(api, district, suspect_staff):
    response = api(body(district, suspect_staff, summary="a\x00b", reference="DA/2026/00050\x00"))
    assert response.status_code == 400
    response = api(body(district, suspect_staff, summary="x" * 6000))
    assert response.status_code == 400
    assert "summary" in response.json()["errors"]


def test_oversized_body_is_413(api, district, suspect_staff):
    response = api(body(district, suspect_staff, summary="x" * 70_000))
    assert response.status_code == 413


def test_wrong_content_type_is_415(api, district, suspect_staff):
    response = api(json.dumps(body(district, suspect_staff)), content_type="text/plain")
    assert response.status_code == 415
    assert api(b"").status_code == 415  # no body, no content type


@pytest.mark.parametrize("key", [None, "", "x" * 201, "has space"])
def test_idempotency_key_is_required(api, district, suspect_staff, key):
    response = api(body(district, suspect_staff), key=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert Case.objects.count() == 0


def test_the_endpoint_skips_csrf_and_otp_but_pages_do_not(api, district, suspect_staff):
    # A session-less client with CSRF checks on reaches the API but not a page.
    assert Client(enforce_csrf_checks=True).post("/cases/new/", {}).status_code == 403
    assert Client().get("/cases/new/").status_code == 302
    assert api(body(district, suspect_staff)).status_code == 201


def test_openapi_description(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    operation = spec["paths"]["/api/v1/cases/"]["post"]
    assert {"201", "200", "400", "401", "409", "413"} <= set(operation["responses"])
    schema = spec["components"]["schemas"]["CaseIntake"]
    assert schema["properties"]["route"]["enum"] == Case.Route.values
