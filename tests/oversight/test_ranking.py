"""Ranking: continuity, then least recently allocated (never first), then fewest open cases, then employee number."""

import datetime as dt

from oversight.allocation.ranking import rank_candidates
from oversight.allocation.rules import Candidate, CaseFacts, Person

T = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def ci(n, **kw):
    return Candidate(staff_id=n, employee_number=f"E{n:03d}", name=f"CI {n}", **kw)


def facts(**kw):
    return CaseFacts(reference="DA/2026/000001", parties=[Person(role="victim", label="the victim")], **kw)


def order(ranking):
    return [s.candidate.staff_id for s in ranking.suggested]


def test_full_ranking_order():
    candidates = [
        ci(1, last_allocated_at=T + dt.timedelta(days=30), open_cases=0),  # recent
        ci(2, last_allocated_at=T, open_cases=2),  # least recent, more open cases
        ci(3, last_allocated_at=T, open_cases=1),  # least recent, fewer open cases
        ci(4),  # never allocated
        ci(5),  # never allocated: tie-break by employee number after 4
        ci(6, last_allocated_at=T + dt.timedelta(days=60)),  # most recent, but supported this victim before
    ]
    ranking = rank_candidates(candidates, facts(previous_soos={6: "DA/2024/000123"}))
    assert order(ranking) == [6, 4, 5, 3, 2, 1]
    assert [s.rank for s in ranking.suggested] == [1, 2, 3, 4, 5, 6]


def test_why_first_in_words():
    r = rank_candidates([ci(1, last_allocated_at=T), ci(2)], facts())
    assert r.first.candidate.staff_id == 2
    assert r.first.why == "Never allocated a case; the next was last allocated 1 January 2025."
    assert r.suggested[1].why == "Last in the fairness order."
    assert rank_candidates([ci(1)], facts()).first.why == "The only suitable chief inspector."

    r = rank_candidates([ci(1, last_allocated_at=T + dt.timedelta(days=1)), ci(2, last_allocated_at=T)], facts())
    assert r.first.why == "Least recently allocated: last allocated 1 January 2025, the next 2 January 2025."

    r = rank_candidates([ci(1, open_cases=2), ci(2, open_cases=1)], facts())
    assert r.first.why == "Equal on last allocation; fewer open cases (1 against 2)."

    r = rank_candidates([ci(2), ci(1)], facts())
    assert (r.first.candidate.staff_id, r.first.why) == (
        1,
        "Equal on last allocation and open cases; ordered by employee number.",
    )

    r = rank_candidates([ci(1), ci(2, last_allocated_at=T)], facts(previous_soos={2: "DA/2024/000009"}))
    assert r.first.why == "Supported this victim before (case DA/2024/000009) and is still suitable."


def test_continuity_only_if_still_suitable():
    """The earlier SOO, now excluded (here: in PSD), is not suggested; the next in fairness order is first."""
    r = rank_candidates([ci(1, department_kind="psd"), ci(2)], facts(previous_soos={1: "DA/2024/000009"}))
    assert order(r) == [2]
    assert r.excluded[0].candidate.staff_id == 1
    assert r.excluded[0].continuity_reference == "DA/2024/000009"


def test_most_recent_earlier_soo_comes_first():
    r = rank_candidates([ci(1), ci(2), ci(3)], facts(previous_soos={3: "DA/2025/000002", 2: "DA/2023/000001"}))
    assert order(r) == [3, 2, 1]


def test_soft_and_hard_are_split():
    r = rank_candidates([ci(1, open_cases=5), ci(2, department_kind="acu"), ci(3)], facts(open_case_limit=3))
    assert order(r) == [3]
    assert [s.candidate.staff_id for s in r.overridable] == [1]
    assert r.overridable[0].selectable and r.overridable[0].soft_codes == ["capacity"]
    assert [s.candidate.staff_id for s in r.excluded] == [2]
    assert not r.excluded[0].selectable
