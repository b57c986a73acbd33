"""The history of roles and case grants (issue 17): every path that gives or removes a role or a case grant records
it with who did it and how, in the same transaction; anything else is caught by the backstop with no actor; the
auditor reads who held what at any moment, and the record is append-only."""

import csv
import datetime as dt
import io
from importlib import import_module

import pytest
import time_machine
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils import timezone

from cases.investigations.services import psd_assign, psd_unassign
from cases.models import CaseUserObjectPermission
from oversight.allocation.rules import SOFT_RULE_LABELS
from oversight.allocation.services import allocation_create, allocation_end
from oversight.closure.services import closure_access_sweep
from panels import services as panel_services
from panels.sweep import panel_access_sweep
from ppda.audit_trail.selectors import grants_held_at
from ppda.date_input import date_post
from ppda.errors import ApplicationError
from ppda.grant_history import UNRECORDED
from ppda.models import AccessLog, GrantEvent, User
from ppda.permissions import grant, revoke
from ppda.roles import Role, user_roles_change
from tests.factories.closure import ActiveAllocationFactory, CompleteClosureFactory
from tests.factories.directory import UserFactory
from tests.factories.investigations import psd_rep
from tests.factories.oversight import soo_with_user, triaged_case_with_parties
from tests.factories.panels import draft_panel, published_panel

pytestmark = pytest.mark.django_db
VIEW_CASE = "cases.view_case"
GRANTS = reverse("audit:grants")
EXPORT = reverse("audit:grants_export")


def _events(**filters):
    return list(GrantEvent.objects.filter(**filters).order_by("id"))


# -- Roles --------------------------------------------------------------------------------------------------


def test_the_role_service_records_each_real_change_with_who_and_how(coordinator):
    user = UserFactory()
    added, removed = user_roles_change(user=user, add=[Role.SOO, Role.AUDITOR], by=coordinator, source="test")
    assert added == {Role.SOO, Role.AUDITOR} and not removed
    # Adding a role already held, or removing one not held, changes nothing and records nothing.
    user_roles_change(user=user, add=[Role.SOO], remove=[Role.PSD_REP], by=coordinator, source="test")
    user_roles_change(user=user, remove=[Role.AUDITOR], by=coordinator, source="test")
    rows = [(e.group, e.change, e.by_id, e.by_username, e.username) for e in _events(user=user)]
    assert rows == [
        ("auditor", "granted", coordinator.pk, coordinator.username, user.username),
        ("soo", "granted", coordinator.pk, coordinator.username, user.username),
        ("auditor", "removed", coordinator.pk, coordinator.username, user.username),
    ]
    with pytest.raises(ApplicationError, match="No such role"):
        user_roles_change(user=user, add=["superhero"], by=coordinator, source="test")


@pytest.mark.parametrize(
    "path", ["user.groups.add", "group.user_set.add", "user.groups.clear", "group.user_set.remove"]
)
def test_a_role_changed_outside_the_services_is_still_recorded_with_no_actor(path):
    user = UserFactory(roles=[Role.SOO])
    coordinator = Group.objects.get(name=Role.COORDINATOR)
    soo = Group.objects.get(name=Role.SOO)
    before = GrantEvent.objects.count()
    {
        "user.groups.add": lambda: user.groups.add(coordinator),
        "group.user_set.add": lambda: coordinator.user_set.add(user),
        "user.groups.clear": lambda: user.groups.clear(),
        "group.user_set.remove": lambda: soo.user_set.remove(user),
    }[path]()
    (event,) = GrantEvent.objects.order_by("id")[before:]
    expected = (
        ("soo", "removed") if path in ("user.groups.clear", "group.user_set.remove") else ("coordinator", "granted")
    )
    assert (event.group, event.change) == expected
    assert (event.user_id, event.by_id, event.source) == (user.pk, None, UNRECORDED)


def _admin_form_data(admin, user) -> dict:
    change = admin.get(reverse("admin:ppda_user_change", args=[user.pk]))
    data = {k: v for k, v in change.context["adminform"].form.initial.items() if v is not None}
    for name in ("last_login", "date_joined", "password"):
        data.pop(name, None)
    data.update(
        {
            "is_active": "on",
            "date_joined_0": user.date_joined.strftime("%d/%m/%Y"),
            "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
            "staff": user.staff_id or "",
            "user_permissions": [],
        }
    )
    return data


def test_the_admin_user_form_records_roles_with_the_administrator(verified_client, superuser_no_role):
    """Without the admin's save_related wrapper the backstop would record these with no actor ("unrecorded")."""
    admin = verified_client(superuser_no_role)
    user = UserFactory(roles=[Role.SOO])
    data = _admin_form_data(admin, user)
    data["groups"] = [Group.objects.get(name=Role.COORDINATOR).pk]
    response = admin.post(reverse("admin:ppda_user_change", args=[user.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    rows = {(e.group, e.change, e.by_id, e.source) for e in _events(user=user, source__in=["admin", UNRECORDED])}
    assert rows == {
        ("coordinator", "granted", superuser_no_role.pk, "admin"),
        ("soo", "removed", superuser_no_role.pk, "admin"),
    }


# -- Case grants ----------------------------------------------------------------------------------------------


def test_allocation_records_the_grant_and_its_removal_with_the_coordinator(coordinator):
    case = triaged_case_with_parties(reference="DA/2026/000801")
    soo = soo_with_user()
    allocation = allocation_create(case=case, soo=soo, by=coordinator, overrides=dict.fromkeys(SOFT_RULE_LABELS, "t"))
    allocation_end(allocation=allocation, by=coordinator, reason="Reallocating")
    rows = [
        (e.kind, e.change, e.username, e.permission, e.object_type, e.object_id, e.case_reference, e.by_id, e.source)
        for e in _events(kind="object", user=soo.user)
    ]
    common = (soo.user.username, VIEW_CASE, "cases.case", str(case.public_id), case.reference, coordinator.pk)
    assert rows == [
        ("object", "granted", *common, "allocation_create"),
        ("object", "removed", *common, "allocation_end"),
    ]


def test_psd_assignment_records_the_grant_and_its_removal(coordinator):
    case = triaged_case_with_parties()
    rep = psd_rep()
    assignment = psd_assign(case=case, user=rep, by=coordinator)
    psd_unassign(assignment=assignment, by=coordinator)
    assert [(e.change, e.by_id, e.source) for e in _events(kind="object", user=rep)] == [
        ("granted", coordinator.pk, "psd_assign"),
        ("removed", coordinator.pk, "psd_unassign"),
    ]


def test_grant_and_revoke_record_only_real_changes_and_the_backstop_does_not_double_them(coordinator):
    case = triaged_case_with_parties()
    user = UserFactory(roles=[Role.SOO])
    assert grant(user, VIEW_CASE, case, by=coordinator, source="test") is True
    assert grant(user, VIEW_CASE, case, by=coordinator, source="test") is False
    assert revoke(user, VIEW_CASE, case, by=coordinator, source="test") is True
    assert revoke(user, VIEW_CASE, case, by=coordinator, source="test") is False
    assert [(e.change, e.source) for e in _events(kind="object", user=user)] == [
        ("granted", "test"),
        ("removed", "test"),
    ]


def test_an_object_permission_written_directly_is_recorded_by_the_backstop():
    case = triaged_case_with_parties(reference="DA/2026/000802")
    user = UserFactory(roles=[Role.SOO])
    from django.contrib.auth.models import Permission

    permission = Permission.objects.get(content_type__app_label="cases", codename="view_case")
    row = CaseUserObjectPermission.objects.create(user=user, permission=permission, content_object=case)
    row.delete()
    assert [(e.change, e.case_reference, e.by_id, e.source) for e in _events(kind="object", user=user)] == [
        ("granted", "DA/2026/000802", None, UNRECORDED),
        ("removed", "DA/2026/000802", None, UNRECORDED),
    ]


def test_the_closure_sweep_records_each_grant_it_removes(settings):
    settings.CLOSURE_ACCESS_GRACE_DAYS = 1
    allocation = ActiveAllocationFactory()
    CompleteClosureFactory(case=allocation.case)
    from oversight.closure.services import case_close

    case_close(case=allocation.case, user=allocation.soo.user)
    assert closure_access_sweep(now=timezone.now() + dt.timedelta(days=2)).revoked == 1
    (event,) = _events(kind="object", user=allocation.soo.user, change="removed")
    assert (event.case_reference, event.by_id, event.source) == (
        allocation.case.reference,
        None,
        "closure_access_sweep",
    )


def test_panel_grants_are_recorded_per_case_when_made_and_removed():
    panel = draft_panel(n_cases=2)
    panel_services.meeting_publish(meeting=panel.meeting, by=panel.coordinator)
    refs = {case.reference for case, _ in panel.cases}
    granted = _events(kind="object", user=panel.member, change="granted")
    assert {e.case_reference for e in granted} == refs
    assert {(e.permission, e.object_type, e.by_id, e.source) for e in granted} == {
        ("panels.read_papers", "panels.agendaitem", panel.coordinator.pk, "meeting_publish")
    }
    # The PSD representative also holds the identified view.
    assert {e.permission for e in _events(kind="object", user=panel.psd)} == {
        "panels.read_papers",
        "panels.read_identified",
    }
    # Taking an item off the agenda removes its grants, recorded with the coordinator.
    item, (case, _) = panel.items[0], panel.cases[0]
    panel_services.item_remove(item=item, by=panel.coordinator)
    removed = _events(kind="object", user=panel.member, change="removed")
    assert [(e.case_reference, e.by_id, e.source) for e in removed] == [
        (case.reference, panel.coordinator.pk, "item_remove")
    ]
    panel_services.attendee_remove(attendee=panel.attendee(panel.member), by=panel.coordinator)
    assert _events(kind="object", user=panel.member, change="removed")[-1].source == "attendee_remove"


def test_the_panel_sweep_records_each_grant_it_removes():
    panel = published_panel(n_cases=1)
    panel_access_sweep(now=panel.meeting.access_closes_at + dt.timedelta(minutes=1))
    removed = _events(kind="object", change="removed", source="panel_access_sweep")
    assert {e.user_id for e in removed} == {panel.chair.pk, panel.member.pk, panel.psd.pk}
    assert all(e.by_id is None and e.case_reference == panel.cases[0][0].reference for e in removed)


# -- The record itself ------------------------------------------------------------------------------------------


def test_the_grant_history_is_append_only_in_the_orm_and_in_postgresql():
    UserFactory(roles=[Role.SOO])
    event = GrantEvent.objects.first()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        GrantEvent.objects.all().update(source="x")
    with pytest.raises(PermissionError):
        GrantEvent.objects.all().delete()
    for sql in ("UPDATE ppda_grantevent SET source = 'x'", "DELETE FROM ppda_grantevent"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)


def test_the_baseline_migrations_record_what_is_held_when_the_history_begins():
    """Roles and grants written behind the services' backs (as before this history existed) get a baseline row."""
    case = triaged_case_with_parties(reference="DA/2026/000803")
    user = UserFactory()
    from django.contrib.auth.models import Permission

    User.groups.through.objects.bulk_create([User.groups.through(user=user, group=Group.objects.get(name=Role.SOO))])
    permission = Permission.objects.get(content_type__app_label="cases", codename="view_case")
    CaseUserObjectPermission.objects.bulk_create(
        [CaseUserObjectPermission(user=user, permission=permission, content_object=case)]
    )
    assert not _events(user=user)
    import_module("ppda.migrations.0008_grantevent").roles_baseline(django_apps, None)
    import_module("cases.migrations.0006_grant_history_baseline").case_grants_baseline(django_apps, None)
    assert {(e.kind, e.group, e.case_reference, e.source) for e in _events(user=user)} == {
        ("role", "soo", "", "baseline"),
        ("object", "", "DA/2026/000803", "baseline"),
    }


def test_held_at_answers_who_could_see_what_at_a_moment(coordinator):
    case = triaged_case_with_parties(reference="DA/2026/000804")
    user = UserFactory()
    t0 = timezone.now()
    with time_machine.travel(t0 + dt.timedelta(days=1), tick=False):
        user_roles_change(user=user, add=[Role.SOO], by=coordinator, source="test")
        grant(user, VIEW_CASE, case, by=coordinator, source="test")
    with time_machine.travel(t0 + dt.timedelta(days=3), tick=False):
        revoke(user, VIEW_CASE, case, by=coordinator, source="test")
    with time_machine.travel(t0 + dt.timedelta(days=5), tick=False):
        grant(user, VIEW_CASE, case, by=coordinator, source="again")

    def held(days):
        rows = grants_held_at(at=t0 + dt.timedelta(days=days), username=user.username)
        return {(e.kind, e.group, e.case_reference, e.source) for e in rows}

    assert held(0.5) == set()
    assert held(2) == {("role", "soo", "", "test"), ("object", "", "DA/2026/000804", "test")}
    assert held(4) == {("role", "soo", "", "test")}
    assert held(6) == {("role", "soo", "", "test"), ("object", "", "DA/2026/000804", "again")}
    by_case = grants_held_at(at=t0 + dt.timedelta(days=2), reference="DA/2026/000804")
    assert [e.username for e in by_case] == [user.username]


# -- The auditor's page ------------------------------------------------------------------------------------------


def _next_minute() -> dict[str, str]:
    """The form takes minutes (a GOV.UK date and a 24-hour time, UK time): the next one is after every grant so far."""
    moment = timezone.localtime() + dt.timedelta(minutes=1)
    return {**date_post("held_on", moment.date()), "held_time": moment.strftime("%H:%M")}


@pytest.fixture
def auditor_client(auditor, verified_client):
    return verified_client(auditor)


@pytest.mark.parametrize("fixture", ["coordinator", "superuser_no_role", "soo_user"])
@pytest.mark.parametrize("url", [GRANTS, EXPORT])
def test_only_auditors_read_the_grant_history(request, verified_client, fixture, url):
    assert verified_client(request.getfixturevalue(fixture)).get(url).status_code == 403


def test_the_page_lists_changes_and_held_grants_and_logs_each_read(auditor_client, auditor, coordinator):
    case = triaged_case_with_parties(reference="DA/2026/000805")
    soo = soo_with_user()
    allocation_create(case=case, soo=soo, by=coordinator, overrides=dict.fromkeys(SOFT_RULE_LABELS, "t"))
    body = auditor_client.get(GRANTS, {"reference": "DA/2026/000805"}).content.decode()
    assert "1 change," not in body and "1 change" in body
    assert soo.user.username in body and "allocation_create" in body and coordinator.username in body
    held = auditor_client.get(GRANTS, {"reference": "DA/2026/000805", **_next_minute()})
    assert len(held.context["page"].object_list) == 1 and "1 held" in held.content.decode()
    reads = AccessLog.objects.filter(user=auditor, action=AccessLog.Action.AUDIT_READ, object_type="ppda.grantevent")
    assert reads.count() == 2 and all(r.case_reference == "DA/2026/000805" for r in reads)


def test_the_csv_export_has_the_filtered_rows(auditor_client, coordinator):
    user = UserFactory(username="export-me")
    user_roles_change(user=user, add=[Role.PSD_REP], by=coordinator, source="test")
    UserFactory(username="someone-else", roles=[Role.SOO])
    response = auditor_client.get(EXPORT, {"username": "export-me"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["When (UTC)", "Change", "Kind", "User"]
    assert [r[1:5] + r[9:] for r in rows[1:]] == [
        ["granted", "role", "export-me", "psd_rep", coordinator.username, "test"]
    ]


@pytest.mark.parametrize(
    "params",
    [
        {**date_post("held_on", "9999-12-31"), "held_time": "23:59"},
        date_post("date_to", "9999-12-31"),
        {"held_on_day": "tomorrow", "held_on_month": "1", "held_on_year": "2026"},
        {"held_time": "14:30"},
        {**date_post("held_on", "2026-03-29"), "held_time": "01:30"},
        {**date_post("date_from", "2026-02-02"), **date_post("date_to", "2026-02-01")},
    ],
)
@pytest.mark.parametrize("url", [GRANTS, EXPORT])
def test_bad_input_is_a_form_error_never_a_500(auditor_client, params, url):
    response = auditor_client.get(url, params)
    assert response.status_code in (200, 400)
    assert response.context["form"].errors


def test_held_at_without_a_time_is_the_end_of_that_day(auditor_client):
    form = auditor_client.get(GRANTS, date_post("held_on", "2026-07-01")).context["form"]
    assert form.cleaned_data["held_at"] == dt.datetime(2026, 7, 1, 22, 59, tzinfo=dt.UTC)  # 23:59 BST
    assert 'name="held_on_day"' in auditor_client.get(GRANTS).content.decode()


@pytest.mark.parametrize("held", [False, True])
def test_query_count_is_the_same_for_few_and_many_rows(auditor_client, coordinator, django_assert_num_queries, held):
    params = _next_minute() if held else {}

    def pages():
        # The user (with roles and authenticators); the count and the page; the audit-read insert.
        with django_assert_num_queries(4):
            auditor_client.get(GRANTS, {**params, "page": "1"})

    UserFactory(roles=[Role.SOO])
    pages()
    for _ in range(60):
        UserFactory(roles=[Role.SOO])
    pages()
