"""Thin Celery task: ids only, never identifiable data."""

from celery import shared_task

from .services import notifications_email


@shared_task(acks_late=True, ignore_result=True)
def notifications_email_task(notification_ids: list[int]) -> int:
    """Email a chunk of notifications by id (reference and link only). Each is claimed before it is sent."""
    return notifications_email(notification_ids)
