"""The production shape, exercised: docker-compose.yml's services run as written, against local PostgreSQL and Redis.

No container engine runs here, so tests/compose.py runs each service's command with that service's environment
(production settings, .env.example as the .env) and maps only what the engine would provide (host names, image
paths, the published port). The one-shot migrate runs twice; web (gunicorn) answers /health/ and a signed-in page
behind the proxy header; a worker runs a task; beat sends the deadline sweep, which the worker runs. A compose file
that disagrees with the code (a renamed setting, a missing variable) fails.
"""

import os
import re
import shelve
import subprocess
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
import requests

from tests import compose
from tests.compose import ROOT, ComposeError, Local

pytestmark = pytest.mark.slow

SETTINGS_DIR = ROOT / "ppda" / "settings"
# Read by something other than ppda/settings: Django itself, or compose's interpolation for the db service.
_READ_ELSEWHERE = {"DJANGO_SETTINGS_MODULE", "POSTGRES_PASSWORD"}


def settings_variables() -> set[str]:
    """Every environment variable ppda's settings read (env_str/env_int/env_bool/env_list, os.environ)."""
    source = "\n".join(path.read_text() for path in SETTINGS_DIR.glob("*.py"))
    return set(re.findall(r"""env_(?:str|int|bool|list)\(\s*["']([A-Z0-9_]+)["']""", source)) | set(
        re.findall(r"""os\.environ(?:\.get|\.setdefault)?\(?\[?\s*["']([A-Z0-9_]+)["']""", source)
    )


def unread_variables(services: dict[str, compose.Service]) -> set[str]:
    """Variables the compose file gives the app that no setting reads: a renamed or mistyped setting."""
    given = {name for service in services.values() for name in service.environment}
    return given - settings_variables() - _READ_ELSEWHERE


def _dotenv(**changes) -> dict[str, str]:
    values = compose.env_file_read(compose.ENV_EXAMPLE)
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """A database of this test's own on the local PostgreSQL (dropped afterwards), and the local Redis."""
    base = urlsplit_db(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ppda"))
    name = f"{base['name']}_compose_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"[:60]
    admin = f"{base['server']}/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    yield Local(
        database_url=f"{base['server']}/{name}",
        redis_url=redis_url,
        queue=f"compose-test-{uuid.uuid4().hex[:8]}",
        schedule_dir=tmp_path_factory.mktemp("beat"),
        web_port=compose.free_port(),
    )
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def urlsplit_db(url: str) -> dict[str, str]:
    server, _, name = url.rpartition("/")
    return {"server": server, "name": name}


@pytest.fixture(scope="module")
def services():
    return compose.services_from(compose.compose_load(), dotenv=_dotenv())


def _wait_for(predicate, *, timeout: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.25)
    tail = log.read_text()[-3000:] if log and log.exists() else ""
    pytest.fail(f"timed out waiting for {what}\n{tail}")


def _log_has(log: Path, text: str) -> bool:
    return log.exists() and text in log.read_text()


# ---- the compose file and the code agree ------------------------------------------------------------------
def test_every_variable_the_compose_file_sets_is_read_by_the_settings(services):
    assert set(services) == set(compose.APP_SERVICES)
    assert all(s.environment["DJANGO_SETTINGS_MODULE"] == "ppda.settings.production" for s in services.values())
    assert unread_variables(services) == set()


def test_a_renamed_setting_in_the_compose_file_is_caught():
    text = compose.COMPOSE_FILE.read_text().replace("REDIS_URL:", "REDIS_LOCATION:")
    planted = compose.services_from(compose.compose_load(text), dotenv=_dotenv())
    assert unread_variables(planted) == {"REDIS_LOCATION"}


def test_a_required_variable_missing_from_env_stops_compose():
    with pytest.raises(ComposeError, match="POSTGRES_PASSWORD"):
        compose.services_from(compose.compose_load(), dotenv=_dotenv(POSTGRES_PASSWORD=None))


def test_compose_config_validates_where_the_client_exists():
    if not compose.docker_compose_available():
        pytest.skip("no docker compose client on this machine (the file is parsed and run above instead)")
    env = {**os.environ, **_dotenv()}
    result = subprocess.run(  # noqa: S603
        ["docker", "compose", "-f", str(compose.COMPOSE_FILE), "config", "--quiet"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_the_services_fail_on_a_planted_mismatch(local):
    """The settings module renamed, or a required production variable missing: the one-shot migrate fails."""
    text = compose.COMPOSE_FILE.read_text().replace("ppda.settings.production", "ppda.settings.prod")
    renamed = compose.services_from(compose.compose_load(text), dotenv=_dotenv())
    result = compose.run(renamed["migrate"], local)
    assert result.returncode != 0 and "ppda.settings.prod" in result.stderr
    no_hosts = compose.services_from(compose.compose_load(), dotenv=_dotenv(ALLOWED_HOSTS=None))
    result = compose.run(no_hosts["migrate"], local)
    assert result.returncode != 0 and "Set ALLOWED_HOSTS" in result.stderr
    short_key = compose.services_from(compose.compose_load(), dotenv=_dotenv(SECRET_KEY="short"))
    result = compose.run(short_key["web"], local, timeout=60)
    assert result.returncode != 0 and "SECRET_KEY must be a long random value" in result.stderr


# ---- the services run --------------------------------------------------------------------------------------
_SESSION_CODE = """
import time
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from ppda.accounts.services import SIGNED_IN_AT_SESSION_KEY
user, _ = get_user_model().objects.get_or_create(username="compose.check")
user.groups.add(Group.objects.get(name="auditor"))
device, _ = TOTPDevice.objects.get_or_create(user=user, name="app", defaults={"confirmed": True})
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store[DEVICE_ID_SESSION_KEY] = device.persistent_id
store[SIGNED_IN_AT_SESSION_KEY] = int(time.time())
store.create()
print("SESSION", settings.SESSION_COOKIE_NAME, store.session_key)
"""

_PING_CODE = """
from ppda.tasks import ping
print("PING", ping.delay().get(timeout=60))
"""


def _static_stale() -> bool:
    """The collected files miss a static file of the project or of an app, or one changed since."""
    import json

    from django.contrib.staticfiles import finders

    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return True
    collected = set(json.loads(manifest.read_text()).get("paths", {}))
    built_at = manifest.stat().st_mtime
    for finder in finders.get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):  # collectstatic's own ignore patterns
            if path not in collected:
                return True
            if Path(storage.path(path)).stat().st_mtime > built_at:
                return True
    return False


def _beat_entries_due(schedule_file: Path) -> list[str]:
    """Make every stored entry look last run an hour ago, as after beat was down: the next beat catches up."""
    with shelve.open(str(schedule_file), writeback=True) as store:  # noqa: S301 - the file beat just wrote
        entries = store["entries"]
        for entry in entries.values():
            entry.last_run_at = datetime.now(UTC) - timedelta(hours=1)
        store["entries"] = entries
        return sorted(entries)


def test_the_compose_services_run_against_local_postgres_and_redis(services, local, tmp_path):
    # The one-shot migrate, twice: the second run has nothing to do.
    first = compose.run(services["migrate"], local, timeout=300)
    assert first.returncode == 0, first.stderr[-3000:]
    second = compose.run(services["migrate"], local, timeout=120)
    assert second.returncode == 0 and "No migrations to apply" in second.stdout, second.stdout + second.stderr
    # The image collects static files at build time (Dockerfile), with the production settings; ~20 s, so
    # only when the collected manifest is older than a static source (make run collects into the same place).
    if _static_stale():
        build = compose.Service(
            "build", ["python", "manage.py", "collectstatic", "--noinput", "-v0"], services["web"].environment
        )
        built = compose.run(build, local, timeout=300)
        assert built.returncode == 0, built.stderr[-3000:]

    host = services["web"].environment["ALLOWED_HOSTS"].split(",")[0].strip()
    proxied = {"Host": host, "X-Forwarded-Proto": "https"}
    base = f"http://127.0.0.1:{local.web_port}"
    logs = {name: tmp_path / f"{name}.log" for name in ("web", "worker", "beat")}
    processes = [compose.start(services[name], local, logs[name]) for name in ("web", "worker")]
    # Beat's first start only stores its schedule (interval entries are first due one interval later).
    first_beat = compose.start(services["beat"], local, logs["beat"])
    try:

        def healthy():
            try:
                return requests.get(f"{base}/health/", headers=proxied, timeout=5, allow_redirects=False)
            except requests.RequestException:  # not listening yet, or its workers still booting
                return None

        health = _wait_for(healthy, timeout=60, what="web /health/", log=logs["web"])
        assert health.status_code == 200 and health.text == "ok"
        assert health.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        # Without the proxy's header the request is plain HTTP: production settings redirect it to HTTPS.
        plain = requests.get(f"{base}/health/", headers={"Host": host}, timeout=5, allow_redirects=False)
        assert plain.status_code == 301 and plain.headers["Location"].startswith(f"https://{host}/")

        # A signed-in page, with a session made by a one-off container of the web service.
        made = compose.one_off(services["web"], local, _SESSION_CODE)
        assert made.returncode == 0, made.stderr[-3000:]
        cookie_name, session_key = made.stdout.split("SESSION", 1)[1].split()
        assert cookie_name == "__Host-sessionid"
        page = requests.get(
            f"{base}/accounts/security/",
            headers={**proxied, "Cookie": f"{cookie_name}={session_key}"},
            timeout=10,
            allow_redirects=False,
        )
        assert page.status_code == 200 and "compose.check" in page.text
        anonymous = requests.get(f"{base}/accounts/security/", headers=proxied, timeout=10, allow_redirects=False)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.headers["Location"]

        # The worker runs a task sent from the web service's environment, on the compose database.
        _wait_for(lambda: _log_has(logs["worker"], "ready."), timeout=60, what="the worker", log=logs["worker"])
        pinged = compose.one_off(services["web"], local, _PING_CODE, timeout=90)
        assert pinged.returncode == 0, pinged.stderr[-3000:]
        assert "'pong': True" in pinged.stdout and local.database_url.rsplit("/", 1)[1] in pinged.stdout

        # Beat: after an hour "down", the next start sends what is due (a missed run catches up).
        _wait_for(lambda: _log_has(logs["beat"], "beat: Starting"), timeout=60, what="beat", log=logs["beat"])
        time.sleep(0.5)
        compose.stop(first_beat)
        schedule_file = local.schedule_dir / "celerybeat-schedule"
        assert "contacts-deadline-sweep" in _beat_entries_due(schedule_file)
        processes.append(compose.start(services["beat"], local, logs["beat"]))
        _wait_for(
            lambda: _log_has(logs["beat"], "Sending due task contacts-deadline-sweep"),
            timeout=60,
            what="beat to send the deadline sweep",
            log=logs["beat"],
        )
        _wait_for(
            lambda: re.search(r"deadlines_sweep_task\[[^\]]+\] succeeded", logs["worker"].read_text()),
            timeout=60,
            what="the worker to run the sweep",
            log=logs["worker"],
        )
    finally:
        for process in [first_beat, *processes]:
            compose.stop(process)
