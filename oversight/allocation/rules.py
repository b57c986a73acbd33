"""Eligibility and conflict-of-interest rules (DESIGN.md section 3) as pure functions.

Nothing here touches the database: the selector loads everything once (constant queries however many
chief inspectors there are) into the plain records below, and `exclusions_for` decides each candidate.
Every exclusion carries a plain-English reason the coordinator sees on screen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils import timezone

# Rule codes. Hard ones can never be overridden; soft ones only with a recorded reason.
NOT_ELIGIBLE = "not_eligible"
UNAVAILABLE = "unavailable"
PSD_ACU = "psd_acu"
PARTY = "party"
DECLARED_CONFLICT = "declared_conflict"
COUNTER_SOO = "counter_soo"

SAME_UNIT = "same_unit"
LINE_MANAGEMENT = "line_management"
INCIDENT_DISTRICT = "incident_district"
VICTIM_DISTRICT = "victim_district"
CAPACITY = "capacity"
DECLINED_BEFORE = "declined_before"

HARD_RULES = (NOT_ELIGIBLE, UNAVAILABLE, PSD_ACU, PARTY, DECLARED_CONFLICT, COUNTER_SOO)
SOFT_RULES = (SAME_UNIT, LINE_MANAGEMENT, INCIDENT_DISTRICT, VICTIM_DISTRICT, CAPACITY, DECLINED_BEFORE)

# The heading each hard rule's exclusions are grouped under on the allocation page.
HARD_RULE_LABELS = {
    NOT_ELIGIBLE: "Not eligible to be an SOO",
    UNAVAILABLE: "On leave or unavailable",
    PSD_ACU: "Works in PSD or ACU",
    PARTY: "A party to this or a linked case",
    DECLARED_CONFLICT: "A declared conflict of interest",
    COUNTER_SOO: "SOO to the other party in a linked counter-allegation case",
}

# What the override box asks about, per soft rule.
SOFT_RULE_LABELS = {
    SAME_UNIT: "Same command, department or team as a police party",
    LINE_MANAGEMENT: "In a party's line-management chain",
    INCIDENT_DISTRICT: "Based in the district where the abuse happened",
    VICTIM_DISTRICT: "Based in the district where the victim lives",
    CAPACITY: "At the open-case limit",
    DECLINED_BEFORE: "Declined this case before",
}

CHIEF_INSPECTOR = "ci"
PSD = "psd"
ACU = "acu"


def long_date(value: dt.date | dt.datetime) -> str:
    """'3 March 2026' (a datetime is shown on its Europe/London date)."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return f"{value.day} {value:%B %Y}"


class Exclusion(NamedTuple):
    """One reason a candidate may not (hard) or should not without a recorded reason (soft) be SOO.

    A named tuple rather than a frozen dataclass: hundreds are made per page, and this is several times
    cheaper to create and hash.
    """

    code: str
    hard: bool
    reason: str


@dataclass
class Person:
    """A party as the rules need it: a staff link (police) or a normalised name and date of birth."""

    role: str  # "victim" or "suspect"
    label: str  # "the victim", "the suspect", "a suspect"
    staff_id: int | None = None
    command_id: int | None = None
    command_name: str = ""
    department_id: int | None = None
    department_name: str = ""
    team_id: int | None = None
    team_name: str = ""
    normalised_name: str = ""
    date_of_birth: dt.date | None = None
    home_district_id: int | None = None
    home_district_name: str = ""
    # The party's line-management chain above them: staff id -> levels above (1 = line manager).
    managers: dict[int, int] = field(default_factory=dict)


@dataclass(slots=True)  # slots: 600 are built per page, and created and read twice as fast
class Candidate:
    """A chief inspector (or anyone marked SOO-eligible) with the annotations the rules and ranking use."""

    staff_id: int
    employee_number: str
    name: str
    rank: str = CHIEF_INSPECTOR
    rank_label: str = "Chief inspector"
    is_active: bool = True
    soo_eligible: bool = True
    has_soo_account: bool = True
    availability: str = "available"
    availability_label: str = "Available"
    available_from: dt.date | None = None
    department_kind: str = "operational"
    department_id: int | None = None
    department_name: str = ""
    command_id: int | None = None
    command_name: str = ""
    team_id: int | None = None
    team_name: str = ""
    district_id: int | None = None
    district_name: str = ""
    last_allocated_at: dt.datetime | None = None
    open_cases: int = 0
    # The candidate's own chain above them: staff id -> levels above.
    managers: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Declaration:
    """A standing (or declined-allocation) conflict declaration."""

    declarer_id: int
    against_staff_id: int | None
    against_normalised_name: str
    against_date_of_birth: dt.date | None
    declared_at: dt.datetime


@dataclass
class CaseFacts:
    """Everything about the case the rules need, loaded once."""

    reference: str
    parties: list[Person]
    incident_district_id: int | None = None
    incident_district_name: str = ""
    # Staff ids of parties to linked cases -> the linked case's reference.
    linked_party_staff: dict[int, str] = field(default_factory=dict)
    # Staff ids of SOOs allocated to a linked counter-allegation case -> that case's reference.
    counter_soos: dict[int, str] = field(default_factory=dict)
    declarations: list[Declaration] = field(default_factory=list)
    # Staff ids who declared a conflict on first opening this case -> when.
    opened_with_conflict: dict[int, dt.datetime] = field(default_factory=dict)
    # Staff ids who declined this case -> when.
    declined_before: dict[int, dt.datetime] = field(default_factory=dict)
    # Earlier SOOs of this case's victim: staff id -> the earlier case's reference (most recent first).
    previous_soos: dict[int, str] = field(default_factory=dict)
    open_case_limit: int = 3


def _eligibility(c: Candidate, out: list[Exclusion]) -> None:
    if not c.is_active:
        out.append(Exclusion(NOT_ELIGIBLE, True, "no longer active in the staff directory"))
    if c.rank != CHIEF_INSPECTOR:
        out.append(Exclusion(NOT_ELIGIBLE, True, f"not a chief inspector ({c.rank_label.lower()})"))
    if not c.soo_eligible:
        out.append(Exclusion(NOT_ELIGIBLE, True, "not marked as eligible to be an SOO"))
    if not c.has_soo_account:
        out.append(Exclusion(NOT_ELIGIBLE, True, "has no active user account with the SOO role"))
    if c.availability != "available":
        until = f" until {long_date(c.available_from)}" if c.available_from else ""
        out.append(Exclusion(UNAVAILABLE, True, f"{c.availability_label.lower()}{until}"))
    if c.department_kind == PSD:
        out.append(Exclusion(PSD_ACU, True, "works in PSD"))
    elif c.department_kind == ACU:
        out.append(Exclusion(PSD_ACU, True, "works in ACU"))


def _declaration_matches(d: Declaration, p: Person) -> bool:
    if d.against_staff_id is not None:
        return p.staff_id is not None and d.against_staff_id == p.staff_id
    if not d.against_normalised_name or d.against_normalised_name != p.normalised_name:
        return False
    # Name and date of birth; where either date is unknown the name alone is treated as a match,
    # because wrongly excluding one of hundreds of chief inspectors costs little.
    return d.against_date_of_birth is None or p.date_of_birth is None or d.against_date_of_birth == p.date_of_birth


def _conflicts(c: Candidate, facts: CaseFacts, out: list[Exclusion]) -> None:
    for p in facts.parties:
        if p.staff_id is not None and p.staff_id == c.staff_id:
            out.append(Exclusion(PARTY, True, f"is {p.label} in this case"))
    if c.staff_id in facts.linked_party_staff:
        out.append(Exclusion(PARTY, True, f"is a party to the linked case {facts.linked_party_staff[c.staff_id]}"))
    for d in facts.declarations:
        for p in facts.parties:
            if d.declarer_id == c.staff_id and _declaration_matches(d, p):
                out.append(
                    Exclusion(
                        DECLARED_CONFLICT, True, f"declared a conflict with {p.label} on {long_date(d.declared_at)}"
                    )
                )
            elif p.staff_id is not None and d.declarer_id == p.staff_id and d.against_staff_id == c.staff_id:
                out.append(
                    Exclusion(
                        DECLARED_CONFLICT,
                        True,
                        f"{p.label} declared a conflict with them on {long_date(d.declared_at)}",
                    )
                )
    if c.staff_id in facts.opened_with_conflict:
        when = long_date(facts.opened_with_conflict[c.staff_id])
        out.append(Exclusion(DECLARED_CONFLICT, True, f"declared a conflict on opening this case on {when}"))
    if c.staff_id in facts.counter_soos:
        ref = facts.counter_soos[c.staff_id]
        out.append(Exclusion(COUNTER_SOO, True, f"SOO to the other party in the linked counter-allegation case {ref}"))


def _chain_reason(levels: int, label: str, above: bool) -> str:
    if above:
        return (
            f"line manager of {label}" if levels == 1 else f"in {label}'s line-management chain ({levels} levels above)"
        )
    return (
        f"line-managed by {label}"
        if levels == 1
        else f"{label} is in their line-management chain ({levels} levels above)"
    )


def _soft(c: Candidate, facts: CaseFacts, out: list[Exclusion]) -> None:
    for p in facts.parties:
        if p.staff_id is None or p.staff_id == c.staff_id:
            continue
        if p.team_id is not None and p.team_id == c.team_id:
            out.append(Exclusion(SAME_UNIT, False, f"same team as {p.label} ({p.team_name})"))
        elif p.department_id is not None and p.department_id == c.department_id:
            out.append(Exclusion(SAME_UNIT, False, f"same department as {p.label} ({p.department_name})"))
        elif p.command_id is not None and p.command_id == c.command_id:
            out.append(Exclusion(SAME_UNIT, False, f"same command as {p.label} ({p.command_name})"))
        if c.staff_id in p.managers:
            out.append(Exclusion(LINE_MANAGEMENT, False, _chain_reason(p.managers[c.staff_id], p.label, True)))
        if p.staff_id in c.managers:
            out.append(Exclusion(LINE_MANAGEMENT, False, _chain_reason(c.managers[p.staff_id], p.label, False)))
    if c.district_id is not None and c.district_id == facts.incident_district_id:
        out.append(
            Exclusion(INCIDENT_DISTRICT, False, f"same district as the incident ({facts.incident_district_name})")
        )
    for p in facts.parties:
        if p.role == "victim" and p.home_district_id is not None and p.home_district_id == c.district_id:
            out.append(
                Exclusion(
                    VICTIM_DISTRICT, False, f"based in the district where {p.label} lives ({p.home_district_name})"
                )
            )
    if c.open_cases >= facts.open_case_limit:
        out.append(
            Exclusion(CAPACITY, False, f"at capacity: {c.open_cases} open cases (limit {facts.open_case_limit})")
        )
    if c.staff_id in facts.declined_before:
        out.append(
            Exclusion(DECLINED_BEFORE, False, f"declined this case on {long_date(facts.declined_before[c.staff_id])}")
        )


def exclusions_for(candidate: Candidate, facts: CaseFacts) -> list[Exclusion]:
    """Every reason this candidate may not (hard) or should not without a recorded reason (soft) be SOO."""
    found: list[Exclusion] = []
    _eligibility(candidate, found)
    _conflicts(candidate, facts, found)
    _soft(candidate, facts, found)
    # The same reason can arise twice (e.g. two declarations); show it once.
    return list(dict.fromkeys(found)) if len(found) > 1 else found
