"""The database connection binds parameters on the server and prepares repeated statements (issue 18).

Client-side binding (Django's default with psycopg 3) quotes every value in Python and makes PostgreSQL
parse and plan each statement afresh; the bench measured the difference (docs/performance.md).
"""

import psycopg
import pytest
from django.db import connection

from ppda.models import StaffMember

pytestmark = pytest.mark.django_db


def _prepared_statements() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        return cursor.fetchone()[0]


def test_parameters_are_sent_apart_from_the_sql():
    connection.ensure_connection()
    # A client-side cursor (psycopg.ClientCursor) merges the values into the SQL text before sending it.
    assert connection.settings_dict["OPTIONS"].get("server_side_binding") is True
    with connection.cursor() as cursor:
        assert not isinstance(cursor.cursor, psycopg.ClientCursor)


def test_a_statement_run_often_is_prepared():
    threshold = connection.connection.prepare_threshold
    assert threshold is not None, "prepared statements are off"
    before = _prepared_statements()
    for pk in range(threshold + 2):
        list(StaffMember.objects.filter(pk=pk).values_list("id"))
    assert _prepared_statements() > before


def test_the_worker_binds_on_the_client_and_the_web_on_the_server():
    """The sweeps' bulk writes were slower with server-side binding (docs/performance.md); pages faster."""
    from pathlib import Path

    import yaml

    services = yaml.safe_load((Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text())["services"]
    assert services["worker"]["environment"]["DB_SERVER_SIDE_BINDING"] == "false"
    assert "DB_SERVER_SIDE_BINDING" not in services["web"]["environment"]
