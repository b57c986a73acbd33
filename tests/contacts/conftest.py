"""Contacts tests: tasks enqueued by code under test run in-process, except in worker tests, which use the
shared real-worker fixture (tests/celery_fixtures.py: `celery_worker`)."""

import pytest


@pytest.fixture(autouse=True)
def celery_eager(request):
    """Tasks enqueued by code under test (emails after commit) run in-process, except in worker tests."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    from ppda.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved
