"""Bad input to every form and to the JSON intake API: never a 500, never half-written.

Each form is fetched once to learn its fields (names, and the values its radios and selects offer),
then Hypothesis posts oversized, malformed, wrong-type and hostile values (NUL bytes, 100 kB strings,
unicode tricks, SQL/HTML/template payloads, lists where one value is expected). Every answer must be
below 500; a refusal (4xx) or a re-rendered form (200) must leave every domain table as it was.
Each example runs in a savepoint that is rolled back, so examples do not pile up state.

A form added later: a matrix entry with `post=` must be listed in TARGETS or NOT_FUZZED (a test checks).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import Case, CaseAccessDeclaration, IntakeSystem, case_reference_pattern
from oversight.models import Allocation
from tests.factories.cases import CaseFactory, PoliceSuspectFactory, PoliceVictimFactory, TriagedCaseFactory
from tests.factories.oversight import PendingAllocationFactory

from . import matrix as m
from .fuzz import changed, form_data, form_fields, hostile_text, row_counts

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=20,
    deadline=None,
    database=None,  # no .hypothesis directory in the repository
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
REDIRECTS = (301, 302, 303)


def _case_a(w):
    return w.case_a.public_id


def _received_case(w):
    """A fresh untriaged case the coordinator has declared on: the triage form shows."""
    case = CaseFactory()
    PoliceVictimFactory(case=case)
    PoliceSuspectFactory(case=case)
    CaseAccessDeclaration.objects.create(
        case=case, user=w.users[m.COORDINATOR], kind=CaseAccessDeclaration.Kind.NO_CONFLICT
    )
    return case.public_id


def _unallocated_case(w):
    case = TriagedCaseFactory()
    PoliceVictimFactory(case=case)
    PoliceSuspectFactory(case=case)
    CaseAccessDeclaration.objects.create(
        case=case, user=w.users[m.COORDINATOR], kind=CaseAccessDeclaration.Kind.NO_CONFLICT
    )
    return case.public_id


def _psd_declared(w):
    """Case A once the assigned PSD representative has made the first-open declaration."""
    CaseAccessDeclaration.objects.get_or_create(
        case=w.case_a, user=w.users[m.PSD], defaults={"kind": CaseAccessDeclaration.Kind.NO_CONFLICT}
    )
    return w.case_a.public_id


def _psd_record(w):
    """Case A with an investigation record opened by its PSD representative: the update form shows."""
    from cases.investigations.services import investigation_open

    public_id = _psd_declared(w)
    if not hasattr(w.case_a, "investigation"):
        investigation_open(
            case=w.case_a, by=w.users[m.PSD], criminal=True, misconduct=True, allegation_on=dt.date(2026, 1, 5)
        )
    return public_id


def _pending_allocation(w):
    """An allocation awaiting the SOO's answer: the accept/decline form shows."""
    case = TriagedCaseFactory()
    PoliceVictimFactory(case=case)
    PoliceSuspectFactory(case=case)
    # Opened by the SOO (declared), not yet answered.
    allocation = PendingAllocationFactory(
        case=case, soo=w.users[m.SOO].staff, allocated_by=w.users[m.COORDINATOR], declared=True
    )
    return allocation.public_id


def _closed_case(w):
    """A closed case the coordinator has declared on: the reopen form shows."""
    case = TriagedCaseFactory(status=Case.Status.CLOSED, closed_at=timezone.now())
    PoliceVictimFactory(case=case)
    PoliceSuspectFactory(case=case)
    CaseAccessDeclaration.objects.create(
        case=case, user=w.users[m.COORDINATOR], kind=CaseAccessDeclaration.Kind.NO_CONFLICT
    )
    return case.public_id


@dataclass(frozen=True)
class Target:
    key: str
    role: str
    public_id: Callable | None = None  # world -> the object the URL names (called inside the example)
    method: str = "POST"
    fields: dict | None = None  # when the page shows no form to learn from
    kwargs: Callable | None = None  # world -> URL kwargs, for URLs not named by public_id

    def url(self, world) -> str:
        if self.kwargs is not None:
            return reverse(self.key, kwargs=self.kwargs(world))
        if self.public_id is None:
            return reverse(self.key)
        if self.key.startswith("contacts:"):
            return reverse(self.key, kwargs={"case_id": self.public_id(world)})
        return reverse(self.key, kwargs={"public_id": self.public_id(world)})


TARGETS = [
    Target("accounts:login", m.ANONYMOUS),
    Target("accounts:otp_verify", m.PASSWORD_ONLY),
    Target("accounts:password_change", m.COORDINATOR),
    Target("accounts:backup_codes_regenerate", m.COORDINATOR),
    Target("accounts:authenticator_reset", m.COORDINATOR),
    Target("cases:intake", m.COORDINATOR),
    Target("cases:rota", m.COORDINATOR),
    Target("cases:declare", m.PSD, _case_a),
    Target("cases:triage", m.COORDINATOR, _received_case),
    Target("cases:link_create", m.COORDINATOR, _case_a),
    Target("contacts:create", m.SOO, _case_a),
    Target("contacts:engagement", m.SOO, _case_a),
    Target("contacts:schedule", m.SOO, _case_a),
    Target(
        "contacts:correct",
        m.SOO,
        kwargs=lambda w: {"case_id": w.case_a.public_id, "contact_id": w.contact_a.public_id},
    ),
    Target("update_form:overview", m.SOO, _case_a),
    Target("update_form:support", m.SOO, _case_a),
    Target("update_form:investigation", m.SOO, _case_a),
    Target("update_form:concerns", m.SOO, _case_a),
    Target("update_form:feedback", m.SOO, _case_a),
    Target("oversight:declarations", m.SOO),
    Target("oversight:declarations", m.COORDINATOR),
    Target("oversight:allocate", m.COORDINATOR, _unallocated_case),
    Target("oversight:end", m.COORDINATOR, _case_a, fields={"reason": []}),
    Target("oversight:respond", m.SOO, _pending_allocation),
    Target("closure:edit", m.SOO, _case_a),
    Target("cases:psd_assign", m.COORDINATOR, _case_a),
    Target("cases:investigation_open", m.PSD, _psd_declared),
    Target("cases:investigation_update", m.PSD, _psd_record),
    Target("closure:reopen", m.COORDINATOR, _closed_case),
    # Case A is open, so the page shows no decision form to learn from: the fields are named here.
    Target(
        "retention:decide",
        m.COORDINATOR,
        _case_a,
        fields={
            "decision": ["retain", "delete"],
            "reason": [],
            "next_review_on_day": [],
            "next_review_on_month": [],
            "next_review_on_year": [],
            "confirm": ["on"],
            "review_on": [],
        },
    ),
    Target("audit:index", m.AUDITOR, method="GET"),
    Target("statistics:index", m.COORDINATOR, method="GET"),
    Target("statistics:reduced", m.PANEL_CHAIR, method="GET"),
    Target("statistics:import", m.COORDINATOR),
    Target(
        "statistics:figures_csv",
        m.COORDINATOR,
        method="GET",
        fields={
            "date_from_day": [],
            "date_from_month": [],
            "date_from_year": [],
            "date_to_day": [],
            "date_to_month": [],
            "date_to_year": [],
            "category": [],
        },
    ),
    Target(
        "audit:export",
        m.AUDITOR,
        method="GET",
        fields={
            "reference": [],
            "username": [],
            "date_from_day": [],
            "date_from_month": [],
            "date_from_year": [],
            "date_to_day": [],
            "date_to_month": [],
            "date_to_year": [],
            "outcome": [],
            "action": [],
        },
    ),
]


def _meeting(w):
    return {"meeting_id": w.panel.meeting.public_id}


def _meeting_item(w):
    return {"meeting_id": w.panel.meeting.public_id, "item_id": w.panel.item.public_id}


TARGETS += [
    Target("panels:meeting_create", m.COORDINATOR),
    Target("panels:item_add", m.COORDINATOR, kwargs=_meeting, fields={"reference": [], "time": [], "minutes": []}),
    Target(
        "panels:attendee_add",
        m.COORDINATOR,
        kwargs=_meeting,
        fields={"user": [], "organisation": []},
    ),
    Target("panels:outcome", m.PANEL_CHAIR, kwargs=_meeting_item),
    Target(
        "panels:action_add",
        m.PANEL_CHAIR,
        kwargs=_meeting_item,
        fields={
            "description": [],
            "owner_role": ["soo", "psd"],
            "due_on_day": [],
            "due_on_month": [],
            "due_on_year": [],
        },
    ),
    Target("panels:statement", m.PANEL_MEMBER, kwargs=_meeting, fields={"accept": ["on"]}),
    Target("panels:identified", m.PSD, kwargs=lambda w: {"item_id": w.panel.item.public_id}),
]
NOT_FUZZED = {
    "panels:publish": "no input",
    "panels:hold": "no input",
    "panels:approve": "no input",
    "panels:pack_request": "no input",
    "panels:item_remove": "no input: the item is in the URL",
    "panels:attendee_remove": "no input: the attendee is in the URL (a converter refuses anything but digits)",
    "panels:action_done": "no input: the action is in the URL (a converter refuses anything but digits)",
    "panels:amend": "the world's minutes are not approved, so it redirects to the outcome form (fuzzed above);"
    " the amendment form is exercised in tests/panels",
    "accounts:logout": "no input",
    "accounts:sessions_end_others": "no input",
    "accounts:security_key_remove": "no input: the id is in the URL (a converter refuses anything but digits)",
    "cases:assign": "no input",
    "notifications:read": "no input: the id is in the URL (a converter refuses anything but digits)",
    "notifications:read_all": "no input",
    "api_case_intake": "fuzzed as JSON by test_json_intake_never_500s below",
}


def _snapshot(world):
    return (
        row_counts(),
        list(Case.objects.filter(pk__in=[world.case_a.pk, world.case_b.pk]).order_by("pk").values()),
        list(Allocation.objects.order_by("pk").values()),
    )


def _assert_nothing_written(before, after, response):
    counts = changed(before[0], after[0])
    assert not counts, f"{response.status_code} but rows were written: {counts}"
    assert before[1:] == after[1:], f"{response.status_code} but existing cases or allocations changed"


def test_the_half_written_check_sees_a_write(world):
    before = _snapshot(world)
    PoliceVictimFactory(case=world.case_a)
    with pytest.raises(AssertionError, match="rows were written.*cases_party"):
        _assert_nothing_written(before, _snapshot(world), type("R", (), {"status_code": 200}))


def test_every_form_is_fuzzed():
    """A form added later must be fuzzed too (or say why not)."""
    fuzzed = {t.key for t in TARGETS}
    posting = {k for k, e in m.EXPECTATIONS.items() if e.post is not None}
    missing = posting - fuzzed - set(NOT_FUZZED)
    assert not missing, f"Add these to TARGETS in tests/security/test_fuzz.py (or NOT_FUZZED with a reason): {missing}"


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: f"{t.key}|{t.role}")
def test_form_never_500s_and_never_half_writes(world, target):
    fields = target.fields
    if fields is None:
        with transaction.atomic():
            page = world.client(target.role).get(target.url(world))
            transaction.set_rollback(True)
        assert page.status_code == 200, f"{target.key} as {target.role}: GET gave {page.status_code}"
        fields = form_fields(page.content.decode())
        assert fields, f"{target.key}: no form fields found on the page"

    @FUZZ
    @given(data=st.data())
    def run(data):
        payload = data.draw(form_data(fields), label="form data")
        with transaction.atomic():
            url = target.url(world)
            client = world.client(target.role)
            before = _snapshot(world)
            response = client.post(url, payload) if target.method == "POST" else client.get(url, payload)
            assert response.status_code < 500
            if response.status_code not in REDIRECTS and target.key != "audit:export":
                _assert_nothing_written(before, _snapshot(world), response)
            transaction.set_rollback(True)

    run()


# ---- the JSON intake API ----------------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | hostile_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def intake_bodies(draw):
    """Mostly a well-formed case with one thing wrong; sometimes raw garbage."""
    kind = draw(st.sampled_from(["mutated", "mutated", "mutated", "valid", "raw", "deep", "huge_number"]))
    if kind == "raw":
        return draw(st.binary(max_size=2000))
    if kind == "deep":
        depth = draw(st.integers(500, 50_000))
        return ("[" * depth + "]" * depth).encode()
    if kind == "huge_number":
        return b'{"reference": ' + b"9" * draw(st.integers(4000, 60_000)) + b"}"
    victim = draw(
        st.sampled_from(
            [
                {"role": "victim", "is_police": True, "employee_number": "PX73519"},
                {
                    "role": "victim",
                    "is_police": False,
                    "first_name": "Ada",
                    "last_name": "Synth",
                    "date_of_birth": "1990-01-02",
                    "safe_contact": {"codeword": "Heron", "texts_ok": True},
                },
            ]
        )
    )
    payload = {
        "reference": draw(st.from_regex(case_reference_pattern(), fullmatch=True)),
        "received_at": draw(st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1)))
        .replace(tzinfo=dt.UTC)
        .isoformat(),
        "route": draw(st.sampled_from(Case.Route.values)),
        "category": Case.Category.BOTH if victim["is_police"] else Case.Category.POLICE_PERPETRATOR,
        "parties": [victim, {"role": "suspect", "is_police": True, "employee_number": "PX88214"}],
    }
    if kind == "mutated":
        target = draw(st.sampled_from(["case", "victim", "suspect", "safe"]))
        where = {
            "case": payload,
            "victim": payload["parties"][0],
            "suspect": payload["parties"][1],
            "safe": payload["parties"][0].setdefault("safe_contact", {}),
        }[target]
        action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        keys = sorted(where) or ["codeword"]
        if action == "replace" or not where:
            where[draw(st.sampled_from(keys))] = draw(json_values)
        elif action == "delete":
            del where[draw(st.sampled_from(keys))]
        else:
            where[draw(st.text(max_size=20))] = draw(json_values)
    return json.dumps(payload).encode()


@settings(FUZZ, max_examples=150)
@given(
    body=intake_bodies(),
    content_type=st.sampled_from(["application/json"] * 6 + ["text/plain", "application/x-www-form-urlencoded", ""]),
    key=st.one_of(st.from_regex(r"[A-Za-z0-9-]{8,40}", fullmatch=True), hostile_text),
)
def test_json_intake_never_500s(world, body, content_type, key):
    with transaction.atomic():
        system = IntakeSystem(name="Fuzz force system")
        token = IntakeSystem.new_token()
        system.set_token(token)
        system.save()
        before = _snapshot(world)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        if key and "\x00" not in key and "\n" not in key and "\r" not in key:
            headers["HTTP_IDEMPOTENCY_KEY"] = key
        response = world.client(m.ANONYMOUS).post(
            reverse("api_case_intake"), data=body, content_type=content_type, **headers
        )
        assert response.status_code in (200, 201, 400, 401, 409, 413, 415), response.status_code
        answer = response.json()
        if response.status_code >= 400:
            assert answer["error"]
            after = _snapshot(world)
            counts = changed(before[0], after[0])
            counts.pop(IntakeSystem._meta.db_table, None)
            assert not counts, f"{response.status_code} but rows were written: {counts}"
        else:
            assert Case.objects.filter(public_id=answer["id"]).exists()
        transaction.set_rollback(True)
