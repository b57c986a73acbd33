"""Send notifications: an in-app row per recipient and an email (reference and link only) after commit."""

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import IntegrityError, transaction
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
