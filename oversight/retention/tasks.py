"""Thin Celery tasks. No arguments: the database says which reviews are due."""

from celery import shared_task

from .services import retention_reminders_sweep


@shared_task(acks_late=True, ignore_result=False)
def retention_reminders_sweep_task() -> dict:
    """Beat runs this on an interval. Safe to run twice or to redeliver: each reminder is claimed once."""
    result = retention_reminders_sweep()
    return {"cases": result.cases, "notices": result.notices}
