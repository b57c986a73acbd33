"""A real Celery worker for tests: `celery -A ppda worker` as a subprocess on the real Redis broker.

Use it from a transactional test (the worker is another process: it sees only committed rows)::

    @pytest.mark.worker
    @pytest.mark.django_db(transaction=True)
    def test_something(celery_worker):
        result = celery_worker.send(my_task, obj.pk)   # apply_async on the worker's own queue
        assert result.get(timeout=celery_worker.timeout) == ...

The worker is started once per test session (per xdist process), on the test database (pytest-django's
test_<dbname>, with the xdist suffix) and on a queue of its own: while it runs, every task this session
sends (task.delay() in code under test too) is routed to that queue, so parallel sessions sharing one
Redis never take each other's tasks. It is stopped at the end of the session.
"""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60


@dataclass
class CeleryWorker:
    queue: str
    hostname: str
    database: str
    log_path: str
    timeout: float = 30

    def send(self, task, *args, **kwargs):
        """Send `task` through Redis to this worker; returns the AsyncResult (task.delay() does the same)."""
        return task.apply_async(args=args, kwargs=kwargs)

    def log(self) -> str:
        return Path(self.log_path).read_text(errors="replace")[-4000:]


def _route_everything_to(app, queue: str | None):
    """Route every task this process sends to `queue` (None: back to the configured routes)."""
    app.conf.task_routes = {"*": {"queue": queue}} if queue else _route_everything_to.saved
    app.amqp.flush_routes()
    app.amqp.router = app.amqp.Router()


def _database_url(db: dict) -> str:
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{quote(db['NAME'], safe='')}"


@pytest.fixture(scope="session")
def celery_worker(django_db_setup):
    from ppda.celery import app
    from ppda.tasks import ping

    db = settings.DATABASES["default"]  # after django_db_setup: the test database
    tag = uuid.uuid4().hex[:10]
    queue = f"ppda-test-{tag}"
    hostname = f"test-{tag}@localhost"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(db),
        "DJANGO_SETTINGS_MODULE": "ppda.settings.test",
        "DB_CONN_MAX_AGE": "0",  # hold no connection open between tasks (tests flush and drop the database)
        "CELERY_TASK_DEFAULT_QUEUE": queue,  # tasks the worker itself enqueues (e.g. emails after commit)
    }
    log = tempfile.NamedTemporaryFile(prefix="ppda-celery-worker-", suffix=".log", delete=False)  # noqa: SIM115
    command = [
        sys.executable, "-m", "celery", "-A", "ppda", "worker", "--pool=solo", "--concurrency=1",
        "-Q", queue, "-n", hostname, "--without-heartbeat", "--without-mingle", "--without-gossip",
        "--loglevel=INFO",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    worker = CeleryWorker(queue=queue, hostname=hostname, database=db["NAME"], log_path=log.name)
    _route_everything_to.saved = app.conf.task_routes
    _route_everything_to(app, queue)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        # Ready when it answers a task (the task sits in Redis until the worker consumes it).
        pending = worker.send(ping)
        while True:
            if process.poll() is not None:
                pytest.fail(f"The Celery worker exited ({process.returncode}):\n{worker.log()}")
            try:
                pending.get(timeout=1)
                break
            except CeleryTimeoutError:
                if time.monotonic() > deadline:
                    pytest.fail(f"The Celery worker did not start in {START_TIMEOUT}s:\n{worker.log()}")
        yield worker
    finally:
        _route_everything_to(app, None)
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        os.unlink(log.name)
