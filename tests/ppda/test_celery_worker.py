"""A task sent through the real Redis broker runs on a real `celery -A ppda worker` process."""

import pytest
from django.conf import settings

from ppda.models import District
from ppda.tasks import ping

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_task_runs_on_a_real_worker_against_the_test_database(celery_worker):
    assert not ping.app.conf.task_always_eager  # not eager: it must travel through Redis
    result = celery_worker.send(ping)
    answer = result.get(timeout=celery_worker.timeout)
    assert answer["pong"] is True
    assert answer["database"] == settings.DATABASES["default"]["NAME"]
    assert answer["database"].startswith("test_")
    assert result.state == "SUCCESS"
    assert f"Task ppda.tasks.ping[{result.id}] received" in celery_worker.log()  # the worker process took it


def test_the_worker_sees_rows_this_test_committed(celery_worker):
    """The worker is another process and connection: a transactional test's rows are visible to it."""
    District.objects.bulk_create([District(name=f"Worker test district {n}") for n in range(3)])
    assert celery_worker.send(ping).get(timeout=celery_worker.timeout)["districts"] == 3
