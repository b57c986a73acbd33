"""Thin Celery tasks. They take no identifiable data (ids at most); the database says what is due."""

from celery import shared_task

from .notify import notifications_email
from .sweep import deadlines_sweep


@shared_task(acks_late=True, ignore_result=False)
def deadlines_sweep_task() -> dict:
    """Beat runs this every few minutes. Safe to run twice or to redeliver: every event is claimed once."""
    result = deadlines_sweep()
    return {"claimed": result.claimed, "notifications": result.notifications}


@shared_task(acks_late=True, ignore_result=True)
def notifications_email_task(notification_ids: list[int]) -> int:
    """Email a chunk of notifications by id (reference and link only). Each is claimed before it is sent."""
    return notifications_email(notification_ids)
