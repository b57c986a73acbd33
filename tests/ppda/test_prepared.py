"""Prepared querysets (ppda/prepared.py): the same rows as the queryset, compiled once per shape, and a builder
whose SQL depends on a value is caught."""

import datetime as dt
import uuid

import pytest
from django.db.models import Exists, OuterRef

from cases.models import Case, Party
from ppda import caches, prepared
from ppda.prepared import PreparedQuery, any_of
from tests.factories.cases import CaseFactory, PoliceSuspectFactory, PoliceVictimFactory

pytestmark = pytest.mark.django_db


def _parties(*, case_id):
    return (
        Party.objects.filter(case_id=case_id)
        .select_related("staff__department", "case")
        .annotate(has_sibling=Exists(Party.objects.filter(case_id=OuterRef("case_id")).exclude(pk=OuterRef("pk"))))
        .order_by("id")
    )


parties_of = PreparedQuery(_parties, case_id=int)


def test_same_instances_related_objects_and_annotations_as_the_queryset(django_assert_num_queries):
    case, other = CaseFactory(), CaseFactory()
    victim, suspect = PoliceVictimFactory(case=case), PoliceSuspectFactory(case=case)
    PoliceVictimFactory(case=other)
    parties_of(case_id=case.pk)  # compiled
    with django_assert_num_queries(1):
        rows = parties_of(case_id=case.pk)
        assert [p.pk for p in rows] == [victim.pk, suspect.pk]
        assert rows[0].staff.department.name == victim.staff.department.name  # select_related: no query
        assert rows[0].case.reference == case.reference
        assert [p.has_sibling for p in rows] == [True, True]
    assert [(p.pk, p.has_sibling) for p in parties_of(case_id=other.pk)] == [
        (p.pk, p.has_sibling) for p in _parties(case_id=other.pk)
    ]
    assert parties_of(case_id=10**12) == []


def test_values_rows_and_a_list_parameter():
    cases = [CaseFactory(), CaseFactory(), CaseFactory()]
    refs = PreparedQuery(
        lambda *, ids: Case.objects.filter(pk__in=any_of(ids)).order_by("pk").values_list("reference", flat=True),
        ids=list,
    )
    assert refs(ids=[cases[0].pk, cases[2].pk]) == [cases[0].reference, cases[2].reference]
    assert refs(ids=[cases[1].pk]) == [cases[1].reference]


def test_each_shape_is_compiled_once_until_the_caches_are_flushed():
    built = []

    def build(coordinator, *, case_id):
        built.append(coordinator)
        qs = Case.objects.filter(pk=case_id)
        return qs if coordinator else qs.filter(status=Case.Status.TRIAGED)

    q = PreparedQuery(build, case_id=int)
    case = CaseFactory(status=Case.Status.RECEIVED)
    assert [c.pk for c in q(True, case_id=case.pk)] == [case.pk]
    assert q(False, case_id=case.pk) == []
    q(True, case_id=case.pk)
    q(False, case_id=case.pk)
    # One compile per shape; the tests' PPDA_PREPARED_VERIFY builds it again on every call.
    assert built.count(True) == 1 + 2 and built.count(False) == 1 + 2
    caches.flush_all()
    q(True, case_id=case.pk)
    assert built.count(True) == 1 + 2 + 2


def test_a_builder_whose_sql_depends_on_a_value_is_caught(settings):
    q = PreparedQuery(lambda *, q: Case.objects.filter(reference__contains=q), q=str)
    with pytest.raises(AssertionError, match="differs"):
        q(q="DA/2026")
    # Without the check it would silently run with the stand-in: the reason the tests always check.
    settings.PPDA_PREPARED_VERIFY = False
    CaseFactory(reference="DA/2026/000001")
    assert q(q="DA/2026") == []


def test_a_query_that_can_match_nothing_and_malformed_values():
    q = PreparedQuery(lambda *, case_id: Case.objects.none().filter(pk=case_id), case_id=int)
    assert q(case_id=1) == []
    by_public_id = PreparedQuery(lambda *, public_id: Case.objects.filter(public_id=public_id), public_id=uuid.UUID)
    with pytest.raises(ValueError):
        by_public_id(public_id="not-a-uuid")
    with pytest.raises(TypeError):
        by_public_id(other=1)


def test_an_aware_datetime_parameter():
    """The inbox's who-is-on-duty read takes the time as a value: one compiled form, each call its own time."""
    early = CaseFactory(received_at=dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC))
    late = CaseFactory(received_at=dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC))
    since = PreparedQuery(
        lambda *, at: Case.objects.filter(received_at__gte=at).order_by("received_at").values_list("pk", flat=True),
        at=dt.datetime,
    )
    assert since(at=dt.datetime(2025, 12, 1, tzinfo=dt.UTC)) == [early.pk, late.pk]
    assert since(at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC)) == [late.pk]
    with pytest.raises(TypeError):
        since(at=dt.datetime(2026, 2, 1))  # naive: refused, as USE_TZ would warn and guess


def test_compiled_forms_are_registered_per_process_caches():
    assert prepared._compile in caches.registered()
