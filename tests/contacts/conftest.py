"""A real Celery worker on the real Redis broker, against the pytest database.

The frontend helper plans a shared session fixture for this; until it is on main, this one serves the
contacts tests. The worker is a `celery -A ppda worker` subprocess with the test settings, pointed at
the test database and at this checkout's Redis db; tests using it must commit their data
(django_db(transaction=True)).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def contacts_celery_worker(django_db_setup, tmp_path_factory):
    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="ppda.settings.test",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL,
        # The worker must not hold the test database open once the session ends.
        DB_CONN_MAX_AGE="0",
    )
    celery = str(Path(sys.executable).parent / "celery")
    log = open(tmp_path_factory.mktemp("celery") / "worker.log", "w")  # noqa: SIM115 - closed in teardown
    proc = subprocess.Popen(  # noqa: S603 - fixed arguments
        [celery, "-A", "ppda", "worker", "--pool=solo", "--concurrency=1", "--loglevel=INFO", "--without-heartbeat"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    from ppda.celery import app

    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"Celery worker exited early; see {log.name}")
            if app.control.ping(timeout=1.0):
                break
        else:
            raise RuntimeError(f"Celery worker did not answer a ping within 60 s; see {log.name}")
        yield app
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


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
