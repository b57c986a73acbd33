"""Run docker-compose.yml's application services without a container engine (tests/ppda/test_compose_services.py).

Each service's command runs as written in the compose file, with that service's environment (its `environment`
over its `env_file`, `${...}` interpolated from .env the way compose does), and nothing of the test process's own
environment: a setting the compose file forgot, or renamed, is missing here as it would be in the container.
Only what the container engine itself would provide is mapped to this machine:

- the service host names `db` and `redis` become the local PostgreSQL (a database of the test's own) and Redis;
- the image's paths: the working directory is the repository (the image's /app), `python`, `gunicorn` and
  `celery` are the virtualenv's, and the beat schedule file goes to a temporary folder;
- the published port: web binds a free loopback port instead of 0.0.0.0:8000;
- a Celery queue and cache-key prefix of the test's own, so the test's worker takes only the test's tasks.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
APP_SERVICES = ("migrate", "web", "worker", "beat")
_VAR = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:\?|:-|\?|-)(?P<arg>[^}]*))?\}")


class ComposeError(Exception):
    """The compose file cannot be run as written (a required variable unset, a malformed entry)."""


def env_file_read(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.partition("=")
        values[name.strip()] = value.strip().strip("'\"")
    return values


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:?error}, ${VAR:-default} and $$."""

    def replace(match):
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        current = variables.get(name)
        if op in (":?", "?") and (current is None or (op == ":?" and current == "")):
            raise ComposeError(f"{name}: {arg or 'required'}")
        if op in (":-", "-") and (current is None or (op == ":-" and current == "")):
            return arg
        return current or ""

    return _VAR.sub(replace, value)


@dataclass
class Service:
    name: str
    command: list[str]
    environment: dict[str, str]


@dataclass
class Local:
    """Where this machine's services are, for the mapping of `db` and `redis`."""

    database_url: str  # postgres://user@127.0.0.1:5432/<the test's own database>
    redis_url: str  # redis://127.0.0.1:6379/<n>
    queue: str
    schedule_dir: Path
    web_port: int = 0
    extra_env: dict[str, str] = field(default_factory=dict)


def compose_load(text: str | None = None) -> dict:
    return yaml.safe_load(text if text is not None else COMPOSE_FILE.read_text())


def services_from(compose: dict, *, dotenv: dict[str, str]) -> dict[str, Service]:
    """The application services as compose would start them: command and environment, interpolated."""
    out = {}
    for name in APP_SERVICES:
        spec = compose["services"][name]
        env: dict[str, str] = {}
        env_files = spec.get("env_file") or []
        for _ in [env_files] if isinstance(env_files, str) else env_files:
            env.update(dotenv)  # `.env` is the only env_file the compose file names
        environment = spec.get("environment") or {}
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) for item in environment)
        env.update({key: interpolate(str(value), dotenv) for key, value in environment.items()})
        command = spec.get("command")
        if not isinstance(command, list):
            raise ComposeError(f"{name}: give the command as a list (exec form)")
        out[name] = Service(name=name, command=[interpolate(str(part), dotenv) for part in command], environment=env)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _map_url(value: str, local: Local) -> str:
    try:
        parts = urlsplit(value)
    except ValueError:
        return value
    if parts.scheme.startswith("postgres") and parts.hostname == "db":
        return local.database_url
    if parts.scheme == "redis" and parts.hostname == "redis":
        return local.redis_url
    return value


def localised(service: Service, local: Local) -> tuple[list[str], dict[str, str]]:
    """The command and environment to run `service` here (see the module docstring for what is mapped)."""
    bin_dir = Path(sys.executable).parent
    executables = {"python": sys.executable, "gunicorn": str(bin_dir / "gunicorn"), "celery": str(bin_dir / "celery")}
    command = [executables.get(service.command[0], service.command[0])]
    for part in service.command[1:]:
        if part.startswith("0.0.0.0:"):
            part = f"127.0.0.1:{local.web_port}"
        elif part.startswith("/var/run/ppda/"):
            part = str(local.schedule_dir / Path(part).name)
        command.append(part)
    env = {name: _map_url(value, local) for name, value in service.environment.items()}
    env.update(
        PATH=os.environ.get("PATH", "/usr/bin:/bin"),
        HOME=os.environ.get("HOME", "/root"),
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
        CELERY_TASK_DEFAULT_QUEUE=local.queue,
        CACHE_KEY_PREFIX=local.queue,
        **local.extra_env,
    )
    return command, env


def run(service: Service, local: Local, *, timeout: float = 120) -> subprocess.CompletedProcess:
    command, env = localised(service, local)
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)  # noqa: S603


def start(service: Service, local: Local, log: Path) -> subprocess.Popen:
    command, env = localised(service, local)
    handle = log.open("w")
    return subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def one_off(service: Service, local: Local, code: str, *, timeout: float = 60) -> subprocess.CompletedProcess:
    """`docker compose run <service> python manage.py shell -c CODE`: the service's image and environment."""
    shell = Service(service.name, ["python", "manage.py", "shell", "-c", code], service.environment)
    return run(shell, local, timeout=timeout)


def docker_compose_available() -> bool:
    docker = shutil.which("docker")
    if not docker:
        return False
    return subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0  # noqa: S603
