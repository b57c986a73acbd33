"""Order the suitable candidates and say, in words, why each comes where it does.

Continuity first (the SOO who supported this victim before, if still suitable), then the one least
recently allocated (never allocated first), then fewest open cases, then employee number as a stable
tie-break. Pure functions: the selector supplies `Candidate` and `CaseFacts` records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .rules import Candidate, CaseFacts, Exclusion, exclusions_for, long_date

_NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)


@dataclass
class Suggestion:
    candidate: Candidate
    exclusions: list[Exclusion] = field(default_factory=list)
    rank: int | None = None
    continuity_reference: str = ""
    why: str = ""

    @property
    def hard(self) -> list[Exclusion]:
        return [e for e in self.exclusions if e.hard]

    @property
    def soft(self) -> list[Exclusion]:
        return [e for e in self.exclusions if not e.hard]

    @property
    def soft_codes(self) -> list[str]:
        return list(dict.fromkeys(e.code for e in self.soft))

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
class Ranking:
    suggested: list[Suggestion]  # suitable, in order
    overridable: list[Suggestion]  # soft exclusions only: selectable with a reason per rule
    excluded: list[Suggestion]  # at least one hard exclusion

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
    for c in candidates:
        s = Suggestion(candidate=c, exclusions=exclusions_for(c, facts))
        s.continuity_reference = facts.previous_soos.get(c.staff_id, "")
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
        s.why = _why(s, suggested[i + 1] if i + 1 < len(suggested) else None, first=i == 0)
    return Ranking(suggested=suggested, overridable=overridable, excluded=excluded)
