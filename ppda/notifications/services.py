"""Send notifications: an in-app row per recipient and an email (reference and link only) after commit.

notification_send creates rows one savepoint at a time, which is right for a single event;
notifications_send_bulk sends the same rows (same once-per-(recipient, event_key) constraint, same
reference-and-link-only email) for any number of recipients and events in a bounded number of queries,
for the sweeps. Recipients about a case come from the case app's access module
(cases.access.coordinators_for_case): only people who may open the case.
"""

from typing import NamedTuple

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .models import Notification


def notification_send(
    *, recipients, kind: str, message: str, link: str = "", case_reference: str = "", event_key: str = ""
) -> list[Notification]:
    """Notify each recipient once per event_key. `message` must not contain identifiable data.

    Returns the notifications actually created (an event already sent to a recipient is skipped).
    Emails go after the surrounding transaction commits, so a rollback sends nothing.
    """
    created = []
    for user in recipients:
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        recipient=user,
                        kind=kind,
                        message=message,
                        link=link,
                        case_reference=case_reference,
                        event_key=event_key,
                    )
                )
        except IntegrityError:
            continue  # already sent for this event
    ids = [n.pk for n in created]
    if ids:
        transaction.on_commit(lambda: notifications_email(ids))
    return created


def notifications_email(notification_ids: list[int]) -> int:
    """Email each notification not yet emailed: subject with the reference, body with the message and a link.

    Each email is claimed first (emailed_at set where still empty, under a row lock) and then sent, so a
    redelivered task or a second worker never sends the same notification twice.
    """
    now = timezone.now()
    with transaction.atomic():
        claimed = list(
            Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
            .exclude(recipient__email="")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=claimed).update(emailed_at=now)
    rows = Notification.objects.filter(pk__in=claimed).values_list(
        "kind", "message", "link", "case_reference", "recipient__email"
    )
    messages = []
    for kind, message, link, reference, email in rows:
        url = f"{settings.SITE_URL}{link}" if link else settings.SITE_URL
        subject = f"ppda: {reference} – {kind.replace('_', ' ')}" if reference else "ppda"
        messages.append(EmailMessage(subject, f"{message}\n\n{url}\n", settings.DEFAULT_FROM_EMAIL, [email]))
    if messages:
        mailers.default.send_messages(messages)
    return len(messages)


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
