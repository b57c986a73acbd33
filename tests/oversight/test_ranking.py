"""Ranking: continuity, then least recently allocated (never first), then fewest open cases, then employee number."""

import datetime as dt

from oversight.allocation.ranking import rank_candidates
from oversight.allocation.rules import Candidate, CaseFacts, Person

T = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def ci(n, **kw):
    kw.setdefault("name", f"CI {n}")
    return Candidate(staff_id=n, employee_number=f"E{n:03d}", **kw)


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


def test_hard_exclusions_grouped_by_rule_with_each_reason_and_its_names():
    """The page lists those who cannot be allocated by rule (section 3 order), each reason with its names."""
    candidates = [
        ci(1, name="Ann Acu", department_kind="acu"),
        ci(2, name="Pat Psd", department_kind="psd"),
        ci(
            3,
            name="Lee Leave",
            availability="leave",
            availability_label="On leave",
            available_from=dt.date(2026, 12, 1),
        ),
        # Two hard rules: listed under both; a soft one too, which is not a reason they cannot be allocated.
        ci(
            4,
            name="Sam Both",
            department_kind="psd",
            availability="unavailable",
            availability_label="Unavailable",
            open_cases=9,
        ),
        ci(5, name="Quin Psd", department_kind="psd"),
        ci(6, name="Ok Suitable"),
        ci(7, name="Over Capacity", open_cases=9),
    ]
    groups = rank_candidates(candidates, facts(open_case_limit=3)).excluded_by_rule()
    assert [(g.code, g.label, g.count) for g in groups] == [
        ("unavailable", "On leave or unavailable", 2),
        ("psd_acu", "Works in PSD or ACU", 4),
    ]
    assert groups[0].reasons == [
        ("on leave until 1 December 2026", "Lee Leave (E003)"),
        ("unavailable", "Sam Both (E004)"),
    ]
    # Names in the excluded list's order (employee number), each with that number; each distinct reason once.
    assert groups[1].reasons == [
        ("works in ACU", "Ann Acu (E001)"),
        ("works in PSD", "Pat Psd (E002), Sam Both (E004), Quin Psd (E005)"),
    ]


def test_no_hard_exclusions_no_groups():
    assert rank_candidates([ci(1), ci(2, open_cases=9)], facts()).excluded_by_rule() == []


def test_overridable_counted_per_soft_rule():
    candidates = [
        ci(1, open_cases=9),
        ci(2, open_cases=9, district_id=7),
        ci(3, district_id=7),
        ci(4, department_kind="psd", open_cases=9),  # hard: not counted among the overridable
        ci(5),
    ]
    r = rank_candidates(candidates, facts(open_case_limit=3, incident_district_id=7, incident_district_name="Eastport"))
    assert r.overridable_by_rule() == [
        ("Based in the district where the abuse happened", 2),
        ("At the open-case limit", 2),
    ]
    # Fewest exclusions first, then the fairness order (here: fewer open cases).
    assert [s.candidate.staff_id for s in r.overridable] == [3, 1, 2]


def test_why_is_worked_out_for_suggested_only():
    r = rank_candidates([ci(1), ci(2, open_cases=9)], facts())
    assert r.first.why == "The only suitable chief inspector."
    assert r.overridable[0].why == ""


def test_table_rows_carry_each_cell_and_the_checked_choice():
    """suggested_rows / overridable_rows: what the allocation page's tables show, worked out once per row."""
    from oversight.allocation.selectors import overridable_rows, suggested_rows

    r = rank_candidates(
        [
            ci(1, department_name="Response", command_name="North", district_name="Leeds", open_cases=1),
            ci(2, department_name="CID", last_allocated_at=T),
            ci(3, open_cases=5),
        ],
        facts(open_case_limit=3),
    )
    rows = suggested_rows(r.suggested, None)
    assert [(row["id"], row["rank"], row["checked"]) for row in rows] == [("1", "1", True), ("2", "2", False)]
    assert (rows[0]["unit"], rows[0]["district"], rows[0]["open_cases"]) == ("Response, North", "Leeds", "1")
    assert (rows[1]["unit"], rows[1]["district"]) == ("CID", "–")
    assert rows[0]["why"] == r.suggested[0].why and rows[1]["basis"] == "Last allocated 1 January 2025"
    # A refused POST's choice is checked again, and then not the first.
    assert [row["checked"] for row in suggested_rows(r.suggested, 2)] == [False, True]
    (over,) = overridable_rows(r.overridable, 3)
    assert (over["id"], over["checked"], over["codes"]) == ("3", True, "capacity")
    assert over["reasons"] == ["At capacity: 5 open cases (limit 3)"]
