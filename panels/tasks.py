"""Thin Celery tasks: ids only (never identifiable data in task arguments)."""

from celery import shared_task

from .pack import pack_build
from .sweep import panel_access_sweep


@shared_task(acks_late=True, ignore_result=False)
def panel_access_sweep_task() -> dict:
    """Beat runs this on an interval. Safe to run twice or to redeliver: each meeting's expiry is claimed once."""
    result = panel_access_sweep()
    return {"meetings": result.meetings, "grants": result.grants}


@shared_task(acks_late=True)
def pack_build_task(pack_id: int) -> None:
    pack_build(pack_id=pack_id)
