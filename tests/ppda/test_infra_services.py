"""bin/check-services: with PostgreSQL or Redis unreachable, say what is missing and how to start it — no traceback."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "bin" / "check-services"


def run_check(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT)], env={**os.environ, **env}, capture_output=True, text=True, timeout=60
    )


def test_nothing_reachable_names_both_and_how_to_start_them():
    result = run_check(DATABASE_URL="postgres://postgres@127.0.0.1:1/ppda_x", REDIS_URL="redis://127.0.0.1:2/0")
    assert result.returncode == 1
    assert "PostgreSQL is not reachable at 127.0.0.1:1 (DATABASE_URL)" in result.stderr
    assert "pg_ctlcluster" in result.stderr
    assert "Redis is not reachable at 127.0.0.1:2 (REDIS_URL)" in result.stderr
    assert "redis-server --daemonize yes" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_only_redis_missing_names_only_redis():
    result = run_check(REDIS_URL="redis://127.0.0.1:2/0")
    assert result.returncode == 1
    assert "Redis is not reachable at 127.0.0.1:2" in result.stderr
    assert "PostgreSQL" not in result.stderr
    assert "Traceback" not in result.stderr


def test_a_refusing_database_server_is_reported_plainly():
    result = run_check(DATABASE_URL="postgres://no_such_role_ppda@127.0.0.1:5432/ppda_x")
    assert result.returncode == 1
    assert "PostgreSQL at 127.0.0.1:5432 refused the connection" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_malformed_url_is_reported_plainly():
    result = run_check(DATABASE_URL="postgres://127.0.0.1:notaport/ppda")
    assert result.returncode == 1
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_running_services_pass():
    result = run_check()
    assert result.returncode == 0, result.stderr
