"""Set-based notifications for the deadline sweep: one INSERT for any number of recipients and events.

ppda.notifications.notification_send creates rows one savepoint at a time, which is right for a single
event but makes a catch-up sweep cost queries per event. This sends the same Notification rows (same
once-per-(recipient, event_key) constraint, same reference-and-link-only email) in a bounded number of
queries.
"""

from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from ppda.models import Notification
from ppda.notifications import notifications_email  # noqa: F401 - the email task and bench use it from here


class Outgoing(NamedTuple):
    recipient_id: int
    kind: str
    message: str  # never identifiable data: the case reference and a link say everything needed
    case_reference: str
    link: str
    event_key: str


def notifications_send_bulk(*, items: list[Outgoing]) -> list[int]:
    """Insert the in-app notifications, skipping any (recipient, event_key) already sent, and email the new
    ones after the surrounding transaction commits. Returns the ids of the notifications created."""
    if not items:
        return []
    table = Notification._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (recipient_id, kind, message, case_reference, link, event_key, created_at)
            SELECT r, k, m, c, l, e, %s
            FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[]) AS t(r, k, m, c, l, e)
            ON CONFLICT DO NOTHING
            RETURNING id
            """,  # noqa: S608 - the table name comes from the model, values are parameters
            [now, *(list(column) for column in zip(*items, strict=True))],
        )
        ids = [row[0] for row in cursor.fetchall()]
    if ids:
        transaction.on_commit(lambda: notifications_email_enqueue(ids))
    return ids


EMAIL_CHUNK = 100


def notifications_email_enqueue(notification_ids: list[int]) -> None:
    """Emails are built and sent by worker tasks in chunks of ids, not inside the sweep: a catch-up of
    thousands of emails must not hold up the sweep, and more workers send them faster."""
    from .tasks import notifications_email_task

    for start in range(0, len(notification_ids), EMAIL_CHUNK):
        notifications_email_task.delay(notification_ids[start : start + EMAIL_CHUNK])
