"""The investigation alerts: each fires exactly once at its threshold and not before (the clock moved with
time-machine), two sweeps at once send once, and no notification carries an identifier of the case."""

import datetime as dt
import threading
from collections import Counter

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import close_old_connections, connection

from cases.investigations import sweep as sweep_module
from cases.investigations.models import InvestigationAlert, Strand
from cases.investigations.services import psd_update_post
from cases.investigations.sweep import investigation_alerts_sweep
from cases.models import CaseAccessDeclaration
from cases.selectors import users_excluded_from
from cases.selectors import users_excluded_from_cases as excluded_users_by_case
from oversight.anonymise import case_identifiers
from ppda.models import Notification
from ppda.roles import Role
from tests.factories.directory import StaffMemberFactory, UserFactory
from tests.factories.investigations import open_investigation, psd_assigned_case
from tests.factories.oversight import ConflictDeclarationFactory

UTC = dt.UTC
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _sweep_at(when: dt.datetime):
    with time_machine.travel(when, tick=False):
        return investigation_alerts_sweep()


def _alerts(kind) -> list[str]:
    return sorted(InvestigationAlert.objects.filter(kind=kind).values_list("key", flat=True))


def _coordinator_ids() -> list[int]:
    return list(get_user_model().objects.filter(groups__name=Role.COORDINATOR).values_list("pk", flat=True))


def _world(*, misconduct=True, allegation_on=dt.date(2026, 3, 1), distinctive=False):
    with time_machine.travel(T0, tick=False):
        case, soo, coordinator, psd = psd_assigned_case(distinctive=distinctive)
        investigation = open_investigation(
            case, psd, criminal=True, misconduct=misconduct, allegation_on=allegation_on if misconduct else None
        )
    return case, soo, coordinator, psd, investigation


@pytest.mark.django_db
def test_no_update_for_28_days_fires_once_and_rearms_after_the_next_update():
    case, soo, coordinator, psd, investigation = _world(misconduct=False)
    assert _sweep_at(T0 + dt.timedelta(days=28) - dt.timedelta(minutes=1)).claimed["no_update"] == 0
    assert _sweep_at(T0 + dt.timedelta(days=28)).claimed["no_update"] == 1
    assert _sweep_at(T0 + dt.timedelta(days=29)).claimed["no_update"] == 0
    notices = Notification.objects.filter(kind="investigation_alert")
    assert sorted(notices.values_list("recipient_id", flat=True)) == sorted([soo.pk, *_coordinator_ids()])
    # A new update starts a new quiet period: 28 days after it, one more alert.
    later = T0 + dt.timedelta(days=30)
    with time_machine.travel(later, tick=False):
        psd_update_post(investigation=investigation, by=psd, kind="note", text="Interviews this week")
    assert _sweep_at(later + dt.timedelta(days=27)).claimed["no_update"] == 0
    assert _sweep_at(later + dt.timedelta(days=28)).claimed["no_update"] == 1
    assert len(_alerts("no_update")) == 2


@pytest.mark.django_db
def test_officer_changed_fires_once_per_change():
    case, soo, coordinator, psd, investigation = _world(misconduct=False)
    criminal = investigation.strands.get()
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        psd_update_post(
            investigation=investigation, by=psd, kind="investigator", strand=criminal, to_officer=StaffMemberFactory()
        )
    assert _sweep_at(T0 + dt.timedelta(days=1) - dt.timedelta(seconds=1)).claimed["officer_changed"] == 0
    assert _sweep_at(T0 + dt.timedelta(days=1, minutes=5)).claimed["officer_changed"] == 1
    assert _sweep_at(T0 + dt.timedelta(days=1, minutes=10)).claimed["officer_changed"] == 0
    # The posting itself told no one (the alert does), so the SOO hears of the change once.
    assert Notification.objects.filter(recipient=soo, message__contains="officer in charge").count() == 1


@pytest.mark.django_db
def test_open_longer_than_six_months_fires_once_and_not_after_conclusion():
    case, soo, coordinator, psd, investigation = _world(misconduct=False)
    six_months = dt.datetime(2026, 9, 2, 9, 0, tzinfo=UTC)
    # Keep it from also going quiet: updates every few weeks.
    for days in range(20, 200, 20):
        with time_machine.travel(T0 + dt.timedelta(days=days), tick=False):
            psd_update_post(investigation=investigation, by=psd, kind="note", text="Progress")
    assert _sweep_at(six_months - dt.timedelta(minutes=1)).claimed["long_running"] == 0
    assert _sweep_at(six_months).claimed["long_running"] == 1
    assert _sweep_at(six_months + dt.timedelta(days=40)).claimed["long_running"] == 0
    assert _alerts("long_running") == [""]

    # A concluded investigation raises nothing.
    case2, _s, _c, psd2, inv2 = _world(misconduct=False)
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        psd_update_post(investigation=inv2, by=psd2, kind="status", strand=inv2.strands.get(), to_status="nfa")
    assert _sweep_at(six_months + dt.timedelta(days=60)).claimed["long_running"] == 0


@pytest.mark.django_db
def test_reg19_markers_at_12_and_18_months_and_every_6_after_each_once():
    case, soo, coordinator, psd, investigation = _world(allegation_on=dt.date(2026, 3, 1))
    # Only reg. 19 matters here: keep the investigation from going quiet or counting as long-running noise.
    with time_machine.travel(dt.datetime(2027, 2, 28, 23, 0, tzinfo=UTC), tick=False):  # 28 Feb, 23:00 London
        assert investigation_alerts_sweep().claimed["reg19"] == 0
    assert _sweep_at(dt.datetime(2027, 3, 1, 0, 30, tzinfo=UTC)).claimed["reg19"] == 1  # 12 months
    assert _sweep_at(dt.datetime(2027, 6, 1, 9, 0, tzinfo=UTC)).claimed["reg19"] == 0
    assert _sweep_at(dt.datetime(2027, 8, 31, 22, 59, tzinfo=UTC)).claimed["reg19"] == 0  # 31 Aug, London
    assert _sweep_at(dt.datetime(2027, 8, 31, 23, 30, tzinfo=UTC)).claimed["reg19"] == 1  # 1 Sep BST: 18 months
    assert _sweep_at(dt.datetime(2027, 9, 15, 9, 0, tzinfo=UTC)).claimed["reg19"] == 0
    assert _alerts("reg19") == ["12", "18"]
    messages = list(Notification.objects.filter(message__startswith="Reg. 19").values_list("message", flat=True))
    assert any("12 months" in m for m in messages) and any("18 months" in m for m in messages)
    # A sweep that was down across a marker sends the one the investigation is at now (30), not the stale 24.
    assert _sweep_at(dt.datetime(2028, 9, 2, 9, 0, tzinfo=UTC)).claimed["reg19"] == 1
    assert _alerts("reg19") == ["12", "18", "30"]


@pytest.mark.django_db
def test_reg19_stops_when_the_misconduct_investigation_concludes():
    case, soo, coordinator, psd, investigation = _world(allegation_on=dt.date(2026, 3, 1))
    misconduct = investigation.strands.get(kind=Strand.Kind.MISCONDUCT)
    with time_machine.travel(dt.datetime(2026, 12, 1, tzinfo=UTC), tick=False):
        psd_update_post(
            investigation=investigation, by=psd, kind="status", strand=misconduct, to_status="no_case_to_answer"
        )
    assert _sweep_at(dt.datetime(2027, 3, 2, tzinfo=UTC)).claimed["reg19"] == 0


@pytest.mark.django_db
def test_notifications_carry_no_identifier_of_the_case():
    case, soo, coordinator, psd, investigation = _world(allegation_on=dt.date(2026, 3, 1), distinctive=True)
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        psd_update_post(
            investigation=investigation,
            by=psd,
            kind="investigator",
            strand=investigation.strands.get(kind="criminal"),
            to_officer=StaffMemberFactory(),
        )
        psd_update_post(investigation=investigation, by=psd, kind="decision", decision="Not to suspend", rationale="x")
    _sweep_at(dt.datetime(2027, 9, 10, tzinfo=UTC))
    kinds = Counter(Notification.objects.values_list("kind", flat=True))
    assert kinds["investigation_alert"] and kinds["psd_update"] and kinds["psd_assigned"]
    identifiers = [i for i in case_identifiers(case) if i.kind != "reference"]
    assert identifiers
    for n in Notification.objects.all():
        text = f"{n.message} {n.link} {n.case_reference}".lower()
        for ident in identifiers:
            assert ident.value.lower() not in text, (n.kind, ident.kind)
        assert n.link.startswith("/cases/") and str(case.public_id) in n.link


@pytest.mark.django_db
def test_alerts_never_reach_a_coordinator_who_declared_a_conflict():
    case, soo, coordinator, psd, investigation = _world(misconduct=False)
    CaseAccessDeclaration.objects.filter(case=case, user=coordinator).update(kind="conflict")
    _sweep_at(T0 + dt.timedelta(days=40))
    assert not Notification.objects.filter(recipient=coordinator, kind="investigation_alert").exists()
    assert Notification.objects.filter(recipient=soo, kind="investigation_alert").exists()
    assert excluded_users_by_case([case.pk]).get(case.pk, set()) == set(
        users_excluded_from(case).values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_alerts_never_reach_a_coordinator_with_a_standing_conflict_against_a_party():
    """The sweep uses the one exclusion rule (cases.selectors), standing conflicts included (issue 17)."""
    case, soo, _, psd, investigation = _world(misconduct=False)
    coordinator = UserFactory(staff=StaffMemberFactory(), roles=[Role.COORDINATOR])
    ConflictDeclarationFactory(declarer=coordinator.staff, against_staff=case.parties.exclude(staff=None).get().staff)
    _sweep_at(T0 + dt.timedelta(days=40))
    assert not Notification.objects.filter(recipient=coordinator, kind="investigation_alert").exists()
    assert Notification.objects.filter(recipient=soo, kind="investigation_alert").exists()


@pytest.mark.django_db
def test_the_sweep_is_a_constant_number_of_queries(django_assert_max_num_queries):
    for _ in range(5):
        _world()
    with django_assert_max_num_queries(20):
        result = _sweep_at(dt.datetime(2027, 9, 10, tzinfo=UTC))
    assert result.claimed == {"no_update": 5, "officer_changed": 0, "long_running": 5, "reg19": 5}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_on_two_connections_send_once(monkeypatch):
    for _ in range(3):
        _world()
    when = dt.datetime(2027, 9, 10, tzinfo=UTC)
    inside = threading.Barrier(2, timeout=10)
    arrived = []
    real_claim = sweep_module._claim
    first_sql = {}

    def claim_together(select_sql, params):
        if not first_sql:
            first_sql["sql"] = select_sql
        if select_sql == first_sql["sql"]:
            assert connection.in_atomic_block
            arrived.append(threading.current_thread().name)
            inside.wait()
        return real_claim(select_sql, params)

    monkeypatch.setattr(sweep_module, "_claim", claim_together)
    results, errors = [], []

    def run():
        try:
            results.append(investigation_alerts_sweep(now=when))
        except Exception as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, name=f"sweep-{n}") for n in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert sorted(arrived) == ["sweep-a", "sweep-b"]
    alerts = Counter(InvestigationAlert.objects.values_list("kind", flat=True))
    assert dict(alerts) == {"no_update": 3, "long_running": 3, "reg19": 3}
    sent = Notification.objects.filter(kind="investigation_alert")
    per_key = Counter(sent.values_list("recipient_id", "event_key"))
    assert set(per_key.values()) == {1}
    coordinators = get_user_model().objects.filter(groups__name=Role.COORDINATOR).count()
    # Nine alerts, each to every coordinator and the case's SOO.
    assert sum(r.notifications for r in results) == sent.count() == 9 * (coordinators + 1)
    monkeypatch.undo()
    assert investigation_alerts_sweep(now=when).notifications == 0
