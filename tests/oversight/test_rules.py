"""The conflict rules as pure functions: one row per exclusion, hard and soft, with its reason."""

import datetime as dt

import pytest

from oversight.allocation import rules as r
from oversight.allocation.rules import Candidate, CaseFacts, Declaration, Person, exclusions_for

MARCH_3 = dt.datetime(2026, 3, 3, 12, 0, tzinfo=dt.UTC)


def victim(**kw):
    base = {
        "role": "victim",
        "label": "the victim",
        "normalised_name": "alex carter",
        "date_of_birth": dt.date(1990, 5, 17),
    }
    return Person(**{**base, **kw})


def suspect(**kw):
    base = {
        "role": "suspect",
        "label": "the suspect",
        "staff_id": 500,
        "command_id": 1,
        "command_name": "Northern Command",
        "department_id": 10,
        "department_name": "Response",
        "team_id": 100,
        "team_name": "Response Team 4",
    }
    return Person(**{**base, **kw})


def facts(**kw):
    base = {
        "reference": "DA/2026/000001",
        "parties": [victim(), suspect()],
        "incident_district_id": 7,
        "incident_district_name": "Eastborough",
        "open_case_limit": 3,
    }
    return CaseFacts(**{**base, **kw})


def ci(**kw):
    base = {
        "staff_id": 1,
        "employee_number": "E1",
        "name": "Chief Inspector One",
        "command_id": 2,
        "department_id": 20,
        "team_id": 200,
        "district_id": 8,
    }
    return Candidate(**{**base, **kw})


CASES = [
    # (id, candidate, facts, code, hard, reason)
    ("inactive", ci(is_active=False), facts(), r.NOT_ELIGIBLE, True, "no longer active in the staff directory"),
    (
        "not a CI",
        ci(rank="supt", rank_label="Superintendent"),
        facts(),
        r.NOT_ELIGIBLE,
        True,
        "not a chief inspector (superintendent)",
    ),
    ("not eligible", ci(soo_eligible=False), facts(), r.NOT_ELIGIBLE, True, "not marked as eligible to be an SOO"),
    (
        "no account",
        ci(has_soo_account=False),
        facts(),
        r.NOT_ELIGIBLE,
        True,
        "has no active user account with the SOO role",
    ),
    (
        "on leave",
        ci(availability="leave", availability_label="On leave", available_from=dt.date(2026, 4, 1)),
        facts(),
        r.UNAVAILABLE,
        True,
        "on leave until 1 April 2026",
    ),
    (
        "unavailable",
        ci(availability="unavailable", availability_label="Unavailable"),
        facts(),
        r.UNAVAILABLE,
        True,
        "unavailable",
    ),
    ("PSD", ci(department_kind="psd"), facts(), r.PSD_ACU, True, "works in PSD"),
    ("ACU", ci(department_kind="acu"), facts(), r.PSD_ACU, True, "works in ACU"),
    ("is the suspect", ci(staff_id=500), facts(), r.PARTY, True, "is the suspect in this case"),
    (
        "party to linked case",
        ci(),
        facts(linked_party_staff={1: "DA/2025/000777"}),
        r.PARTY,
        True,
        "is a party to the linked case DA/2025/000777",
    ),
    (
        "declared against suspect's staff record",
        ci(),
        facts(declarations=[Declaration(1, 500, "", None, MARCH_3)]),
        r.DECLARED_CONFLICT,
        True,
        "declared a conflict with the suspect on 3 March 2026",
    ),
    (
        "declared against victim by name and DOB",
        ci(),
        facts(declarations=[Declaration(1, None, "alex carter", dt.date(1990, 5, 17), MARCH_3)]),
        r.DECLARED_CONFLICT,
        True,
        "declared a conflict with the victim on 3 March 2026",
    ),
    (
        "party declared against the candidate",
        ci(),
        facts(declarations=[Declaration(500, 1, "", None, MARCH_3)]),
        r.DECLARED_CONFLICT,
        True,
        "the suspect declared a conflict with them on 3 March 2026",
    ),
    (
        "declared on first opening this case",
        ci(),
        facts(opened_with_conflict={1: MARCH_3}),
        r.DECLARED_CONFLICT,
        True,
        "declared a conflict on opening this case on 3 March 2026",
    ),
    (
        "SOO to the other party of a counter-allegation",
        ci(),
        facts(counter_soos={1: "DA/2026/000002"}),
        r.COUNTER_SOO,
        True,
        "SOO to the other party in the linked counter-allegation case DA/2026/000002",
    ),
    # Soft
    ("same team", ci(team_id=100), facts(), r.SAME_UNIT, False, "same team as the suspect (Response Team 4)"),
    ("same department", ci(department_id=10), facts(), r.SAME_UNIT, False, "same department as the suspect (Response)"),
    ("same command", ci(command_id=1), facts(), r.SAME_UNIT, False, "same command as the suspect (Northern Command)"),
    (
        "line manager of the suspect",
        ci(),
        facts(parties=[victim(), suspect(managers={1: 1, 9: 2})]),
        r.LINE_MANAGEMENT,
        False,
        "line manager of the suspect",
    ),
    (
        "higher in the suspect's chain",
        ci(),
        facts(parties=[victim(), suspect(managers={9: 1, 1: 3})]),
        r.LINE_MANAGEMENT,
        False,
        "in the suspect's line-management chain (3 levels above)",
    ),
    (
        "line-managed by the suspect",
        ci(managers={500: 1}),
        facts(),
        r.LINE_MANAGEMENT,
        False,
        "line-managed by the suspect",
    ),
    (
        "suspect higher in the candidate's chain",
        ci(managers={77: 1, 500: 2}),
        facts(),
        r.LINE_MANAGEMENT,
        False,
        "the suspect is in their line-management chain (2 levels above)",
    ),
    (
        "district of the incident",
        ci(district_id=7),
        facts(),
        r.INCIDENT_DISTRICT,
        False,
        "same district as the incident (Eastborough)",
    ),
    (
        "district where the victim lives",
        ci(district_id=9),
        facts(parties=[victim(home_district_id=9, home_district_name="Westvale"), suspect()]),
        r.VICTIM_DISTRICT,
        False,
        "based in the district where the victim lives (Westvale)",
    ),
    ("at capacity", ci(open_cases=3), facts(), r.CAPACITY, False, "at capacity: 3 open cases (limit 3)"),
    (
        "declined this case before",
        ci(),
        facts(declined_before={1: MARCH_3}),
        r.DECLINED_BEFORE,
        False,
        "declined this case on 3 March 2026",
    ),
]


@pytest.mark.parametrize(
    ("candidate", "case_facts", "code", "hard", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_exclusion_with_its_reason(candidate, case_facts, code, hard, reason):
    found = exclusions_for(candidate, case_facts)
    assert r.Exclusion(code, hard, reason) in found
    assert all(e.hard == (e.code in r.HARD_RULES) for e in found)


def test_a_clean_candidate_has_no_exclusions():
    assert exclusions_for(ci(), facts()) == []


def test_every_rule_is_covered_by_the_table():
    assert {c[3] for c in CASES} == set(r.HARD_RULES) | set(r.SOFT_RULES)


@pytest.mark.parametrize(
    ("declaration", "matches"),
    [
        (Declaration(1, None, "alex carter", dt.date(1990, 5, 17), MARCH_3), True),
        (Declaration(1, None, "alex carter", dt.date(1991, 1, 1), MARCH_3), False),  # same name, other person
        (Declaration(1, None, "alex carter", None, MARCH_3), True),  # DOB unknown: name alone, to be safe
        (Declaration(1, None, "sam carter", dt.date(1990, 5, 17), MARCH_3), False),
        (Declaration(2, None, "alex carter", dt.date(1990, 5, 17), MARCH_3), False),  # someone else's declaration
        (Declaration(1, 501, "", None, MARCH_3), False),  # another staff member
    ],
)
def test_declaration_matching(declaration, matches):
    found = [e for e in exclusions_for(ci(), facts(declarations=[declaration])) if e.code == r.DECLARED_CONFLICT]
    assert bool(found) is matches


def test_a_civilian_suspect_has_no_unit_or_chain_rules():
    civilian = Person(role="suspect", label="the suspect", normalised_name="jo bloggs")
    assert (
        exclusions_for(ci(command_id=None, department_id=None, team_id=None), facts(parties=[victim(), civilian])) == []
    )


def test_below_capacity_is_fine():
    assert exclusions_for(ci(open_cases=2), facts()) == []
