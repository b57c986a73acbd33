"""The permission matrix over every URL pattern of the project (declarations: matrix.py)."""

import pytest

from cases.selectors import cases_for_user

from . import matrix as m
from .checker import check, missing_message, walk_patterns

PATTERNS = walk_patterns()


def _cases():
    for p in PATTERNS:
        found = m.lookup(p.key)
        if found is None:
            continue
        entry = found[1]
        for method, expectations in (("GET", entry.get), ("POST", entry.post)):
            if expectations is None:
                continue
            for role in m.ROLES:
                marks = []
                defect = m.KNOWN_DEFECTS.get((p.key, role, method))
                if defect:
                    marks.append(pytest.mark.xfail(reason=f"KNOWN_DEFECTS in matrix.py: {defect}", strict=True))
                yield pytest.param(p, role, method, id=f"{p.key}|{role}|{method}", marks=marks)


@pytest.mark.django_db
@pytest.mark.parametrize(("pattern", "role", "method"), list(_cases()))
def test_matrix(world, pattern, role, method):
    check(world, pattern, role, method)


def test_every_url_pattern_has_an_expectation():
    missing = [p for p in PATTERNS if m.lookup(p.key) is None]
    assert not missing, missing_message(missing)


def test_matrix_covers_every_pattern():
    covered = [p for p in PATTERNS if m.lookup(p.key) is not None]
    assert len(PATTERNS) > 0
    assert len(covered) == len(PATTERNS), f"{len(covered)} of {len(PATTERNS)} URL patterns covered"


def test_every_entry_declares_every_role():
    for key, entry in m.EXPECTATIONS.items():
        for method, expectations in (("GET", entry.get), ("POST", entry.post)):
            if expectations is not None:
                missing = set(m.ROLES) - set(expectations)
                assert not missing, f"{key} {method} declares no status for {sorted(missing)}"


def test_no_stale_entries():
    """An entry whose URL is gone is dead weight that hides typos: remove it."""
    keys = {p.key for p in PATTERNS}
    stale = []
    for key in m.EXPECTATIONS:
        found = [k for k in keys if m.lookup(k) and m.lookup(k)[0] == key]
        if not found:
            stale.append(key)
    assert not stale, f"Entries in tests/security/matrix.py match no URL pattern (remove or fix them): {stale}"


@pytest.mark.django_db
def test_object_urls_answer_404_to_whoever_may_not_see_the_case(world):
    """Policy (docs/security.md): a URL naming an object answers 404 to whoever may not do this to it, whether
    or not they may see it, so existence never leaks and there is one rule. 403 is for role-only pages."""
    wrong = []
    for p in PATTERNS:
        found = m.lookup(p.key)
        if found is None or not p.names_an_object or p.key.startswith("admin"):
            continue
        for method, expectations in (("GET", found[1].get), ("POST", found[1].post)):
            for role, expected in (expectations or {}).items():
                if 403 in expected.codes:
                    wrong.append(f"{p.key} {method} {role}")
    assert not wrong, f"Object URLs must answer 404, never 403: {wrong}"


@pytest.mark.django_db
def test_world_visibility_is_what_the_selector_says(world):
    """The leak check trusts World.visible: it must be exactly what cases_for_user gives each role."""
    for role, user in world.users.items():
        if user is None or role == m.PASSWORD_ONLY:
            continue
        assert set(cases_for_user(user).values_list("pk", flat=True)) == world.visible[role], role
