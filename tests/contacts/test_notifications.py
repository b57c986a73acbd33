"""Notifications: reference and link only, the notifications page, the header count."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from oversight.contacts.models import DeadlineEvent
from oversight.contacts.services import contact_log, contact_schedule_set
from oversight.contacts.sweep import deadlines_sweep
from ppda.models import Notification
from ppda.roles import Role
from tests.conftest import login_verified
from tests.factories.cases import CivilianVictimFactory, PoliceSuspectFactory, SafeContactFactory
from tests.factories.directory import UserFactory
from tests.factories.oversight import AcceptedAllocationFactory

pytestmark = pytest.mark.django_db


def test_no_party_identifier_in_any_notification_or_email(django_capture_on_commit_callbacks):
    t0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    UserFactory(roles=[Role.COORDINATOR])
    with time_machine.travel(t0, tick=False) as clock:
        unmet = AcceptedAllocationFactory()
        scheduled = AcceptedAllocationFactory()
        identifiers = []
        for allocation in (unmet, scheduled):
            victim = CivilianVictimFactory(case=allocation.case, email="victim.person@example.test")
            SafeContactFactory(party=victim, safe_email="safe.box@example.test")
            suspect = PoliceSuspectFactory(case=allocation.case)
            identifiers += [
                victim.first_name,
                victim.last_name,
                victim.phone,
                victim.email,
                victim.date_of_birth.isoformat(),
                victim.date_of_birth.strftime("%d/%m/%Y"),
                victim.safe_contact.safe_phone,
                victim.safe_contact.safe_email,
                victim.safe_contact.codeword,
                suspect.staff.first_name,
                suspect.staff.last_name,
                suspect.staff.employee_number,
            ]
        clock.move_to(t0 + dt.timedelta(hours=1))
        contact_log(
            allocation=scheduled,
            user=scheduled.soo.user,
            contacted_at=t0 + dt.timedelta(minutes=30),
            method="phone",
            outcome="completed",
            note=f"Spoke to {identifiers[12]} {identifiers[13]}",
        )
        contact_schedule_set(allocation=scheduled, user=scheduled.soo.user, cadence="interval", interval_days=2)
        for hours in (24, 48, 72, 96):
            clock.move_to(t0 + dt.timedelta(hours=hours))
            with django_capture_on_commit_callbacks(execute=True):
                deadlines_sweep()
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds == {
        "reminder_24h",
        "reminder_48h",
        "breach",
        "contact_due",
        "contact_overdue",
        "contact_overdue_alert",
    }
    texts = [f"{n.kind} {n.message} {n.link} {n.case_reference} {n.event_key}" for n in Notification.objects.all()]
    texts += [f"{m.subject}\n{m.body}" for m in mail.outbox]
    assert len(mail.outbox) == Notification.objects.count() > 5
    for text in texts:
        for identifier in identifiers:
            assert identifier.lower() not in text.lower(), (identifier, text)
    for m in mail.outbox:
        assert unmet.case.reference in m.subject or scheduled.case.reference in m.subject
        assert "/contacts/" in m.body


def test_emails_go_only_after_commit_and_not_on_rollback(django_capture_on_commit_callbacks):
    AcceptedAllocationFactory(allocated_at=timezone.now() - dt.timedelta(hours=25))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        deadlines_sweep()
    assert len(mail.outbox) == 0 and len(callbacks) == 1


@pytest.fixture
def reader():
    return UserFactory(roles=[Role.SOO])


def test_notifications_page_lists_only_my_own_and_marks_read(client, reader):
    mine = [
        Notification.objects.create(
            recipient=reader, kind="breach", message=f"m{i}", case_reference=f"DA/2026/00090{i}"
        )
        for i in range(3)
    ]
    theirs = Notification.objects.create(
        recipient=UserFactory(), kind="breach", message="secret", case_reference="DA/2026/000999"
    )
    login_verified(client, reader)
    page = client.get(reverse("notifications:list"))
    assert page.status_code == 200
    body = page.content.decode()
    # References long enough that a random CSRF token cannot contain one by chance.
    assert all(n.case_reference in body for n in mine) and "DA/2026/000999" not in body
    assert "3 unread" in body

    # Someone else's notification: nothing changes, nothing is said.
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 302
    theirs.refresh_from_db()
    assert theirs.read_at is None

    client.post(reverse("notifications:read", args=[mine[0].pk]))
    assert Notification.objects.filter(recipient=reader, read_at__isnull=True).count() == 2
    client.post(reverse("notifications:read_all"))
    assert Notification.objects.filter(recipient=reader, read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get(reverse("notifications:read_all")).status_code == 405


@pytest.mark.parametrize("name", ["notifications:list"])
def test_notifications_page_needs_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("fixture", ["coordinator", "auditor", "superuser_no_role", "soo_user"])
def test_every_signed_in_role_has_a_notifications_page(client, request, fixture):
    login_verified(client, request.getfixturevalue(fixture))
    assert client.get(reverse("notifications:list")).status_code == 200


def test_notifications_page_query_count_is_constant(client, reader):
    def count(n):
        Notification.objects.filter(recipient=reader).delete()
        Notification.objects.bulk_create(
            Notification(recipient=reader, kind="reminder_24h", message="m", case_reference=f"R{i}", link="/x/")
            for i in range(n)
        )
        login_verified(client, reader)
        client.get(reverse("notifications:list"))  # warm the per-process caches, as any earlier request would
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("notifications:list")).status_code == 200
        return [q["sql"] for q in ctx.captured_queries]

    few, many = count(1), count(120)
    assert len(few) == len(many) == NOTIFICATIONS_PAGE_QUERIES, "\n".join(many)


# The user (with roles, confirmed authenticators and the unread count), the paginator's count, the
# page's unread count, one page of notifications. The session comes from Redis: no query.
NOTIFICATIONS_PAGE_QUERIES = 4


def test_unread_count_context_processor(rf, reader):
    from django.contrib.auth.models import AnonymousUser

    from ppda.notifications.context_processors import notifications

    Notification.objects.create(recipient=reader, kind="breach", message="m")
    Notification.objects.create(recipient=reader, kind="breach", message="m", read_at=timezone.now())
    request = rf.get("/")
    request.user = reader
    assert str(notifications(request)["notifications_unread"]) == "1"
    request.user = AnonymousUser()
    assert notifications(request)["notifications_unread"] == 0


def test_sweep_claims_are_unique_per_event():
    allocation = AcceptedAllocationFactory()
    now = timezone.now()
    DeadlineEvent.objects.create(allocation=allocation, kind="breach", created_at=now)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        DeadlineEvent.objects.create(allocation=allocation, kind="breach", created_at=now)


def test_email_task_sends_each_notification_once_and_skips_users_without_email():
    from ppda.notifications import notifications_email

    with_email, without = UserFactory(), UserFactory(email="")
    ids = [
        Notification.objects.create(recipient=u, kind="breach", message="m", case_reference="R1", link="/x/").pk
        for u in (with_email, with_email, without)
    ]
    assert notifications_email(ids) == 2
    assert notifications_email(ids) == 0  # redelivered: already claimed
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2


def test_sweep_enqueues_emails_in_chunks_of_ids(monkeypatch, django_capture_on_commit_callbacks):
    from ppda.notifications import services as notify
    from ppda.notifications.tasks import notifications_email_task

    sent = []
    monkeypatch.setattr(notifications_email_task, "delay", lambda ids: sent.append(ids))
    monkeypatch.setattr(notify, "EMAIL_CHUNK", 2)
    for _ in range(5):
        AcceptedAllocationFactory(allocated_at=timezone.now() - dt.timedelta(hours=25))
    with django_capture_on_commit_callbacks(execute=True):
        assert deadlines_sweep().notifications == 5
    assert [len(chunk) for chunk in sent] == [2, 2, 1]
    assert all(isinstance(i, int) for chunk in sent for i in chunk)
    assert len(mail.outbox) == 0


def test_header_shows_the_unread_count_at_no_extra_query(client, reader):
    """The count comes with the session's user lookup, so pinned page query counts stay as they were."""

    def home():
        login_verified(client, reader)
        client.get(reverse("home"))  # settle first-request work (e.g. session rotation)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("home"))
        assert response.status_code == 200
        return response.content.decode(), len(ctx.captured_queries)

    body, none_unread = home()
    assert "ppda-nav-count" not in body
    Notification.objects.bulk_create(Notification(recipient=reader, kind="breach", message="m") for _ in range(5))
    Notification.objects.create(recipient=reader, kind="breach", message="m", read_at=timezone.now())
    body, five_unread = home()
    assert five_unread == none_unread
    assert 'ppda-nav-count">5<span class="govuk-visually-hidden"> unread</span>' in body


def test_the_backend_authenticates_like_model_backend(reader):
    from django.contrib.auth import authenticate

    from tests.factories.directory import TEST_PASSWORD

    user = authenticate(username=reader.username, password=TEST_PASSWORD)
    assert user == reader
    assert authenticate(username=reader.username, password="wrong") is None
    from ppda.accounts.backends import ModelBackendWithNotifications

    assert ModelBackendWithNotifications().get_user(reader.pk).unread_notifications == 0
    reader.is_active = False
    reader.save()
    assert ModelBackendWithNotifications().get_user(reader.pk) is None
