"""Send notifications: an in-app row per recipient and an email (reference and link only) after commit."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

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
        transaction.on_commit(lambda: _email(ids))
    return created


def _email(notification_ids: list[int]) -> None:
    from django.utils import timezone

    for n in Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related("recipient"):
        if not n.recipient.email:
            continue
        url = f"{settings.SITE_URL}{n.link}" if n.link else settings.SITE_URL
        subject = f"ppda: {n.case_reference} – {n.kind.replace('_', ' ')}" if n.case_reference else "ppda"
        send_mail(subject, f"{n.message}\n\n{url}\n", settings.DEFAULT_FROM_EMAIL, [n.recipient.email])
        Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())
