"""The panel access sweep: delete the papers grants of meetings whose window has closed, each claimed once.

The guard already refuses at read time once the window closes (panels/access.py); this removes the grants
themselves. Due rows are claimed under a row lock other sweeps skip (FOR UPDATE SKIP LOCKED) and marked
revoked_at in the same transaction as the grants are deleted: two sweeps at once, a re-run or a redelivered
task (acks_late) revoke once, and a crash rolls claim and revocation back together (the shape of
oversight.closure's grace-period sweep).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ppda.grant_history import object_grants_delete

from .grants import item_case_references
from .models import AgendaItemUserObjectPermission, MeetingAccessExpiry

logger = logging.getLogger(__name__)
SWEEP_BATCH = 200


@dataclass
class PanelSweepResult:
    meetings: int = 0
    grants: int = 0


def _sweep_batch(now: dt.datetime, batch: int, result: PanelSweepResult) -> int:
    with transaction.atomic():
        claimed = list(
            MeetingAccessExpiry.objects.filter(revoked_at__isnull=True, due_at__lte=now)
            .order_by("due_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", "meeting_id")[:batch]
        )
        if not claimed:
            return 0
        MeetingAccessExpiry.objects.filter(pk__in=[pk for pk, _ in claimed], revoked_at__isnull=True).update(
            revoked_at=now
        )
        deleted = object_grants_delete(
            AgendaItemUserObjectPermission.objects.filter(content_object__meeting_id__in=[m for _, m in claimed]),
            by=None,
            source="panel_access_sweep",
            references=item_case_references,
        )
        result.meetings += len(claimed)
        result.grants += deleted
    return len(claimed)


def panel_access_sweep(*, now: dt.datetime | None = None, batch: int = SWEEP_BATCH) -> PanelSweepResult:
    """Revoke every due meeting's grants, batch by batch, until none is due (a sweep that was down catches up)."""
    now = now or timezone.now()
    result = PanelSweepResult()
    while _sweep_batch(now, batch, result) == batch:
        pass
    logger.info("panel access sweep closed %s meetings, %s grants", result.meetings, result.grants)
    return result
