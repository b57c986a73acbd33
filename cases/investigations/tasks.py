"""Thin Celery tasks. They take no identifiable data; the database says what is due."""

from celery import shared_task

from .sweep import investigation_alerts_sweep


@shared_task(acks_late=True, ignore_result=False)
def investigation_alerts_sweep_task() -> dict:
    """Beat runs this on an interval. Safe to run twice or to redeliver: every alert is claimed once."""
    result = investigation_alerts_sweep()
    return {"claimed": result.claimed, "notifications": result.notifications}
