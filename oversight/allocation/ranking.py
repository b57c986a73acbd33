"""Order the suitable candidates and say, in words, why each comes where it does.

Continuity first (the SOO who supported this victim before, if still suitable), then the one least
recently allocated (never allocated first), then fewest open cases, then employee number as a stable
tie-break. Pure functions: the selector supplies `Candidate` and `CaseFacts` records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .rules import (
    HARD_RULE_LABELS,
    HARD_RULES,
    SOFT_RULE_LABELS,
    SOFT_RULES,
    Candidate,
    CaseFacts,
    Exclusion,
    exclusions_for,
    long_date,
)

_NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)


@dataclass(slots=True)
class Suggestion:
    candidate: Candidate
    exclusions: list[Exclusion] = field(default_factory=list)
    rank: int | None = None
    continuity_reference: str = ""
    # The suitable candidate ranked just after this one (None for the last): what `why` compares against.
    next_suggested: Suggestion | None = field(default=None, repr=False, compare=False)

    @property
    def why(self) -> str:
        """Why this suitable candidate comes where it does, in words (worked out only for rows shown)."""
        if self.rank is None:
            return ""
        return _why(self, self.next_suggested, first=self.rank == 1)

    # Worked out once from `exclusions` (the page, the sort and the grouping each read them).
    hard: list[Exclusion] = field(init=False, repr=False, compare=False)
    soft: list[Exclusion] = field(init=False, repr=False, compare=False)
    soft_codes: list[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        self.hard, self.soft, self.soft_codes = [], [], []
        for e in self.exclusions:  # one or two, usually: a plain loop beats comprehensions here
            if e.hard:
                self.hard.append(e)
            else:
                self.soft.append(e)
                if e.code not in self.soft_codes:
                    self.soft_codes.append(e.code)

    @property
    def selectable(self) -> bool:
        return not self.hard

    @property
    def basis(self) -> str:
        """A short summary of the ranking keys for the table."""
        if self.continuity_reference:
            return f"Supported this victim before ({self.continuity_reference})"
        if self.candidate.last_allocated_at is None:
            return "Never allocated"
        return f"Last allocated {long_date(self.candidate.last_allocated_at)}"


@dataclass
class ExclusionGroup:
    """The hard-excluded candidates under one rule: who, with each one's reason in words."""

    code: str
    label: str
    count: int  # people excluded by this rule
    reasons: list[tuple[str, str]]  # (reason, "Name, Name, ...") for each distinct reason under the rule


@dataclass
class Ranking:
    suggested: list[Suggestion]  # suitable, in order
    overridable: list[Suggestion]  # soft exclusions only: selectable with a reason per rule
    excluded: list[Suggestion]  # at least one hard exclusion

    def excluded_by_rule(self) -> list[ExclusionGroup]:
        """The hard exclusions grouped by rule (in the order of DESIGN.md section 3), each reason with its names.

        Someone excluded by two rules is listed under both. Names keep the excluded list's order, each with the
        employee number, so two people of the same name can be told apart.
        """
        by_rule: dict[str, dict[str, list[str]]] = {code: {} for code in HARD_RULES}
        counts = dict.fromkeys(HARD_RULES, 0)
        for s in self.excluded:
            seen = set()
            for e in s.exclusions:
                if not e.hard:
                    continue
                by_rule[e.code].setdefault(e.reason, []).append(f"{s.candidate.name} ({s.candidate.employee_number})")
                if e.code not in seen:
                    seen.add(e.code)
                    counts[e.code] += 1
        return [
            ExclusionGroup(
                code=code,
                label=HARD_RULE_LABELS[code],
                count=counts[code],
                reasons=[(reason, ", ".join(names)) for reason, names in reasons.items()],
            )
            for code, reasons in by_rule.items()
            if reasons
        ]

    def overridable_by_rule(self) -> list[tuple[str, int]]:
        """(rule label, how many of the overridable it applies to), for each soft rule that applies to any."""
        counts = dict.fromkeys(SOFT_RULES, 0)
        for s in self.overridable:
            for code in s.soft_codes:
                counts[code] += 1
        return [(SOFT_RULE_LABELS[code], n) for code, n in counts.items() if n]

    @property
    def first(self) -> Suggestion | None:
        return self.suggested[0] if self.suggested else None

    def find(self, staff_id: int) -> Suggestion | None:
        for s in (*self.suggested, *self.overridable, *self.excluded):
            if s.candidate.staff_id == staff_id:
                return s
        return None


def sort_key(s: Suggestion, continuity_order: dict[int, int]):
    c = s.candidate
    return (
        continuity_order.get(c.staff_id, len(continuity_order)),
        c.last_allocated_at is not None,
        c.last_allocated_at or _NEVER,
        c.open_cases,
        c.employee_number,
    )


def _why(s: Suggestion, nxt: Suggestion | None, *, first: bool) -> str:
    """Why `s` comes before `nxt`: the first ranking key that separates them."""
    c = s.candidate
    if s.continuity_reference:
        return f"Supported this victim before (case {s.continuity_reference}) and is still suitable."
    if nxt is None:
        return "The only suitable chief inspector." if first else "Last in the fairness order."
    n = nxt.candidate
    if nxt.continuity_reference:  # cannot happen after sorting; kept for safety
        return "Ranked by continuity."
    if c.last_allocated_at is None and n.last_allocated_at is not None:
        return f"Never allocated a case; the next was last allocated {long_date(n.last_allocated_at)}."
    if (
        c.last_allocated_at is not None
        and n.last_allocated_at is not None
        and c.last_allocated_at != n.last_allocated_at
    ):
        return (
            f"Least recently allocated: last allocated {long_date(c.last_allocated_at)}, "
            f"the next {long_date(n.last_allocated_at)}."
        )
    if c.open_cases != n.open_cases:
        return f"Equal on last allocation; fewer open cases ({c.open_cases} against {n.open_cases})."
    return "Equal on last allocation and open cases; ordered by employee number."


def rank_candidates(candidates: list[Candidate], facts: CaseFacts) -> Ranking:
    """Split candidates into suggested (ranked), overridable (soft only) and excluded (hard)."""
    suggested, overridable, excluded = [], [], []
    previous_soos = facts.previous_soos
    for c in candidates:
        s = Suggestion(c, exclusions_for(c, facts), None, previous_soos.get(c.staff_id, ""))
        if s.hard:
            excluded.append(s)
        elif s.soft:
            overridable.append(s)
        else:
            suggested.append(s)
    continuity_order = {staff_id: i for i, staff_id in enumerate(facts.previous_soos)}
    suggested.sort(key=lambda s: sort_key(s, continuity_order))
    overridable.sort(key=lambda s: (len(s.soft_codes), *sort_key(s, continuity_order)))
    excluded.sort(key=lambda s: s.candidate.employee_number)
    for i, s in enumerate(suggested):
        s.rank = i + 1
        s.next_suggested = suggested[i + 1] if i + 1 < len(suggested) else None
    return Ranking(suggested=suggested, overridable=overridable, excluded=excluded)
