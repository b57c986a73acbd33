"""accesslog_revoke: on real PostgreSQL, a role it has been applied to can INSERT and SELECT the audit tables but
not UPDATE, DELETE or TRUNCATE them. The role is created inside the test's transaction and rolled back with it."""

import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError, ProgrammingError
from psycopg import errors, sql

from ppda.management.commands.accesslog_revoke import audit_tables

pytestmark = pytest.mark.django_db
TABLES = audit_tables()


@pytest.fixture
def app_role():
    """A throwaway role with every table privilege on the audit tables, as a careless setup would give."""
    role = f"ppda_revoke_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
        cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(sql.Identifier(role)))
        cursor.execute(sql.SQL("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {}").format(sql.Identifier(role)))
        cursor.execute(
            sql.SQL("GRANT ALL ON TABLE {} TO {}").format(
                sql.SQL(", ").join(sql.Identifier(t) for t in TABLES), sql.Identifier(role)
            )
        )
    return role


def _as(role: str, statement: str, params=()):
    """Run one statement as `role`, in a savepoint that is always rolled back (so a TRUNCATE leaves no trace)."""

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(role)).as_string(cursor.connection))
            cursor.execute(statement, params)
            raise Rollback
    except Rollback:
        return True


INSERTS = {
    "ppda_accesslog": "INSERT INTO ppda_accesslog (uuid, at, username, action, object_type, object_id, case_reference,"
    " what, path, allowed) VALUES (gen_random_uuid(), now(), 'r', 'view', '', '', '', '', '', true)",
    "ppda_grantevent": 'INSERT INTO ppda_grantevent (at, kind, change, username, "group", permission, object_type,'
    " object_id, case_reference, by_username, source) VALUES (now(), 'role', 'granted', 'r', 'soo', '', '', '', '',"
    " '', 'test')",
}


def _refused(role, statement) -> bool:
    try:
        _as(role, statement)
    except ProgrammingError as e:
        return isinstance(e.__cause__, errors.InsufficientPrivilege)
    except DatabaseError:
        return False  # refused by something else (the trigger), not by the privileges
    return False


def test_before_the_revoke_the_role_can_truncate_the_access_log(app_role):
    """What the command is for: the triggers do not stop TRUNCATE (the assertion below fails once revoked)."""
    for table in TABLES:
        assert _as(app_role, f"TRUNCATE {table}")
        assert not _refused(app_role, f"UPDATE {table} SET username = 'x'")  # noqa: S608 - table names from the models


def test_after_the_revoke_the_role_may_insert_and_select_only(app_role):
    out = StringIO()
    call_command("accesslog_revoke", app_role, "--apply", stdout=out)
    assert (
        f'REVOKE UPDATE, DELETE, TRUNCATE ON TABLE "ppda_accesslog", "ppda_grantevent" FROM "{app_role}"'
        in out.getvalue()
    )
    for table in TABLES:
        assert _as(app_role, INSERTS[table])
        assert _as(app_role, f"SELECT count(*) FROM {table}")  # noqa: S608 - table names from the models
        for statement in (f"UPDATE {table} SET username = 'x'", f"DELETE FROM {table}", f"TRUNCATE {table}"):  # noqa: S608 - table names from the models
            assert _refused(app_role, statement), statement
    # Idempotent: a second run changes nothing and succeeds.
    call_command("accesslog_revoke", app_role, "--apply", stdout=StringIO())
    assert _refused(app_role, f"TRUNCATE {TABLES[0]}")


def test_without_apply_it_prints_the_sql_and_changes_nothing(app_role):
    out = StringIO()
    call_command("accesslog_revoke", app_role, stdout=out)
    assert "REVOKE UPDATE, DELETE, TRUNCATE" in out.getvalue() and "--apply" in out.getvalue()
    assert _as(app_role, f"TRUNCATE {TABLES[0]}")


def test_a_role_that_would_still_hold_the_privileges_fails_loudly(app_role):
    """A superuser (here: the test's own role) is not bound by privileges: the command says so and fails."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (me,) = cursor.fetchone()
    err = StringIO()
    with pytest.raises(CommandError, match="still holds"):
        call_command("accesslog_revoke", me, "--apply", stdout=StringIO(), stderr=err)
    assert "superuser" in err.getvalue()


def test_an_unknown_role_is_a_clear_error():
    with pytest.raises(CommandError, match="no database role"):
        call_command("accesslog_revoke", "no_such_role_ppda", stdout=StringIO())
