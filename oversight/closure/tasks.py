"""Thin Celery tasks. No arguments: the database says which revocations are due."""

from celery import shared_task

from .services import closure_access_sweep


@shared_task(acks_late=True, ignore_result=False)
def closure_access_sweep_task() -> dict:
    """Beat runs this on an interval. Safe to run twice or to redeliver: each revocation is claimed once."""
    result = closure_access_sweep()
    return {"revoked": result.revoked, "kept": result.kept}
