"""Revoke UPDATE, DELETE and TRUNCATE on the append-only audit tables from the application's database role.

The triggers (migrations) refuse UPDATE and DELETE row by row, but not TRUNCATE, and a role that owns a table
can drop its trigger. With this REVOKE the database itself refuses the application's role all three; the role
keeps INSERT and SELECT. Prints the SQL; --apply runs it and then checks the role's effective privileges (a
superuser, the tables' owner, or a member of a role that still holds them is reported, and the command fails).
Idempotent: REVOKE of a privilege not held does nothing. docs/deployment.md, "The database role".
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg import sql

from ppda.models import AccessLog, GrantEvent

PRIVILEGES = ("UPDATE", "DELETE", "TRUNCATE")


def audit_tables() -> list[str]:
    """The append-only tables: the access log (DPA s.62) and the history of roles and case grants."""
    return [AccessLog._meta.db_table, GrantEvent._meta.db_table]


def revoke_sql(role: str) -> sql.Composed:
    return sql.SQL("REVOKE {privileges} ON TABLE {tables} FROM {role}").format(
        privileges=sql.SQL(", ").join(sql.SQL(p) for p in PRIVILEGES),
        tables=sql.SQL(", ").join(sql.Identifier(t) for t in audit_tables()),
        role=sql.Identifier(role),
    )


class Command(BaseCommand):
    help = "Print (or with --apply run) the REVOKE of UPDATE, DELETE and TRUNCATE on the audit tables from a role."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the database role the application connects as")
        parser.add_argument("--apply", action="store_true", help="run the SQL, then check the role's privileges")

    def handle(self, *args, role: str, apply: bool, **options):
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
            found = cursor.fetchone()
            if found is None:
                raise CommandError(f"There is no database role {role!r}.")
            statement = revoke_sql(role).as_string(cursor.connection) + ";"
            self.stdout.write(statement)
            warnings = self._warnings(cursor, role, superuser=found[0])
            for warning in warnings:
                self.stderr.write(f"Warning: {warning}")
            if not apply:
                self.stdout.write("Not applied: run again with --apply to execute it.")
                return
            with transaction.atomic():
                cursor.execute(statement)
            still = self._still_held(cursor, role)
        if still:
            raise CommandError(
                f"Applied, but {role!r} still holds {', '.join(still)} (through superuser status, ownership or a role "
                "it is a member of): see docs/deployment.md, 'The database role'."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Applied: {role!r} can no longer {', '.join(PRIVILEGES)} the audit tables.")
        )

    def _warnings(self, cursor, role: str, *, superuser: bool) -> list[str]:
        out = []
        if superuser:
            out.append(f"{role!r} is a superuser: privileges do not bind it, so the REVOKE changes nothing.")
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner"
            " WHERE c.relname = ANY(%s) AND r.rolname = %s ORDER BY c.relname",
            [audit_tables(), role],
        )
        for (table,) in cursor.fetchall():
            out.append(
                f"{role!r} owns {table}: an owner can grant itself the privileges again and drop the trigger. "
                "Run the application as a role that does not own the tables."
            )
        return out

    def _still_held(self, cursor, role: str) -> list[str]:
        held = []
        for table in audit_tables():
            for privilege in PRIVILEGES:
                cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [role, table, privilege])
                if cursor.fetchone()[0]:
                    held.append(f"{privilege} on {table}")
        return held
