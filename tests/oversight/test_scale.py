"""The suggestion list at force scale: 600 chief inspectors among 40,000 staff, same query count as 5."""

import datetime as dt
import time

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oversight.allocation.selectors import allocation_suggestions
from oversight.models import Allocation
from ppda.models import Command, Department, District, StaffMember, Team, User
from ppda.roles import Role
from tests.factories.cases import CaseLinkFactory, TriagedCaseFactory
from tests.factories.oversight import triaged_case_with_parties

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _bulk_force(n_staff: int, n_cis: int):
    command = Command.objects.create(name="Scale Command")
    districts = District.objects.bulk_create([District(name=f"Scale District {i}") for i in range(20)])
    departments = Department.objects.bulk_create(
        [
            Department(name=f"Scale Dept {i}", command=command, kind="psd" if i == 0 else "operational")
            for i in range(40)
        ]
    )
    teams = Team.objects.bulk_create([Team(name=f"Scale Team {i}", department=departments[i % 40]) for i in range(200)])
    # Superintendents manage chief inspectors, who manage inspectors, who manage everyone else.
    supts = StaffMember.objects.bulk_create(
        [
            StaffMember(
                employee_number=f"S{i:06d}",
                first_name="Supt",
                last_name=f"N{i}",
                rank="supt",
                command=command,
                department=departments[i % 40],
                district=districts[i % 20],
            )
            for i in range(60)
        ]
    )
    cis = StaffMember.objects.bulk_create(
        [
            StaffMember(
                employee_number=f"C{i:06d}",
                first_name="Ci",
                last_name=f"N{i}",
                rank="ci",
                soo_eligible=True,
                command=command,
                department=departments[i % 40],
                team=teams[i % 200],
                district=districts[i % 20],
                line_manager=supts[i % 60],
                availability="leave" if i % 17 == 0 else "available",
            )
            for i in range(n_cis)
        ]
    )
    inspectors = StaffMember.objects.bulk_create(
        [
            StaffMember(
                employee_number=f"I{i:06d}",
                first_name="Insp",
                last_name=f"N{i}",
                rank="insp",
                command=command,
                department=departments[i % 40],
                team=teams[i % 200],
                district=districts[i % 20],
                line_manager=cis[i % n_cis],
            )
            for i in range(2000)
        ]
    )
    StaffMember.objects.bulk_create(
        [
            StaffMember(
                employee_number=f"P{i:06d}",
                first_name="Pc",
                last_name=f"N{i}",
                rank="pc",
                command=command,
                department=departments[i % 40],
                team=teams[i % 200],
                district=districts[i % 20],
                line_manager=inspectors[i % 2000],
            )
            for i in range(n_staff - n_cis - 2060)
        ],
        batch_size=5000,
    )
    users = User.objects.bulk_create([User(username=f"soo{i}", staff=ci) for i, ci in enumerate(cis)])
    soo_group = Group.objects.get(name=Role.SOO)
    User.groups.through.objects.bulk_create([User.groups.through(user_id=u.pk, group_id=soo_group.pk) for u in users])
    coordinator = User.objects.create(username="scale-coordinator")
    past = timezone.now() - dt.timedelta(days=400)
    cases = [TriagedCaseFactory() for _ in range(5)]
    Allocation.objects.bulk_create(
        [
            Allocation(
                case=cases[i % 5],
                soo=ci,
                status="ended",
                allocated_at=past + dt.timedelta(days=i % 300),
                allocated_by=coordinator,
                first_contact_due=past,
            )
            for i, ci in enumerate(cis[::2])
        ]
    )
    return cis


def test_600_chief_inspectors_among_40000_staff():
    case = triaged_case_with_parties()
    other = TriagedCaseFactory()
    CaseLinkFactory(from_case=case, to_case=other)

    with CaptureQueriesContext(connection) as small:
        allocation_suggestions(case)
    cis = _bulk_force(40_000, 600)
    suspect = case.parties.get(role="suspect")
    suspect.staff.line_manager = StaffMember.objects.filter(rank="insp").first()
    suspect.staff.save()
    assert StaffMember.objects.count() >= 40_000
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would after a bulk load
    allocation_suggestions(case)  # warm

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as big:
        ranking = allocation_suggestions(case)
    elapsed = time.perf_counter() - started
    listed = ranking.suggested + ranking.overridable + ranking.excluded
    assert len(listed) == len(cis) + 0  # every chief inspector, each once
    assert len(big.captured_queries) == len(small.captured_queries) == 9
    # Not a timing test (the bench measures that); a generous bound catches an accidental N+1 or a scan per row.
    assert elapsed < 3, elapsed
    print(f"\nsuggestions for 600 CIs / 40,000 staff: {elapsed * 1000:.0f} ms, {len(big.captured_queries)} queries")
