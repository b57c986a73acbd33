"""Allocation of a senior oversight officer (SOO) to a case."""

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

FIRST_CONTACT_HOURS = 72
# Allocation.end_reason when the SOO closed the case (oversight.closure): their read-only grace period follows.
CLOSED_END_REASON = "case closed"


class Allocation(models.Model):
    """One SOO's allocation to one case. At most one live (pending or accepted) allocation per case."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting acceptance"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        ENDED = "ended", "Ended"

    LIVE = (Status.PENDING, Status.ACCEPTED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="allocations")
    soo = models.ForeignKey("ppda.StaffMember", on_delete=models.PROTECT, related_name="allocations")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    allocated_at = models.DateTimeField()
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Stored UTC; allocated_at + 72 elapsed hours, right across clock changes.
    first_contact_due = models.DateTimeField()
    first_contact_met_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    no_conflict_declaration = models.TextField(blank=True)
    decline_reason = models.TextField(blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    # Soft exclusions the coordinator overrode, each with the recorded reason: [{"rule": ..., "reason": ...}].
    overrides = models.JSONField(default=list, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-allocated_at"]
        constraints = [
            # Two coordinators allocating at once: the database lets exactly one succeed.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status__in=["pending", "accepted"]),
                name="allocation_one_live_per_case",
            )
        ]
        indexes = [
            models.Index(fields=["soo", "status"], name="allocation_soo_status"),
            # The suggestion list: each candidate's last carried allocation is one probe of this index.
            models.Index(
                fields=["soo", "-allocated_at"], condition=~models.Q(status="declined"), name="allocation_soo_carried"
            ),
            # ... and open cases one grouped count over the live allocations only, index-only.
            models.Index(
                fields=["soo"], condition=models.Q(status__in=["pending", "accepted"]), name="allocation_soo_live"
            ),
            models.Index(
                fields=["first_contact_due"],
                condition=models.Q(first_contact_met_at__isnull=True, status__in=["pending", "accepted"]),
                name="allocation_contact_pending",
            ),
        ]

    def __str__(self):
        return f"Allocation {self.public_id}"

    @staticmethod
    def due_for(allocated_at: dt.datetime) -> dt.datetime:
        return allocated_at + dt.timedelta(hours=FIRST_CONTACT_HOURS)
