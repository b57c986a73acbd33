"""Per-process caches (ppda/caches.py): all registered in one place, all emptied by one call."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from ppda import caches, navigation, permissions
from ppda.accounts import backends
from ppda.models import User

ROOT = Path(__file__).resolve().parents[2]


def test_the_known_caches_are_registered():
    assert {
        backends._user_lookup_sql,
        permissions._permission_id_cached,
        permissions._granted_sql,
        navigation._resolved_menu,
        navigation._layout_urls,
    } <= set(caches.registered())


@pytest.mark.django_db
def test_flush_all_empties_every_cache_and_runs_after_migrate():
    backends._user_lookup_sql()
    navigation.layout_urls()
    permissions.objects_for_user(User.objects.create(username="someone"), "cases.view_case", _case_queryset())
    assert all(fn.cache_info().currsize for fn in (backends._user_lookup_sql, navigation._layout_urls))
    assert permissions._permission_id_cached.cache_info().currsize

    caches.flush_all()
    assert all(fn.cache_info().currsize == 0 for fn in caches.registered())

    backends._user_lookup_sql()
    call_command("migrate", verbosity=0, interactive=False)  # nothing to apply; still sends post_migrate
    assert backends._user_lookup_sql.cache_info().currsize == 0


def test_a_missing_permission_is_not_remembered(db):
    assert permissions._permission_id(User, "ppda.no_such_permission") is None
    assert permissions._permission_id_cached.cache_info().currsize == 0


def test_no_cache_is_made_or_cleared_anywhere_else():
    """functools caches and cache_clear() only in ppda/caches.py: every other module uses per_process."""
    pattern = re.compile(r"functools\.cache\b|lru_cache|@cache\b|cache_clear\(")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("ppda", "cases", "oversight", "panels", "tests")
        if (ROOT / folder).is_dir()
        for path in (ROOT / folder).rglob("*.py")
        if path.resolve() not in {ROOT / "ppda" / "caches.py", Path(__file__).resolve()}
        and pattern.search(path.read_text())
    ]
    assert offenders == []


def _case_queryset():
    from cases.models import Case

    return Case.objects.all()
