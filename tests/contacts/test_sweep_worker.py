"""The sweep sent through the real Redis broker to a real worker process."""

import datetime as dt
import time

import pytest
from celery.signals import before_task_publish
from django.conf import settings
from django.utils import timezone

from oversight.contacts.models import DeadlineEvent
from oversight.contacts.tasks import deadlines_sweep_task
from ppda.models import Notification
from ppda.roles import Role
from tests.factories.directory import UserFactory
from tests.factories.oversight import AcceptedAllocationFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_beat_schedules_the_sweep_on_an_interval_not_a_crontab():
    entry = settings.CELERY_BEAT_SCHEDULE["contacts-deadline-sweep"]
    assert entry["task"] == deadlines_sweep_task.name
    assert isinstance(entry["schedule"], float) and 60 <= entry["schedule"] <= 600
    assert entry["options"]["expires"] < entry["schedule"]


def test_sweep_through_redis_to_a_real_worker_notifies_once(celery_worker):
    coordinator = UserFactory(roles=[Role.COORDINATOR])
    reminded = AcceptedAllocationFactory(allocated_at=timezone.now() - dt.timedelta(hours=30))
    breached = AcceptedAllocationFactory(allocated_at=timezone.now() - dt.timedelta(hours=75))

    # The message on the broker carries no arguments at all: ids at most, never identifiable data.
    assert not deadlines_sweep_task.app.conf.task_always_eager  # it travels through Redis to the worker
    async_result = deadlines_sweep_task.delay()
    outcome = async_result.get(timeout=celery_worker.timeout)
    assert outcome["notifications"] == 3  # 24-hour reminder; breach to its SOO and the coordinator
    assert Notification.objects.filter(recipient=reminded.soo.user, kind="reminder_24h").count() == 1
    assert Notification.objects.filter(recipient=coordinator, kind="breach").count() == 1
    breached.refresh_from_db()
    assert breached.breached_at == breached.first_contact_due
    # After commit the sweep enqueued the emails (ids only); the worker claimed and sent each one.
    deadline = time.monotonic() + 30
    while Notification.objects.filter(emailed_at__isnull=True).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 3

    # A second delivery (a second beat, a redelivery) changes nothing.
    assert deadlines_sweep_task.delay().get(timeout=celery_worker.timeout)["notifications"] == 0
    assert f"deadlines_sweep_task[{async_result.id}] received" in celery_worker.log()
    assert Notification.objects.count() == 3 and DeadlineEvent.objects.count() == 2


def test_task_message_on_the_broker_has_no_arguments(celery_worker):
    published = []

    def capture(sender=None, body=None, **kwargs):
        published.append((sender, body))

    before_task_publish.connect(capture)
    try:
        deadlines_sweep_task.delay().get(timeout=celery_worker.timeout)
    finally:
        before_task_publish.disconnect(capture)
    sweeps = [body for sender, body in published if sender == deadlines_sweep_task.name]
    assert len(sweeps) == 1
    args, kwargs, _embed = sweeps[0]
    assert list(args) == [] and kwargs == {}
    assert "args" not in settings.CELERY_BEAT_SCHEDULE["contacts-deadline-sweep"]
