import pytest
from django.core import mail

from ppda.models import Notification
from ppda.notifications import notification_send

pytestmark = pytest.mark.django_db


def test_notification_once_per_event_and_email_has_reference_and_link_only(
    coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = notification_send(
            recipients=[coordinator],
            kind="breach",
            message="First contact overdue.",
            link="/cases/x/",
            case_reference="DA/2026/000001",
            event_key="breach:1",
        )
        again = notification_send(
            recipients=[coordinator],
            kind="breach",
            message="First contact overdue.",
            link="/cases/x/",
            case_reference="DA/2026/000001",
            event_key="breach:1",
        )
    assert len(first) == 1 and again == []
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1
    assert "DA/2026/000001" in mail.outbox[0].subject
    assert "/cases/x/" in mail.outbox[0].body
