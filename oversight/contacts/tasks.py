"""Thin Celery tasks. They take no identifiable data (ids at most); the database says what is due."""

from celery import shared_task

from .sweep import deadlines_sweep


@shared_task(acks_late=True, ignore_result=False)
def deadlines_sweep_task() -> dict:
    """Beat runs this every few minutes. Safe to run twice or to redeliver: every event is claimed once."""
    result = deadlines_sweep()
    return {"claimed": result.claimed, "notifications": result.notifications}
